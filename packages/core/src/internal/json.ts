/**
 * Lossless JSON parsing for webhook bodies.
 *
 * X sends Tweet ids as JSON numbers (`"id": 1556886030274000000`) that exceed 2^53; `JSON.parse` silently
 * rounds them, and Node 20 gives a reviver no access to the source text. `parse` rewrites every integer
 * literal outside the safe range into a string literal holding its exact digits, then lets `JSON.parse`
 * do the rest, so validity, string escapes and error reporting stay those of the platform parser.
 *
 * The rewrite only touches a number token in value position (never an object key), and replaces one value
 * token with another, so a document is valid after the rewrite exactly when it was valid before.
 *
 * @internal
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const MIN_SAFE = -MAX_SAFE
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/

const isNumberChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || c === 45 /* - */ || c === 43 /* + */ || c === 46 /* . */ || c === 101 || c === 69 /* e E */

const isWhitespace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13

/**
 * Whether an integer literal (matching `-?(0|[1-9][0-9]*)`) lies outside `Number.MIN_SAFE_INTEGER ..
 * Number.MAX_SAFE_INTEGER`, i.e. whether `Number(literal)` could lose digits.
 *
 * @internal
 */
export const isUnsafeInteger = (literal: string): boolean => {
  const digits = literal.startsWith("-") ? literal.length - 1 : literal.length
  if (digits < 16) return false
  const value = BigInt(literal)
  return value > MAX_SAFE || value < MIN_SAFE
}

/**
 * Rewrites unsafe integer literals of a JSON text into string literals. Returns the input itself when
 * there is nothing to rewrite.
 *
 * @internal
 */
export const protectUnsafeIntegers = (text: string): string => {
  // Container stack: true for an object, false for an array.
  const stack: Array<boolean> = []
  // The last significant character seen outside strings (0 at the start of the document).
  let previous = 0
  let out: Array<string> | undefined
  let copiedUpTo = 0
  let i = 0
  const length = text.length
  while (i < length) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      i++
      while (i < length) {
        const d = text.charCodeAt(i)
        if (d === 92 /* \ */) {
          i += 2
        } else if (d === 34) {
          break
        } else {
          i++
        }
      }
      i++
      previous = 34
      continue
    }
    if (isWhitespace(c)) {
      i++
      continue
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      stack.push(c === 123)
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop()
    } else if (isNumberChar(c)) {
      const start = i
      while (i < length && isNumberChar(text.charCodeAt(i))) i++
      const token = text.slice(start, i)
      const inObject = stack.length > 0 && stack[stack.length - 1] === true
      const valuePosition =
        previous === 0 || previous === 58 /* : */ || ((previous === 91 || previous === 44) /* [ , */ && !inObject)
      if (valuePosition && INTEGER.test(token) && isUnsafeInteger(token)) {
        out ??= []
        out.push(text.slice(copiedUpTo, start), '"', token, '"')
        copiedUpTo = i
      }
      previous = 48
      continue
    }
    previous = c
    i++
  }
  if (out === undefined) return text
  out.push(text.slice(copiedUpTo))
  return out.join("")
}

const dropProtoKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) {
    for (const element of value) dropProtoKeys(element)
  } else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>
    if (Object.hasOwn(record, "__proto__")) Reflect.deleteProperty(record, "__proto__")
    for (const key of Object.keys(record)) dropProtoKeys(record[key])
  }
  return value
}

/**
 * Parses a JSON text like `JSON.parse`, except that:
 *
 * - every integer literal outside the safe integer range becomes a string of its exact digits
 *   (`1556886030274000000` → `"1556886030274000000"`);
 * - own `"__proto__"` keys are dropped, so that no later copy of a parsed object (schema decoding assigns
 *   keys one by one) can have its prototype replaced by data from the body.
 *
 * Throws the `SyntaxError` of `JSON.parse` on invalid input.
 *
 * @internal
 */
export const parse = (text: string): unknown => {
  const value = JSON.parse(protectUnsafeIntegers(text))
  return text.includes("__proto__") ? dropProtoKeys(value) : value
}

/**
 * A deterministic JSON rendering with object keys sorted, used to hash raw values.
 *
 * @internal
 */
export const canonicalStringify = (value: unknown): string => {
  if (value === null || typeof value !== "object") {
    return JSON.stringify(value) ?? "null"
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonicalStringify).join(",")}]`
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalStringify(record[key])}`).join(",")}}`
}
