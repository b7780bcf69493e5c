/**
 * The receiver's metrics, in the Prometheus text exposition format (version 0.0.4).
 *
 * A registry is a handful of plain numbers updated on the request path (no allocation per request, no
 * Effect), rendered on demand by the `/metrics` route or by {@link ReceiverMetrics.render} wherever the
 * application exposes metrics:
 *
 * | metric                                      | type      | meaning                                                        |
 * | ------------------------------------------- | --------- | -------------------------------------------------------------- |
 * | `aaa_receiver_deliveries_accepted_total`    | counter   | deliveries stored in the queue and answered `200`              |
 * | `aaa_receiver_requests_rejected_total`      | counter   | requests refused, by `reason` (every reason is always present) |
 * | `aaa_receiver_append_duration_seconds`      | histogram | time of `EventQueue.append`, successful or not                 |
 * | `aaa_receiver_appends_in_flight`            | gauge     | appends running now                                            |
 * | `aaa_receiver_crc_answered_total`           | counter   | CRC challenges answered `200`                                  |
 * | `aaa_receiver_older_secret_total`           | counter   | deliveries that matched an older secret (rotation in progress) |
 * | `aaa_receiver_heartbeat_failures_total`     | counter   | journal heartbeats that failed                                 |
 * | `aaa_receiver_draining`                     | gauge     | `1` while the receiver shuts down                              |
 *
 * @since 0.1.0
 */
import * as Rejection from "./Rejection.js"

/**
 * The `Content-Type` of the rendered text.
 *
 * @since 0.1.0
 * @category constants
 */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

/**
 * The default upper bounds (in seconds) of the append latency histogram: from 0.5 ms (a group commit on a
 * fast disk) to 10 s (X gives up after 3 s in v1.1, 10 s in v2).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBuckets: ReadonlyArray<number> = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
]

/**
 * The values of a registry at one moment.
 *
 * @since 0.1.0
 * @category models
 */
export interface Snapshot {
  readonly accepted: number
  /** Rejected requests by the label of their reason (see `Rejection.label`); every reason is present. */
  readonly rejected: Readonly<Record<Rejection.Label, number>>
  readonly appendsInFlight: number
  readonly appendCount: number
  /** Total seconds spent in `append`. */
  readonly appendSeconds: number
  /** Cumulative counts: `[upper bound, appends that took at most that long]`, the last bound is `+Inf`. */
  readonly appendBuckets: ReadonlyArray<readonly [number, number]>
  readonly crcAnswered: number
  readonly olderSecret: number
  readonly heartbeatFailures: number
  readonly draining: boolean
}

/**
 * A registry of the receiver's metrics.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReceiverMetrics {
  /** Counts a delivery stored and answered `200`. */
  readonly accepted: () => void
  /** Counts a refused request. */
  readonly rejected: (reason: Rejection.Reason) => void
  /** An append starts: the in-flight gauge goes up. */
  readonly appendStarted: () => void
  /** An append ended (either way) after `seconds`: the gauge goes down, the histogram records it. */
  readonly appendEnded: (seconds: number) => void
  readonly crcAnswered: () => void
  readonly olderSecret: () => void
  readonly heartbeatFailed: () => void
  readonly setDraining: (draining: boolean) => void
  readonly snapshot: () => Snapshot
  /** The Prometheus text of every metric. */
  readonly render: () => string
}

const formatNumber = (value: number): string => (value === Number.POSITIVE_INFINITY ? "+Inf" : String(value))

