/**
 * `pnpm test:chaos [events] [--queue sqlite|redis|both] [--rate N] [--seed N]`: the chaos run from the command
 * line. Exits 0 only when every variant held every event exactly once.
 *
 * @since 0.1.0
 */
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Duration, Effect } from "effect"
import * as Chaos from "./Chaos.js"

const usage =
  "usage: pnpm test:chaos [events] [--events N] [--queue sqlite|redis|both] [--rate N] [--seed N] [--dir <kept files and logs>] [--receiver-kill-every 3s] [--worker-kill-every 4s]"

const fail = (message: string): never => {
  console.error(`${message}\n${usage}`)
  process.exit(2)
}

const argv = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const index = argv.indexOf(`--${name}`)
  if (index === -1) return undefined
  const value = argv[index + 1]
  if (value === undefined || value.startsWith("--")) fail(`--${name} needs a value`)
  argv.splice(index, 2)
  return value
}
const number = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const parsed = Number(value.replaceAll("_", "").replaceAll(",", ""))
  if (!Number.isSafeInteger(parsed) || parsed < 1) fail(`--${name} must be a whole number of at least 1, got ${value}`)
  return parsed
}
const seconds = (name: string, value: string | undefined): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const match = /^(\d+(?:\.\d+)?)s?$/.exec(value)
  if (match === null) fail(`--${name} must be a number of seconds, e.g. 3s, got ${value}`)
  return Duration.seconds(Number(match![1]))
}

if (argv.includes("--help") || argv.includes("-h")) {
  console.log(usage)
  process.exit(0)
}
const queueFlag = flag("queue") ?? "both"
const queues: ReadonlyArray<Chaos.QueueKind> =
  queueFlag === "both"
    ? ["sqlite", "redis"]
    : queueFlag === "sqlite" || queueFlag === "redis"
      ? [queueFlag]
      : fail(`unknown --queue ${queueFlag}`)
const options: Chaos.Options = {
  events: number("events", flag("events")),
  rate: number("rate", flag("rate")),
  seed: number("seed", flag("seed")),
  receiverKillEvery: seconds("receiver-kill-every", flag("receiver-kill-every")),
  workerKillEvery: seconds("worker-kill-every", flag("worker-kill-every")),
  dir: flag("dir"),
  onProgress: (line) => console.log(line)
}
const positional = argv.filter((arg) => arg !== "--")
if (positional.some((arg) => arg.startsWith("-")))
  fail(`unknown option ${positional.find((arg) => arg.startsWith("-"))}`)
const events = options.events ?? number("events", positional[0])

const program = Effect.gen(function* () {
  let allOk = true
  for (const queue of queues) {
    const dir = options.dir === undefined ? undefined : join(options.dir, queue)
    if (dir !== undefined) mkdirSync(dir, { recursive: true })
    const summary = yield* Effect.scoped(Chaos.run({ ...options, dir, events, queue }))
    yield* Console.log(Chaos.format(summary))
    allOk &&= summary.ok
  }
  if (!allOk) return yield* Effect.fail(new Error("the chaos run lost or doubled events: see the lines above"))
})

NodeRuntime.runMain(program)
