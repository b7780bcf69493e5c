import { QueueUnavailable } from "@account-activity/queue"

/** What the client knows about its connection, for the detail of an error. */
export interface ConnectionState {
  closed: boolean
  lastError: string | undefined
}

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN"
])

/** Messages of the client itself (not of the server) that mean: no usable connection. */
const disconnected = [
  "Stream isn't writeable",
  "Connection is closed",
  "Command timed out",
  "Command aborted due to connection close",
  "connect ETIMEDOUT",
  "Reached the max retries per request limit",
  "Ready check failed"
]

/** The reason for a server reply error, by its code (the first word of the reply). */
const replyReason = (code: string): QueueUnavailable.Reason | undefined => {
  switch (code) {
    case "OOM":
    case "MISCONF":
      return "Full"
    case "BUSY":
    case "LOADING":
    case "TRYAGAIN":
    case "MASTERDOWN":
      return "Busy"
    case "NOAUTH":
    case "WRONGPASS":
    case "NOPERM":
    case "READONLY":
      return "Unreachable"
    case "WRONGTYPE":
      return "Corrupt"
    default:
      return undefined
  }
}

const reasonOf = (error: unknown, state: ConnectionState): QueueUnavailable.Reason => {
  if (!(error instanceof Error)) return "Failed"
  const code = (error as { code?: unknown }).code
  if (typeof code === "string" && networkCodes.has(code)) return state.closed ? "Closed" : "Unreachable"
  if (error.name === "MaxRetriesPerRequestError" || disconnected.some((text) => error.message.startsWith(text))) {
    return state.closed ? "Closed" : "Unreachable"
  }
  if (error.name === "ReplyError") return replyReason(error.message.split(" ", 1)[0] ?? "") ?? "Failed"
  return "Failed"
}

/** A client or server error as the queue's error, with the last connection error when it explains it. */
export const fromRedis = (
  operation: string,
  error: unknown,
  state: ConnectionState
): QueueUnavailable.QueueUnavailable => {
  const reason = reasonOf(error, state)
  const message = error instanceof Error ? error.message : String(error)
  const detail =
    reason === "Unreachable" && state.lastError !== undefined && !message.includes(state.lastError)
      ? `${message} (last connection error: ${state.lastError})`
      : message
  return new QueueUnavailable.QueueUnavailable({ reason, operation, detail: `Redis: ${detail}`, cause: error })
}

/** The error of a call made after the layer's scope closed. */
export const closed = (operation: string) =>
  new QueueUnavailable.QueueUnavailable({ reason: "Closed", operation, detail: "the Redis connection was closed" })

/** Whether a failure came from a missing consumer group (the stream was deleted): create it and retry. */
export const isNoGroup = (error: QueueUnavailable.QueueUnavailable): boolean =>
  error.reason === "Failed" && error.detail?.includes("NOGROUP") === true
