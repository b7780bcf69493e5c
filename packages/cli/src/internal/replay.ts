/**
 * `aaa replay start --webhook <id> --from <time> --to <time> [--wait]`.
 *
 * X has no endpoint that reports a replay job's state: the end of a job arrives at the webhook as a
 * `replay_job_status` event. `--wait` therefore polls the emulator's control API (`/_emulator/replay-jobs`)
 * when the API URL is an emulator, and otherwise says where to watch for that event.
 *
 * @internal
 */
import { Rest } from "@account-activity/core"
import { Command, Options } from "@effect/cli"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Clock, DateTime, Duration, Effect, Option, Schema } from "effect"
import { ReplayIncomplete, ReplayWaitTimeout, UsageError } from "./errors.js"
import * as Ids from "./ids.js"
import { note, printJson, printLines } from "./output.js"
import * as Settings from "./settings.js"
import { replayWindow, timeFormats } from "./time.js"

const EmulatorJobs = Schema.Array(
  Schema.Struct({
    id: Schema.String,
    webhookId: Schema.String,
    state: Schema.Literal("Running", "Complete", "Incomplete"),
    finishedAt: Schema.NullOr(Schema.String)
  })
)

type EmulatorJob = (typeof EmulatorJobs.Type)[number]

/** The emulator's replay jobs, or `None` when the API URL is not an emulator. */
const emulatorJobs = (apiUrl: string) =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const response = yield* http.execute(HttpClientRequest.get(`${apiUrl}/_emulator/replay-jobs`))
    if (response.status !== 200) return Option.none<ReadonlyArray<EmulatorJob>>()
    return Option.some(yield* Schema.decodeUnknown(Schema.parseJson(EmulatorJobs))(yield* response.text))
  }).pipe(
    Effect.timeout("5 seconds"),
    Effect.orElseSucceed(() => Option.none<ReadonlyArray<EmulatorJob>>())
  )

const howToWatch = (jobId: string) =>
  [
    `X has no endpoint for a job's state: the end of the job arrives at the webhook as a replay_job_status event`,
    `({"replay_job_status":{"job_id":"${jobId}","job_state":"Complete" | "Incomplete",…}}).`,
    `Watch the worker's log (pnpm worker) or your receiver for replay_job_status with job_id ${jobId};`,
    `another job for this webhook can start once it has arrived.`
  ].join("\n")

const start = Command.make(
  "start",
  {
    json: Settings.json,
    webhook: Options.text("webhook").pipe(
      Options.withAlias("w"),
      Options.withDescription("The webhook whose missed events to replay.")
    ),
    from: Options.text("from").pipe(
      Options.withDescription(
        `The start of the window, inclusive: ${timeFormats}. At least 31 minutes ago, at most 5 days ago.`
      )
    ),
    to: Options.text("to").pipe(
      Options.withDescription("The end of the window, exclusive, in the same formats. At least 10 minutes ago.")
    ),
    wait: Options.boolean("wait").pipe(
      Options.withDescription(
        "Wait until the job ends and report its state (against the emulator); against X, print how to watch for replay_job_status."
      )
    ),
    waitTimeout: Options.text("wait-timeout").pipe(
      Options.withDefault("30 minutes"),
      Options.withDescription("How long --wait waits, e.g. 10 minutes.")
    )
  },
  (flags) =>
    Settings.withSettings(flags.json, (current) =>
      Effect.gen(function* () {
        const webhookId = yield* Ids.webhookId(flags.webhook)
        const waitFor = yield* Option.match(Duration.decodeUnknown(flags.waitTimeout), {
          onNone: () =>
            Effect.fail(
              new UsageError({
                message: `--wait-timeout ${JSON.stringify(flags.waitTimeout)} is not a duration: write e.g. "10 minutes" or "2 hours".`
              })
            ),
          onSome: Effect.succeed
        })
        const window = yield* replayWindow(flags.from, flags.to, yield* Clock.currentTimeMillis)
        const client = yield* Settings.client("replay start", current, ["AppOnly"])
        const job = yield* client.replay(webhookId, window)
        const fromDate = Rest.formatReplayDate(window.from)
        const toDate = Rest.formatReplayDate(window.to)
        const started = {
          job_id: job.job_id,
          created_at: job.created_at,
          webhook_id: webhookId,
          from_date: fromDate,
          to_date: toDate
        }
        if (!flags.wait) {
          if (current.json) return yield* printJson(started)
          return yield* printLines(
            `Replay job ${job.job_id} started for webhook ${webhookId}: ${DateTime.formatIso(window.from)} to ${DateTime.formatIso(window.to)} (UTC, from_date=${fromDate}, to_date=${toDate}).`,
            "Add --wait to follow it."
          )
        }
        if (!current.json) {
          yield* printLines(
            `Replay job ${job.job_id} started for webhook ${webhookId} (from_date=${fromDate}, to_date=${toDate}).`
          )
        }
        if (Option.isNone(yield* emulatorJobs(current.apiUrl))) {
          if (current.json) return yield* printJson({ ...started, state: null, watch: "replay_job_status" })
          return yield* printLines(howToWatch(job.job_id))
        }
        const begun = yield* Clock.currentTimeMillis
        const deadline = begun + Duration.toMillis(waitFor)
        let reported = 0
        while (true) {
          const jobs = yield* emulatorJobs(current.apiUrl)
          const state = Option.flatMap(jobs, (all) => Option.fromNullable(all.find((entry) => entry.id === job.job_id)))
          if (Option.isSome(state) && state.value.state !== "Running") {
            if (state.value.state === "Incomplete") {
              return yield* new ReplayIncomplete({ jobId: job.job_id, webhookId })
            }
            if (current.json)
              return yield* printJson({ ...started, state: state.value.state, finished_at: state.value.finishedAt })
            return yield* printLines(
              `Replay job ${job.job_id}: Complete (finished ${state.value.finishedAt ?? "now"}); its replay_job_status event was sent to the webhook.`
            )
          }
          const now = yield* Clock.currentTimeMillis
          if (now >= deadline) {
            return yield* new ReplayWaitTimeout({ jobId: job.job_id, waited: Duration.format(waitFor) })
          }
          const seconds = Math.floor((now - begun) / 1000)
          if (seconds >= reported + 5 || reported === 0) {
            reported = Math.max(seconds, 1)
            yield* note(`replay job ${job.job_id}: running (${seconds} s)…`)
          }
          yield* Effect.sleep("500 millis")
        }
      })
    )
).pipe(
  Command.withDescription(
    "Start a Replay job: X sends the webhook's events of a past window again (POST account_activity/replay/webhooks/:id/subscriptions/all.json, app-only). The window is checked first: within 5 days, --from at least 31 minutes ago, --to at least 10 minutes ago, --from before --to."
  )
)

/** `aaa replay`. @internal */
export const command = Command.make("replay").pipe(
  Command.withDescription("Recover missed events with Replay jobs."),
  Command.withSubcommands([start])
)