/**
 * A new, empty registry. Give the same registry to several receivers (the `metrics` option) to count them
 * together.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: { readonly buckets?: ReadonlyArray<number> | undefined } = {}): ReceiverMetrics => {
  const bounds = [...(options.buckets ?? defaultBuckets)]
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i]!
    if (!Number.isFinite(bound) || bound <= 0 || (i > 0 && bound <= bounds[i - 1]!)) {
      throw new RangeError("ReceiverMetrics: buckets must be positive, finite and strictly increasing")
    }
  }
  // counts[i] = appends whose duration fell in (bounds[i-1], bounds[i]]; the last slot is +Inf.
  const counts = new Array<number>(bounds.length + 1).fill(0)
  const rejected = new Map<Rejection.Label, number>(Rejection.labels.map((label) => [label, 0]))
  let accepted = 0
  let inFlight = 0
  let appendCount = 0
  let appendSeconds = 0
  let crc = 0
  let older = 0
  let heartbeatFailures = 0
  let draining = false

  const appendEnded = (seconds: number) => {
    inFlight--
    appendCount++
    appendSeconds += seconds
    let i = 0
    while (i < bounds.length && seconds > bounds[i]!) i++
    counts[i]!++
  }

  const snapshot = (): Snapshot => {
    let cumulative = 0
    const appendBuckets: Array<readonly [number, number]> = []
    for (let i = 0; i <= bounds.length; i++) {
      cumulative += counts[i]!
      appendBuckets.push([i < bounds.length ? bounds[i]! : Number.POSITIVE_INFINITY, cumulative])
    }
    return {
      accepted,
      rejected: Object.fromEntries(rejected) as Record<Rejection.Label, number>,
      appendsInFlight: inFlight,
      appendCount,
      appendSeconds,
      appendBuckets,
      crcAnswered: crc,
      olderSecret: older,
      heartbeatFailures,
      draining
    }
  }

  const render = (): string => {
    const s = snapshot()
    const lines: Array<string> = []
    const metric = (name: string, type: string, help: string) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    }
    metric(
      "aaa_receiver_deliveries_accepted_total",
      "counter",
      "Deliveries stored in the event queue and answered 200."
    )
    lines.push(`aaa_receiver_deliveries_accepted_total ${s.accepted}`)
    metric("aaa_receiver_requests_rejected_total", "counter", "Requests refused, by reason.")
    for (const label of Rejection.labels) {
      lines.push(`aaa_receiver_requests_rejected_total{reason="${label}"} ${s.rejected[label]}`)
    }
    metric("aaa_receiver_append_duration_seconds", "histogram", "Time spent in EventQueue.append, successful or not.")
    for (const [bound, count] of s.appendBuckets) {
      lines.push(`aaa_receiver_append_duration_seconds_bucket{le="${formatNumber(bound)}"} ${count}`)
    }
    lines.push(`aaa_receiver_append_duration_seconds_sum ${formatNumber(s.appendSeconds)}`)
    lines.push(`aaa_receiver_append_duration_seconds_count ${s.appendCount}`)
    metric("aaa_receiver_appends_in_flight", "gauge", "Appends to the event queue running now.")
    lines.push(`aaa_receiver_appends_in_flight ${s.appendsInFlight}`)
    metric("aaa_receiver_crc_answered_total", "counter", "CRC challenges answered 200.")
    lines.push(`aaa_receiver_crc_answered_total ${s.crcAnswered}`)
    metric(
      "aaa_receiver_older_secret_total",
      "counter",
      "Deliveries whose signature matched an older consumer secret (rotation in progress)."
    )
    lines.push(`aaa_receiver_older_secret_total ${s.olderSecret}`)
    metric("aaa_receiver_heartbeat_failures_total", "counter", "Journal heartbeats that failed.")
    lines.push(`aaa_receiver_heartbeat_failures_total ${s.heartbeatFailures}`)
    metric("aaa_receiver_draining", "gauge", "1 while the receiver drains before shutting down.")
    lines.push(`aaa_receiver_draining ${s.draining ? 1 : 0}`)
    return `${lines.join("\n")}\n`
  }

  return {
    accepted: () => {
      accepted++
    },
    rejected: (reason) => {
      const label = Rejection.label(reason)
      rejected.set(label, (rejected.get(label) ?? 0) + 1)
    },
    appendStarted: () => {
      inFlight++
    },
    appendEnded,
    crcAnswered: () => {
      crc++
    },
    olderSecret: () => {
      older++
    },
    heartbeatFailed: () => {
      heartbeatFailures++
    },
    setDraining: (value) => {
      draining = value
    },
    snapshot,
    render
  }
}
