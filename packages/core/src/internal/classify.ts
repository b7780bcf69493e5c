/**
 * Turns a decoded delivery envelope into `ActivityEvent`s: one event per element of every event array,
 * classified, timestamped and keyed.
 *
 * @internal
 */
import { Either } from "effect"
import * as ActivityEvent from "../ActivityEvent.js"
import type * as Ids from "../Ids.js"
import type * as Wire from "./deliverySchema.js"
import { eventKeys, metadataKeys } from "./deliverySchema.js"
import { hashJson } from "./identity.js"

/**
 * What is wrong with a delivery that decoded but cannot be classified.
 *
 * @internal
 */
export interface Issue {
  readonly path: ReadonlyArray<string | number>
  readonly expected: string
  readonly actual: unknown
}

class IssueError {
  constructor(readonly issue: Issue) {}
}

const fail = (path: ReadonlyArray<string | number>, expected: string, actual: unknown): never => {
  throw new IssueError({ path, expected, actual })
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11
}

const TWITTER_DATE = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/

/**
 * Parses the Twitter date format `Wed Aug 17 13:40:30 +0000 2022` into epoch milliseconds.
 *
 * @internal
 */
export const parseTwitterDate = (input: string): number | undefined => {
  const m = TWITTER_DATE.exec(input)
  if (m === null) return undefined
  const month = MONTHS[m[1]!]
  if (month === undefined) return undefined
  const utc = Date.UTC(Number(m[9]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]))
  const offsetMinutes = (Number(m[7]) * 60 + Number(m[8])) * (m[6] === "-" ? -1 : 1)
  return utc - offsetMinutes * 60_000
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/

const parseIsoDate = (input: string): number | undefined => {
  if (!ISO_DATE.test(input)) return undefined
  const millis = Date.parse(input)
  return Number.isNaN(millis) ? undefined : millis
}

const timestampOf = (
  path: ReadonlyArray<string | number>,
  fields: {
    readonly timestamp_ms?: string | number | undefined
    readonly created_timestamp?: string | undefined
    readonly created_at?: string | undefined
  }
): number => {
  if (fields.timestamp_ms !== undefined) return Number(fields.timestamp_ms)
  if (fields.created_timestamp !== undefined) return Number(fields.created_timestamp)
  if (fields.created_at !== undefined) {
    const millis = parseTwitterDate(fields.created_at) ?? parseIsoDate(fields.created_at)
    if (millis === undefined) {
      return fail(
        [...path, "created_at"],
        'a date like "Wed Aug 17 13:40:30 +0000 2022" or "2022-08-17T13:40:30Z"',
        fields.created_at
      )
    }
    return millis
  }
  return fail(path, "a timestamp: one of timestamp_ms, created_timestamp or created_at", undefined)
}

const requireForUser = (forUserId: Ids.UserId | undefined, key: string): Ids.UserId =>
  forUserId ?? fail(["for_user_id"], `for_user_id (the subscribed user of a ${key} delivery)`, undefined)

const isQuote = (tweet: Wire.Tweet): boolean => tweet.quoted_status !== undefined || tweet.is_quote_status === true

const tweetEvent = (
  envelope: Wire.Envelope,
  forUserId: Ids.UserId,
  tweet: Wire.Tweet,
  path: ReadonlyArray<string | number>
): ActivityEvent.TweetCreate => {
  const authorId = tweet.user.id_str
  const userHasBlocked = envelope.user_has_blocked ?? envelope.is_blocked_by
  const fields = {
    forUserId,
    direction: authorId === forUserId ? ("by" as const) : ("of" as const),
    timestampMs: timestampOf(path, tweet),
    identityKey: `tweet:${forUserId}:${tweet.id_str}`,
    payload: tweet,
    ...(userHasBlocked === undefined ? {} : { userHasBlocked })
  }
  if (tweet.retweeted_status !== undefined) {
    return isQuote(tweet.retweeted_status)
      ? new ActivityEvent.RetweetOfQuote(fields, true)
      : new ActivityEvent.Retweet(fields, true)
  }
  if (isQuote(tweet)) return new ActivityEvent.QuoteTweet(fields, true)
  if (tweet.in_reply_to_status_id_str !== undefined && tweet.in_reply_to_status_id_str !== null) {
    return new ActivityEvent.Reply(fields, true)
  }
  if (authorId === forUserId) return new ActivityEvent.Tweet(fields, true)
  return new ActivityEvent.Mention(fields, true)
}

