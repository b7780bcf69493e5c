/**
 * Why the receiver refused a request, with the HTTP status it answers and the JSON body it sends:
 * `{"error": "<label>", "hint": "<what to do>"}`.
 *
 * Every refusal of a delivery means "not stored": the receiver answers `200` only after the queue has the
 * delivery, so X retries whatever was refused. The `4xx` answers are final for that request (X's retries get
 * the same answer); the `503` ones are transient and carry `Retry-After`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * - `NotFound` (404): no route at this path.
 * - `MethodNotAllowed` (405): a known path, another method.
 * - `CrcTokenInvalid` (400): the CRC GET has no, several, or a refused `crc_token`.
 * - `CrcSignatureInvalid` (401): the CRC GET's signature is missing or wrong (only when that check is on).
 * - `BodyTooLarge` (413): `Content-Length`, or the bytes received so far, exceed the limit.
 * - `UnsupportedMediaType` (415): the `Content-Type` is not `application/json`.
 * - `UnsupportedEncoding` (415): the body has a `Content-Encoding` (X sends none).
 * - `BodyUnreadable` (400): the body could not be read to its end.
 * - `SignatureInvalid` (401): `x-twitter-webhooks-signature` is missing, malformed, or matches no secret.
 * - `Overloaded` (503): too many appends in flight.
 * - `Saturated` (503): the deliveries answered last took longer than `maxWait` in the receiver.
 * - `Draining` (503): the receiver is shutting down.
 * - `QueueUnavailable` (503): the queue refused the append, or is unreachable (health check).
 * - `AppendTimeout` (503): the queue did not confirm the append in time.
 *
 * @since 0.1.0
 * @category models
 */
export const Reason = Schema.Literal(
  "NotFound",
  "MethodNotAllowed",
  "CrcTokenInvalid",
  "CrcSignatureInvalid",
  "BodyTooLarge",
  "UnsupportedMediaType",
  "UnsupportedEncoding",
  "BodyUnreadable",
  "SignatureInvalid",
  "Overloaded",
  "Saturated",
  "Draining",
  "QueueUnavailable",
  "AppendTimeout"
)

/**
 * @since 0.1.0
 * @category models
 */
export type Reason = typeof Reason.Type

const table = {
  NotFound: { status: 404, label: "not_found" },
  MethodNotAllowed: { status: 405, label: "method_not_allowed" },
  CrcTokenInvalid: { status: 400, label: "crc_token_invalid" },
  CrcSignatureInvalid: { status: 401, label: "crc_signature_invalid" },
  BodyTooLarge: { status: 413, label: "body_too_large" },
  UnsupportedMediaType: { status: 415, label: "unsupported_media_type" },
  UnsupportedEncoding: { status: 415, label: "unsupported_encoding" },
  BodyUnreadable: { status: 400, label: "body_unreadable" },
  SignatureInvalid: { status: 401, label: "signature_invalid" },
  Overloaded: { status: 503, label: "overloaded" },
  Saturated: { status: 503, label: "saturated" },
  Draining: { status: 503, label: "draining" },
  QueueUnavailable: { status: 503, label: "queue_unavailable" },
  AppendTimeout: { status: 503, label: "append_timeout" }
} as const satisfies Record<Reason, { readonly status: number; readonly label: string }>

/**
 * The snake_case name of a reason: the `error` field of the body and the `reason` label of the metrics.
 *
 * @since 0.1.0
 * @category models
 */
export type Label = (typeof table)[Reason]["label"]

/**
 * Every reason, in the order of {@link Reason}.
 *
 * @since 0.1.0
 * @category models
 */
export const reasons: ReadonlyArray<Reason> = Reason.literals

/**
 * Every label, in the order of {@link Reason}.
 *
 * @since 0.1.0
 * @category models
 */
export const labels: ReadonlyArray<Label> = reasons.map((reason) => table[reason].label)

/**
 * The HTTP status the receiver answers for a reason.
 *
 * @since 0.1.0
 * @category models
 */
export const status = (reason: Reason): number => table[reason].status

