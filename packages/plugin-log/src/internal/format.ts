/**
 * Pure formatting of `ActivityEvent`s into log lines: the readable line of the `pretty` format and the JSON
 * line of the `json` format. Both are total: whatever an event holds (a field missing, a wrong type, a cycle,
 * a bigint, control characters in a Tweet), they return exactly one line and never throw.
 *
 * @internal
 */
import { ActivityEvent } from "@account-activity/core"
import { Either, Schema } from "effect"

type Fields = Readonly<Record<string, unknown>>

const fields = (value: unknown): Fields => (typeof value === "object" && value !== null ? (value as Fields) : {})

const read = (value: unknown, key: string): unknown => {
  try {
    return fields(value)[key]
  } catch {
    return undefined
  }
}

const string = (value: unknown): string | undefined => {
  if (typeof value === "string") return value
  if (typeof value === "number" && Number.isFinite(value)) return String(value)
  if (typeof value === "bigint") return value.toString()
  return undefined
}

// Control characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides: a payload
// can neither break the line nor drive the terminal nor reorder what the reader sees.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g

/**
 * Text safe to put on one line of a terminal: control characters removed, whitespace runs collapsed.
 */
export const clean = (text: string): string => text.replace(unsafe, " ").replace(/\s+/g, " ").trim()

/**
 * {@link clean}, then at most `max` characters (code points), the last one an ellipsis when cut.
 */
export const shorten = (text: string, max: number): string => {
  const chars = Array.from(clean(text))
  if (chars.length <= max) return chars.join("")
  return `${chars.slice(0, Math.max(1, max - 1)).join("")}…`
}

/**
 * The ISO form of epoch milliseconds, or `undefined` when the value is not a representable instant.
 */
export const isoTime = (millis: unknown): string | undefined =>
  typeof millis === "number" && Number.isFinite(millis) && Math.abs(millis) <= 8.64e15
    ? new Date(millis).toISOString()
    : undefined

/**
 * A JSON-safe copy of any value: bigints become their digits, cycles `"[Circular]"`, functions and symbols
 * disappear, invalid dates and getters that throw become `null`, nesting stops at 64 levels.
 */
export const toJsonSafe = (value: unknown, depth = 0, seen: Set<object> = new Set()): unknown => {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value
  if (typeof value === "number") return Number.isFinite(value) ? value : null
  if (typeof value === "bigint") return value.toString()
  if (typeof value !== "object") return undefined
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (seen.has(value)) return "[Circular]"
  if (depth >= 64) return "[Too deep]"
  seen.add(value)
  try {
    if (Array.isArray(value)) return value.map((item) => toJsonSafe(item, depth + 1, seen) ?? null)
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      const item = toJsonSafe(read(value, key), depth + 1, seen)
      if (item !== undefined) out[key] = item
    }
    return out
  } catch {
    return null
  } finally {
    seen.delete(value)
  }
}

const preview = (value: unknown, max: number): string => {
  try {
    return shorten(JSON.stringify(toJsonSafe(value)) ?? String(value), max)
  } catch {
    return "(unprintable)"
  }
}

const id = (value: unknown): string => shorten(string(value) ?? "?", 40)

/** `@screen_name` of a user object, else `user <id>`. */
const handle = (user: unknown, fallbackId?: unknown): string => {
  const screenName = string(read(user, "screen_name"))
  if (screenName !== undefined && clean(screenName) !== "") return `@${shorten(screenName, 32)}`
  const userId = string(read(user, "id_str")) ?? string(read(user, "id")) ?? string(fallbackId)
  return userId === undefined ? "someone" : `user ${id(userId)}`
}

const tweetText = (tweet: unknown): string =>
  string(read(read(tweet, "extended_tweet"), "full_text")) ??
  string(read(tweet, "full_text")) ??
  string(read(tweet, "text")) ??
  ""

const quoted = (text: string, max: number): string => {
  const short = shorten(text, max)
  return short === "" ? "(no text)" : `"${short}"`
}

const userActions: Readonly<Record<string, string>> = {
  Follow: "followed",
  Unfollow: "unfollowed",
  Block: "blocked",
  Unblock: "unblocked",
  Mute: "muted",
  Unmute: "unmuted"
}

/**
 * A short description of what happened, specific to each kind: who did what to whom, with the text of the
 * Tweet or Direct Message shortened to `maxText` characters. One line, never throws.
 */
export const summary = (event: ActivityEvent.ActivityEvent, maxText: number): string => {
  try {
    return summaryUnsafe(event as unknown, maxText)
  } catch (error) {
    return `(could not summarise this event: ${shorten(error instanceof Error ? error.message : String(error), 80)})`
  }
}

