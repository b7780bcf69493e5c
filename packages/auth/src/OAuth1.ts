/**
 * OAuth 1.0a HMAC-SHA1 signatures (RFC 5849 §3.4, X's "Creating a signature"), as pure functions: the
 * same inputs always give the same `Authorization` header, so every step can be checked against the
 * published vectors. The `OAuth1Signer` service adds the nonce and the timestamp; `OAuth1Verifier` checks
 * a received header with the same functions.
 *
 * What is signed:
 *
 * - the method, uppercase;
 * - the base URL: scheme and host lowercase, `:80` / `:443` dropped for http / https, other ports kept,
 *   the path as sent, no query or fragment;
 * - the query parameters and, for `application/x-www-form-urlencoded` bodies only, the form parameters
 *   (a JSON body is never signed), plus every `oauth_*` parameter but `oauth_signature`; all decoded, then
 *   percent-encoded, sorted by name then value, joined with `&`.
 *
 * The key is `pct(consumerSecret)&pct(tokenSecret)` (the token secret may be empty).
 *
 * @since 0.1.0
 */
import { createHmac } from "node:crypto"
import { Redacted } from "effect"
import type * as Credentials from "./Credentials.js"
import * as encoding from "./internal/encoding.js"

/**
 * Decoded name/value pairs (a name may repeat), or a record of them.
 *
 * @since 0.1.0
 * @category models
 */
export type Params = ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string>>

/**
 * RFC 3986 percent-encoding of the UTF-8 bytes of `value`: `A-Z a-z 0-9 - . _ ~` are kept, every other
 * byte becomes `%XX` with uppercase hex digits (a space is `%20`, never `+`).
 *
 * @example
 * ```ts
 * import { OAuth1 } from "@account-activity/auth"
 *
 * OAuth1.percentEncode("Ladies + Gentlemen") // "Ladies%20%2B%20Gentlemen"
 * OAuth1.percentEncode("☃") // "%E2%98%83"
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const percentEncode: (value: string) => string = encoding.percentEncode

/**
 * Percent-encoding of raw bytes, with the same rule as `percentEncode`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const percentEncodeBytes: (bytes: Uint8Array) => string = encoding.percentEncodeBytes

/**
 * Decodes `application/x-www-form-urlencoded` text, or a URL query without its `?`, into pairs: `+` is a
 * space, `%XX` sequences are UTF-8, a name without `=` has the empty value.
 *
 * @since 0.1.0
 * @category encoding
 */
export const parseForm: (text: string) => Array<[string, string]> = encoding.parseForm

/**
 * The base string URI (RFC 5849 §3.4.1.2): scheme and host lowercase, default port dropped, path as sent,
 * no query or fragment.
 *
 * @example
 * ```ts
 * import { OAuth1 } from "@account-activity/auth"
 *
 * OAuth1.baseUrl("HTTPS://API.X.com:443/1.1/account_activity/webhooks.json?url=x") // "https://api.x.com/1.1/account_activity/webhooks.json"
 * ```
 *
 * @since 0.1.0
 * @category signing
 */
export const baseUrl = (url: string | URL): string => {
  const u = typeof url === "string" ? new URL(url) : url
  return `${u.protocol}//${u.host}${u.pathname}`
}

/**
 * What the signature covers.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignatureBaseInput {
  readonly method: string
  /** The full URL as requested; its query parameters are signed. */
  readonly url: string | URL
  /** The decoded parameters of an `application/x-www-form-urlencoded` body; never a JSON body. */
  readonly formParams?: Params | undefined
  /** Every protocol parameter but `oauth_signature` (and `realm`). */
  readonly oauthParams: Params
}

const pairsOf = (params: Params): ReadonlyArray<readonly [string, string]> =>
  Array.isArray(params) ? params : Object.entries(params)