const userActionEvent = (
  forUserId: Ids.UserId,
  event: Wire.FollowEvent | Wire.BlockEvent | Wire.MuteEvent,
  path: ReadonlyArray<string | number>
) => {
  const timestampMs = timestampOf(path, event)
  const fields = {
    forUserId,
    direction: event.source.id === forUserId ? ("by" as const) : ("of" as const),
    timestampMs,
    identityKey: `${event.type}:${forUserId}:${event.source.id}:${event.target.id}:${timestampMs}`
  }
  switch (event.type) {
    case "follow":
      return new ActivityEvent.Follow({ ...fields, payload: event }, true)
    case "unfollow":
      return new ActivityEvent.Unfollow({ ...fields, payload: event }, true)
    case "block":
      return new ActivityEvent.Block({ ...fields, payload: event }, true)
    case "unblock":
      return new ActivityEvent.Unblock({ ...fields, payload: event }, true)
    case "mute":
      return new ActivityEvent.Mute({ ...fields, payload: event }, true)
    case "unmute":
      return new ActivityEvent.Unmute({ ...fields, payload: event }, true)
  }
}

const unknownTimestamp = (value: unknown): number | undefined => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined
  const record = value as Record<string, unknown>
  for (const field of ["timestamp_ms", "created_timestamp"]) {
    const raw = record[field]
    if (
      (typeof raw === "string" && /^[0-9]{1,16}$/.test(raw)) ||
      (typeof raw === "number" && Number.isSafeInteger(raw))
    ) {
      return Number(raw)
    }
  }
  return undefined
}

const unknownEvent = (
  forUserId: Ids.UserId | undefined,
  key: string,
  index: number | undefined,
  value: unknown
): ActivityEvent.Unknown => {
  const timestampMs = unknownTimestamp(value)
  return new ActivityEvent.Unknown(
    {
      ...(forUserId === undefined ? {} : { forUserId }),
      ...(timestampMs === undefined ? {} : { timestampMs }),
      ...(index === undefined ? {} : { index }),
      identityKey: `unknown:${forUserId ?? "-"}:${key}:${hashJson(value)}`,
      key,
      value
    },
    true
  )
}

const known: ReadonlySet<string> = new Set<string>([...eventKeys, ...metadataKeys])

/**
 * Classifies every activity of a decoded envelope. `keys` is the top-level key order of the raw body, so
 * events come out in body order; `raw` supplies the values of keys the envelope schema does not know.
 *
 * @internal
 */
