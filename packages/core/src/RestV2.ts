/**
 * Wire schemas of the X API v2 bodies that replace the v1.1 Account Activity endpoints: the generic
 * `/2/webhooks` API and `/2/account_activity/…`.
 *
 * v2 answers `200` with a `{"data": …}` wrapper where v1.1 answered `204`; the objects inside are the
 * v1.1 ones (string counts, string ids). Response objects keep unknown fields on decode and write them back
 * on encode. Errors are v2 problem objects: see `ApiError.Problem`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import * as Ids from "./Ids.js"
import * as Rest from "./Rest.js"

const preserveUnknownFields = { parseOptions: { onExcessProperty: "preserve" } } as const

/**
 * The `{"data": …}` wrapper of every v2 success body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const Data = <S extends Schema.Schema.Any>(data: S) => Schema.Struct({ data }).annotations(preserveUnknownFields)

// -----------------------------------------------------------------------------
// /2/webhooks
// -----------------------------------------------------------------------------

/**
 * A webhook config of `/2/webhooks`. `created_at` is an ISO 8601 string (`"2025-01-15T12:00:00.000Z"`),
 * kept as written. It is optional because `GET /2/webhooks?webhook_config.fields=…` returns only the fields
 * asked for; `id`, `url` and `valid` are present in every documented body and are required.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const Webhook = Schema.Struct({
  id: Ids.WebhookId,
  url: Schema.String,
  valid: Schema.Boolean,
  created_at: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "RestV2.Webhook", ...preserveUnknownFields })

/**
 * @since 0.1.0
 * @category webhooks
 */
export type Webhook = typeof Webhook.Type

/**
 * The JSON body of `POST /2/webhooks`: `{"url": "https://…"}` (1 to 200 characters).
 *
 * @since 0.1.0
 * @category webhooks
 */
export const CreateWebhookRequest = Schema.Struct({
  url: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))
}).annotations({ identifier: "RestV2.CreateWebhookRequest" })

/**
 * @since 0.1.0
 * @category webhooks
 */
export type CreateWebhookRequest = typeof CreateWebhookRequest.Type

/**
 * The `200` body of `POST /2/webhooks`: the created webhook, which passed its first CRC.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const CreateWebhookResponse = Data(Webhook).annotations({ identifier: "RestV2.CreateWebhookResponse" })

/**
 * @since 0.1.0
 * @category webhooks
 */
export type CreateWebhookResponse = typeof CreateWebhookResponse.Type

/**
 * The `meta` of a v2 list: how many items `data` holds.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const ResultCount = Schema.Struct({ result_count: Schema.NonNegativeInt }).annotations({
  identifier: "RestV2.ResultCount",
  ...preserveUnknownFields
})

/**
 * The `200` body of `GET /2/webhooks`: `{"data": [...], "meta": {"result_count": n}}`. v2 leaves `data`
 * out of an empty list in many endpoints, so a missing `data` decodes as `[]`; encoding always writes it.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const WebhookListResponse = Schema.Struct({
  data: Schema.optionalWith(Schema.Array(Webhook), { default: () => [] }),
  meta: ResultCount
}).annotations({ identifier: "RestV2.WebhookListResponse", ...preserveUnknownFields })

/**
 * @since 0.1.0
 * @category webhooks
 */
export type WebhookListResponse = typeof WebhookListResponse.Type

/**
 * The `200` body of `PUT /2/webhooks/:webhook_id`: `{"data": {"valid": true}}`. The CRC was attempted;
 * `valid` is the webhook's state after it.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const ValidateWebhookResponse = Data(
  Schema.Struct({ valid: Schema.Boolean }).annotations(preserveUnknownFields)
).annotations({ identifier: "RestV2.ValidateWebhookResponse" })

/**
 * @since 0.1.0
 * @category webhooks
 */
export type ValidateWebhookResponse = typeof ValidateWebhookResponse.Type

/**
 * The `200` body of `DELETE /2/webhooks/:webhook_id`: `{"data": {"deleted": true}}`.
 *
 * @since 0.1.0
 * @category webhooks
 */
export const DeleteWebhookResponse = Data(
  Schema.Struct({ deleted: Schema.Boolean }).annotations(preserveUnknownFields)
).annotations({ identifier: "RestV2.DeleteWebhookResponse" })

/**
 * @since 0.1.0
 * @category webhooks
 */
export type DeleteWebhookResponse = typeof DeleteWebhookResponse.Type

