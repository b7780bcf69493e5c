/**
 * The wire schemas of webhook deliveries. They live here, not in `Delivery.ts`, so that both
 * `Delivery.ts` (which decodes bodies into `ActivityEvent`s) and `ActivityEvent.ts` (whose classes carry
 * these payloads) can import them without an import cycle. `Delivery.ts` re-exports all of them.
 *
 * Every object schema keeps the fields it does not name (`onExcessProperty: "preserve"` on each struct),
 * and encodes them back unchanged.
 *
 * @internal
 */
import { Arbitrary, Schema } from "effect"
import * as Ids from "../Ids.js"

const preserve = { onExcessProperty: "preserve" } as const

const wire = <Fields extends Schema.Struct.Fields>(identifier: string, fields: Fields) =>
  Schema.Struct(fields).annotations({ identifier, parseOptions: preserve })

/**
 * A JSON integer as the lossless parser yields it: a `number` when it is a safe integer, otherwise its exact
 * decimal digits as a string (Tweet ids beyond 2^53). Read ids from the `*_str` fields instead.
 *
 * @since 0.1.0
 * @category primitives
 */
export const Int64 = Schema.Union(
  Schema.Int,
  Schema.String.pipe(
    Schema.pattern(/^-?[0-9]{1,20}$/, { message: () => "expected an integer (a number or its decimal digits)" })
  )
).annotations({ identifier: "Int64" })

/**
 * Epoch milliseconds as a string of digits (`"1660745500123"`), as in `created_timestamp`.
 *
 * @since 0.1.0
 * @category primitives
 */
export const EpochMillisString = Schema.String.pipe(
  Schema.pattern(/^[0-9]{1,16}$/, { message: () => "expected epoch milliseconds as a string of digits" })
).annotations({ identifier: "EpochMillisString" })

/**
 * `timestamp_ms`: epoch milliseconds, a string in Tweets and deletes (`"1660743630274"`), a number in
 * favorites (`1660745402140`). Both decode and encode back as they came.
 *
 * @since 0.1.0
 * @category primitives
 */
export const TimestampMs = Schema.Union(EpochMillisString, Schema.NonNegativeInt).annotations({
  identifier: "TimestampMs"
})

/**
 * A flag X sends either as a JSON boolean or as the string `"true"` / `"false"` (`user_has_blocked`).
 * Decodes to a boolean (`"false"` is `false`), encodes to a JSON boolean.
 *
 * @since 0.1.0
 * @category primitives
 */
export const BooleanFromWire = Schema.transform(
  Schema.Union(Schema.Boolean, Schema.Literal("true", "false")),
  Schema.Boolean,
  { strict: true, decode: (value) => value === true || value === "true", encode: (value) => value }
).annotations({ identifier: "BooleanFromWire" })

const Indices = Schema.Array(Schema.Number)
const NullableString = Schema.NullOr(Schema.String)

/**
 * A v1.1 user object as it appears in Tweets and favorites: a number `id` (lossless) and the `id_str` to
 * use. Both `created_at` (Twitter date) and `created_timestamp` (epoch ms) are accepted.
 *
 * @since 0.1.0
 * @category users
 */
export const User = wire("User", {
  id: Int64,
  id_str: Ids.UserId,
  name: Schema.String,
  screen_name: Schema.String,
  location: Schema.optional(NullableString),
  url: Schema.optional(NullableString),
  description: Schema.optional(NullableString),
  protected: Schema.optional(Schema.Boolean),
  verified: Schema.optional(Schema.Boolean),
  followers_count: Schema.optional(Schema.Number),
  friends_count: Schema.optional(Schema.Number),
  listed_count: Schema.optional(Schema.Number),
  favourites_count: Schema.optional(Schema.Number),
  statuses_count: Schema.optional(Schema.Number),
  created_at: Schema.optional(Schema.String),
  created_timestamp: Schema.optional(EpochMillisString),
  profile_image_url: Schema.optional(NullableString),
  profile_image_url_https: Schema.optional(NullableString)
})
/**
 * @since 0.1.0
 * @category users
 */
export type User = typeof User.Type

const Colour = Schema.Union(Schema.String, Schema.Number)

/**
 * The user object of `follow_events`, `block_events` and `mute_events` (`source` and `target`): the `id`
 * is a string and there is no `id_str`; colour fields are the integer `-1` in captured payloads.
 *
 * @since 0.1.0
 * @category users
 */
