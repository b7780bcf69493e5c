/**
 * The worker's configuration, from the environment.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `AAA_QUEUE_URL` | `sqlite:<path>` or `redis://…` | `sqlite:./data/aaa.db` |
 * | `AAA_PLUGINS` | comma-separated plugin modules | `@account-activity/plugin-log` |
 * | `AAA_WORKER_CONCURRENCY` | records handled at once | 16 |
 * | `AAA_MAX_ATTEMPTS` | attempts before the dead letter store | 5 |
 * | `AAA_VISIBILITY_TIMEOUT` | how long a record stays leased to a worker before another may take it | `30 seconds` |
 * | `AAA_WEBHOOK_URL` | the receiver's public URL; turns on the lifecycle and gap recovery | (off) |
 * | `AAA_API_URL` | X's API origin (the emulator's in the sandbox) | `https://api.x.com` |
 * | `AAA_CONSUMER_KEY`, `AAA_CONSUMER_SECRET` | the app | required with `AAA_WEBHOOK_URL` |
 * | `AAA_ACCESS_TOKEN`, `AAA_ACCESS_TOKEN_SECRET` | the app owner's tokens | required with `AAA_WEBHOOK_URL` |
 * | `AAA_BEARER_TOKEN` | app-only token | fetched with the app's credentials |
 * | `AAA_USERS` | users to subscribe: `token:secret,token:secret` | none |
 * | `AAA_USERS_FILE` | the same as a JSON file `[{"accessToken": "…", "accessTokenSecret": "…"}]` | none |
 * | `AAA_LIFECYCLE_INTERVAL` | how often the webhook and subscriptions are checked | `5 minutes` |
 * | `AAA_GAP_INTERVAL` | how often gap recovery looks for holes | `1 minute` |
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import { Credentials } from "@account-activity/auth"
import { Config, ConfigError, Duration, type Effect, Either, Option, Redacted, Schema } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Lifecycle {
  readonly webhookUrl: string
  readonly apiUrl: string | undefined
  readonly app: Credentials.AppCredentials
  readonly owner: Credentials.UserTokens
  readonly bearerToken: Redacted.Redacted | undefined
  readonly users: ReadonlyArray<Credentials.UserTokens>
  readonly interval: Duration.Duration
  readonly gapInterval: Duration.Duration
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WorkerConfig {
  readonly queueUrl: string
  readonly plugins: string
  readonly concurrency: number
  readonly maxAttempts: number
  readonly visibilityTimeout: Duration.Duration
  readonly lifecycle: Option.Option<Lifecycle>
}

const UsersFile = Schema.parseJson(
  Schema.Array(Schema.Struct({ accessToken: Schema.String, accessTokenSecret: Schema.String }))
)

const parseUsers = (list: string): Either.Either<ReadonlyArray<Credentials.UserTokens>, string> => {
  const users: Array<Credentials.UserTokens> = []
  for (const entry of list
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e.length > 0)) {
    const colon = entry.indexOf(":")
    if (colon <= 0 || colon === entry.length - 1)
      return Either.left("each entry must be <access token>:<access token secret>")
    users.push(Credentials.user({ accessToken: entry.slice(0, colon), accessTokenSecret: entry.slice(colon + 1) }))
  }
  return Either.right(users)
}

const users: Config.Config<ReadonlyArray<Credentials.UserTokens>> = Config.all({
  inline: Config.option(Config.redacted("AAA_USERS")),
  file: Config.option(Config.string("AAA_USERS_FILE"))
}).pipe(
  Config.mapOrFail(({ file, inline }) => {
    const fromInline = Option.match(inline, {
      onNone: () => Either.right<ReadonlyArray<Credentials.UserTokens>>([]),
      onSome: (value) => parseUsers(Redacted.value(value))
    })
    if (Either.isLeft(fromInline)) return Either.left(ConfigError.InvalidData(["AAA_USERS"], fromInline.left))
    if (Option.isNone(file)) return Either.right(fromInline.right)
    try {
      const parsed = Schema.decodeUnknownSync(UsersFile)(readFileSync(file.value, "utf8"))
      return Either.right([...fromInline.right, ...parsed.map((u) => Credentials.user(u))])
    } catch (error) {
      return Either.left(
        ConfigError.InvalidData(
          ["AAA_USERS_FILE"],
          `cannot read ${file.value} as [{"accessToken": "…", "accessTokenSecret": "…"}]: ${error instanceof Error ? error.message : String(error)}`
        )
      )
    }
  })
)

const lifecycle: Config.Config<Option.Option<Lifecycle>> = Config.all({
  webhookUrl: Config.option(Config.string("AAA_WEBHOOK_URL")),
  apiUrl: Config.option(Config.string("AAA_API_URL")),
  consumerKey: Config.option(Config.string("AAA_CONSUMER_KEY")),
  consumerSecret: Config.option(Config.redacted("AAA_CONSUMER_SECRET")),
  accessToken: Config.option(Config.string("AAA_ACCESS_TOKEN")),
  accessTokenSecret: Config.option(Config.redacted("AAA_ACCESS_TOKEN_SECRET")),
  bearerToken: Config.option(Config.redacted("AAA_BEARER_TOKEN")),
  users,
  interval: Config.duration("AAA_LIFECYCLE_INTERVAL").pipe(Config.withDefault(Duration.minutes(5))),
  gapInterval: Config.duration("AAA_GAP_INTERVAL").pipe(Config.withDefault(Duration.minutes(1)))
}).pipe(
  Config.mapOrFail((c) => {
    if (Option.isNone(c.webhookUrl)) return Either.right(Option.none())
    const missing = [
      Option.isNone(c.consumerKey) && "AAA_CONSUMER_KEY",
      Option.isNone(c.consumerSecret) && "AAA_CONSUMER_SECRET",
      Option.isNone(c.accessToken) && "AAA_ACCESS_TOKEN",
      Option.isNone(c.accessTokenSecret) && "AAA_ACCESS_TOKEN_SECRET"
    ].filter((name): name is string => typeof name === "string")
    if (
      missing.length > 0 ||
      Option.isNone(c.consumerKey) ||
      Option.isNone(c.consumerSecret) ||
      Option.isNone(c.accessToken) ||
      Option.isNone(c.accessTokenSecret)
    )
      return Either.left(
        ConfigError.MissingData(
          [missing[0] ?? "AAA_CONSUMER_KEY"],
          `AAA_WEBHOOK_URL is set, so the worker manages the webhook and needs the app's credentials: set ${missing.join(", ")}`
        )
      )
    return Either.right(
      Option.some<Lifecycle>({
        webhookUrl: c.webhookUrl.value,
        apiUrl: Option.getOrUndefined(c.apiUrl),
        app: Credentials.app({ consumerKey: c.consumerKey.value, consumerSecret: c.consumerSecret.value }),
        owner: Credentials.user({ accessToken: c.accessToken.value, accessTokenSecret: c.accessTokenSecret.value }),
        bearerToken: Option.getOrUndefined(c.bearerToken),
        users: c.users,
        interval: c.interval,
        gapInterval: c.gapInterval
      })
    )
  })
)

/**
 * The whole configuration.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<WorkerConfig> = Config.all({
  queueUrl: Config.string("AAA_QUEUE_URL").pipe(Config.withDefault("sqlite:./data/aaa.db")),
  plugins: Config.string("AAA_PLUGINS").pipe(Config.withDefault("@account-activity/plugin-log")),
  concurrency: Config.integer("AAA_WORKER_CONCURRENCY").pipe(Config.withDefault(16)),
  maxAttempts: Config.integer("AAA_MAX_ATTEMPTS").pipe(Config.withDefault(5)),
  visibilityTimeout: Config.duration("AAA_VISIBILITY_TIMEOUT").pipe(
    Config.withDefault(Duration.seconds(30)),
    Config.validate({
      message:
        "AAA_VISIBILITY_TIMEOUT must be at least 1 second: a record leased for less is taken by another worker while this one still handles it",
      validation: (duration) => Duration.greaterThanOrEqualTo(duration, Duration.seconds(1))
    })
  ),
  lifecycle
})

/**
 * Reads the configuration.
 *
 * @since 0.1.0
 * @category config
 */
export const load: Effect.Effect<WorkerConfig, ConfigError.ConfigError> = config
