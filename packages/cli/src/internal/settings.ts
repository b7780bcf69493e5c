/**
 * The options every API command takes (`--json`, `--api-url` and the credentials), their environment
 * variables, and the clients built from them.
 *
 * @internal
 */
import { AuthClient, Credentials } from "@account-activity/auth"
import { AccountActivityClient } from "@account-activity/client"
import { Command, Options } from "@effect/cli"
import type * as HttpClient from "@effect/platform/HttpClient"
import { Config, Effect, Option, Redacted } from "effect"
import type { Reported } from "./errors.js"
import { MissingCredentials, UsageError } from "./errors.js"
import { reporting } from "./output.js"

/** The environment variables `aaa` reads. @internal */
export const Env = {
  consumerKey: "AAA_CONSUMER_KEY",
  consumerSecret: "AAA_CONSUMER_SECRET",
  accessToken: "AAA_ACCESS_TOKEN",
  accessTokenSecret: "AAA_ACCESS_TOKEN_SECRET",
  bearerToken: "AAA_BEARER_TOKEN",
  apiUrl: "AAA_API_URL"
} as const

/** The default API origin. @internal */
export const defaultApiUrl = "https://api.x.com"

/** `--json`. @internal */
export const json = Options.boolean("json").pipe(
  Options.withDescription(
    'Print JSON for scripts instead of tables and sentences; a failure prints {"error":{…}} on stderr.'
  )
)

/** The options of the root command, for every command that talks to the API. @internal */
export const apiOptions = {
  json,
  apiUrl: Options.text("api-url").pipe(
    Options.optional,
    Options.withDescription(`The API origin (env ${Env.apiUrl}; default ${defaultApiUrl}, an emulator's URL locally).`)
  ),
  consumerKey: Options.text("consumer-key").pipe(
    Options.optional,
    Options.withDescription(`The app's consumer key, "API Key" (env ${Env.consumerKey}).`)
  ),
  consumerSecret: Options.redacted("consumer-secret").pipe(
    Options.optional,
    Options.withDescription(`The app's consumer secret (env ${Env.consumerSecret}; prefer the environment).`)
  ),
  accessToken: Options.text("access-token").pipe(
    Options.optional,
    Options.withDescription(
      `An OAuth 1.0a access token (env ${Env.accessToken}): the app owner's for webhooks, the subscribing user's for subscriptions add, check and remove.`
    )
  ),
  accessTokenSecret: Options.redacted("access-token-secret").pipe(
    Options.optional,
    Options.withDescription(`The secret of the access token (env ${Env.accessTokenSecret}; prefer the environment).`)
  ),
  bearerToken: Options.redacted("bearer-token").pipe(
    Options.optional,
    Options.withDescription(
      `An app-only Bearer token (env ${Env.bearerToken}); without it one is fetched with the consumer key and secret.`
    )
  )
} as const

/** What the options parse to. @internal */
export interface ApiFlags {
  readonly json: boolean
  readonly apiUrl: Option.Option<string>
  readonly consumerKey: Option.Option<string>
  readonly consumerSecret: Option.Option<Redacted.Redacted>
  readonly accessToken: Option.Option<string>
  readonly accessTokenSecret: Option.Option<Redacted.Redacted>
  readonly bearerToken: Option.Option<Redacted.Redacted>
}

/** The options, completed from the environment. @internal */
export interface Settings {
  readonly json: boolean
  readonly apiUrl: string
  readonly consumerKey: Option.Option<string>
  readonly consumerSecret: Option.Option<Redacted.Redacted>
  readonly accessToken: Option.Option<string>
  readonly accessTokenSecret: Option.Option<Redacted.Redacted>
  readonly bearerToken: Option.Option<Redacted.Redacted>
}

const fromEnv = (name: string): Effect.Effect<Option.Option<string>> =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.filter((value) => value.trim() !== "")),
    Effect.orElseSucceed(() => Option.none<string>())
  )

const orEnv = (flag: Option.Option<string>, name: string) =>
  Option.isSome(flag) ? Effect.succeed(flag) : fromEnv(name)

const orEnvSecret = (flag: Option.Option<Redacted.Redacted>, name: string) =>
  Option.isSome(flag) ? Effect.succeed(flag) : Effect.map(fromEnv(name), Option.map(Redacted.make))

/**
 * Checks an API origin: `http(s)://host[:port]`, no trailing slash kept.
 *
 * @internal
 */
export const checkApiUrl = (raw: string): Effect.Effect<string, UsageError> => {
  const trimmed = raw.trim().replace(/\/+$/, "")
  let parsed: URL | undefined
  try {
    parsed = new URL(trimmed)
  } catch {
    parsed = undefined
  }
  return parsed !== undefined && (parsed.protocol === "http:" || parsed.protocol === "https:")
    ? Effect.succeed(trimmed)
    : Effect.fail(
        new UsageError({
          message: `The API URL ${JSON.stringify(raw)} is not an http(s) URL: use ${defaultApiUrl}, or the emulator's http://127.0.0.1:<port> (--api-url or ${Env.apiUrl}).`
        })
      )
}

/** Completes the flags with the environment variables. @internal */
export const settings = (flags: ApiFlags): Effect.Effect<Settings, UsageError> =>
  Effect.gen(function* () {
    const apiUrl = Option.getOrElse(yield* orEnv(flags.apiUrl, Env.apiUrl), () => defaultApiUrl)
    return {
      json: flags.json,
      apiUrl: yield* checkApiUrl(apiUrl),
      consumerKey: yield* orEnv(flags.consumerKey, Env.consumerKey),
      consumerSecret: yield* orEnvSecret(flags.consumerSecret, Env.consumerSecret),
      accessToken: yield* orEnv(flags.accessToken, Env.accessToken),
      accessTokenSecret: yield* orEnvSecret(flags.accessTokenSecret, Env.accessTokenSecret),
      bearerToken: yield* orEnvSecret(flags.bearerToken, Env.bearerToken)
    }
  })