export const ActionUser = wire("ActionUser", {
  id: Ids.UserId,
  name: Schema.String,
  screen_name: Schema.String,
  location: Schema.optional(NullableString),
  url: Schema.optional(NullableString),
  description: Schema.optional(NullableString),
  protected: Schema.optional(Schema.Boolean),
  verified: Schema.optional(Schema.Boolean),
  followers_count: Schema.optional(Schema.Number),
  friends_count: Schema.optional(Schema.Number),
  statuses_count: Schema.optional(Schema.Number),
  created_at: Schema.optional(Schema.String),
  created_timestamp: Schema.optional(EpochMillisString),
  profile_image_url: Schema.optional(NullableString),
  profile_image_url_https: Schema.optional(NullableString),
  profile_link_color: Schema.optional(Colour),
  profile_text_color: Schema.optional(Colour),
  profile_background_color: Schema.optional(Colour),
  profile_sidebar_fill_color: Schema.optional(Colour),
  profile_sidebar_border_color: Schema.optional(Colour)
})
/**
 * @since 0.1.0
 * @category users
 */
export type ActionUser = typeof ActionUser.Type

/**
 * A condensed user of the `users` map of Direct Message deliveries: string `id`, `created_timestamp`
 * (epoch ms string) rather than `created_at` (both are accepted).
 *
 * @since 0.1.0
 * @category users
 */
export const CondensedUser = wire("CondensedUser", {
  id: Ids.UserId,
  name: Schema.String,
  screen_name: Schema.String,
  created_timestamp: Schema.optional(EpochMillisString),
  created_at: Schema.optional(Schema.String),
  location: Schema.optional(NullableString),
  description: Schema.optional(NullableString),
  url: Schema.optional(NullableString),
  protected: Schema.optional(Schema.Boolean),
  verified: Schema.optional(Schema.Boolean),
  followers_count: Schema.optional(Schema.Number),
  friends_count: Schema.optional(Schema.Number),
  statuses_count: Schema.optional(Schema.Number),
  profile_image_url: Schema.optional(NullableString),
  profile_image_url_https: Schema.optional(NullableString)
})
/**
 * @since 0.1.0
 * @category users
 */
export type CondensedUser = typeof CondensedUser.Type

/**
 * An app of the `apps` map of Direct Message deliveries (the `source_app_id` of a message).
 *
 * @since 0.1.0
 * @category users
 */
export const App = wire("App", {
  id: Ids.AppId,
  name: Schema.String,
  url: Schema.optional(NullableString)
})
/**
 * @since 0.1.0
 * @category users
 */
export type App = typeof App.Type

/**
 * A hashtag or cashtag entity.
 *
 * @since 0.1.0
 * @category entities
 */
export const HashtagEntity = wire("HashtagEntity", { text: Schema.String, indices: Schema.optional(Indices) })

/**
 * A URL entity.
 *
 * @since 0.1.0
 * @category entities
 */
export const UrlEntity = wire("UrlEntity", {
  url: Schema.String,
  expanded_url: Schema.optional(NullableString),
  display_url: Schema.optional(Schema.String),
  indices: Schema.optional(Indices)
})

/**
 * A user mention entity.
 *
 * @since 0.1.0
 * @category entities
 */
export const UserMentionEntity = wire("UserMentionEntity", {
  id: Int64,
  id_str: Ids.UserId,
  screen_name: Schema.String,
  name: Schema.optional(Schema.String),
  indices: Schema.optional(Indices)
})

/**
 * A media entity (photo, video, animated GIF).
 *
 * @since 0.1.0
 * @category entities
 */
export const MediaEntity = wire("MediaEntity", {
  id: Int64,
  id_str: Schema.String,
  type: Schema.optional(Schema.String),
  media_url_https: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String),
  display_url: Schema.optional(Schema.String),
  expanded_url: Schema.optional(Schema.String),
  indices: Schema.optional(Indices)
})

/**
 * The `entities` of a Tweet or a Direct Message.
 *
 * @since 0.1.0
 * @category entities
 */
export const Entities = wire("Entities", {
  hashtags: Schema.optional(Schema.Array(HashtagEntity)),
  urls: Schema.optional(Schema.Array(UrlEntity)),
  user_mentions: Schema.optional(Schema.Array(UserMentionEntity)),
  symbols: Schema.optional(Schema.Array(HashtagEntity)),
  media: Schema.optional(Schema.Array(MediaEntity))
})
/**
 * @since 0.1.0
 * @category entities
 */
