/**
 * `@account-activity/emulator`: a faithful X Account Activity API (v1.1 Enterprise) server on loopback,
 * usable as a Layer in tests and as a standalone server.
 *
 * @since 0.1.0
 */

/**
 * The signed-delivery engine: POSTs with X's signature header and retry schedule, fault injection, a log.
 *
 * @since 0.1.0
 */
export * as Deliveries from "./Deliveries.js"
/**
 * The emulator's state and library API: apps, users, tokens, webhooks and their CRC checks, subscriptions,
 * replay jobs, rate limits, the request log and the emulator clock.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"
/**
 * The emulator's settings and X's documented defaults.
 *
 * @since 0.1.0
 */
export * as EmulatorConfig from "./EmulatorConfig.js"
/**
 * The activity generator: bodies of the 19 activity kinds, written like X's.
 *
 * @since 0.1.0
 */
export * as Generator from "./Generator.js"
/**
 * One app, its Bearer token and demo users, with their credentials as one JSON object.
 *
 * @since 0.1.0
 */
export * as Provision from "./Provision.js"
/**
 * The replay engine: runs accepted replay jobs (CRC, redelivery of the window, `replay_job_status`).
 *
 * @since 0.1.0
 */
export * as ReplayEngine from "./ReplayEngine.js"
/**
 * The HTTP server: the 11 v1.1 endpoints, the OAuth 2.0 token endpoints and the control API.
 *
 * @since 0.1.0
 */
export * as Server from "./Server.js"
