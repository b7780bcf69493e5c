#!/usr/bin/env node
/**
 * `aaa-emulator`: runs the Account Activity API emulator on loopback, creates an app (with its owner's
 * tokens and a Bearer token) and demo users, prints their credentials, and optionally writes them to a JSON
 * file for other tools. The credentials are the emulator's own, valid nowhere else.
 *
 *   aaa-emulator --port 8787 [--host 127.0.0.1] [--seed N] [--users 2] [--credentials creds.json]
 */
import { Command, Options } from "@effect/cli"
import { NodeContext, NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer, Option } from "effect"
import * as Emulator from "./Emulator.js"
import * as Provision from "./Provision.js"
import * as Server from "./Server.js"

const port = Options.integer("port").pipe(
  Options.withDefault(8787),
  Options.withDescription("The port to listen on (0 picks a free one).")
)
const host = Options.text("host").pipe(
  Options.withDefault("127.0.0.1"),
  Options.withDescription("The address to listen on. Keep it on loopback.")
)
const seed = Options.text("seed").pipe(
  Options.optional,
  Options.withDescription("Seeds ids, credentials and CRC tokens: the same seed gives the same credentials.")
)
const users = Options.integer("users").pipe(
  Options.withDefault(2),
  Options.withDescription("How many users to create, each with an access token for the app.")
)
const credentials = Options.text("credentials").pipe(
  Options.optional,
  Options.withDescription(
    "Also write the credentials as JSON to this file (consumerKey, consumerSecret, accessToken, accessTokenSecret, bearerToken, users)."
  )
)

const command = Command.make("aaa-emulator", { port, host, seed, users, credentials }, (options) =>
  Effect.gen(function* () {
    if (options.users < 1) return yield* Effect.fail(new Error("--users must be at least 1."))
    const file = yield* Provision.demo({ appName: "emulator-app", users: options.users })
    const baseUrl = file.baseUrl
    if (Option.isSome(options.credentials)) yield* Provision.writeFile(options.credentials.value, file)
    yield* Console.log(
      [
        `Account Activity API emulator listening on ${baseUrl}`,
        `  control API:          ${baseUrl}${Server.controlPrefix}`,
        `  app id:               ${file.appId}`,
        `  consumer key:         ${file.consumerKey}`,
        `  consumer secret:      ${file.consumerSecret}`,
        `  owner access token:   ${file.accessToken}`,
        `  owner token secret:   ${file.accessTokenSecret}`,
        `  bearer token:         ${file.bearerToken}`,
        ...file.users.map(
          (user) => `  user @${user.screenName} (${user.id}): ${user.accessToken} / ${user.accessTokenSecret}`
        ),
        ...(Option.isSome(options.credentials) ? [`credentials written to ${options.credentials.value}`] : []),
        "These credentials are the emulator's own. Press Ctrl-C to stop."
      ].join("\n")
    )
    return yield* Effect.never
  }).pipe(
    Effect.provide(
      Server.layer({ port: options.port, host: options.host }).pipe(
        Layer.provideMerge(Server.layerReplay),
        Layer.provideMerge(Server.layerDeliveries()),
        Layer.provideMerge(Emulator.layer(Option.isSome(options.seed) ? { seed: seedValue(options.seed.value) } : {})),
        Layer.provideMerge(NodeHttpClient.layerUndici)
      )
    )
  )
)

/** A numeric seed stays a number so `--seed 42` and `seed: 42` in a test give the same credentials. */
const seedValue = (text: string): string | number => (/^-?\d+$/.test(text) ? Number(text) : text)

const cli = Command.run(command, { name: "aaa-emulator", version: "0.1.0" })

cli(process.argv).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain({ disableErrorReporting: false }))