/**
 * Which credentials a command needs: `AppOnly` (a Bearer token, or the consumer key and secret to fetch one),
 * `OAuth1` (the consumer key and secret and an access token and its secret), `ConsumerSecret` (only the
 * secret, for CRC).
 *
 * @internal
 */
export type Need = "AppOnly" | "OAuth1" | "ConsumerSecret"

const label = {
  consumerKey: `${Env.consumerKey} (--consumer-key)`,
  consumerSecret: `${Env.consumerSecret} (--consumer-secret)`,
  accessToken: `${Env.accessToken} (--access-token)`,
  accessTokenSecret: `${Env.accessTokenSecret} (--access-token-secret)`
} as const

const purposes: Record<Need, string> = {
  AppOnly: `app-only credentials (${Env.bearerToken}, or the consumer key and secret to fetch a Bearer token)`,
  OAuth1: "OAuth 1.0a user-context credentials (the app's consumer key and secret, and an access token and its secret)",
  ConsumerSecret: "the app's consumer secret (the key of every CRC and delivery signature)"
}

/** Fails with `MissingCredentials` unless the settings hold what `needs` asks for. @internal */
export const require = (
  command: string,
  current: Settings,
  needs: ReadonlyArray<Need>
): Effect.Effect<void, MissingCredentials> => {
  const missing = new Set<string>()
  const need = (present: boolean, name: keyof typeof label) => {
    if (!present) missing.add(label[name])
  }
  for (const kind of needs) {
    switch (kind) {
      case "AppOnly":
        if (Option.isNone(current.bearerToken)) {
          need(Option.isSome(current.consumerKey), "consumerKey")
          need(Option.isSome(current.consumerSecret), "consumerSecret")
        }
        break
      case "OAuth1":
        need(Option.isSome(current.consumerKey), "consumerKey")
        need(Option.isSome(current.consumerSecret), "consumerSecret")
        need(Option.isSome(current.accessToken), "accessToken")
        need(Option.isSome(current.accessTokenSecret), "accessTokenSecret")
        break
      case "ConsumerSecret":
        need(Option.isSome(current.consumerSecret), "consumerSecret")
        break
    }
  }
  return missing.size === 0
    ? Effect.void
    : Effect.fail(
        new MissingCredentials({
          command,
          missing: [...missing],
          purpose: needs.map((kind) => purposes[kind]).join(" and ")
        })
      )
}

/** The access token and secret, when both are set. @internal */
export const userTokens = (current: Settings): Option.Option<Credentials.UserTokens> =>
  Option.all({ accessToken: current.accessToken, accessTokenSecret: current.accessTokenSecret }).pipe(
    Option.map(Credentials.user)
  )

/** The user id X puts before the `-` of an access token, if it has one. @internal */
export const userIdOf = (tokens: Credentials.UserTokens): Option.Option<string> =>
  Option.fromNullable(/^([0-9]{1,20})-/.exec(tokens.accessToken)?.[1])

const appCredentials = (current: Settings): Credentials.AppCredentials =>
  Credentials.app({
    consumerKey: Option.getOrElse(current.consumerKey, () => ""),
    consumerSecret: Option.getOrElse(current.consumerSecret, () => Redacted.make(""))
  })

/**
 * The `AccountActivityClient` for the settings, after checking that the credentials `needs` asks for are set.
 *
 * @internal
 */
export const client = (
  command: string,
  current: Settings,
  needs: ReadonlyArray<Need>
): Effect.Effect<AccountActivityClient.Service, MissingCredentials, HttpClient.HttpClient> =>
  Effect.zipRight(
    require(command, current, needs),
    Effect.provide(
      AccountActivityClient.AccountActivityClient,
      AccountActivityClient.layer({
        app: appCredentials(current),
        owner: Option.getOrUndefined(userTokens(current)),
        bearerToken: Option.getOrUndefined(current.bearerToken),
        baseUrl: current.apiUrl,
        // a person is waiting: two quick retries of a GET, PUT or DELETE, not the library's patient default
        retry: { times: 2, base: "500 millis" }
      })
    )
  )

/**
 * The `AuthClient` for the settings (for signed requests of any path).
 *
 * @internal
 */
export const authClient = (current: Settings): Effect.Effect<AuthClient.Service, never, HttpClient.HttpClient> =>
  Effect.provide(
    AuthClient.AuthClient,
    AuthClient.layer({
      app: appCredentials(current),
      owner: Option.getOrUndefined(userTokens(current)),
      bearerToken: Option.getOrUndefined(current.bearerToken),
      baseUrl: current.apiUrl
    })
  )

/**
 * The root command `aaa` with the global options (`--json`, `--api-url`, the credentials); its subcommands
 * are added in `Cli`. A subcommand reads the parsed global options with `yield* root`.
 *
 * @internal
 */
export const root = Command.make("aaa", apiOptions)

/**
 * Runs a command's body with the settings (global options, the command's own `--json`, the environment),
 * printing its failure and turning it into `Reported` with the exit code.
 *
 * @internal
 */
export const withSettings = <A, E, R>(
  json: boolean,
  body: (current: Settings) => Effect.Effect<A, E, R>
): Effect.Effect<A, Reported, R | Command.Command.Context<"aaa">> =>
  Effect.flatMap(root, (global) => {
    const asJson = global.json || json
    return settings({ ...global, json: asJson }).pipe(Effect.flatMap(body), reporting(asJson))
  })
