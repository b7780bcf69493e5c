/**
 * `@account-activity/auth`: OAuth 1.0a (HMAC-SHA1) and app-only Bearer auth for the X API, as Effect
 * services: sign requests, verify them server-side.
 *
 * @since 0.1.0
 */

/**
 * Signs `HttpClient` requests for an `AuthKind` (the Layer apps provide).
 *
 * @since 0.1.0
 */
export * as AuthClient from "./AuthClient.js"
/**
 * Which credentials a request is signed with: `AppOwner`, `User(tokens)`, `AppOnly`.
 *
 * @since 0.1.0
 */
export * as AuthKind from "./AuthKind.js"
/**
 * App-only Bearer tokens: client credentials grant, cache per credential set, invalidation, errors.
 *
 * @since 0.1.0
 */
export * as BearerToken from "./BearerToken.js"
/**
 * App credentials and user tokens, secrets `Redacted`.
 *
 * @since 0.1.0
 */
export * as Credentials from "./Credentials.js"
/**
 * Where OAuth 1.0a nonces come from.
 *
 * @since 0.1.0
 */
export * as Nonce from "./Nonce.js"
/**
 * OAuth 1.0a HMAC-SHA1 signatures as pure functions (RFC 5849).
 *
 * @since 0.1.0
 */
export * as OAuth1 from "./OAuth1.js"
/**
 * The OAuth 1.0a signing service (nonce from `Nonce`, time from `Clock`).
 *
 * @since 0.1.0
 */
export * as OAuth1Signer from "./OAuth1Signer.js"
/**
 * The server side of OAuth 1.0a: verify a received `Authorization` header.
 *
 * @since 0.1.0
 */
export * as OAuth1Verifier from "./OAuth1Verifier.js"
