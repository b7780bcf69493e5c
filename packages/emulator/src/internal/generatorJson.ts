/**
 * A JSON writer that spells bodies the way X does: integers of any size written as their exact digits
 * (Tweet ids beyond 2^53 keep every digit), `/` escaped as `\/`, and `<`, `>`, `&` and every non-ASCII
 * character escaped as `\uXXXX` (lowercase hex, UTF-16 code units). Keys keep their insertion order;
 * `undefined` members are left out.
 *
 * @internal
 */

/**
 * An integer written as its exact decimal digits.
 *
 * @internal
 */
export class RawNumber {
  constructor(readonly digits: string) {}
}

/**
 * @internal
 */
export type Json =
  | null
  | boolean
  | number
  | string
  | RawNumber
  | ReadonlyArray<Json>
  | { readonly [key: string]: Json | undefined }

/**
 * @internal
 */
export const raw = (digits: string): RawNumber => {
  if (!/^-?[0-9]+$/.test(digits)) throw new Error(`not an integer: ${digits}`)
  return new RawNumber(digits)
}

const escapeChar = (code: number): string => {
  switch (code) {
    case 0x22:
      return '\\"'
    case 0x5c:
      return "\\\\"
    case 0x2f:
      return "\\/"
    case 0x08:
      return "\\b"
    case 0x0c:
      return "\\f"
    case 0x0a:
      return "\\n"
    case 0x0d:
      return "\\r"
    case 0x09:
      return "\\t"
  }
  if (code < 0x20 || code > 0x7e || code === 0x3c || code === 0x3e || code === 0x26) {
    return `\\u${code.toString(16).padStart(4, "0")}`
  }
  return String.fromCharCode(code)
}

/**
 * A JSON string literal, escaped like X.
 *
 * @internal
 */
export const string = (text: string): string => {
  let out = '"'
  for (let i = 0; i < text.length; i++) out += escapeChar(text.charCodeAt(i))
  return `${out}"`
}

/**
 * @internal
 */
export const stringify = (value: Json): string => {
  if (value === null) return "null"
  if (value instanceof RawNumber) return value.digits
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false"
    case "number":
      if (!Number.isFinite(value)) throw new Error("JSON has no infinite numbers")
      return String(value)
    case "string":
      return string(value)
  }
  if (Array.isArray(value)) return `[${(value as ReadonlyArray<Json>).map(stringify).join(",")}]`
  const members: Array<string> = []
  for (const [key, member] of Object.entries(value as { readonly [key: string]: Json | undefined })) {
    if (member !== undefined) members.push(`${string(key)}:${stringify(member)}`)
  }
  return `{${members.join(",")}}`
}
