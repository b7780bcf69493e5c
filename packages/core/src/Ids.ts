/**
 * Branded identifiers of the Account Activity API.
 *
 * Every id X sends is a 64-bit integer. Tweet ids exceed `Number.MAX_SAFE_INTEGER` (2^53 - 1), so an id
 * never goes through `number`: it is kept as its exact decimal digits, branded by what it identifies.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const digits = <const B extends string>(brand: B, description: string) =>
  Schema.String.pipe(
    Schema.pattern(/^[0-9]{1,20}$/, {
      message: () => `expected ${description} as a string of 1 to 20 decimal digits`
    }),
    Schema.brand(`@account-activity/core/${brand}` as `@account-activity/core/${B}`),
    Schema.annotations({ identifier: brand, description })
  )

/**
 * A user (account) id, e.g. `"2244994945"`.
 *
 * @since 0.1.0
 * @category ids
 */
export const UserId = digits("UserId", "a user id")
/**
 * @since 0.1.0
 * @category ids
 */
export type UserId = typeof UserId.Type

/**
 * A Tweet (Post) id, e.g. `"1556886030274000000"` (beyond 2^53: keep it a string).
 *
 * @since 0.1.0
 * @category ids
 */
export const TweetId = digits("TweetId", "a Tweet id")
/**
 * @since 0.1.0
 * @category ids
 */
export type TweetId = typeof TweetId.Type

/**
 * A webhook id, as returned by `POST account_activity/webhooks`.
 *
 * @since 0.1.0
 * @category ids
 */
export const WebhookId = digits("WebhookId", "a webhook id")
/**
 * @since 0.1.0
 * @category ids
 */
export type WebhookId = typeof WebhookId.Type

/**
 * A replay job id, as returned by the Replay API.
 *
 * @since 0.1.0
 * @category ids
 */
export const JobId = digits("JobId", "a replay job id")
/**
 * @since 0.1.0
 * @category ids
 */
export type JobId = typeof JobId.Type

/**
 * An application (app) id, e.g. the `source_app_id` of a Direct Message.
 *
 * @since 0.1.0
 * @category ids
 */
export const AppId = digits("AppId", "an app id")
/**
 * @since 0.1.0
 * @category ids
 */
export type AppId = typeof AppId.Type

/**
 * A Direct Message event id.
 *
 * @since 0.1.0
 * @category ids
 */
export const DirectMessageId = digits("DirectMessageId", "a Direct Message event id")
/**
 * @since 0.1.0
 * @category ids
 */
export type DirectMessageId = typeof DirectMessageId.Type
