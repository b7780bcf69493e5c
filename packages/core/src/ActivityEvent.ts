/**
 * The normalized activity events: one `_tag` per activity kind of the Account Activity API, plus
 * `ReplayJobStatus` and `Unknown`. Each is a `Schema.TaggedClass`, so events encode to JSON (with `_tag`,
 * string ids and the wire payload) and decode back to the same classes, e.g. through a queue.
 *
 * Every event carries:
 *
 * - `forUserId`: the subscribed user the delivery was for (`for_user_id`). For `SubscriptionRevoke` it is
 *   the revoking user (`source.user_id`, since the revoke body may have no `for_user_id`). `ReplayJobStatus`
 *   has none (the job belongs to a webhook, not a user); on `Unknown` it is present when the body had one.
 * - `direction` (`"by"` / `"of"`), on the kinds that can go both ways: `"by"` when the subscribed user is
 *   the actor (author, liker, follower, blocker, muter), `"of"` otherwise. Block, unblock, mute, unmute and
 *   unfollow are documented as "by user" in v1.1 and "by user or of user" in v2 (a CONFLICT); the direction
 *   is computed from `source.id == forUserId` rather than assumed.
 * - `timestampMs`: when the activity happened, in exact epoch milliseconds (an integer `number`, safe for
 *   every date), taken from `timestamp_ms`, then `created_timestamp`, then `created_at`; `timestamp` gives
 *   the same instant as a `DateTime.Utc`. Optional only on `ReplayJobStatus` (no time on the wire) and
 *   `Unknown` (when no such field is found).
 * - `identityKey`: a stable key for deduplication, identical every time the same body is decoded and
 *   distinct between the users of a fan-out (it always includes `forUserId`):
 *
 * | `_tag` | identity key |
 * |---|---|
 * | `Tweet`, `Mention`, `Reply`, `Retweet`, `QuoteTweet`, `RetweetOfQuote` | `tweet:<forUserId>:<id_str>` |
 * | `TweetDelete` | `tweet_delete:<forUserId>:<status.id>` |
 * | `Like` | `favorite:<forUserId>:<id>` |
 * | `Follow`, `Unfollow`, `Block`, `Unblock`, `Mute`, `Unmute` | `<type>:<forUserId>:<source.id>:<target.id>:<timestampMs>` |
 * | `DirectMessageSent`, `DirectMessageReceived` | `dm:<forUserId>:<id>` |
 * | `TypingIndicator` | `typing:<forUserId>:<sender_id>:<recipient_id>:<created_timestamp>` |
 * | `ReadReceipt` | `read:<forUserId>:<sender_id>:<recipient_id>:<last_read_event_id>:<created_timestamp>` |
 * | `SubscriptionRevoke` | `revoke:<forUserId>:<app_id>:<timestampMs>` |
 * | `ReplayJobStatus` | `replay_job_status:<webhook_id>:<job_id>:<job_state>` |
 * | `Unknown` | `unknown:<forUserId or ->:<key>:<sha256 of the canonical JSON of the element>` |
 *
 * @since 0.1.0
 */
import { DateTime, Schema } from "effect"
import * as Ids from "./Ids.js"
import * as Wire from "./internal/deliverySchema.js"

/**
 * Whether the subscribed user did the activity (`"by"`) or was its object (`"of"`).
 *
 * @since 0.1.0
 * @category models
 */
export const Direction = Schema.Literal("by", "of")
/**
 * @since 0.1.0
 * @category models
 */
export type Direction = typeof Direction.Type

/**
 * Exact epoch milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export const EpochMillis = Schema.Int.annotations({ identifier: "EpochMillis" })

/**
 * The `users` map of a Direct Message delivery, keyed by user id.
 *
 * @since 0.1.0
 * @category models
 */
export const Users = Schema.Record({ key: Schema.String, value: Wire.CondensedUser })

/**
 * The `apps` map of a Direct Message delivery, keyed by app id.
 *
 * @since 0.1.0
 * @category models
 */
export const Apps = Schema.Record({ key: Schema.String, value: Wire.App })

const common = {
  forUserId: Ids.UserId,
  timestampMs: EpochMillis,
  identityKey: Schema.String
}

const tweetFields = {
  ...common,
  direction: Direction,
  payload: Wire.Tweet,
  userHasBlocked: Schema.optional(Schema.Boolean)
}

