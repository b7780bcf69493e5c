/**
 * The webhook URL rule: X requires `https://` without a port; the `local` mode also accepts plain HTTP on
 * loopback with a port, so a receiver on the developer's machine can be registered.
 *
 * @internal
 */
import type { UrlMode } from "../EmulatorConfig.js"

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"])

/** Whether `url` may be registered as a webhook. @internal */
export const isAcceptable = (url: string, mode: UrlMode): boolean => {
  if (url.length === 0 || url.length > 2048) return false
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.username !== "" || parsed.password !== "" || parsed.hash !== "") return false
  const authority = url.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, "").split(/[/?#]/)[0] ?? ""
  if (parsed.protocol === "https:" && !authority.includes(":")) return true
  if (mode === "strict") return false
  return (parsed.protocol === "http:" || parsed.protocol === "https:") && LOOPBACK.has(parsed.hostname)
}
