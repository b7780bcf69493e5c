/**
 * Rate-limit windows as X reports them in `x-rate-limit-limit`, `x-rate-limit-remaining` and
 * `x-rate-limit-reset` (epoch seconds). X counts each endpoint separately, and app-only requests apart
 * from user-context ones (each user token has its own windows), so a window is kept per endpoint and auth
 * context.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import type { AuthKind } from "@account-activity/auth"
import { DateTime, Option } from "effect"
import type * as Endpoint from "./Endpoint.js"

/**
 * The last window seen for one endpoint and auth context.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly endpoint: Endpoint.Name
  /**
   * Whose window it is: `"app"` (app-only Bearer), `"owner"` (the app owner's tokens) or `"user:<id>"` (a
   * subscribing user's tokens; `<id>` is the user id X puts before the `-` of an access token, or a short
   * hash of the token when it has none). Never a secret.
   */
  readonly auth: string
  /** Requests allowed in the window. */
  readonly limit: number
  /** Requests left in the window when the answer was sent. */
  readonly remaining: number
  /** When the window resets. */
  readonly resetAt: DateTime.Utc
  /** When the client read these headers (its `Clock`). */
  readonly observedAt: DateTime.Utc
}

/**
 * The three headers, read from any header record (names in any case). `None` unless all three are
 * present and are non-negative integers.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): Option.Option<{ readonly limit: number; readonly remaining: number; readonly resetAt: DateTime.Utc }> => {
  const read = (name: string): number | undefined => {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() !== name) continue
      const raw = headers[key]
      const value = (typeof raw === "string" ? raw : raw?.[0])?.trim()
      return value !== undefined && /^[0-9]{1,15}$/.test(value) ? Number(value) : undefined
    }
    return undefined
  }
  const limit = read("x-rate-limit-limit")
  const remaining = read("x-rate-limit-remaining")
  const reset = read("x-rate-limit-reset")
  return limit === undefined || remaining === undefined || reset === undefined
    ? Option.none()
    : Option.some({ limit, remaining, resetAt: DateTime.unsafeMake(reset * 1000) })
}

/**
 * The auth context of a request signed for `kind`, as {@link RateLimit} names it.
 *
 * @since 0.1.0
 * @category models
 */
export const authContext = (kind: AuthKind.AuthKind): string => {
  switch (kind._tag) {
    case "AppOnly":
      return "app"
    case "AppOwner":
      return "owner"
    case "User": {
      const userId = /^([0-9]{1,20})-/.exec(kind.tokens.accessToken)?.[1]
      return userId === undefined
        ? `user:#${createHash("sha256").update(kind.tokens.accessToken).digest("hex").slice(0, 12)}`
        : `user:${userId}`
    }
  }
}
