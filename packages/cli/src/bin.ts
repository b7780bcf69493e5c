#!/usr/bin/env node
/**
 * `aaa`: the X Account Activity API from the command line. See `Cli` for the commands and the exit codes.
 *
 * @since 0.1.0
 */
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit } from "effect"
import * as Cli from "./Cli.js"

// `pnpm aaa …` at the repository root runs this file from the package's directory: resolve the user's
// relative paths (aaa decode ./body.json) against the directory the command was typed in
if (process.env.npm_lifecycle_event === "aaa" && process.env.INIT_CWD !== undefined) {
  process.chdir(process.env.INIT_CWD)
}

Cli.run(process.argv).pipe(
  Effect.provide(Cli.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // the exit code `run` answered; Ctrl-C (of `aaa emulator`) ends cleanly
    teardown: (exit, onExit) =>
      onExit(
        Exit.isSuccess(exit)
          ? typeof exit.value === "number"
            ? exit.value
            : Cli.ExitCode.Ok
          : Cause.isInterruptedOnly(exit.cause)
            ? Cli.ExitCode.Ok
            : Cli.ExitCode.Failure
      )
  })
)
