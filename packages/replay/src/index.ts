/**
 * `@account-activity/replay`: Replay jobs for the X Account Activity API: window validation and chunking, one
 * job per webhook, waiting for `replay_job_status`, retrying `Incomplete`; gap recovery from the delivery
 * journal.
 *
 * @since 0.1.0
 */

/**
 * Gap recovery: replays the windows of the delivery journal in which deliveries may have been missed.
 *
 * @since 0.1.0
 */
export * as GapRecovery from "./GapRecovery.js"
/**
 * Gap detection, pure: the windows not covered by receivers, and what Replay can do about each.
 *
 * @since 0.1.0
 */
export * as Gaps from "./Gaps.js"
/**
 * The `ReplayJobs` service: start jobs, wait for `replay_job_status`, retry `Incomplete`, one job per webhook.
 *
 * @since 0.1.0
 */
export * as ReplayJobs from "./ReplayJobs.js"
/**
 * X's rules for a Replay window, `validate`, `clamp` and `plan`.
 *
 * @since 0.1.0
 */
export * as ReplayWindow from "./ReplayWindow.js"
