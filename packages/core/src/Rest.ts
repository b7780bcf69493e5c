/**
 * Wire schemas of the v1.1 (Enterprise) Account Activity REST bodies, and of the OAuth 2.0 app-only
 * token endpoints.
 *
 * Each schema describes the JSON exactly as X sends it, so it serves both directions: a client decodes
 * responses with it and an emulator encodes the same bytes X would. Response objects keep fields this
 * version does not know about when decoded (and writes them back when encoded), so a field X adds later is
 * not lost on the way through.
 *
 * The endpoints that answer `204 No Content` (PUT and DELETE a webhook, add, check and remove a
 * subscription) have no body and so no schema here.
 *
 * @since 0.1.0
 */
import { DateTime, Option, ParseResult, Schema } from "effect"
import * as Ids from "./Ids.js"
import * as internal from "./internal/restTime.js"

const preserveUnknownFields = { parseOptions: { onExcessProperty: "preserve" } } as const

// -----------------------------------------------------------------------------
// Webhooks
// -----------------------------------------------------------------------------

const WebhookTyped = Schema.Struct({
  id: Schema.typeSchema(Ids.WebhookId),
  url: Schema.String,
  valid: Schema.Boolean,
  created_at: Schema.String
}).annotations(preserveUnknownFields)

const WebhookWire = Schema.Struct({
  id: Ids.WebhookId,
  url: Schema.String,
  valid: Schema.Boolean,
  created_at: Schema.optionalWith(Schema.String, { exact: true }),
  created_timestamp: Schema.optionalWith(Schema.String, { exact: true })
}).annotations(preserveUnknownFields)

/**
 * A registered webhook: `{"id","url","valid","created_at"}`, the body of `POST account_activity/webhooks.json`
 * and the element of `GET account_activity/webhooks.json`.
 *
 * The name of the timestamp field is in dispute: the Enterprise reference shows `created_at`
 * (`"2016-06-02T23:54:02Z"`), while X's own v1.1 sample dashboards read `created_timestamp` (seen as
 * `"yyyy-MM-dd HH:mm:ss"`). Decoding accepts either (`created_at` wins when both are present) and always
 * yields `created_at`, kept as X wrote it; encoding always writes `created_at`. Read the instant with
 * {@link webhookCreatedAt}.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const Webhook = Schema.transformOrFail(WebhookWire, WebhookTyped, {
  strict: true,
  decode: (wire, _, ast) => {
    const { created_at, created_timestamp, ...rest } = wire
    const createdAt = created_at ?? created_timestamp
    return createdAt === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, wire, "expected a webhook with created_at or created_timestamp"))
      : ParseResult.succeed({ ...rest, created_at: createdAt })
  },
  encode: (webhook) => ParseResult.succeed(webhook)
}).annotations({ identifier: "Webhook" })

/**
 * @since 0.1.0
 * @category webhooks
 */
export type Webhook = typeof Webhook.Type

/**
 * The body of `GET account_activity/webhooks.json`: every webhook of the app, valid or not.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const WebhookList = Schema.Array(Webhook).annotations({ identifier: "WebhookList" })

/**
 * @since 0.1.0
 * @category webhooks
 */
export type WebhookList = typeof WebhookList.Type

/**
 * When the webhook was created, read from `created_at` in any of the forms X has used (ISO 8601,
 * `yyyy-MM-dd HH:mm:ss` taken as UTC, epoch milliseconds). `None` when the text is in none of them.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const webhookCreatedAt = (webhook: Pick<Webhook, "created_at">): Option.Option<DateTime.Utc> =>
  internal.parseTimestamp(webhook.created_at)

/**
 * The query of `POST account_activity/webhooks.json?url=…`: the callback URL (HTTPS, no port).
 *
 * @since 0.1.0
 * @category webhooks
 */
export const RegisterWebhookQuery = Schema.Struct({ url: Schema.String.pipe(Schema.minLength(1)) }).annotations({
  identifier: "RegisterWebhookQuery"
})

/**
 * @since 0.1.0
 * @category webhooks
 */
export type RegisterWebhookQuery = typeof RegisterWebhookQuery.Type

// -----------------------------------------------------------------------------
// Subscriptions
// -----------------------------------------------------------------------------

