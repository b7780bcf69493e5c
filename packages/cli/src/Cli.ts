/**
 * The `aaa` command as data: its `Command` tree (built with `@effect/cli`), `run`, which parses a command line,
 * runs it and answers its exit code, and the Node environment it runs in. `bin.ts` is `run` on
 * `process.argv`; tests run the same tree in-process.
 *
 * ```
 * aaa webhooks list | register <url> | validate <id> | delete <id>
 * aaa subscriptions add | check | remove | count | list | remove-user <user_id>
 * aaa replay start --webhook <id> --from <time> --to <time> [--wait]
 * aaa crc --token <t>
 * aaa decode [file|-]
 * aaa request <METHOD> <path> [-d key=value]…
 * aaa doctor [url] [--webhook <id>]
 * aaa emulator [--port 8787] [--seed N]
 * ```
 *
 * @since 0.1.0
 */
import { createRequire } from "node:module"
import { CliConfig, Command, HelpDoc, ValidationError } from "@effect/cli"
import type * as CliApp from "@effect/cli/CliApp"
import type * as HttpClient from "@effect/platform/HttpClient"
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { Cause, Console, Effect, Layer, Option } from "effect"
import * as Crc from "./internal/crc.js"
import * as Decode from "./internal/decode.js"
import * as Doctor from "./internal/doctor.js"
import * as EmulatorCommand from "./internal/emulator.js"
import * as Errors from "./internal/errors.js"
import * as Replay from "./internal/replay.js"
import * as Request from "./internal/request.js"
import { Env, root } from "./internal/settings.js"
import * as Subscriptions from "./internal/subscriptions.js"
import * as Webhooks from "./internal/webhooks.js"

/**
 * The exit codes of `aaa`:
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | anything else (a delivery body that does not decode, a failed `doctor` check, an unexpected failure) |
 * | 2 | usage: an unknown command or option, a malformed id, time or URL, a replay window X would refuse |
 * | 3 | auth: credentials missing, or X refused them (`Unauthorized`: codes 32, 61, 89, 99, 135, 200, 215, 220, 261) |
 * | 4 | API error: any other error answer of X (34, 214, 348, 355, 356–368, 88, 0, 67, …), a replay job `Incomplete` |
 * | 5 | network or transport: no usable answer (connection refused, timeout, an unreadable or unexpected body) |
 *
 * @since 0.1.0
 * @category constants
 */
export const ExitCode: {
  readonly Ok: 0
  readonly Failure: 1
  readonly Usage: 2
  readonly Auth: 3
  readonly Api: 4
  readonly Transport: 5
} = Errors.ExitCode

/**
 * @since 0.1.0
 * @category constants
 */
export type ExitCode = Errors.ExitCode

/**
 * The version `aaa --version` prints: the installed package's own (read from its package.json, which sits one
 * level above both `src` and `dist`).
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = (createRequire(import.meta.url)("../package.json") as { readonly version: string })
  .version

/**
 * The root command: `webhooks`, `subscriptions`, `replay`, `crc`, `decode`, `request`, `doctor` and
 * `emulator`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = root.pipe(
  Command.withDescription(
    "The X Account Activity API from the command line: webhooks, subscriptions, replay, CRC, delivery decoding, signed requests, diagnosis, and a local emulator."
  ),
  Command.withSubcommands([
    Webhooks.command,
    Subscriptions.command,
    Replay.command,
    Crc.command,
    Decode.command,
    Request.command,
    Doctor.command,
    EmulatorCommand.command
  ])
)

const footer = HelpDoc.blocks([
  HelpDoc.h1("ENVIRONMENT"),
  HelpDoc.p(
    `${Env.consumerKey}, ${Env.consumerSecret}: the app's consumer key and secret. ${Env.accessToken}, ${Env.accessTokenSecret}: an access token (the app owner's for webhooks, the subscribing user's for subscriptions add, check and remove). ${Env.bearerToken}: an app-only Bearer token (else fetched with the consumer key and secret). ${Env.apiUrl}: the API origin (default https://api.x.com). Flags of the same names win over the environment.`
  ),
  HelpDoc.p("Every command takes --help; aaa --version prints the version."),
  HelpDoc.h1("EXIT CODES"),
  HelpDoc.p(
    "0 ok · 1 anything else · 2 usage · 3 auth (credentials missing, or X's codes 32, 61, 89, 99, 135, 200, 215, 220, 261) · 4 API error (any other error answer of X) · 5 network or transport."
  )
])

/**
 * What `run` needs: the `@effect/cli` environment (file system, path, terminal) and an `HttpClient`.
 *
 * @since 0.1.0
 * @category models
 */
export type Environment = CliApp.CliApp.Environment | HttpClient.HttpClient

const cli = Command.run(command, { name: "aaa", version, footer })

/**
 * Parses `argv` (`[node, script, ...args]`, as `process.argv`), runs the command and answers its exit code
 * (see {@link ExitCode}). Everything is printed before it returns: results on stdout, errors on stderr.
 *
 * @example
 * ```ts
 * import { Cli } from "@account-activity/cli"
 * import { Effect } from "effect"
 *
 * const code = await Effect.runPromise(
 *   Cli.run(["node", "aaa", "webhooks", "list", "--json"]).pipe(Effect.provide(Cli.layer))
 * )
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, Environment> =>
  cli(argv).pipe(
    Effect.provide(CliConfig.layer({ showBuiltIns: false })),
    Effect.as(ExitCode.Ok as number),
    Effect.catchAllCause((cause) => {
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure)) {
        const error = failure.value
        if (ValidationError.isValidationError(error)) return Effect.succeed(ExitCode.Usage)
        if (error._tag === "Reported") return Effect.succeed(error.exitCode)
      }
      if (Cause.isInterruptedOnly(cause)) return Effect.succeed(ExitCode.Ok)
      return Effect.as(Console.error(`error: aaa failed unexpectedly: ${Cause.pretty(cause)}`), ExitCode.Failure)
    })
  )

/**
 * The Node environment of `run`: file system, path and terminal from `NodeContext`, and an `HttpClient` on
 * undici.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Environment> = Layer.merge(NodeContext.layer, NodeHttpClient.layerUndici)
