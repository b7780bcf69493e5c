/**
 * `@account-activity/crc`: CRC answers and webhook signatures of the X Account Activity API, for Node
 * servers. Timing-safe, fail-closed, with several secrets for rotation.
 *
 * @since 0.1.0
 */

/**
 * The Challenge-Response Check: `response_token`, the crc_token shape check that keeps CRC from being a
 * signing oracle, and the signature of the CRC GET itself.
 *
 * @since 0.1.0
 */
export * as Crc from "./Crc.js"
/**
 * The `WebhookSecrets` service: the app's consumer secrets, newest first, for rotation.
 *
 * @since 0.1.0
 */
export * as WebhookSecrets from "./WebhookSecrets.js"
/**
 * Sign and verify the `x-twitter-webhooks-signature` of a delivery over its raw body.
 *
 * @since 0.1.0
 */
export * as WebhookSignature from "./WebhookSignature.js"
