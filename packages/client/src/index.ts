/**
 * `@account-activity/client`: the X Account Activity API client as an Effect service.
 *
 * @since 0.1.0
 */

/**
 * The `AccountActivityClient` service: the 11 v1.1 endpoints, `ensureWebhook`, `ensureSubscribed`, rate
 * limits and retries.
 *
 * @since 0.1.0
 */
export * as AccountActivityClient from "./AccountActivityClient.js"
/**
 * The 11 v1.1 endpoints as data: method, path, auth kind, success status, rate limit, idempotence.
 *
 * @since 0.1.0
 */
export * as Endpoint from "./Endpoint.js"
/**
 * Rate-limit windows read from the `x-rate-limit-*` headers.
 *
 * @since 0.1.0
 */
export * as RateLimit from "./RateLimit.js"
/**
 * The client's own error, for requests without a usable answer.
 *
 * @since 0.1.0
 */
export * as TransportError from "./TransportError.js"
