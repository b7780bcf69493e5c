/**
 * The one error of the queue services: the storage behind an `EventQueue` or a `SeenStore` could not do
 * what was asked.
 *
 * A receiver that gets it from `append` must answer `503` (never `200`): X then sends the delivery again,
 * so nothing is lost. A worker that gets it from `ack` or `nack` can simply go on: the lease expires and the
 * message is delivered again.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * Why the storage could not serve the call:
 *
 * - `Busy`: another writer held the storage longer than the adapter is willing to wait;
 * - `Full`: no space left (disk, or the capacity of a bounded queue);
 * - `Unreachable`: the storage cannot be opened or reached (path, permissions, connection);
 * - `Corrupt`: the storage is damaged or was written by an incompatible version;
 * - `Closed`: the queue was shut down (the scope of its Layer closed) before or during the call;
 * - `Failed`: any other storage error (see `detail`).
 *
 * @since 0.1.0
 * @category models
 */
export const Reason = Schema.Literal("Busy", "Full", "Unreachable", "Corrupt", "Closed", "Failed")

/**
 * @since 0.1.0
 * @category models
 */
export type Reason = typeof Reason.Type

const advice: Record<Reason, string> = {
  Busy: "the storage stayed locked by another writer longer than the wait limit. Retry shortly; if it keeps happening, look for a process holding a long transaction on the queue storage, or raise the adapter's busy timeout",
  Full: "the storage is full. Free disk space (or raise the queue's capacity), then retry",
  Unreachable:
    "the storage cannot be opened or reached. Check the path or address, that the directory exists, and that this process may read and write it",
  Corrupt:
    "the storage is damaged or was written by an incompatible version. Stop the processes that use it, keep a copy of it, and run the adapter's integrity check (for SQLite: PRAGMA integrity_check)",
  Closed:
    "the queue was shut down. Keep the queue's Layer open for as long as anything uses it (provide it once, at the edge of the program)",
  Failed: "the storage reported an error. Retry; if it keeps happening, read the detail and check the storage"
}

/**
 * The storage behind a queue or seen store could not serve a call. `operation` names the call (e.g.
 * `"append"`), `reason` the kind of failure, `detail` what the storage said. A failed `append` is not
 * durable: treat the deliveries as not stored (answer `503` so that X sends them again).
 *
 * @since 0.1.0
 * @category errors
 */
export class QueueUnavailable extends Schema.TaggedError<QueueUnavailable>("@account-activity/queue/QueueUnavailable")(
  "QueueUnavailable",
  {
    reason: Reason,
    /** The operation that failed, e.g. `"append"`, `"receive"`, `"ack"`, `"markIfNew"`. */
    operation: Schema.String,
    /** What the storage said, when it said something (never record contents). */
    detail: Schema.optional(Schema.String),
    cause: Schema.optional(Schema.Defect)
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const detail = this.detail === undefined ? "" : ` (${this.detail})`
    return `The event queue could not ${this.operation}${detail}: ${advice[this.reason]}.`
  }
}
