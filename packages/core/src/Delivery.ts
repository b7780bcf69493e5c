/**
 * Webhook deliveries: the wire schemas of every envelope the Account Activity API POSTs, and
 * `decodeDelivery`, which turns a raw body into `ActivityEvent`s.
 *
 * ```ts
 * import { decodeDelivery } from "@account-activity/core"
 * import { Effect } from "effect"
 *
 * const events = yield* decodeDelivery(rawBody) // ReadonlyArray<ActivityEvent>
 * ```
 *
 * The wire schemas keep every field they do not name and encode it back, so a decoded body re-encodes to
 * the same data. Integers beyond 2^53 (Tweet ids in `id`, `in_reply_to_status_id`, …) are parsed
 * losslessly into their exact digits; ids in events always come from `*_str` or string fields.
 *
 * @since 0.1.0
 */
import { Effect, Either, ParseResult, Schema } from "effect"
import type * as ActivityEvent from "./ActivityEvent.js"
import { classify } from "./internal/classify.js"
import * as Wire from "./internal/deliverySchema.js"
import * as Json from "./internal/json.js"

export * from "./internal/deliverySchema.js"

/**
 * Why a body could not be decoded.
 *
 * - `InvalidJson`: the body is not JSON.
 * - `InvalidEnvelope`: it is JSON, but a field does not have the documented shape (see `path`).
 * - `NoEvents`: it holds no activity key at all (only `for_user_id`, `users`, … or nothing).
 *
 * @since 0.1.0
 * @category errors
 */
export const DeliveryDecodeErrorReason = Schema.Literal("InvalidJson", "InvalidEnvelope", "NoEvents")
/**
 * @since 0.1.0
 * @category errors
 */
export type DeliveryDecodeErrorReason = typeof DeliveryDecodeErrorReason.Type

/**
 * A webhook body that is not a valid Account Activity delivery. `path` points at the wrong field
 * (`$.tweet_create_events[0].user.id_str`), `expected` says what was expected there and `actual` what kind
 * of value was found (never the value itself: bodies hold private messages).
 *
 * @since 0.1.0
 * @category errors
 */
export class DeliveryDecodeError extends Schema.TaggedError<DeliveryDecodeError>(
  "@account-activity/core/DeliveryDecodeError"
)("DeliveryDecodeError", {
  reason: DeliveryDecodeErrorReason,
  path: Schema.String,
  expected: Schema.String,
  actual: Schema.optional(Schema.String)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    switch (this.reason) {
      case "InvalidJson":
        return `The delivery body is not valid JSON (${this.actual ?? "unparsable"}). Pass the raw request body exactly as received, read once as text, and check that nothing between X and the receiver truncates or re-encodes it.`
      case "NoEvents":
        return `The delivery body holds no activity: expected ${this.expected}. Check that this body is an Account Activity webhook delivery and not, for example, a CRC request or a REST response.`
      default:
        return `The delivery body does not match the Account Activity format at ${this.path}: expected ${this.expected}${this.actual === undefined ? "" : `, got ${this.actual}`}. Check that this body is an Account Activity webhook delivery; if X now sends this shape, keep the raw body and report it so the schema can accept it.`
    }
  }
}

const describe = (value: unknown): string => {
  if (value === undefined) return "nothing (the field is missing)"
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  switch (typeof value) {
    case "string":
      return /^-?[0-9]+$/.test(value) ? "a string of digits" : "a string"
    case "number":
      return "a number"
    case "boolean":
      return "a boolean"
    default:
      return "an object"
  }
}

const renderPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) =>
      typeof key === "number"
        ? `${out}[${key}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(key))
          ? `${out}.${String(key)}`
          : `${out}[${JSON.stringify(String(key))}]`,
    "$"
  )

const valueAt = (root: unknown, path: ReadonlyArray<PropertyKey>): unknown => {
  let current = root
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const decodeEnvelopeEither = Schema.decodeUnknownEither(Wire.Envelope)

const fromParseError = (raw: unknown, error: ParseResult.ParseError): DeliveryDecodeError => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const path = issue?.path ?? []
  const message = issue === undefined ? "the documented shape" : issue.message
  const expected =
    issue?._tag === "Missing" ? "a value (the field is required)" : message.replace(/, actual [\s\S]*$/, "")
  return new DeliveryDecodeError({
    reason: "InvalidEnvelope",
    path: renderPath(path),
    expected,
    actual: describe(valueAt(raw, path))
  })
}

const activityKeys = [...Wire.eventKeys, "or any other top-level key"].join(", ")

/**
 * Decodes the JSON value of a body (already parsed) into the {@link Envelope} schema, keeping unknown keys.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeEnvelope = (raw: unknown): Either.Either<Wire.Envelope, DeliveryDecodeError> =>
  Either.mapLeft(decodeEnvelopeEither(raw), (error) => fromParseError(raw, error))

/**
 * Parses a JSON text like `JSON.parse`, except that integers beyond 2^53 keep their exact digits (as
 * strings). Use it wherever a raw Account Activity body is parsed.
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseJson = (text: string): Either.Either<unknown, DeliveryDecodeError> =>
  Either.try({
    try: () => Json.parse(text),
    catch: (error) =>
      new DeliveryDecodeError({
        reason: "InvalidJson",
        path: "$",
        expected: "a JSON object",
        actual: error instanceof Error ? error.message : String(error)
      })
  })

/**
 * Decodes a raw webhook body, synchronously. See {@link decodeDelivery}.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeDeliveryEither = (
  body: string
): Either.Either<ReadonlyArray<ActivityEvent.ActivityEvent>, DeliveryDecodeError> =>
  Either.gen(function* () {
    const raw = yield* parseJson(body)
    if (!isRecord(raw)) {
      return yield* Either.left(
        new DeliveryDecodeError({
          reason: "InvalidEnvelope",
          path: "$",
          expected: "a JSON object with for_user_id and an event key such as tweet_create_events",
          actual: describe(raw)
        })
      )
    }
    const metadata: ReadonlyArray<string> = Wire.metadataKeys
    if (Object.keys(raw).every((key) => metadata.includes(key))) {
      return yield* Either.left(
        new DeliveryDecodeError({
          reason: "NoEvents",
          path: "$",
          expected: `one of ${activityKeys}`,
          actual: Object.keys(raw).length === 0 ? "an empty object" : `only ${Object.keys(raw).join(", ")}`
        })
      )
    }
    const envelope = yield* decodeEnvelope(raw)
    return yield* Either.mapLeft(
      classify(envelope, raw),
      (issue) =>
        new DeliveryDecodeError({
          reason: "InvalidEnvelope",
          path: renderPath(issue.path),
          expected: issue.expected,
          actual: describe(issue.actual)
        })
    )
  })

/**
 * Decodes a raw webhook body into its activity events: the body is parsed losslessly, checked against the
 * {@link Envelope} schema, and every element of every event array becomes one `ActivityEvent` (classified,
 * timestamped, with its identity key), in body order. Top-level keys this version does not know become
 * `Unknown` events instead of failing.
 *
 * Fails with a {@link DeliveryDecodeError}: `InvalidJson` when the body is not JSON, `InvalidEnvelope` when a
 * field has the wrong shape, `NoEvents` when no activity key is present.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeDelivery = (
  body: string
): Effect.Effect<ReadonlyArray<ActivityEvent.ActivityEvent>, DeliveryDecodeError> =>
  Effect.suspend(() => decodeDeliveryEither(body))

/**
 * Encodes an {@link Envelope} back to its JSON value (unknown fields included).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeEnvelope = Schema.encodeEither(Wire.Envelope)
