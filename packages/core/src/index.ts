/**
 * `@account-activity/core`: the typed model of the X Account Activity API. Pure: no I/O.
 *
 * @since 0.1.0
 */

/**
 * The normalized `ActivityEvent` union, one `_tag` per activity kind, with identity keys.
 *
 * @since 0.1.0
 */
export * as ActivityEvent from "./ActivityEvent.js"
/**
 * The `ActivityStream` service: where decoded events are published to plugins.
 *
 * @since 0.1.0
 */
export * as ActivityStream from "./ActivityStream.js"
/**
 * The error of a plugin that failed to handle an event (see `ActivityStream.PluginError`).
 *
 * @since 0.1.0
 */
export { PluginError } from "./ActivityStream.js"
/**
 * Error envelopes (v1.1 and v2), the error-code catalog and the tagged API errors.
 *
 * @since 0.1.0
 */
export * as ApiError from "./ApiError.js"
/**
 * Wire schemas of every webhook delivery envelope, and `decodeDelivery`.
 *
 * @since 0.1.0
 */
export * as Delivery from "./Delivery.js"
/**
 * Decodes a raw webhook body into `ActivityEvent`s (see `Delivery.decodeDelivery`).
 *
 * @since 0.1.0
 */
export { DeliveryDecodeError, decodeDelivery } from "./Delivery.js"
/**
 * Branded ids (numeric strings, never `number`).
 *
 * @since 0.1.0
 */
export * as Ids from "./Ids.js"
/**
 * Helpers to write a plugin: a Layer that handles some `_tag`s of the stream.
 *
 * @since 0.1.0
 */
export * as Plugin from "./Plugin.js"
/**
 * Wire schemas of the v1.1 REST bodies.
 *
 * @since 0.1.0
 */
export * as Rest from "./Rest.js"
/**
 * Wire schemas of the X API v2 webhook and account-activity bodies.
 *
 * @since 0.1.0
 */
export * as RestV2 from "./RestV2.js"
