/**
 * `@account-activity/receiver`: the webhook receiver of the X Account Activity API on `@effect/platform`:
 * CRC answers, signature verification over the raw bytes, durable append before `200`, health and metrics.
 *
 * @since 0.1.0
 */

/**
 * The receiver: its routes, options, layers and graceful shutdown.
 *
 * @since 0.1.0
 */
export * as Receiver from "./Receiver.js"
/**
 * The receiver's metrics registry, rendered in the Prometheus text format.
 *
 * @since 0.1.0
 */
export * as ReceiverMetrics from "./ReceiverMetrics.js"
/**
 * Why a request was refused: the reason, its HTTP status and the `{"error","hint"}` body.
 *
 * @since 0.1.0
 */
export * as Rejection from "./Rejection.js"
