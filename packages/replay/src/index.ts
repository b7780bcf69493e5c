/**
 * `@account-activity/replay`: Replay jobs for the X Account Activity API: window validation and chunking, one job per webhook, waiting for replay_job_status, retrying Incomplete; gap recovery from the delivery journal.
 *
 * @since 0.1.0
 */
export {}