const comparePairs = (a: readonly [string, string], b: readonly [string, string]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0

/**
 * The normalized parameter string (RFC 5849 §3.4.1.3.2): every parameter percent-encoded, sorted by name
 * then by value, joined as `name=value` with `&`.
 *
 * @since 0.1.0
 * @category signing
 */
export const parameterString = (input: SignatureBaseInput): string => {
  const url = typeof input.url === "string" ? new URL(input.url) : input.url
  const pairs: Array<[string, string]> = []
  const push = (params: ReadonlyArray<readonly [string, string]>) => {
    for (let i = 0; i < params.length; i++) {
      const [k, v] = params[i]!
      pairs.push([percentEncode(k), percentEncode(v)])
    }
  }
  if (url.search.length > 1) push(parseForm(url.search.slice(1)))
  if (input.formParams !== undefined) push(pairsOf(input.formParams))
  push(pairsOf(input.oauthParams))
  pairs.sort(comparePairs)
  let out = ""
  for (let i = 0; i < pairs.length; i++) {
    const [k, v] = pairs[i]!
    out += i === 0 ? `${k}=${v}` : `&${k}=${v}`
  }
  return out
}

/**
 * The signature base string: `METHOD&pct(baseUrl)&pct(parameterString)`.
 *
 * @since 0.1.0
 * @category signing
 */
export const signatureBaseString = (input: SignatureBaseInput): string =>
  baseStringFrom(input.method, input.url, parameterString(input))

const baseStringFrom = (method: string, url: string | URL, params: string): string =>
  `${method.toUpperCase()}&${percentEncode(baseUrl(url))}&${percentEncode(params)}`

/**
 * `Base64(HMAC-SHA1(pct(consumerSecret) & pct(tokenSecret), baseString))`; without a token secret the key
 * ends with `&`.
 *
 * @since 0.1.0
 * @category signing
 */
export const hmacSha1 = (
  baseString: string,
  consumerSecret: Redacted.Redacted,
  tokenSecret?: Redacted.Redacted | undefined
): string => {
  const key = `${percentEncode(Redacted.value(consumerSecret))}&${
    tokenSecret === undefined ? "" : percentEncode(Redacted.value(tokenSecret))
  }`
  return createHmac("sha1", key).update(baseString, "utf8").digest("base64")
}

/**
 * The `Authorization` header value: `OAuth name="pct(value)", …` in the given order, an optional
 * `realm` first.
 *
 * @since 0.1.0
 * @category signing
 */
export const formatAuthorizationHeader = (params: Params, realm?: string | undefined): string => {
  let out = realm === undefined ? "OAuth " : `OAuth realm="${percentEncode(realm)}"`
  let first = realm === undefined
  for (const [k, v] of pairsOf(params)) {
    out += first ? `${percentEncode(k)}="${percentEncode(v)}"` : `, ${percentEncode(k)}="${percentEncode(v)}"`
    first = false
  }
  return out
}

/**
 * Everything `sign` needs: the request, the credentials, a nonce and a timestamp.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignInput {
  readonly method: string
  /** The full URL as requested, including its query. */
  readonly url: string | URL
  /** Decoded parameters of an `application/x-www-form-urlencoded` body; never a JSON body. */
  readonly formParams?: Params | undefined
  readonly credentials: Credentials.OAuth1Credentials
  /** Unique per request, ASCII. */
  readonly nonce: string
  /** Seconds since the Unix epoch. */
  readonly timestamp: number
  /** More protocol parameters to sign and send, such as `oauth_callback` or `oauth_verifier`. */
  readonly oauthParams?: Readonly<Record<string, string>> | undefined
  /** Sent first in the header, never signed. */
  readonly realm?: string | undefined
  /** Whether to send `oauth_version="1.0"` (optional in RFC 5849, always sent by X's clients). Default: `true`. */
  readonly includeVersion?: boolean | undefined
}

/**
 * A signed request: the header and the intermediate values (for tests and diagnostics; none is secret).
 *
 * @since 0.1.0
 * @category models
 */
export interface Signed {
  /** The `Authorization` header value. */
  readonly authorization: string
  /** The base64 signature, before percent-encoding into the header. */
  readonly signature: string
  readonly signatureBaseString: string
  readonly parameterString: string
  /** The protocol parameters that were signed (all but `oauth_signature`), sorted by name. */
  readonly oauthParams: ReadonlyArray<readonly [string, string]>
}

/**
 * Signs a request with OAuth 1.0a HMAC-SHA1. Pure: nonce and timestamp are inputs. Throws a `TypeError` if
 * `url` is not an absolute URL.
 *
 * @example
 * ```ts
 * import { Credentials, OAuth1 } from "@account-activity/auth"
 *
 * const signed = OAuth1.sign({
 *   method: "POST",
 *   url: "https://api.x.com/1.1/account_activity/webhooks.json?url=https%3A%2F%2Fexample.com%2Fwebhook",
 *   credentials: {
 *     app: Credentials.app({ consumerKey: "key", consumerSecret: "secret" }),
 *     user: Credentials.user({ accessToken: "token", accessTokenSecret: "token secret" })
 *   },
 *   nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
 *   timestamp: 1318622958
 * })
 * signed.authorization // 'OAuth oauth_consumer_key="key", oauth_nonce="…", oauth_signature="…", …'
 * ```
 *
 * @since 0.1.0
 * @category signing
 */
export const sign = (input: SignInput): Signed => {
  const { app, user } = input.credentials
  const oauth: Record<string, string> = {}
  if (input.oauthParams !== undefined) {
    for (const [k, v] of Object.entries(input.oauthParams)) {
      if (k.startsWith("oauth_") && k !== "oauth_signature") oauth[k] = v
    }
  }
  oauth.oauth_consumer_key = app.consumerKey
  oauth.oauth_nonce = input.nonce
  oauth.oauth_signature_method = "HMAC-SHA1"
  oauth.oauth_timestamp = String(Math.floor(input.timestamp))
  if (user !== undefined) oauth.oauth_token = user.accessToken
  if (input.includeVersion !== false) oauth.oauth_version = "1.0"
  const oauthParams = Object.entries(oauth).sort(comparePairs)
  const url = typeof input.url === "string" ? new URL(input.url) : input.url
  const params = parameterString({ method: input.method, url, formParams: input.formParams, oauthParams })
  const base = baseStringFrom(input.method, url, params)
  const signature = hmacSha1(base, app.consumerSecret, user?.accessTokenSecret)
  const headerParams: Array<readonly [string, string]> = [...oauthParams, ["oauth_signature", signature]]
  headerParams.sort(comparePairs)
  return {
    authorization: formatAuthorizationHeader(headerParams, input.realm),
    signature,
    signatureBaseString: base,
    parameterString: params,
    oauthParams
  }
}

/**
 * The `Authorization` header value of `sign(input)`.
 *
 * @since 0.1.0
 * @category signing
 */
export const authorizationHeader = (input: SignInput): string => sign(input).authorization
