/**
 * `@account-activity/queue`: the durable `EventQueue` between receiver and workers, the `SeenStore` that
 * dedupes, in-memory implementations of both, and (from `@account-activity/queue/EventQueueSuite`) the
 * contract suite every adapter runs.
 *
 * @since 0.1.0
 */

/**
 * The `EventQueue` service: append raw deliveries durably, consume leased messages, ack, nack, dead letters.
 *
 * @since 0.1.0
 */
export * as EventQueue from "./EventQueue.js"
/**
 * The delivery journal: receiver heartbeats, invalid-webhook and recovered windows, read by gap recovery.
 *
 * @since 0.1.0
 */
export * as Journal from "./Journal.js"
/**
 * A named lock with a TTL, so that one worker of many runs the lifecycle and Replay jobs.
 *
 * @since 0.1.0
 */
export * as Lock from "./Lock.js"
/**
 * An in-memory `Journal`.
 *
 * @since 0.1.0
 */
export * as MemoryJournal from "./MemoryJournal.js"
/**
 * An in-memory `Lock`.
 *
 * @since 0.1.0
 */
export * as MemoryLock from "./MemoryLock.js"
/**
 * An in-memory `EventQueue` (tests, sandbox, single-process tools).
 *
 * @since 0.1.0
 */
export * as MemoryQueue from "./MemoryQueue.js"
/**
 * An in-memory `SeenStore`.
 *
 * @since 0.1.0
 */
export * as MemorySeenStore from "./MemorySeenStore.js"
/**
 * The error of every queue and seen-store operation whose storage failed.
 *
 * @since 0.1.0
 */
export * as QueueUnavailable from "./QueueUnavailable.js"
/**
 * The `SeenStore` service: deduplication keys with a TTL (7 days by default).
 *
 * @since 0.1.0
 */
export * as SeenStore from "./SeenStore.js"