/**
 * A count as X writes it in the subscription count: a string of decimal digits (`"50"`).
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const CountString = Schema.String.pipe(
  Schema.pattern(/^[0-9]+$/, { message: () => 'expected a count as a string of decimal digits, e.g. "50"' }),
  Schema.annotations({ identifier: "CountString" })
)

/**
 * The body of `GET account_activity/subscriptions/count.json`. Every value is a string on the wire and is kept
 * as the string; read numbers with {@link subscriptionsCountNumbers} or decode with
 * {@link SubscriptionsCountNumbers}.
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const SubscriptionsCount = Schema.Struct({
  account_name: Schema.String,
  subscriptions_count_all: CountString,
  subscriptions_count_direct_messages: CountString,
  provisioned_count: CountString
}).annotations({ identifier: "SubscriptionsCount", ...preserveUnknownFields })

/**
 * @since 0.1.0
 * @category subscriptions
 */
export type SubscriptionsCount = typeof SubscriptionsCount.Type

/**
 * The subscription count with numbers: `all` active subscriptions, of which `directMessages` DM-only, out of
 * `provisioned` allowed.
 *
 * @since 0.1.0
 * @category subscriptions
 */
export interface SubscriptionsCountNumbers {
  readonly accountName: string
  readonly all: number
  readonly directMessages: number
  readonly provisioned: number
}

/**
 * Reads the numbers of a decoded {@link SubscriptionsCount}.
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const subscriptionsCountNumbers = (count: SubscriptionsCount): SubscriptionsCountNumbers => ({
  accountName: count.account_name,
  all: Number(count.subscriptions_count_all),
  directMessages: Number(count.subscriptions_count_direct_messages),
  provisioned: Number(count.provisioned_count)
})

const Count = Schema.Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER))

/**
 * The subscription count body decoded straight to {@link SubscriptionsCountNumbers} (and encoded back to
 * strings).
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const SubscriptionsCountNumbers = Schema.transform(
  SubscriptionsCount,
  Schema.Struct({ accountName: Schema.String, all: Count, directMessages: Count, provisioned: Count }),
  {
    strict: true,
    decode: subscriptionsCountNumbers,
    encode: (numbers) => ({
      account_name: numbers.accountName,
      subscriptions_count_all: String(numbers.all),
      subscriptions_count_direct_messages: String(numbers.directMessages),
      provisioned_count: String(numbers.provisioned)
    })
  }
).annotations({ identifier: "SubscriptionsCountNumbers" })

/**
 * One subscribed user in a subscription list.
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const Subscription = Schema.Struct({ user_id: Ids.UserId }).annotations({
  identifier: "Subscription",
  ...preserveUnknownFields
})

/**
 * @since 0.1.0
 * @category subscriptions
 */
export type Subscription = typeof Subscription.Type

/**
 * The body of `GET account_activity/webhooks/:webhook_id/subscriptions/all/list.json`.
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const SubscriptionsList = Schema.Struct({
  webhook_id: Ids.WebhookId,
  webhook_url: Schema.String,
  application_id: Ids.AppId,
  subscriptions: Schema.Array(Subscription)
}).annotations({ identifier: "SubscriptionsList", ...preserveUnknownFields })

/**
 * @since 0.1.0
 * @category subscriptions
 */
export type SubscriptionsList = typeof SubscriptionsList.Type

// -----------------------------------------------------------------------------
// Replay
// -----------------------------------------------------------------------------

/**
 * A Replay API date: `yyyymmddhhmm` (12 digits, UTC, minute granularity) on the wire, a `DateTime.Utc` in
 * code. Decoding rejects anything else (wrong length, non-digits, 31 February, hour 24, a year before 1970).
 * Encoding rejects a `DateTime` with seconds or milliseconds, since the wire cannot carry them: floor it
 * first with {@link floorToMinute}, or use {@link formatReplayDate}.
 *
 * `from_date` is inclusive and `to_date` exclusive.
 *
 * @since 0.1.0
 * @category replay
 */
export const ReplayDate = Schema.transformOrFail(Schema.String, Schema.DateTimeUtcFromSelf, {
  strict: true,
  decode: (input, _, ast) =>
    Option.match(internal.parseReplayDate(input), {
      onNone: () =>
        ParseResult.fail(
          new ParseResult.Type(
            ast,
            input,
            `expected a UTC date as yyyymmddhhmm (12 digits, e.g. "202406011230"), got ${JSON.stringify(input)}`
          )
        ),
      onSome: ParseResult.succeed
    }),
  encode: (dateTime, _, ast) =>
    internal.isMinutePrecise(dateTime)
      ? ParseResult.succeed(internal.formatReplayDate(dateTime))
      : ParseResult.fail(
          new ParseResult.Type(
            ast,
            dateTime,
            `a replay date has minute precision: ${DateTime.formatIso(dateTime)} has seconds; floor it to the minute first`
          )
        )
}).annotations({
  identifier: "ReplayDate",
  arbitrary: () => (fc) =>
    fc
      .integer({ min: 0, max: Math.floor(Date.UTC(9999, 11, 31, 23, 59) / 60_000) })
      .map((minutes) => DateTime.unsafeMake(minutes * 60_000))
})

