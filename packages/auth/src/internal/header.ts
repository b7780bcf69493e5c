import { Either } from "effect"

/** @internal */
export type HeaderParseFailure =
  | { readonly _tag: "Malformed"; readonly detail: string }
  | { readonly _tag: "Duplicate"; readonly parameter: string }

const SCHEME = /^[ \t]*OAuth(?=[ \t]|$)/i
const NAME = /[A-Za-z0-9_.\-~%]+/y

const isSpace = (c: string | undefined) => c === " " || c === "\t"

const decodeStrict = (value: string): string | undefined => {
  try {
    return decodeURIComponent(value)
  } catch {
    return undefined
  }
}

/**
 * Parses `OAuth name="value", name="value"`: the scheme is case-insensitive, spaces and tabs around
 * names, `=` and `,` are tolerated, values must be quoted and are percent-decoded, a name may not repeat.
 *
 * @internal
 */
export const parseAuthorization = (header: string): Either.Either<Array<[string, string]>, HeaderParseFailure> => {
  const scheme = SCHEME.exec(header)
  if (scheme === null) return Either.left({ _tag: "Malformed", detail: "the scheme is not `OAuth`" })
  const out: Array<[string, string]> = []
  const seen = new Set<string>()
  let i = scheme[0].length
  const skip = () => {
    while (isSpace(header[i])) i++
  }
  for (;;) {
    skip()
    if (i >= header.length) break
    NAME.lastIndex = i
    const name = NAME.exec(header)
    if (name === null) return Either.left({ _tag: "Malformed", detail: `a parameter name is expected at ${i}` })
    i += name[0].length
    skip()
    if (header[i] !== "=") return Either.left({ _tag: "Malformed", detail: `"=" is expected after ${name[0]}` })
    i++
    skip()
    if (header[i] !== '"') return Either.left({ _tag: "Malformed", detail: `the value of ${name[0]} must be quoted` })
    const end = header.indexOf('"', i + 1)
    if (end === -1) return Either.left({ _tag: "Malformed", detail: `the value of ${name[0]} is not closed` })
    const key = decodeStrict(name[0])
    const value = decodeStrict(header.slice(i + 1, end))
    if (key === undefined || value === undefined) {
      return Either.left({ _tag: "Malformed", detail: `${name[0]} is not percent-encoded UTF-8` })
    }
    if (seen.has(key)) return Either.left({ _tag: "Duplicate", parameter: key })
    seen.add(key)
    out.push([key, value])
    i = end + 1
    skip()
    if (i >= header.length) break
    if (header[i] !== ",") return Either.left({ _tag: "Malformed", detail: `"," is expected after ${key}` })
    i++
  }
  return Either.right(out)
}