// -----------------------------------------------------------------------------
// /2/account_activity
// -----------------------------------------------------------------------------

/**
 * The `200` body of subscribe (`POST …/subscriptions/all`, `{"subscribed": true}`), check
 * (`GET …/subscriptions/all`, `true` or `false`) and unsubscribe
 * (`DELETE …/subscriptions/:user_id/all`, `{"subscribed": false}`).
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const SubscriptionResponse = Data(
  Schema.Struct({ subscribed: Schema.Boolean }).annotations(preserveUnknownFields)
).annotations({ identifier: "RestV2.SubscriptionResponse" })

/**
 * @since 0.1.0
 * @category subscriptions
 */
export type SubscriptionResponse = typeof SubscriptionResponse.Type

/**
 * The `200` body of `GET /2/account_activity/webhooks/:webhook_id/subscriptions/all/list`: the v1.1 list
 * object in `data`.
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const SubscriptionsListResponse = Data(Rest.SubscriptionsList).annotations({
  identifier: "RestV2.SubscriptionsListResponse"
})

/**
 * @since 0.1.0
 * @category subscriptions
 */
export type SubscriptionsListResponse = typeof SubscriptionsListResponse.Type

/**
 * The `200` body of `GET /2/account_activity/subscriptions/count`: the v1.1 count object (string values) in
 * `data`. DM-only subscriptions no longer exist, so `subscriptions_count_direct_messages` is always `"0"`.
 *
 * @since 0.1.0
 * @category subscriptions
 */
export const SubscriptionsCountResponse = Data(Rest.SubscriptionsCount).annotations({
  identifier: "RestV2.SubscriptionsCountResponse"
})

/**
 * @since 0.1.0
 * @category subscriptions
 */
export type SubscriptionsCountResponse = typeof SubscriptionsCountResponse.Type

// -----------------------------------------------------------------------------
// Replay
// -----------------------------------------------------------------------------

/**
 * The JSON body of `POST /2/webhooks/replay`: `{"webhook_id","from_date","to_date"}`, dates as
 * `yyyymmddhhmm` in UTC (see `Rest.ReplayDate`). The AAA-specific
 * `POST /2/account_activity/replay/webhooks/:webhook_id/subscriptions/all` takes the dates in the query
 * instead: use `Rest.ReplayQuery` for it.
 *
 * @since 0.1.0
 * @category replay
 */
export const WebhookReplayRequest = Schema.Struct({
  webhook_id: Ids.WebhookId,
  from_date: Rest.ReplayDate,
  to_date: Rest.ReplayDate
}).annotations({ identifier: "RestV2.WebhookReplayRequest" })

/**
 * @since 0.1.0
 * @category replay
 */
export type WebhookReplayRequest = typeof WebhookReplayRequest.Type

const ReplayJobFromData = Schema.transform(Data(Rest.ReplayJobCreated), Schema.typeSchema(Rest.ReplayJobCreated), {
  strict: true,
  decode: (body) => body.data,
  encode: (job) => ({ data: job })
})

const ReplayJobFromQuickstart = Schema.transform(
  Schema.Struct({
    for_user_id: Schema.optionalWith(Schema.String, { exact: true }),
    replay_event: Rest.ReplayJobCreated
  }),
  Schema.typeSchema(Rest.ReplayJobCreated),
  {
    strict: true,
    decode: (body) => body.replay_event,
    encode: (job) => ({ replay_event: job })
  }
)

/**
 * The success body of a v2 replay request, decoded to `{job_id, created_at}`.
 *
 * X documents three shapes and all three decode:
 * 1. `{"data": {"job_id","created_at"}}` (the generic `/2/webhooks/replay`, X's own dashboard);
 * 2. `{"job_id","created_at"}` (OpenAPI `ReplayJobCreateResponse`, v2.159 to v2.161);
 * 3. `{"for_user_id","replay_event": {"job_id","created_at"}}` (the AAA quickstart; `for_user_id` is dropped).
 *
 * Encoding writes shape 1, the `{"data": …}` wrapper every other v2 success body uses.
 *
 * @since 0.1.0
 * @category replay
 */
export const ReplayJobCreatedResponse = Schema.Union(
  ReplayJobFromData,
  Rest.ReplayJobCreated,
  ReplayJobFromQuickstart
).annotations({ identifier: "RestV2.ReplayJobCreatedResponse" })

/**
 * @since 0.1.0
 * @category replay
 */
export type ReplayJobCreatedResponse = typeof ReplayJobCreatedResponse.Type
