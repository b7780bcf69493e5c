/**
 * The credentials of an X app and of the users it acts for. Every secret is `Redacted`: it prints as
 * `<redacted>` in logs, errors and `JSON.stringify`, and is only unwrapped where a signature is computed.
 *
 * The library never reads the environment: build these values yourself, or from `Config`
 * (`Config.redacted("AAA_CONSUMER_SECRET")`) through the `layerConfig` constructors.
 *
 * @since 0.1.0
 */
import { Config, Redacted } from "effect"

/**
 * The app's consumer key ("API Key") and consumer secret ("API Key Secret").
 *
 * @since 0.1.0
 * @category models
 */
export interface AppCredentials {
  readonly consumerKey: string
  readonly consumerSecret: Redacted.Redacted
}

/**
 * A user's OAuth 1.0a access token and access token secret: the app owner's (from the developer portal)
 * or a subscribing user's (from the 3-legged flow).
 *
 * @since 0.1.0
 * @category models
 */
export interface UserTokens {
  readonly accessToken: string
  readonly accessTokenSecret: Redacted.Redacted
}

/**
 * What an OAuth 1.0a signature is made with: the app's credentials and, for user context, a user's
 * tokens. Without `user` the request is signed with an empty token secret (RFC 5849 temporary
 * credentials request).
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuth1Credentials {
  readonly app: AppCredentials
  readonly user?: UserTokens | undefined
}

/**
 * Builds `AppCredentials`; a plain-string secret is wrapped in `Redacted`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const app = (options: {
  readonly consumerKey: string
  readonly consumerSecret: string | Redacted.Redacted
}): AppCredentials => ({
  consumerKey: options.consumerKey,
  consumerSecret: toRedacted(options.consumerSecret)
})

/**
 * Builds `UserTokens`; a plain-string secret is wrapped in `Redacted`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const user = (options: {
  readonly accessToken: string
  readonly accessTokenSecret: string | Redacted.Redacted
}): UserTokens => ({
  accessToken: options.accessToken,
  accessTokenSecret: toRedacted(options.accessTokenSecret)
})

/**
 * `AppCredentials` from two `Config` entries whose names the app chooses.
 *
 * @example
 * ```ts
 * import { Credentials } from "@account-activity/auth"
 *
 * const app = Credentials.appConfig({ consumerKey: "AAA_CONSUMER_KEY", consumerSecret: "AAA_CONSUMER_SECRET" })
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const appConfig = (names: {
  readonly consumerKey: string
  readonly consumerSecret: string
}): Config.Config<AppCredentials> =>
  Config.all({
    consumerKey: Config.nonEmptyString(names.consumerKey),
    consumerSecret: Config.redacted(names.consumerSecret)
  })

/**
 * `UserTokens` from two `Config` entries whose names the app chooses.
 *
 * @since 0.1.0
 * @category config
 */
export const userConfig = (names: {
  readonly accessToken: string
  readonly accessTokenSecret: string
}): Config.Config<UserTokens> =>
  Config.all({
    accessToken: Config.nonEmptyString(names.accessToken),
    accessTokenSecret: Config.redacted(names.accessTokenSecret)
  })

const toRedacted = (value: string | Redacted.Redacted): Redacted.Redacted =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)
