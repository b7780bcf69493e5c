/**
 * The consumer secrets (API secret keys) of the X app, as a service.
 *
 * X keys every CRC answer and every delivery signature with the app's consumer secret. To rotate it
 * without dropping a delivery, give several: the FIRST (newest) one answers CRC and signs, EVERY one is
 * accepted when verifying, and verification reports which one matched so the old one can be retired once
 * nothing matches it any more.
 *
 * @since 0.1.0
 */
import { Array as Arr, type Config, type ConfigError, Context, Effect, Layer, Redacted, Schema } from "effect"
import * as Hmac from "./internal/hmac.js"

/**
 * What the functions of this package accept as secrets: one `Redacted` secret, or a non-empty list of them,
 * newest first.
 *
 * @since 0.1.0
 * @category models
 */
export type Secrets = Hmac.Secrets

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Every accepted secret, newest first. The first answers CRC and signs; all of them verify. */
  readonly secrets: Arr.NonEmptyReadonlyArray<Redacted.Redacted<string>>
}

/**
 * The consumer secrets of the app.
 *
 * @since 0.1.0
 * @category tags
 */
export class WebhookSecrets extends Context.Tag("@account-activity/crc/WebhookSecrets")<WebhookSecrets, Service>() {}

/**
 * A secret list that cannot be used. The message says which entry is wrong, never what it contains.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookSecretsError extends Schema.TaggedError<WebhookSecretsError>(
  "@account-activity/crc/WebhookSecretsError"
)("WebhookSecretsError", {
  reason: Schema.Literal("NoSecrets", "EmptySecret", "Whitespace"),
  /** The zero-based position of the offending secret in the list, when one is at fault. */
  index: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    const which = this.index === undefined ? "" : ` (secret #${this.index + 1} of the list)`
    const messages: Record<typeof this.reason, string> = {
      NoSecrets:
        "No webhook secret was given. Provide the app's consumer secret (API secret key); for rotation, a comma-separated list, newest first.",
      EmptySecret: `A webhook secret is empty${which}. Set it to the app's consumer secret (API secret key); check for a stray comma in a rotation list.`,
      Whitespace: `A webhook secret starts or ends with whitespace${which}. X consumer secrets never do: remove the surrounding spaces or the trailing newline (often left by a secret file).`
    }
    return messages[this.reason]
  }
}

/**
 * Checks a list of secrets and builds the service. Refuses an empty list, an empty secret and a secret
 * with leading or trailing whitespace (fail fast at startup rather than reject every delivery later).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  secrets: Secrets | ReadonlyArray<Redacted.Redacted<string>>
): Effect.Effect<Service, WebhookSecretsError> =>
  Effect.suspend(() => {
    const list: ReadonlyArray<Redacted.Redacted<string>> = Redacted.isRedacted(secrets) ? [secrets] : secrets
    if (!Arr.isNonEmptyReadonlyArray(list)) return Effect.fail(new WebhookSecretsError({ reason: "NoSecrets" }))
    for (let index = 0; index < list.length; index++) {
      const text = Redacted.value(list[index]!)
      if (text.length === 0) return Effect.fail(new WebhookSecretsError({ reason: "EmptySecret", index }))
      if (text.trim() !== text) return Effect.fail(new WebhookSecretsError({ reason: "Whitespace", index }))
      Hmac.keyOf(list[index]!)
    }
    return Effect.succeed<Service>({ secrets: list })
  })

/**
 * Splits one configured value into a rotation list: `"new,old"` gives two secrets, newest first. Each part
 * is trimmed and empty parts are dropped, so `"new, old\n"` works. (X consumer secrets are letters and
 * digits: a comma never belongs to one.)
 *
 * @since 0.1.0
 * @category constructors
 */
export const split = (value: Redacted.Redacted<string>): Array<Redacted.Redacted<string>> =>
  Redacted.value(value)
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => Redacted.make(part))

/**
 * The service from secrets known in code (tests, or secrets fetched by the app itself).
 *
 * @example
 * ```ts
 * import { WebhookSecrets } from "@account-activity/crc"
 * import { Redacted } from "effect"
 *
 * const SecretsLive = WebhookSecrets.layer([Redacted.make("new-secret"), Redacted.make("old-secret")])
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  secrets: Secrets | ReadonlyArray<Redacted.Redacted<string>>
): Layer.Layer<WebhookSecrets, WebhookSecretsError> => Layer.effect(WebhookSecrets, make(secrets))

/**
 * The service from configuration. A single value is split at commas for rotation (`new,old`, see
 * {@link split}); a list (e.g. `Config.array(Config.redacted())`) is used entry by entry.
 *
 * @example
 * ```ts
 * import { WebhookSecrets } from "@account-activity/crc"
 * import { Config } from "effect"
 *
 * // AAA_CONSUMER_SECRET=<current>  or, while rotating,  AAA_CONSUMER_SECRET=<new>,<old>
 * const SecretsLive = WebhookSecrets.layerConfig(Config.redacted("AAA_CONSUMER_SECRET"))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Redacted.Redacted<string> | ReadonlyArray<Redacted.Redacted<string>>>
): Layer.Layer<WebhookSecrets, ConfigError.ConfigError | WebhookSecretsError> =>
  Layer.effect(
    WebhookSecrets,
    Effect.flatMap(config, (value) => make(Redacted.isRedacted(value) ? split(value) : value))
  )

/**
 * The secret that answers CRC and signs: the first of the service.
 *
 * @since 0.1.0
 * @category accessors
 */
export const current: Effect.Effect<Redacted.Redacted<string>, never, WebhookSecrets> = Effect.map(
  WebhookSecrets,
  (service) => service.secrets[0]
)
