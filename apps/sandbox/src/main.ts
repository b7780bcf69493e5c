/**
 * `npm start`: the sandbox. `--once` stops after the gap recovery and exits 0 when every event reached the
 * plugins exactly once; `--port N` fixes the receiver's port.
 *
 * @since 0.1.0
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import * as Sandbox from "./Sandbox.js"

const argv = process.argv.slice(2)
const portIndex = argv.indexOf("--port")
const once = argv.includes("--once")

const program = Sandbox.run({
  once,
  port: portIndex >= 0 ? Number(argv[portIndex + 1]) : undefined
}).pipe(
  Effect.flatMap((summary) =>
    Effect.zipRight(
      Console.log(
        `\n${summary.ok ? "ok" : "NOT OK"}: ${summary.delivered} deliveries, ${summary.unique} events reached the plugins, ${summary.doubled.length} twice, ${summary.recovered} recovered by Replay; ${summary.tags.length} event types seen`
      ),
      summary.ok ? Effect.void : Effect.fail(new Error("some events were lost or handled twice"))
    )
  ),
  Effect.scoped
)

NodeRuntime.runMain(program)
