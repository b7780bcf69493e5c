const UNRESERVED = /^[A-Za-z0-9\-._~]*$/
const SUB_DELIMS = /[!'()*]/g
const HEX = "0123456789ABCDEF"

const isUnreservedByte = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) || // 0-9
  (b >= 0x41 && b <= 0x5a) || // A-Z
  (b >= 0x61 && b <= 0x7a) || // a-z
  b === 0x2d || // -
  b === 0x2e || // .
  b === 0x5f || // _
  b === 0x7e // ~

const BYTE: ReadonlyArray<string> = Array.from({ length: 256 }, (_, b) =>
  isUnreservedByte(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`
)

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true })

/** @internal */
export const percentEncodeBytes = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i++) out += BYTE[bytes[i]!]!
  return out
}

const escapeSubDelim = (c: string): string => BYTE[c.charCodeAt(0)]!

/** @internal */
export const percentEncode = (value: string): string => {
  if (UNRESERVED.test(value)) return value
  let encoded: string
  try {
    encoded = encodeURIComponent(value)
  } catch {
    // a lone surrogate: encode its UTF-8 replacement like any other text encoder would
    return percentEncodeBytes(utf8Encoder.encode(value))
  }
  return encoded.replace(SUB_DELIMS, escapeSubDelim)
}

const hexValue = (code: number): number => {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x41 && code <= 0x46) return code - 0x37
  if (code >= 0x61 && code <= 0x66) return code - 0x57
  return -1
}

const decodeLenient = (value: string): string => {
  const bytes: Array<number> = []
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x25 && i + 2 < value.length) {
      const hi = hexValue(value.charCodeAt(i + 1))
      const lo = hexValue(value.charCodeAt(i + 2))
      if (hi >= 0 && lo >= 0) {
        bytes.push((hi << 4) | lo)
        i += 2
        continue
      }
    }
    const cp = value.codePointAt(i)!
    const ch = String.fromCodePoint(cp)
    if (ch.length === 2) i++
    for (const b of utf8Encoder.encode(ch)) bytes.push(b)
  }
  return utf8Decoder.decode(Uint8Array.from(bytes))
}

/**
 * Percent-decodes UTF-8; a malformed escape is kept literally and invalid UTF-8 becomes U+FFFD, the
 * same on the signing and on the verifying side.
 *
 * @internal
 */
export const percentDecode = (value: string): string => {
  if (!value.includes("%")) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return decodeLenient(value)
  }
}

/**
 * Decodes `application/x-www-form-urlencoded` text (also a URL query) into pairs: `+` is a space, a name
 * without `=` has the empty value, empty segments are skipped.
 *
 * @internal
 */
export const parseForm = (text: string): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  if (text === "") return out
  for (const segment of text.split("&")) {
    if (segment === "") continue
    const eq = segment.indexOf("=")
    const rawKey = eq === -1 ? segment : segment.slice(0, eq)
    const rawValue = eq === -1 ? "" : segment.slice(eq + 1)
    out.push([percentDecode(rawKey.replace(/\+/g, " ")), percentDecode(rawValue.replace(/\+/g, " "))])
  }
  return out
}