export type Entities = typeof Entities.Type

/**
 * `extended_tweet` of a longform (truncated) Tweet: the `full_text` and its entities.
 *
 * @since 0.1.0
 * @category tweets
 */
export const ExtendedTweet = wire("ExtendedTweet", {
  full_text: Schema.String,
  display_text_range: Schema.optional(Indices),
  entities: Schema.optional(Entities)
})

const tweetFields = {
  created_at: Schema.String,
  id: Int64,
  id_str: Ids.TweetId,
  text: Schema.optional(Schema.String),
  full_text: Schema.optional(Schema.String),
  source: Schema.optional(Schema.String),
  truncated: Schema.optional(Schema.Boolean),
  in_reply_to_status_id: Schema.optional(Schema.NullOr(Int64)),
  in_reply_to_status_id_str: Schema.optional(Schema.NullOr(Ids.TweetId)),
  in_reply_to_user_id: Schema.optional(Schema.NullOr(Int64)),
  in_reply_to_user_id_str: Schema.optional(Schema.NullOr(Ids.UserId)),
  in_reply_to_screen_name: Schema.optional(NullableString),
  user: User,
  is_quote_status: Schema.optional(Schema.Boolean),
  quoted_status_id: Schema.optional(Int64),
  quoted_status_id_str: Schema.optional(Ids.TweetId),
  quote_count: Schema.optional(Schema.Number),
  reply_count: Schema.optional(Schema.Number),
  retweet_count: Schema.optional(Schema.Number),
  favorite_count: Schema.optional(Schema.Number),
  entities: Schema.optional(Entities),
  extended_tweet: Schema.optional(ExtendedTweet),
  favorited: Schema.optional(Schema.Boolean),
  retweeted: Schema.optional(Schema.Boolean),
  lang: Schema.optional(NullableString),
  timestamp_ms: Schema.optional(TimestampMs),
  display_text_range: Schema.optional(Indices)
}

/**
 * A v1.1 Tweet object (`tweet_create_events[]`, `favorited_status`, `retweeted_status`, `quoted_status`).
 *
 * @since 0.1.0
 * @category tweets
 */
export interface Tweet extends Schema.Struct.Type<typeof tweetFields> {
  readonly retweeted_status?: Tweet | undefined
  readonly quoted_status?: Tweet | undefined
}

/**
 * The JSON form of a {@link Tweet}.
 *
 * @since 0.1.0
 * @category tweets
 */
export interface TweetEncoded extends Schema.Struct.Encoded<typeof tweetFields> {
  readonly retweeted_status?: TweetEncoded | undefined
  readonly quoted_status?: TweetEncoded | undefined
}

// A Tweet without nested Tweets: what `Arbitrary.make` generates for `retweeted_status` / `quoted_status`,
// which keeps generated Tweets one level deep (X itself nests at most a quote inside a Retweet).
const TweetLeaf = wire("Tweet", tweetFields)

const nestedTweet = Schema.suspend((): Schema.Schema<Tweet, TweetEncoded> => Tweet).annotations({
  arbitrary: () => (fc) => Arbitrary.makeLazy(TweetLeaf)(fc)
})

/**
 * @since 0.1.0
 * @category tweets
 */
export const Tweet: Schema.Schema<Tweet, TweetEncoded> = wire("Tweet", {
  ...tweetFields,
  retweeted_status: Schema.optional(nestedTweet),
  quoted_status: Schema.optional(nestedTweet)
})

/**
 * An element of `favorite_events`: `user` liked `favorited_status`. `id` is 32 hex characters;
 * `timestamp_ms` is a JSON number in the documented examples.
 *
 * @since 0.1.0
 * @category events
 */
export const FavoriteEvent = wire("FavoriteEvent", {
  id: Schema.String,
  created_at: Schema.optional(Schema.String),
  timestamp_ms: Schema.optional(TimestampMs),
  favorited_status: Tweet,
  user: User
})
/**
 * @since 0.1.0
 * @category events
 */
export type FavoriteEvent = typeof FavoriteEvent.Type

const userAction = <A extends string, B extends string>(identifier: string, on: A, off: B) =>
  wire(identifier, {
    type: Schema.Literal(on, off),
    created_timestamp: Schema.optional(EpochMillisString),
    created_at: Schema.optional(Schema.String),
    source: ActionUser,
    target: ActionUser
  })