/**
 * @since 0.1.0
 * @category replay
 */
export type ReplayDate = typeof ReplayDate.Type

/**
 * Reads a `yyyymmddhhmm` replay date as a UTC instant; `None` when it is not one.
 *
 * @since 0.1.0
 * @category replay
 */
export const parseReplayDate: (input: string) => Option.Option<DateTime.Utc> = internal.parseReplayDate

/**
 * Writes any `DateTime` as a `yyyymmddhhmm` replay date in UTC, dropping seconds and milliseconds (the
 * minute is floored: `12:30:59` becomes `1230`).
 *
 * @since 0.1.0
 * @category replay
 */
export const formatReplayDate: (dateTime: DateTime.DateTime) => string = internal.formatReplayDate

/**
 * The same instant with seconds and milliseconds set to zero, in UTC.
 *
 * @since 0.1.0
 * @category replay
 */
export const floorToMinute: (dateTime: DateTime.DateTime) => DateTime.Utc = internal.floorToMinute

/**
 * The query of `POST account_activity/replay/webhooks/:webhook_id/subscriptions/all.json`
 * (`?from_date=yyyymmddhhmm&to_date=yyyymmddhhmm`). The Replay request has no body. The window rules
 * (within 5 days, `from_date` at least 31 minutes and `to_date` at least 10 minutes in the past,
 * `from_date` before `to_date`) depend on the clock and are checked elsewhere.
 *
 * @since 0.1.0
 * @category replay
 */
export const ReplayQuery = Schema.Struct({ from_date: ReplayDate, to_date: ReplayDate }).annotations({
  identifier: "ReplayQuery"
})

/**
 * @since 0.1.0
 * @category replay
 */
export type ReplayQuery = typeof ReplayQuery.Type

/**
 * The `202 Accepted` body of a Replay request: `{"job_id","created_at"}`. `created_at` is kept as X wrote it
 * (`"2016-06-02T23:54:02Z"`); read the instant with {@link replayJobCreatedAt}.
 *
 * @since 0.1.0
 * @category replay
 */
export const ReplayJobCreated = Schema.Struct({
  job_id: Ids.JobId,
  created_at: Schema.String
}).annotations({ identifier: "ReplayJobCreated", ...preserveUnknownFields })

/**
 * @since 0.1.0
 * @category replay
 */
export type ReplayJobCreated = typeof ReplayJobCreated.Type

/**
 * When the replay job was created; `None` when `created_at` is not a timestamp.
 *
 * @since 0.1.0
 * @category replay
 */
export const replayJobCreatedAt = (job: Pick<ReplayJobCreated, "created_at">): Option.Option<DateTime.Utc> =>
  internal.parseTimestamp(job.created_at)

// -----------------------------------------------------------------------------
// OAuth 2.0 app-only tokens
// -----------------------------------------------------------------------------

/**
 * The form body of `POST oauth2/token`: `grant_type=client_credentials`, the only grant X allows.
 *
 * @since 0.1.0
 * @category tokens
 */
export const TokenRequest = Schema.Struct({ grant_type: Schema.Literal("client_credentials") }).annotations({
  identifier: "TokenRequest"
})

/**
 * @since 0.1.0
 * @category tokens
 */
export type TokenRequest = typeof TokenRequest.Type

/**
 * The body of `POST oauth2/token`: `{"token_type":"bearer","access_token":"AAAA…"}`. Decoding checks that the
 * token type is `bearer` and wraps the token in `Redacted`, so it never shows in logs.
 *
 * @since 0.1.0
 * @category tokens
 */
export const BearerToken = Schema.Struct({
  token_type: Schema.Literal("bearer"),
  access_token: Schema.Redacted(Schema.String.pipe(Schema.minLength(1)))
}).annotations({ identifier: "BearerToken", ...preserveUnknownFields })

/**
 * @since 0.1.0
 * @category tokens
 */
export type BearerToken = typeof BearerToken.Type

/**
 * The form body (or query) of `POST oauth2/invalidate_token`, and its `200` response body
 * `{"access_token":"…"}` naming the token that no longer works.
 *
 * @since 0.1.0
 * @category tokens
 */
export const InvalidatedToken = Schema.Struct({
  access_token: Schema.Redacted(Schema.String.pipe(Schema.minLength(1)))
}).annotations({ identifier: "InvalidatedToken", ...preserveUnknownFields })

/**
 * @since 0.1.0
 * @category tokens
 */
export type InvalidatedToken = typeof InvalidatedToken.Type