const summaryUnsafe = (event: unknown, maxText: number): string => {
  const tag = string(read(event, "_tag")) ?? ""
  const payload = read(event, "payload")
  const users = read(event, "users")
  const userOf = (userId: unknown) => read(users, string(userId) ?? "")
  switch (tag) {
    case "Tweet":
      return `${handle(read(payload, "user"))} tweeted ${id(read(payload, "id_str"))}: ${quoted(tweetText(payload), maxText)}`
    case "Mention": {
      const blocked = read(event, "userHasBlocked") === true ? " [user_has_blocked]" : ""
      return `${handle(read(payload, "user"))} mentioned user ${id(read(event, "forUserId"))} in ${id(read(payload, "id_str"))}: ${quoted(tweetText(payload), maxText)}${blocked}`
    }
    case "Reply": {
      const screenName = string(read(payload, "in_reply_to_screen_name"))
      const to =
        screenName !== undefined && clean(screenName) !== ""
          ? `@${shorten(screenName, 32)}`
          : `user ${id(read(payload, "in_reply_to_user_id_str"))}`
      return `${handle(read(payload, "user"))} replied to ${to} (${id(read(payload, "in_reply_to_status_id_str"))}) with ${id(read(payload, "id_str"))}: ${quoted(tweetText(payload), maxText)}`
    }
    case "Retweet":
    case "RetweetOfQuote": {
      const original = read(payload, "retweeted_status")
      const what = tag === "Retweet" ? "" : "quote "
      if (original === undefined) {
        return `${handle(read(payload, "user"))} retweeted a ${what === "" ? "Tweet" : "quote"} (${id(read(payload, "id_str"))}): ${quoted(tweetText(payload), maxText)}`
      }
      return `${handle(read(payload, "user"))} retweeted ${handle(read(original, "user"))}'s ${what}${id(read(original, "id_str"))}: ${quoted(tweetText(original), maxText)}`
    }
    case "QuoteTweet": {
      const original = read(payload, "quoted_status")
      const quotedId = read(payload, "quoted_status_id_str") ?? read(original, "id_str")
      const whose = original === undefined ? "" : `${handle(read(original, "user"))}'s `
      return `${handle(read(payload, "user"))} quoted ${whose}${id(quotedId)} in ${id(read(payload, "id_str"))}: ${quoted(tweetText(payload), maxText)}`
    }
    case "TweetDelete": {
      const status = read(payload, "status")
      return `tweet ${id(read(status, "id"))} by user ${id(read(status, "user_id"))} was deleted`
    }
    case "Like": {
      const liked = read(payload, "favorited_status")
      return `${handle(read(payload, "user"))} liked ${handle(read(liked, "user"))}'s ${id(read(liked, "id_str"))}: ${quoted(tweetText(liked), maxText)}`
    }
    case "Follow":
    case "Unfollow":
    case "Block":
    case "Unblock":
    case "Mute":
    case "Unmute":
      return `${handle(read(payload, "source"))} ${userActions[tag]} ${handle(read(payload, "target"))}`
    case "DirectMessageSent":
    case "DirectMessageReceived": {
      const create = read(payload, "message_create")
      const data = read(create, "message_data")
      const senderId = read(create, "sender_id")
      const recipientId = read(read(create, "target"), "recipient_id")
      const appName = string(read(read(read(event, "apps"), string(read(create, "source_app_id")) ?? ""), "name"))
      const via = appName === undefined || clean(appName) === "" ? "" : ` via ${shorten(appName, 40)}`
      const attachmentType = string(read(read(data, "attachment"), "type"))
      const attachment = attachmentType === undefined ? "" : ` [+${shorten(attachmentType, 20)}]`
      const who =
        tag === "DirectMessageSent"
          ? `to ${handle(userOf(recipientId), recipientId)}`
          : `from ${handle(userOf(senderId), senderId)}`
      return `DM ${id(read(payload, "id"))} ${who}${via}: ${quoted(string(read(data, "text")) ?? "", maxText)}${attachment}`
    }
    case "TypingIndicator": {
      const senderId = read(payload, "sender_id")
      const recipientId = read(read(payload, "target"), "recipient_id")
      return `${handle(userOf(senderId), senderId)} is typing to ${handle(userOf(recipientId), recipientId)}`
    }
    case "ReadReceipt": {
      const senderId = read(payload, "sender_id")
      return `${handle(userOf(senderId), senderId)} read the conversation up to DM ${id(read(payload, "last_read_event_id"))}`
    }
    case "SubscriptionRevoke":
      return `user ${id(read(read(payload, "source"), "user_id"))} revoked app ${id(read(read(payload, "target"), "app_id"))}: X deleted the subscription`
    case "ReplayJobStatus": {
      const description = string(read(payload, "job_state_description"))
      const detail = description === undefined || clean(description) === "" ? "" : ` (${shorten(description, 80)})`
      return `replay job ${id(read(payload, "job_id"))} of webhook ${id(read(payload, "webhook_id"))}: ${shorten(string(read(payload, "job_state")) ?? "?", 24)}${detail}`
    }
    case "Unknown": {
      const index = string(read(event, "index"))
      const at = index === undefined ? "" : `[${index}]`
      return `[unknown] ${shorten(string(read(event, "key")) ?? "?", 60)}${at}: ${preview(read(event, "value"), maxText)}`
    }
    default:
      return `[unrecognised event] ${preview(event, maxText)}`
  }
}