/**
 * An element of `follow_events`: `type` is `"follow"` or `"unfollow"`, `source` follows `target`.
 *
 * @since 0.1.0
 * @category events
 */
export const FollowEvent = userAction("FollowEvent", "follow", "unfollow")
/**
 * @since 0.1.0
 * @category events
 */
export type FollowEvent = typeof FollowEvent.Type

/**
 * An element of `block_events`: `type` is `"block"` or `"unblock"`, `source` blocks `target`.
 *
 * @since 0.1.0
 * @category events
 */
export const BlockEvent = userAction("BlockEvent", "block", "unblock")
/**
 * @since 0.1.0
 * @category events
 */
export type BlockEvent = typeof BlockEvent.Type

/**
 * An element of `mute_events`: `type` is `"mute"` or `"unmute"`, `source` mutes `target`.
 *
 * @since 0.1.0
 * @category events
 */
export const MuteEvent = userAction("MuteEvent", "mute", "unmute")
/**
 * @since 0.1.0
 * @category events
 */
export type MuteEvent = typeof MuteEvent.Type

/**
 * `target` of a Direct Message, typing indicator or read receipt.
 *
 * @since 0.1.0
 * @category direct messages
 */
export const MessageTarget = wire("MessageTarget", { recipient_id: Ids.UserId })

/**
 * One option of a quick reply.
 *
 * @since 0.1.0
 * @category direct messages
 */
export const QuickReplyOption = wire("QuickReplyOption", {
  label: Schema.String,
  metadata: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String)
})

/**
 * `message_data` of a Direct Message.
 *
 * @since 0.1.0
 * @category direct messages
 */
export const MessageData = wire("MessageData", {
  text: Schema.String,
  entities: Schema.optional(Entities),
  quick_reply: Schema.optional(
    wire("QuickReply", { type: Schema.String, options: Schema.optional(Schema.Array(QuickReplyOption)) })
  ),
  quick_reply_response: Schema.optional(
    wire("QuickReplyResponse", { type: Schema.String, metadata: Schema.optional(Schema.String) })
  ),
  attachment: Schema.optional(wire("Attachment", { type: Schema.String, media: Schema.optional(MediaEntity) }))
})

/**
 * `message_create` of a Direct Message: who sent it to whom, through which app, and what.
 *
 * @since 0.1.0
 * @category direct messages
 */
export const MessageCreate = wire("MessageCreate", {
  target: MessageTarget,
  sender_id: Ids.UserId,
  source_app_id: Schema.optional(Ids.AppId),
  message_data: MessageData
})

/**
 * An element of `direct_message_events`.
 *
 * @since 0.1.0
 * @category direct messages
 */
export const DirectMessageEvent = wire("DirectMessageEvent", {
  type: Schema.Literal("message_create"),
  id: Ids.DirectMessageId,
  created_timestamp: EpochMillisString,
  initiated_via: Schema.optional(
    wire("InitiatedVia", {
      tweet_id: Schema.optional(Ids.TweetId),
      welcome_message_id: Schema.optional(Schema.String)
    })
  ),
  message_create: MessageCreate
})
/**
 * @since 0.1.0
 * @category direct messages
 */
export type DirectMessageEvent = typeof DirectMessageEvent.Type

/**
 * An element of `direct_message_indicate_typing_events`: `sender_id` is typing to `target.recipient_id`.
 *
 * @since 0.1.0
 * @category direct messages
 */
export const TypingEvent = wire("TypingEvent", {
  created_timestamp: EpochMillisString,
  sender_id: Ids.UserId,
  target: MessageTarget
})
/**
 * @since 0.1.0
 * @category direct messages
 */
export type TypingEvent = typeof TypingEvent.Type

/**
 * An element of `direct_message_mark_read_events`: `sender_id` read the conversation with
 * `target.recipient_id` up to `last_read_event_id`.
 *
 * @since 0.1.0
 * @category direct messages
 */
export const MarkReadEvent = wire("MarkReadEvent", {
  created_timestamp: EpochMillisString,
  sender_id: Ids.UserId,
  target: MessageTarget,
  last_read_event_id: Ids.DirectMessageId
})
/**
 * @since 0.1.0
 * @category direct messages
 */
export type MarkReadEvent = typeof MarkReadEvent.Type

/**
 * An element of `tweet_delete_events`.
 *
 * @since 0.1.0
 * @category events
 */