/**
 * The text of a Tweet: `extended_tweet.full_text` for longform Tweets, else `full_text`, else `text`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const tweetText = (tweet: Wire.Tweet): string =>
  tweet.extended_tweet?.full_text ?? tweet.full_text ?? tweet.text ?? ""

const toDateTime = (millis: number): DateTime.Utc => DateTime.unsafeMake(millis)

/**
 * A Tweet posted by the subscribed user (not a reply, Retweet or quote).
 *
 * @since 0.1.0
 * @category events
 */
export class Tweet extends Schema.TaggedClass<Tweet>()("Tweet", tweetFields) {
  /** The id of the Tweet. @since 0.1.0 */
  get tweetId(): Ids.TweetId {
    return this.payload.id_str
  }
  /** The full text. @since 0.1.0 */
  get text(): string {
    return tweetText(this.payload)
  }
  /** The author. @since 0.1.0 */
  get author(): Wire.User {
    return this.payload.user
  }
  /** The author's id. @since 0.1.0 */
  get authorId(): Ids.UserId {
    return this.payload.user.id_str
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * A Tweet by another user that mentions the subscribed user. `userHasBlocked` is the delivery's
 * `user_has_blocked` (or `is_blocked_by`) flag when present, as a boolean (every event of
 * `tweet_create_events` carries it when the body has it; X documents it for mentions).
 *
 * @since 0.1.0
 * @category events
 */
export class Mention extends Schema.TaggedClass<Mention>()("Mention", tweetFields) {
  /** The id of the Tweet. @since 0.1.0 */
  get tweetId(): Ids.TweetId {
    return this.payload.id_str
  }
  /** The full text. @since 0.1.0 */
  get text(): string {
    return tweetText(this.payload)
  }
  /** The author. @since 0.1.0 */
  get author(): Wire.User {
    return this.payload.user
  }
  /** The author's id. @since 0.1.0 */
  get authorId(): Ids.UserId {
    return this.payload.user.id_str
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * A reply: from the subscribed user (`direction: "by"`) or by someone else (`"of"`).
 *
 * @since 0.1.0
 * @category events
 */
export class Reply extends Schema.TaggedClass<Reply>()("Reply", tweetFields) {
  /** The id of the Tweet. @since 0.1.0 */
  get tweetId(): Ids.TweetId {
    return this.payload.id_str
  }
  /** The full text. @since 0.1.0 */
  get text(): string {
    return tweetText(this.payload)
  }
  /** The author. @since 0.1.0 */
  get author(): Wire.User {
    return this.payload.user
  }
  /** The author's id. @since 0.1.0 */
  get authorId(): Ids.UserId {
    return this.payload.user.id_str
  }
  /** The id of the Tweet replied to. @since 0.1.0 */
  get inReplyToTweetId(): Ids.TweetId | undefined {
    return this.payload.in_reply_to_status_id_str ?? undefined
  }
  /** The id of the user replied to. @since 0.1.0 */
  get inReplyToUserId(): Ids.UserId | undefined {
    return this.payload.in_reply_to_user_id_str ?? undefined
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * A Retweet: by the subscribed user (`"by"`) or of one of their Tweets (`"of"`).
 *
 * @since 0.1.0
 * @category events
 */
export class Retweet extends Schema.TaggedClass<Retweet>()("Retweet", tweetFields) {
  /** The id of the Retweet itself. @since 0.1.0 */
  get tweetId(): Ids.TweetId {
    return this.payload.id_str
  }
  /** The text of the retweeted Tweet. @since 0.1.0 */
  get text(): string {
    return tweetText(this.payload.retweeted_status ?? this.payload)
  }
  /** Who retweeted. @since 0.1.0 */
  get author(): Wire.User {
    return this.payload.user
  }
  /** The id of who retweeted. @since 0.1.0 */
  get authorId(): Ids.UserId {
    return this.payload.user.id_str
  }
  /** The retweeted Tweet. @since 0.1.0 */
  get retweeted(): Wire.Tweet | undefined {
    return this.payload.retweeted_status
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * A Quote Tweet: by the subscribed user (`"by"`) or quoting one of their Tweets (`"of"`).
 *
 * @since 0.1.0
 * @category events
 */
export class QuoteTweet extends Schema.TaggedClass<QuoteTweet>()("QuoteTweet", tweetFields) {
  /** The id of the Quote Tweet. @since 0.1.0 */
  get tweetId(): Ids.TweetId {
    return this.payload.id_str
  }
  /** The full text of the Quote Tweet. @since 0.1.0 */
  get text(): string {
    return tweetText(this.payload)
  }
  /** The author. @since 0.1.0 */
  get author(): Wire.User {
    return this.payload.user
  }
  /** The author's id. @since 0.1.0 */
  get authorId(): Ids.UserId {
    return this.payload.user.id_str
  }
  /** The quoted Tweet, when the delivery includes it. @since 0.1.0 */
  get quoted(): Wire.Tweet | undefined {
    return this.payload.quoted_status
  }
  /** The id of the quoted Tweet. @since 0.1.0 */
  get quotedTweetId(): Ids.TweetId | undefined {
    return this.payload.quoted_status_id_str ?? this.payload.quoted_status?.id_str
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * A Retweet of a Quote Tweet: by the subscribed user (`"by"`) or of one of their Tweets (`"of"`).
 *
 * @since 0.1.0
 * @category events
 */
export class RetweetOfQuote extends Schema.TaggedClass<RetweetOfQuote>()("RetweetOfQuote", tweetFields) {
  /** The id of the Retweet itself. @since 0.1.0 */
  get tweetId(): Ids.TweetId {
    return this.payload.id_str
  }
  /** The text of the retweeted Quote Tweet. @since 0.1.0 */
  get text(): string {
    return tweetText(this.payload.retweeted_status ?? this.payload)
  }
  /** Who retweeted. @since 0.1.0 */
  get author(): Wire.User {
    return this.payload.user
  }
  /** The id of who retweeted. @since 0.1.0 */
  get authorId(): Ids.UserId {
    return this.payload.user.id_str
  }
  /** The retweeted Quote Tweet. @since 0.1.0 */
  get retweeted(): Wire.Tweet | undefined {
    return this.payload.retweeted_status
  }
  /** The Tweet the retweeted Quote Tweet quotes, when included. @since 0.1.0 */
  get quoted(): Wire.Tweet | undefined {
    return this.payload.retweeted_status?.quoted_status
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * A Tweet of the subscribed user was deleted (`tweet_delete_events`).
 *
 * @since 0.1.0
 * @category events
 */
export class TweetDelete extends Schema.TaggedClass<TweetDelete>()("TweetDelete", {
  ...common,
  payload: Wire.TweetDeleteEvent
}) {
  /** The id of the deleted Tweet. @since 0.1.0 */
  get tweetId(): Ids.TweetId {
    return this.payload.status.id
  }
  /** The author of the deleted Tweet. @since 0.1.0 */
  get authorId(): Ids.UserId {
    return this.payload.status.user_id
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * A like (`favorite_events`): by the subscribed user (`"by"`) or of one of their Tweets (`"of"`).
 *
 * @since 0.1.0
 * @category events
 */
export class Like extends Schema.TaggedClass<Like>()("Like", {
  ...common,
  direction: Direction,
  payload: Wire.FavoriteEvent
}) {
  /** The id of the favorite event. @since 0.1.0 */
  get favoriteId(): string {
    return this.payload.id
  }
  /** Who liked. @since 0.1.0 */
  get liker(): Wire.User {
    return this.payload.user
  }
  /** The id of who liked. @since 0.1.0 */
  get likerId(): Ids.UserId {
    return this.payload.user.id_str
  }
  /** The liked Tweet. @since 0.1.0 */
  get tweet(): Wire.Tweet {
    return this.payload.favorited_status
  }
  /** The id of the liked Tweet. @since 0.1.0 */
  get tweetId(): Ids.TweetId {
    return this.payload.favorited_status.id_str
  }
  /** The text of the liked Tweet. @since 0.1.0 */
  get text(): string {
    return tweetText(this.payload.favorited_status)
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

const userAction = <Payload extends Schema.Schema.Any>(payload: Payload) => ({
  ...common,
  direction: Direction,
  payload
})

/**
 * `source` followed `target`: `"by"` when the subscribed user followed, `"of"` when they were followed.
 *
 * @since 0.1.0
 * @category events
 */
export class Follow extends Schema.TaggedClass<Follow>()("Follow", userAction(Wire.FollowEvent)) {
  /** @since 0.1.0 */
  get sourceId(): Ids.UserId {
    return this.payload.source.id
  }
  /** @since 0.1.0 */
  get targetId(): Ids.UserId {
    return this.payload.target.id
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * `source` unfollowed `target`.
 *
 * @since 0.1.0
 * @category events
 */
export class Unfollow extends Schema.TaggedClass<Unfollow>()("Unfollow", userAction(Wire.FollowEvent)) {
  /** @since 0.1.0 */
  get sourceId(): Ids.UserId {
    return this.payload.source.id
  }
  /** @since 0.1.0 */
  get targetId(): Ids.UserId {
    return this.payload.target.id
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * `source` blocked `target`.
 *
 * @since 0.1.0
 * @category events
 */
export class Block extends Schema.TaggedClass<Block>()("Block", userAction(Wire.BlockEvent)) {
  /** @since 0.1.0 */
  get sourceId(): Ids.UserId {
    return this.payload.source.id
  }
  /** @since 0.1.0 */
  get targetId(): Ids.UserId {
    return this.payload.target.id
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * `source` unblocked `target`.
 *
 * @since 0.1.0
 * @category events
 */
export class Unblock extends Schema.TaggedClass<Unblock>()("Unblock", userAction(Wire.BlockEvent)) {
  /** @since 0.1.0 */
  get sourceId(): Ids.UserId {
    return this.payload.source.id
  }
  /** @since 0.1.0 */
  get targetId(): Ids.UserId {
    return this.payload.target.id
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * `source` muted `target`.
 *
 * @since 0.1.0
 * @category events
 */
export class Mute extends Schema.TaggedClass<Mute>()("Mute", userAction(Wire.MuteEvent)) {
  /** @since 0.1.0 */
  get sourceId(): Ids.UserId {
    return this.payload.source.id
  }
  /** @since 0.1.0 */
  get targetId(): Ids.UserId {
    return this.payload.target.id
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * `source` unmuted `target`.
 *
 * @since 0.1.0
 * @category events
 */
export class Unmute extends Schema.TaggedClass<Unmute>()("Unmute", userAction(Wire.MuteEvent)) {
  /** @since 0.1.0 */
  get sourceId(): Ids.UserId {
    return this.payload.source.id
  }
  /** @since 0.1.0 */
  get targetId(): Ids.UserId {
    return this.payload.target.id
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

const directMessageFields = { ...common, payload: Wire.DirectMessageEvent, users: Users, apps: Apps }

/**
 * A Direct Message sent by the subscribed user (`sender_id == forUserId`), from any client or app.
 *
 * @since 0.1.0
 * @category events
 */
export class DirectMessageSent extends Schema.TaggedClass<DirectMessageSent>()(
  "DirectMessageSent",
  directMessageFields
) {
  /** The Direct Message event id. @since 0.1.0 */
  get messageId(): Ids.DirectMessageId {
    return this.payload.id
  }
  /** The message text. @since 0.1.0 */
  get text(): string {
    return this.payload.message_create.message_data.text
  }
  /** @since 0.1.0 */
  get senderId(): Ids.UserId {
    return this.payload.message_create.sender_id
  }
  /** @since 0.1.0 */
  get recipientId(): Ids.UserId {
    return this.payload.message_create.target.recipient_id
  }
  /** The sender, from the `users` map. @since 0.1.0 */
  get sender(): Wire.CondensedUser | undefined {
    return this.users[this.senderId]
  }
  /** The recipient, from the `users` map. @since 0.1.0 */
  get recipient(): Wire.CondensedUser | undefined {
    return this.users[this.recipientId]
  }
  /** The app that sent the message (`source_app_id`), from the `apps` map. @since 0.1.0 */
  get app(): Wire.App | undefined {
    const id = this.payload.message_create.source_app_id
    return id === undefined ? undefined : this.apps[id]
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * A Direct Message received by the subscribed user (`sender_id != forUserId`).
 *
 * @since 0.1.0
 * @category events
 */
export class DirectMessageReceived extends Schema.TaggedClass<DirectMessageReceived>()(
  "DirectMessageReceived",
  directMessageFields
) {
  /** The Direct Message event id. @since 0.1.0 */
  get messageId(): Ids.DirectMessageId {
    return this.payload.id
  }
  /** The message text. @since 0.1.0 */
  get text(): string {
    return this.payload.message_create.message_data.text
  }
  /** @since 0.1.0 */
  get senderId(): Ids.UserId {
    return this.payload.message_create.sender_id
  }
  /** @since 0.1.0 */
  get recipientId(): Ids.UserId {
    return this.payload.message_create.target.recipient_id
  }
  /** The sender, from the `users` map. @since 0.1.0 */
  get sender(): Wire.CondensedUser | undefined {
    return this.users[this.senderId]
  }
  /** The recipient, from the `users` map. @since 0.1.0 */
  get recipient(): Wire.CondensedUser | undefined {
    return this.users[this.recipientId]
  }
  /** The app that sent the message (`source_app_id`), from the `apps` map. @since 0.1.0 */
  get app(): Wire.App | undefined {
    const id = this.payload.message_create.source_app_id
    return id === undefined ? undefined : this.apps[id]
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * Someone is typing a Direct Message to the subscribed user.
 *
 * @since 0.1.0
 * @category events
 */
export class TypingIndicator extends Schema.TaggedClass<TypingIndicator>()("TypingIndicator", {
  ...common,
  payload: Wire.TypingEvent,
  users: Users
}) {
  /** Who is typing. @since 0.1.0 */
  get senderId(): Ids.UserId {
    return this.payload.sender_id
  }
  /** @since 0.1.0 */
  get recipientId(): Ids.UserId {
    return this.payload.target.recipient_id
  }
  /** Who is typing, from the `users` map. @since 0.1.0 */
  get sender(): Wire.CondensedUser | undefined {
    return this.users[this.senderId]
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * The other participant read the conversation up to `lastReadEventId`.
 *
 * @since 0.1.0
 * @category events
 */
export class ReadReceipt extends Schema.TaggedClass<ReadReceipt>()("ReadReceipt", {
  ...common,
  payload: Wire.MarkReadEvent,
  users: Users
}) {
  /** Who read. @since 0.1.0 */
  get senderId(): Ids.UserId {
    return this.payload.sender_id
  }
  /** @since 0.1.0 */
  get recipientId(): Ids.UserId {
    return this.payload.target.recipient_id
  }
  /** The last Direct Message read. @since 0.1.0 */
  get lastReadEventId(): Ids.DirectMessageId {
    return this.payload.last_read_event_id
  }
  /** Who read, from the `users` map. @since 0.1.0 */
  get sender(): Wire.CondensedUser | undefined {
    return this.users[this.senderId]
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * The user removed the app's authorization; X deleted the subscription. `forUserId` is the revoking user.
 *
 * @since 0.1.0
 * @category events
 */
export class SubscriptionRevoke extends Schema.TaggedClass<SubscriptionRevoke>()("SubscriptionRevoke", {
  ...common,
  payload: Wire.Revoke
}) {
  /** The app whose authorization was removed. @since 0.1.0 */
  get appId(): Ids.AppId {
    return this.payload.target.app_id
  }
  /** `timestampMs` as a `DateTime.Utc`. @since 0.1.0 */
  get timestamp(): DateTime.Utc {
    return toDateTime(this.timestampMs)
  }
}

/**
 * A Replay job ended (`replay_job_status`). There is no `forUserId` (the job belongs to a webhook) and no
 * timestamp on the wire, so `forUserId` and `timestampMs` are absent.
 *
 * @since 0.1.0
 * @category events
 */
export class ReplayJobStatus extends Schema.TaggedClass<ReplayJobStatus>()("ReplayJobStatus", {
  forUserId: Schema.optional(Ids.UserId),
  timestampMs: Schema.optional(EpochMillis),
  identityKey: Schema.String,
  payload: Wire.ReplayJobStatus
}) {
  /** @since 0.1.0 */
  get jobId(): Ids.JobId {
    return this.payload.job_id
  }
  /** @since 0.1.0 */
  get webhookId(): Ids.WebhookId {
    return this.payload.webhook_id
  }
  /** Whether every event of the window was delivered (`job_state` is `"Complete"`). @since 0.1.0 */
  get isComplete(): boolean {
    return this.payload.job_state === "Complete"
  }
}

/**
 * An activity this version does not know: one element of a top-level key that is not recognised (one event
 * per array element, or one for a non-array value). `key` is that top-level key, `index` the element's
 * position when the value was an array, `value` the raw element (integers beyond 2^53 as digit strings).
 *
 * @since 0.1.0
 * @category events
 */
export class Unknown extends Schema.TaggedClass<Unknown>()("Unknown", {
  forUserId: Schema.optional(Ids.UserId),
  timestampMs: Schema.optional(EpochMillis),
  identityKey: Schema.String,
  key: Schema.String,
  index: Schema.optional(Schema.NonNegativeInt),
  value: Schema.Unknown
}) {}

/**
 * Every activity event.
 *
 * @since 0.1.0
 * @category models
 */
export type ActivityEvent =
  | Tweet
  | TweetDelete
  | Mention
  | Reply
  | Retweet
  | QuoteTweet
  | RetweetOfQuote
  | Like
  | Follow
  | Unfollow
  | Block
  | Unblock
  | Mute
  | Unmute
  | DirectMessageSent
  | DirectMessageReceived
  | TypingIndicator
  | ReadReceipt
  | SubscriptionRevoke
  | ReplayJobStatus
  | Unknown

/**
 * The schema of the union: `Schema.encode(ActivityEvent)` gives JSON-safe data with `_tag`,
 * `Schema.decodeUnknown(ActivityEvent)` gives the classes back.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ActivityEvent: Schema.Union<
  [
    typeof Tweet,
    typeof TweetDelete,
    typeof Mention,
    typeof Reply,
    typeof Retweet,
    typeof QuoteTweet,
    typeof RetweetOfQuote,
    typeof Like,
    typeof Follow,
    typeof Unfollow,
    typeof Block,
    typeof Unblock,
    typeof Mute,
    typeof Unmute,
    typeof DirectMessageSent,
    typeof DirectMessageReceived,
    typeof TypingIndicator,
    typeof ReadReceipt,
    typeof SubscriptionRevoke,
    typeof ReplayJobStatus,
    typeof Unknown
  ]
> = Schema.Union(
  Tweet,
  TweetDelete,
  Mention,
  Reply,
  Retweet,
  QuoteTweet,
  RetweetOfQuote,
  Like,
  Follow,
  Unfollow,
  Block,
  Unblock,
  Mute,
  Unmute,
  DirectMessageSent,
  DirectMessageReceived,
  TypingIndicator,
  ReadReceipt,
  SubscriptionRevoke,
  ReplayJobStatus,
  Unknown
)

/**
 * The JSON form of an {@link ActivityEvent}.
 *
 * @since 0.1.0
 * @category models
 */
export type Encoded = typeof ActivityEvent.Encoded

/**
 * The `_tag` of every event.
 *
 * @since 0.1.0
 * @category models
 */
export type Tag = ActivityEvent["_tag"]

/**
 * The event of a given `_tag`.
 *
 * @since 0.1.0
 * @category models
 */
export type WithTag<T extends Tag> = Extract<ActivityEvent, { readonly _tag: T }>

/**
 * The 19 activity kinds X delivers (the Enterprise list of the docs, in its order), named like the `_tag` of
 * the event each one decodes to. The remaining two tags, `ReplayJobStatus` and `Unknown`, are not activities.
 *
 * @since 0.1.0
 * @category models
 */
export const ActivityKind = Schema.Literal(
  "Tweet",
  "TweetDelete",
  "Mention",
  "Reply",
  "Retweet",
  "QuoteTweet",
  "RetweetOfQuote",
  "Like",
  "Follow",
  "Unfollow",
  "Block",
  "Unblock",
  "Mute",
  "Unmute",
  "DirectMessageSent",
  "DirectMessageReceived",
  "TypingIndicator",
  "ReadReceipt",
  "SubscriptionRevoke"
)

/**
 * @since 0.1.0
 * @category models
 */
export type ActivityKind = typeof ActivityKind.Type

/**
 * All 21 tags: the 19 activity kinds in the order of the docs' activity list, then `ReplayJobStatus` and
 * `Unknown`.
 *
 * @since 0.1.0
 * @category models
 */
export const tags: ReadonlyArray<Tag> = [...ActivityKind.literals, "ReplayJobStatus", "Unknown"]

/**
 * The events `tweet_create_events` produces.
 *
 * @since 0.1.0
 * @category models
 */
export type TweetCreate = Tweet | Mention | Reply | Retweet | QuoteTweet | RetweetOfQuote

/**
 * Whether an event comes from `tweet_create_events`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTweetCreate = (event: ActivityEvent): event is TweetCreate =>
  event._tag === "Tweet" ||
  event._tag === "Mention" ||
  event._tag === "Reply" ||
  event._tag === "Retweet" ||
  event._tag === "QuoteTweet" ||
  event._tag === "RetweetOfQuote"

/**
 * Whether an event is a Direct Message (sent or received).
 *
 * @since 0.1.0
 * @category guards
 */
export const isDirectMessage = (event: ActivityEvent): event is DirectMessageSent | DirectMessageReceived =>
  event._tag === "DirectMessageSent" || event._tag === "DirectMessageReceived"

/**
 * Encodes events to JSON-safe values (for a queue or a log).
 *
 * @since 0.1.0
 * @category codecs
 */
export const encode = Schema.encode(ActivityEvent)

/**
 * Decodes values produced by {@link encode} back into events.
 *
 * @since 0.1.0
 * @category codecs
 */
export const decode = Schema.decodeUnknown(ActivityEvent)