export const classify = (
  envelope: Wire.Envelope,
  raw: Readonly<Record<string, unknown>>
): Either.Either<Array<ActivityEvent.ActivityEvent>, Issue> => {
  const events: Array<ActivityEvent.ActivityEvent> = []
  const forUserId = envelope.for_user_id
  const users = envelope.users ?? {}
  const apps = envelope.apps ?? {}
  try {
    for (const key of Object.keys(raw)) {
      switch (key) {
        case "tweet_create_events": {
          const user = requireForUser(forUserId, key)
          envelope.tweet_create_events?.forEach((tweet, i) => {
            events.push(tweetEvent(envelope, user, tweet, [key, i]))
          })
          break
        }
        case "favorite_events": {
          const user = requireForUser(forUserId, key)
          envelope.favorite_events?.forEach((favorite, i) => {
            events.push(
              new ActivityEvent.Like(
                {
                  forUserId: user,
                  direction: favorite.user.id_str === user ? "by" : "of",
                  timestampMs: timestampOf([key, i], favorite),
                  identityKey: `favorite:${user}:${favorite.id}`,
                  payload: favorite
                },
                true
              )
            )
          })
          break
        }
        case "follow_events":
        case "block_events":
        case "mute_events": {
          const user = requireForUser(forUserId, key)
          envelope[key]?.forEach((event, i) => {
            events.push(userActionEvent(user, event, [key, i]))
          })
          break
        }
        case "user_event": {
          const revoke = envelope.user_event?.revoke
          if (revoke === undefined) {
            events.push(unknownEvent(forUserId, key, undefined, raw[key]))
            break
          }
          const timestampMs =
            parseIsoDate(revoke.date_time) ??
            fail([key, "revoke", "date_time"], 'an ISO-8601 date like "2022-08-17T14:20:12+00:00"', revoke.date_time)
          const user = revoke.source.user_id
          events.push(
            new ActivityEvent.SubscriptionRevoke(
              {
                forUserId: user,
                timestampMs,
                identityKey: `revoke:${user}:${revoke.target.app_id}:${timestampMs}`,
                payload: revoke
              },
              true
            )
          )
          break
        }
        case "direct_message_events": {
          const user = requireForUser(forUserId, key)
          envelope.direct_message_events?.forEach((message, i) => {
            const fields = {
              forUserId: user,
              timestampMs: timestampOf([key, i], message),
              identityKey: `dm:${user}:${message.id}`,
              payload: message,
              users,
              apps
            }
            events.push(
              message.message_create.sender_id === user
                ? new ActivityEvent.DirectMessageSent(fields, true)
                : new ActivityEvent.DirectMessageReceived(fields, true)
            )
          })
          break
        }
        case "direct_message_indicate_typing_events": {
          const user = requireForUser(forUserId, key)
          envelope.direct_message_indicate_typing_events?.forEach((typing, i) => {
            events.push(
              new ActivityEvent.TypingIndicator(
                {
                  forUserId: user,
                  timestampMs: timestampOf([key, i], typing),
                  identityKey: `typing:${user}:${typing.sender_id}:${typing.target.recipient_id}:${typing.created_timestamp}`,
                  payload: typing,
                  users
                },
                true
              )
            )
          })
          break
        }
        case "direct_message_mark_read_events": {
          const user = requireForUser(forUserId, key)
          envelope.direct_message_mark_read_events?.forEach((read, i) => {
            events.push(
              new ActivityEvent.ReadReceipt(
                {
                  forUserId: user,
                  timestampMs: timestampOf([key, i], read),
                  identityKey: `read:${user}:${read.sender_id}:${read.target.recipient_id}:${read.last_read_event_id}:${read.created_timestamp}`,
                  payload: read,
                  users
                },
                true
              )
            )
          })
          break
        }
        case "tweet_delete_events": {
          const user = requireForUser(forUserId, key)
          envelope.tweet_delete_events?.forEach((deleted, i) => {
            events.push(
              new ActivityEvent.TweetDelete(
                {
                  forUserId: user,
                  timestampMs: timestampOf([key, i], deleted),
                  identityKey: `tweet_delete:${user}:${deleted.status.id}`,
                  payload: deleted
                },
                true
              )
            )
          })
          break
        }
        case "replay_job_status": {
          const status = envelope.replay_job_status
          if (status !== undefined) {
            events.push(
              new ActivityEvent.ReplayJobStatus(
                {
                  ...(forUserId === undefined ? {} : { forUserId }),
                  identityKey: `replay_job_status:${status.webhook_id}:${status.job_id}:${status.job_state}`,
                  payload: status
                },
                true
              )
            )
          }
          break
        }
        default: {
          if (known.has(key)) break
          const value = raw[key]
          if (Array.isArray(value)) {
            value.forEach((element, i) => {
              events.push(unknownEvent(forUserId, key, i, element))
            })
          } else {
            events.push(unknownEvent(forUserId, key, undefined, value))
          }
        }
      }
    }
  } catch (error) {
    if (error instanceof IssueError) return Either.left(error.issue)
    throw error
  }
  return Either.right(events)
}