/**
 * The label of a reason (see {@link Label}).
 *
 * @since 0.1.0
 * @category models
 */
export const label = (reason: Reason): Label => table[reason].label

/**
 * `true` for the reasons answered `503`: transient, X's retry may succeed.
 *
 * @since 0.1.0
 * @category models
 */
export const isTransient = (reason: Reason): boolean => table[reason].status === 503

/**
 * A refused request. `detail` is text the receiver may show (the message of a signature or token error, the
 * kind of queue failure), never a secret, a body byte or a header value; `limit` is the bound that was hit
 * (bytes for `BodyTooLarge`, appends for `Overloaded`, milliseconds for `Saturated` and `AppendTimeout`).
 *
 * @since 0.1.0
 * @category errors
 */
export class Rejection extends Schema.TaggedError<Rejection>("@account-activity/receiver/Rejection")("Rejection", {
  reason: Reason,
  detail: Schema.optional(Schema.String),
  limit: Schema.optional(Schema.Number)
}) {
  /**
   * The HTTP status of the answer.
   *
   * @since 0.1.0
   */
  get status(): number {
    return status(this.reason)
  }

  /**
   * The `error` field of the body.
   *
   * @since 0.1.0
   */
  get label(): Label {
    return label(this.reason)
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const detail = this.detail === undefined ? "" : ` ${this.detail}`
    const messages: Record<Reason, string> = {
      NotFound:
        "Nothing is served at this path. X sends CRC checks (GET) and deliveries (POST) to the webhook path of the receiver: check the URL registered with X against the receiver's path option.",
      MethodNotAllowed:
        "This path does not answer this method. The webhook path takes GET (CRC) and POST (deliveries); the health and metrics paths take GET.",
      CrcTokenInvalid: `The CRC challenge was refused and nothing was signed.${detail}`,
      CrcSignatureInvalid: `The CRC request's signature was refused and nothing was signed.${detail}`,
      BodyTooLarge: `The body is larger than ${this.limit ?? "the limit of"} bytes, so it was refused without reading it further and nothing was stored. X's deliveries are far smaller; if a real delivery was refused, raise maxBodyBytes.`,
      UnsupportedMediaType:
        "Deliveries must have Content-Type: application/json (a charset parameter is fine); nothing was stored.",
      UnsupportedEncoding:
        "The body has a Content-Encoding, but X signs and sends deliveries uncompressed; nothing was stored. Check that no proxy in front of the receiver compresses request bodies.",
      BodyUnreadable:
        "The body could not be read to its end (the connection closed early, or the body was malformed); nothing was stored.",
      SignatureInvalid: `The delivery was not stored.${detail}`,
      Overloaded: `${this.limit ?? "Too many"} appends are already in flight (the receiver's maxInFlight), so the delivery was not stored; X retries it. If this lasts, add receivers or find out why the queue is slow (aaa_receiver_append_duration_seconds).`,
      Saturated: `Deliveries are arriving faster than this receiver answers them: the last ones spent more than ${this.limit ?? "maxWait"} ms in it, so this one was refused at once rather than answered after X stops waiting (3 s); nothing was stored and X retries it. If this lasts, add receivers or give them more CPU; aaa_receiver_append_duration_seconds tells whether the queue is the slow part.`,
      Draining:
        "This receiver is shutting down, so the delivery was not stored; X retries it, and another receiver behind the load balancer can take it.",
      QueueUnavailable: `The event queue could not store the delivery, so it was not acknowledged; X retries it. Check the receiver's log and the queue's storage (GET on the health path shows whether the queue is reachable).${detail}`,
      AppendTimeout: `The event queue did not confirm the append within ${this.limit ?? "the"} ms, so the delivery was not acknowledged (it may still have been stored; the worker drops duplicates); X retries it. Check the queue's latency.`
    }
    return messages[this.reason]
  }

  /**
   * The JSON body of the answer: `{"error": label, "hint": message}`.
   *
   * @since 0.1.0
   */
  get body(): string {
    return JSON.stringify({ error: this.label, hint: this.message })
  }
}