const ansi = (code: string, text: string): string => `\u001b[${code}m${text}\u001b[0m`

/** `text` in colour, then the spaces that pad it to `width` (outside the colour). */
const column = (code: string, text: string, width: number): string =>
  `${ansi(code, text)}${" ".repeat(Math.max(0, width - text.length))}`

const tagColour = (event: unknown): string => {
  const tag = string(read(event, "_tag"))
  switch (tag) {
    case "Tweet":
    case "Mention":
    case "Reply":
    case "Retweet":
    case "QuoteTweet":
    case "RetweetOfQuote":
    case "TweetDelete":
      return "36"
    case "Like":
      return "35"
    case "Follow":
    case "Unfollow":
      return "32"
    case "Block":
    case "Unblock":
    case "Mute":
    case "Unmute":
      return "33"
    case "DirectMessageSent":
    case "DirectMessageReceived":
      return "34"
    case "TypingIndicator":
    case "ReadReceipt":
      return "90"
    case "SubscriptionRevoke":
      return "31"
    case "ReplayJobStatus":
      return read(read(event, "payload"), "job_state") === "Complete" ? "32" : "33"
    default:
      return "1;31"
  }
}

/**
 * How a pretty line looks.
 */
export interface PrettyOptions {
  /** Wrap the columns in ANSI colour codes. */
  readonly color: boolean
  /** The longest text (of a Tweet, a Direct Message, an unknown value) before it is cut. */
  readonly maxTextLength: number
}

const TAG_WIDTH = Math.max(...ActivityEvent.tags.map((tag) => tag.length))
const USER_WIDTH = 19
const TIME_WIDTH = "2022-08-17T13:41:30.274Z".length

/**
 * One readable line: the time (ISO, from `timestampMs`; `-` when the event has none), the `_tag`, the
 * subscribed user, the direction (`by` / `of` / `-`) and the summary. Never throws.
 */
export const pretty = (event: ActivityEvent.ActivityEvent, options: PrettyOptions): string => {
  try {
    const time = isoTime(read(event, "timestampMs")) ?? "-"
    const tag = shorten(string(read(event, "_tag")) ?? "?", 40)
    const user = id(read(event, "forUserId") ?? "-").padEnd(USER_WIDTH)
    const direction = shorten(string(read(event, "direction")) ?? "-", 3)
    const text = summary(event, options.maxTextLength)
    const line = options.color
      ? `${column("2", time, TIME_WIDTH)} ${column(tagColour(event), tag, TAG_WIDTH)} ${user} ${column("1", direction, 2)} ${text}`
      : `${time.padEnd(TIME_WIDTH)} ${tag.padEnd(TAG_WIDTH)} ${user} ${direction.padEnd(2)} ${text}`
    return line.replace(/[\r\n]/g, " ")
  } catch (error) {
    return fallback(event, error)
  }
}

const fallback = (event: unknown, error: unknown): string => {
  try {
    const reason = error instanceof Error ? error.message : String(error)
    return `- ${shorten(string(read(event, "_tag")) ?? "?", 40)} ${shorten(string(read(event, "identityKey")) ?? "?", 120)} (could not format this event: ${shorten(reason, 80)})`
  } catch {
    return "- ? (could not format this event)"
  }
}

const encodeEither = Schema.encodeEither(ActivityEvent.ActivityEvent)

const encodeEvent = (event: ActivityEvent.ActivityEvent): unknown => {
  try {
    return Either.getOrUndefined(encodeEither(event))
  } catch {
    return undefined
  }
}

/**
 * One JSON line (no trailing newline):
 * `{"tag","identityKey","forUserId","timestampMs","time","direction","loggedAt","event"}`, where `event` is
 * the event encoded with the `ActivityEvent` schema (so `ActivityEvent.decode(line.event)` gives it back).
 * Fields the event does not have are left out. When the event does not encode (a hand-built event that
 * breaks the schema), `event` holds a JSON-safe copy of it and `encoded` is `false`. Never throws.
 */
export const json = (event: ActivityEvent.ActivityEvent, loggedAtMillis: number): string => {
  try {
    const encoded = encodeEvent(event)
    const timestampMs = read(event, "timestampMs")
    const line = {
      tag: string(read(event, "_tag")),
      identityKey: string(read(event, "identityKey")),
      forUserId: string(read(event, "forUserId")),
      timestampMs: isoTime(timestampMs) === undefined ? undefined : timestampMs,
      time: isoTime(timestampMs),
      direction: string(read(event, "direction")),
      loggedAt: isoTime(loggedAtMillis),
      event: toJsonSafe(encoded ?? event),
      encoded: encoded === undefined ? false : undefined
    }
    return JSON.stringify(line)
  } catch (error) {
    return JSON.stringify({
      tag: "?",
      error: `could not format this event: ${error instanceof Error ? error.message : String(error)}`
    })
  }
}
