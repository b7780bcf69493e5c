/**
 * `aaa decode [file|-]`: the typed events of a delivery body, as JSON lines.
 *
 * @internal
 */
import { ActivityEvent, Delivery } from "@account-activity/core"
import { Args, Command } from "@effect/cli"
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Either, Option } from "effect"
import { UsageError } from "./errors.js"
import { note, printLines } from "./output.js"
import * as Settings from "./settings.js"
import * as Stdin from "./stdin.js"

const readInput = (path: string) =>
  Effect.gen(function* () {
    if (path === "-") {
      const input = yield* Stdin.stdin
      if (yield* input.isTTY) yield* note("Reading a delivery body from standard input (end it with Ctrl-D)…")
      return yield* Effect.mapError(
        input.text,
        (error) => new UsageError({ message: `Standard input could not be read (${error.message}).` })
      )
    }
    const fs = yield* FileSystem.FileSystem
    return yield* Effect.mapError(
      fs.readFileString(path, "utf8"),
      (error) =>
        new UsageError({
          message: `The file ${JSON.stringify(path)} could not be read (${error.message}): give the path of a saved delivery body, or - for standard input.`
        })
    )
  })

/**
 * The bodies in a text: the whole text when it is one JSON document, otherwise one body per non-empty line
 * (a log of deliveries, one per line).
 */
const bodiesOf = (text: string): ReadonlyArray<string> => {
  if (Either.isRight(Delivery.parseJson(text))) return [text]
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "")
  return lines.length > 1 && lines.every((line) => Either.isRight(Delivery.parseJson(line))) ? lines : [text]
}

/** One event as a JSON line, its tag first so that a reader (or grep) sees the kind of each line at once. */
const encode = (event: ActivityEvent.ActivityEvent) =>
  Effect.map(Effect.orDie(ActivityEvent.encode(event)), ({ _tag, ...fields }) => JSON.stringify({ _tag, ...fields }))

/** `aaa decode`. @internal */
export const command = Command.make(
  "decode",
  {
    json: Settings.json,
    input: Args.text({ name: "file" }).pipe(
      Args.optional,
      Args.withDescription("A saved delivery body (or several, one per line); - or nothing reads standard input.")
    )
  },
  (flags) =>
    Settings.withSettings(flags.json, () =>
      Effect.gen(function* () {
        const text = yield* readInput(Option.getOrElse(flags.input, () => "-"))
        if (text.trim() === "") {
          return yield* new UsageError({
            message: "The input is empty: give a delivery body, as X POSTs it to the webhook."
          })
        }
        for (const body of bodiesOf(text)) {
          const events = yield* Delivery.decodeDelivery(body)
          if (events.length > 0) yield* printLines(...(yield* Effect.forEach(events, encode)))
        }
      })
    )
).pipe(
  Command.withDescription(
    "Decode a webhook delivery body into the typed activity events the toolkit gives plugins (Tweet, Mention, Like, DirectMessageReceived, …), one JSON line per event."
  )
)
