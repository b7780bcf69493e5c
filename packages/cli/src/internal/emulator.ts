/**
 * `aaa emulator`: runs the Account Activity API emulator (`@account-activity/emulator`) on loopback with an
 * app, its owner's tokens, a Bearer token and demo users, and prints the `export AAA_…` lines that point
 * `aaa` at it.
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import * as HttpClient from "@effect/platform/HttpClient"
import { Console, Effect, Layer, Option } from "effect"
import { UsageError } from "./errors.js"
import * as Settings from "./settings.js"

/** A numeric seed stays a number, so `--seed 42` gives the credentials of `seed: 42` in a test. */
const seedValue = (text: string): string | number => (/^-?\d+$/.test(text) ? Number(text) : text)

/** `aaa emulator`. @internal */
export const command = Command.make(
  "emulator",
  {
    json: Settings.json,
    port: Options.integer("port").pipe(
      Options.withDefault(8787),
      Options.withDescription("The port to listen on (0 picks a free one).")
    ),
    host: Options.text("host").pipe(
      Options.withDefault("127.0.0.1"),
      Options.withDescription("The address to listen on. Keep it on loopback.")
    ),
    seed: Options.text("seed").pipe(
      Options.optional,
      Options.withDescription("Seeds ids and credentials: the same seed gives the same credentials.")
    ),
    users: Options.integer("users").pipe(
      Options.withDefault(2),
      Options.withDescription("How many users to create, each with an access token for the app.")
    ),
    credentials: Options.text("credentials").pipe(
      Options.optional,
      Options.withDescription("Also write the credentials as JSON to this file (mode 0600).")
    )
  },
  (flags) =>
    Settings.withSettings(flags.json, () =>
      Effect.gen(function* () {
        if (flags.users < 1) return yield* new UsageError({ message: "--users must be at least 1." })
        if (flags.port < 0 || flags.port > 65535) {
          return yield* new UsageError({
            message: `--port ${flags.port} is not a port: use 0 to 65535 (0 picks a free one).`
          })
        }
        const { Emulator, Provision, Server } = yield* Effect.promise(() => import("@account-activity/emulator"))
        const http = yield* HttpClient.HttpClient
        const live = Server.layer({ port: flags.port, host: flags.host }).pipe(
          Layer.provideMerge(Server.layerReplay),
          Layer.provideMerge(Server.layerDeliveries()),
          Layer.provideMerge(Emulator.layer(Option.isSome(flags.seed) ? { seed: seedValue(flags.seed.value) } : {})),
          Layer.provide(Layer.succeed(HttpClient.HttpClient, http))
        )
        return yield* Effect.gen(function* () {
          const file = yield* Provision.demo({ appName: "aaa-emulator-app", users: flags.users })
          const baseUrl = file.baseUrl
          if (Option.isSome(flags.credentials)) yield* Provision.writeFile(flags.credentials.value, file)
          if (flags.json) {
            yield* Console.log(JSON.stringify(file))
          } else {
            yield* Console.log(
              [
                `Account Activity API emulator listening on ${baseUrl} (control API: ${baseUrl}/_emulator/)`,
                `app ${file.appId}; users: ${file.users.map((user) => `@${user.screenName} (${user.id})`).join(", ")}`,
                "",
                "Point aaa at it (these credentials are the emulator's own, valid nowhere else):",
                `export ${Settings.Env.apiUrl}=${baseUrl}`,
                `export ${Settings.Env.consumerKey}=${file.consumerKey}`,
                `export ${Settings.Env.consumerSecret}=${file.consumerSecret}`,
                `export ${Settings.Env.accessToken}=${file.accessToken}`,
                `export ${Settings.Env.accessTokenSecret}=${file.accessTokenSecret}`,
                `export ${Settings.Env.bearerToken}=${file.bearerToken}`,
                "",
                "A user's tokens, for aaa subscriptions add --access-token … --access-token-secret …:",
                ...file.users.map((user) => `  @${user.screenName}: ${user.accessToken} ${user.accessTokenSecret}`),
                ...(Option.isSome(flags.credentials) ? [`Credentials written to ${flags.credentials.value}.`] : []),
                "Press Ctrl-C to stop."
              ].join("\n")
            )
          }
          return yield* Effect.never
        }).pipe(Effect.provide(live))
      })
    )
).pipe(
  Command.withDescription(
    "Run the Account Activity API emulator on loopback (the 11 endpoints, CRC, deliveries, replay, control API under /_emulator/) with an app and users, and print the environment that points aaa at it."
  )
)