export const TweetDeleteEvent = wire("TweetDeleteEvent", {
  status: wire("DeletedStatus", { id: Ids.TweetId, user_id: Ids.UserId }),
  timestamp_ms: TimestampMs
})
/**
 * @since 0.1.0
 * @category events
 */
export type TweetDeleteEvent = typeof TweetDeleteEvent.Type

/**
 * `user_event.revoke`: `source.user_id` removed the authorization of app `target.app_id`, which deleted the
 * subscription.
 *
 * @since 0.1.0
 * @category events
 */
export const Revoke = wire("Revoke", {
  date_time: Schema.String,
  target: wire("RevokeTarget", { app_id: Ids.AppId }),
  source: wire("RevokeSource", { user_id: Ids.UserId })
})
/**
 * @since 0.1.0
 * @category events
 */
export type Revoke = typeof Revoke.Type

/**
 * `user_event`: an object (not an array) holding a `revoke`.
 *
 * @since 0.1.0
 * @category events
 */
export const UserEvent = wire("UserEvent", { revoke: Schema.optional(Revoke) })

/**
 * `replay_job_status`: sent when a Replay job ends. `job_state` is `"Complete"` or `"Incomplete"` in every
 * documented example; other values decode too, so a new state never loses the notification.
 *
 * @since 0.1.0
 * @category events
 */
export const ReplayJobStatus = wire("ReplayJobStatus", {
  webhook_id: Ids.WebhookId,
  job_state: Schema.String,
  job_state_description: Schema.optional(Schema.String),
  job_id: Ids.JobId
})
/**
 * @since 0.1.0
 * @category events
 */
export type ReplayJobStatus = typeof ReplayJobStatus.Type

/**
 * The top-level keys of a delivery that hold activities, in the order events are produced.
 *
 * @since 0.1.0
 * @category envelope
 */
export const eventKeys = [
  "tweet_create_events",
  "favorite_events",
  "follow_events",
  "block_events",
  "mute_events",
  "user_event",
  "direct_message_events",
  "direct_message_indicate_typing_events",
  "direct_message_mark_read_events",
  "tweet_delete_events",
  "replay_job_status"
] as const

/**
 * The top-level keys of a delivery that describe its activities rather than hold them.
 *
 * @since 0.1.0
 * @category envelope
 */
export const metadataKeys = ["for_user_id", "user_has_blocked", "is_blocked_by", "users", "apps", "meta"] as const

/**
 * A whole webhook delivery body. Every key is optional: a body holds one (in practice) of the event keys,
 * plus `for_user_id` and, for Direct Messages, the `users` and `apps` maps. Keys this schema does not know
 * are kept (they become `Unknown` events in `decodeDelivery`).
 *
 * `user_has_blocked` (and `is_blocked_by`, the name the docs' field table uses) accept a boolean or the
 * strings `"true"` / `"false"`.
 *
 * @since 0.1.0
 * @category envelope
 */
export const Envelope = wire("Envelope", {
  for_user_id: Schema.optional(Ids.UserId),
  user_has_blocked: Schema.optional(BooleanFromWire),
  is_blocked_by: Schema.optional(BooleanFromWire),
  tweet_create_events: Schema.optional(Schema.Array(Tweet)),
  favorite_events: Schema.optional(Schema.Array(FavoriteEvent)),
  follow_events: Schema.optional(Schema.Array(FollowEvent)),
  block_events: Schema.optional(Schema.Array(BlockEvent)),
  mute_events: Schema.optional(Schema.Array(MuteEvent)),
  user_event: Schema.optional(UserEvent),
  direct_message_events: Schema.optional(Schema.Array(DirectMessageEvent)),
  direct_message_indicate_typing_events: Schema.optional(Schema.Array(TypingEvent)),
  direct_message_mark_read_events: Schema.optional(Schema.Array(MarkReadEvent)),
  tweet_delete_events: Schema.optional(Schema.Array(TweetDeleteEvent)),
  replay_job_status: Schema.optional(ReplayJobStatus),
  users: Schema.optional(Schema.Record({ key: Schema.String, value: CondensedUser })),
  apps: Schema.optional(Schema.Record({ key: Schema.String, value: App })),
  meta: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
/**
 * @since 0.1.0
 * @category envelope
 */
export type Envelope = typeof Envelope.Type
/**
 * @since 0.1.0
 * @category envelope
 */
export type EnvelopeEncoded = typeof Envelope.Encoded
