/**
 * The command's own errors, the exit code of every error it can end with, and how an error is printed.
 *
 * @internal
 */
import { ApiError } from "@account-activity/core"
import { DateTime, Redacted, Schema } from "effect"

/**
 * The exit codes of `aaa`: 0 ok, 1 anything else, 2 usage, 3 auth, 4 API error, 5 network or transport.
 *
 * @internal
 */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  Auth: 3,
  Api: 4,
  Transport: 5
} as const

/** @internal */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * A command line that cannot be run as written: a malformed id, time or URL, a window X would refuse, a file
 * that does not exist. The message says what to write instead.
 *
 * @internal
 */
export class UsageError extends Schema.TaggedError<UsageError>("@account-activity/cli/UsageError")("UsageError", {
  message: Schema.String
}) {}

/**
 * The credentials a command needs are neither in the environment nor on the command line.
 *
 * @internal
 */
export class MissingCredentials extends Schema.TaggedError<MissingCredentials>(
  "@account-activity/cli/MissingCredentials"
)("MissingCredentials", {
  command: Schema.String,
  /** What is missing, as `ENV_VAR (--flag)`. */
  missing: Schema.Array(Schema.String),
  /** Why the command needs them. */
  purpose: Schema.String
}) {
  override get message(): string {
    return `aaa ${this.command} needs ${this.purpose}, but ${this.missing.join(", ")} ${this.missing.length === 1 ? "is" : "are"} not set. Export ${this.missing.length === 1 ? "it" : "them"} in the environment (or pass the flag); for a local emulator, \`aaa emulator\` prints the lines to export.`
  }
}

/**
 * A replay job ended `Incomplete`: X could not deliver every event of the window.
 *
 * @internal
 */
export class ReplayIncomplete extends Schema.TaggedError<ReplayIncomplete>("@account-activity/cli/ReplayIncomplete")(
  "ReplayIncomplete",
  { jobId: Schema.String, webhookId: Schema.String }
) {
  override get message(): string {
    return `Replay job ${this.jobId} of webhook ${this.webhookId} ended Incomplete: not every event of the window was delivered. Check that the webhook passes the CRC (aaa doctor --webhook ${this.webhookId}) and answers 200 quickly, then start the same window again.`
  }
}

/**
 * `--wait` gave up before the replay job ended.
 *
 * @internal
 */
export class ReplayWaitTimeout extends Schema.TaggedError<ReplayWaitTimeout>("@account-activity/cli/ReplayWaitTimeout")(
  "ReplayWaitTimeout",
  { jobId: Schema.String, waited: Schema.String }
) {
  override get message(): string {
    return `Replay job ${this.jobId} was still running after ${this.waited}. It keeps running at X: watch for its replay_job_status event, or wait longer with --wait-timeout.`
  }
}

/**
 * `aaa doctor` found a problem; it printed each failed check before.
 *
 * @internal
 */
export class DoctorFailed extends Schema.TaggedError<DoctorFailed>("@account-activity/cli/DoctorFailed")(
  "DoctorFailed",
  { url: Schema.String, failed: Schema.Array(Schema.String) }
) {
  override get message(): string {
    return `X's CRC of ${this.url} would fail at: ${this.failed.join("; ")}. Fix the receiver as the lines above say, run \`aaa doctor\` again, then \`aaa webhooks validate <id>\` to make X check it.`
  }
}

/**
 * A command failed and its error was printed; `exitCode` is what the process ends with.
 *
 * @internal
 */
export class Reported extends Schema.TaggedError<Reported>("@account-activity/cli/Reported")("Reported", {
  exitCode: Schema.Int
}) {
  override get message(): string {
    return `the command failed with exit code ${this.exitCode}`
  }
}

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined

/**
 * The exit code of an error: 2 usage, 3 auth (X's `Unauthorized` codes 32, 61, 89, 99, 135, 200, 215, 220, 261
 * and missing credentials), 4 any other answer of X, 5 no usable answer, 1 anything else.
 *
 * @internal
 */
export const exitCodeOf = (error: unknown): ExitCode => {
  if (ApiError.isApiError(error)) return error._tag === "Unauthorized" ? ExitCode.Auth : ExitCode.Api
  switch (tagOf(error)) {
    case "UsageError":
    case "CrcTokenError":
      return ExitCode.Usage
    case "MissingCredentials":
      return ExitCode.Auth
    case "ReplayIncomplete":
      return ExitCode.Api
    case "TransportError":
    case "RequestError":
    case "ResponseError":
    case "ReplayWaitTimeout":
      return ExitCode.Transport
    default:
      return ExitCode.Failure
  }
}

const jsonValue = (value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return "<redacted>"
  if (DateTime.isDateTime(value)) return DateTime.formatIso(value)
  if (Array.isArray(value)) return value.map(jsonValue)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonValue(inner)]))
  }
  return value
}

/**
 * An error as the JSON object `--json` prints: its tag, its message, its own fields (secrets stay redacted)
 * and the exit code.
 *
 * @internal
 */
export const toJson = (error: unknown): Record<string, unknown> => {
  const fields: Record<string, unknown> = {}
  if (typeof error === "object" && error !== null) {
    for (const [key, value] of Object.entries(error)) {
      if (key === "stack" || key === "cause" || key === "request" || key === "response") continue
      fields[key] = jsonValue(value)
    }
  }
  return {
    _tag: tagOf(error) ?? "Error",
    message: messageOf(error),
    ...fields,
    exitCode: exitCodeOf(error)
  }
}

/**
 * The message a person reads.
 *
 * @internal
 */
export const messageOf = (error: unknown): string => {
  if (error instanceof Error && error.message !== "") return error.message
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return error.message
  }
  return String(error)
}
