/**
 * The settings of the emulator: how strict it is about webhook URLs and auth kinds, the account limits, the
 * rate limits of the 11 v1.1 endpoints, the CRC timeout and the periodic re-validation schedule.
 *
 * Every setting has X's documented value as its default; where X's documentation disagrees with itself the
 * default is named in the package README and the alternative is a setting here. The same schema decodes
 * the `PUT /_emulator/config` body of the control API (every field optional).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * The 11 v1.1 endpoints, by the row they have in X's reference table (1–11).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const Endpoint = Schema.Literal(
  "registerWebhook",
  "listWebhooks",
  "validateWebhook",
  "deleteWebhook",
  "subscribe",
  "checkSubscription",
  "countSubscriptions",
  "listSubscriptions",
  "unsubscribe",
  "unsubscribeUser",
  "replay"
)

/**
 * @since 0.1.0
 * @category endpoints
 */
export type Endpoint = typeof Endpoint.Type

/**
 * Requests allowed per rate-limit window (15 minutes) and per auth context, for each endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export const RateLimits = Schema.Struct({
  registerWebhook: Schema.NonNegativeInt,
  listWebhooks: Schema.NonNegativeInt,
  validateWebhook: Schema.NonNegativeInt,
  deleteWebhook: Schema.NonNegativeInt,
  subscribe: Schema.NonNegativeInt,
  checkSubscription: Schema.NonNegativeInt,
  countSubscriptions: Schema.NonNegativeInt,
  listSubscriptions: Schema.NonNegativeInt,
  unsubscribe: Schema.NonNegativeInt,
  unsubscribeUser: Schema.NonNegativeInt,
  replay: Schema.NonNegativeInt
}).annotations({ identifier: "RateLimits" })

/**
 * @since 0.1.0
 * @category models
 */
export type RateLimits = typeof RateLimits.Type

/**
 * X's documented limits: 15/15/15/15/500/500/15/50/500/500/5 per 15 minutes for rows 1–11.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultRateLimits: RateLimits = {
  registerWebhook: 15,
  listWebhooks: 15,
  validateWebhook: 15,
  deleteWebhook: 15,
  subscribe: 500,
  checkSubscription: 500,
  countSubscriptions: 15,
  listSubscriptions: 50,
  unsubscribe: 500,
  unsubscribeUser: 500,
  replay: 5
}

/**
 * Which webhook URLs registration accepts:
 *
 * - `local` (default): what `strict` accepts, and also `http://127.0.0.1:<port>/…` and
 *   `http://localhost:<port>/…`, so a receiver on loopback can be registered;
 * - `strict`: X's rule only: `https://`, no port.
 *
 * @since 0.1.0
 * @category models
 */
export const UrlMode = Schema.Literal("local", "strict")

/**
 * @since 0.1.0
 * @category models
 */
export type UrlMode = typeof UrlMode.Type

/**
 * When the emulator re-checks a webhook with a CRC on its own (X's documentation disagrees):
 *
 * - `daily` (default): 24 hours after its last successful CRC;
 * - `hourly`: 1 hour after its last successful CRC;
 * - `stale30m`: every 30 minutes, but only once 24 hours have passed since its last successful CRC;
 * - `off`: never.
 *
 * A failed periodic check marks the webhook invalid.
 *
 * @since 0.1.0
 * @category models
 */
export const Revalidation = Schema.Literal("daily", "hourly", "stale30m", "off")

/**
 * @since 0.1.0
 * @category models
 */
export type Revalidation = typeof Revalidation.Type

/**
 * What happens to a subscription beyond the account's `provisioned_count`:
 *
 * - `enforce` (default): refused with HTTP 403, code 214 "Too many resources already created.";
 * - `allow`: accepted (the count then exceeds `provisioned_count`, as X's "500+" plans allow).
 *
 * @since 0.1.0
 * @category models
 */
export const SubscriptionLimit = Schema.Literal("enforce", "allow")

/**
 * @since 0.1.0
 * @category models
 */
export type SubscriptionLimit = typeof SubscriptionLimit.Type

/**
 * The emulator's settings.
 *
 * @since 0.1.0
 * @category models
 */
export const EmulatorConfig = Schema.Struct({
  /** Which webhook URLs are accepted. Default `local`. */
  urlMode: UrlMode,
  /**
   * Enforce the single documented auth kind on `GET webhooks` (Bearer) and `PUT webhooks/:id` (OAuth 1.0a
   * app owner). Default `false`: both accept Bearer and OAuth 1.0a, as X's own samples call them both ways.
   */
  strictAuth: Schema.Boolean,
  /** Webhooks per account (every app of the account together). Default 3. */
  webhookLimit: Schema.NonNegativeInt,
  /** Subscriptions per account, answered as `provisioned_count`. Default 50. */
  provisionedCount: Schema.NonNegativeInt,
  /** What a subscription beyond `provisionedCount` gets. Default `enforce`. */
  subscriptionLimit: SubscriptionLimit,
  /** Requests per window per endpoint and auth context. Default: X's documented limits. */
  rateLimits: RateLimits,
  /** The rate-limit window in milliseconds. Default 15 minutes. */
  rateLimitWindowMillis: Schema.NonNegativeInt,
  /** How long a webhook has to answer a CRC GET, in milliseconds. Default 3000 (X: "less than 3 seconds"). */
  crcTimeoutMillis: Schema.NonNegativeInt,
  /** The periodic CRC schedule. Default `daily`. */
  revalidation: Revalidation,
  /** How far an `oauth_timestamp` may be from the clock, in seconds. Default 300. */
  oauthTimestampWindowSeconds: Schema.NonNegativeInt,
  /** Refuse registering a URL the app already registered (code 214, URL requirements). Default `true`. */
  rejectDuplicateUrls: Schema.Boolean
}).annotations({ identifier: "EmulatorConfig" })

/**
 * @since 0.1.0
 * @category models
 */
export type EmulatorConfig = typeof EmulatorConfig.Type

/**
 * A change to the settings: every field optional, `rateLimits` field by field. The body of
 * `PUT /_emulator/config`.
 *
 * @since 0.1.0
 * @category models
 */
export const Patch = Schema.Struct({
  urlMode: optional(UrlMode),
  strictAuth: optional(Schema.Boolean),
  webhookLimit: optional(Schema.NonNegativeInt),
  provisionedCount: optional(Schema.NonNegativeInt),
  subscriptionLimit: optional(SubscriptionLimit),
  rateLimits: optional(Schema.partialWith(RateLimits, { exact: true })),
  rateLimitWindowMillis: optional(Schema.NonNegativeInt),
  crcTimeoutMillis: optional(Schema.NonNegativeInt),
  revalidation: optional(Revalidation),
  oauthTimestampWindowSeconds: optional(Schema.NonNegativeInt),
  rejectDuplicateUrls: optional(Schema.Boolean)
}).annotations({ identifier: "EmulatorConfigPatch" })

/**
 * @since 0.1.0
 * @category models
 */
export type Patch = typeof Patch.Type

/**
 * X's documented behaviour, with loopback webhook URLs allowed.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaults: EmulatorConfig = {
  urlMode: "local",
  strictAuth: false,
  webhookLimit: 3,
  provisionedCount: 50,
  subscriptionLimit: "enforce",
  rateLimits: defaultRateLimits,
  rateLimitWindowMillis: 15 * 60 * 1000,
  crcTimeoutMillis: 3000,
  revalidation: "daily",
  oauthTimestampWindowSeconds: 300,
  rejectDuplicateUrls: true
}

/**
 * Applies a patch to a configuration.
 *
 * @since 0.1.0
 * @category constructors
 */
export const patch = (config: EmulatorConfig, change: Patch): EmulatorConfig => ({
  ...config,
  ...change,
  rateLimits: { ...config.rateLimits, ...change.rateLimits }
})

/**
 * The defaults with a patch applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (change: Patch = {}): EmulatorConfig => patch(defaults, change)
