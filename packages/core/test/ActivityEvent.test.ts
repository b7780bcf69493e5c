import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as fc from "fast-check"
import * as ActivityEvent from "../src/ActivityEvent.js"
import { decodeDelivery } from "../src/index.js"
import { fixture, fixtureNames } from "./fixtures/delivery/load.js"

const U = "2244994945" // the subscribed user
const O = "3001969357" // someone else
const T = "783214" // a third user

const decode = (body: string) => Effect.runSync(decodeDelivery(body))
const only = (body: string): ActivityEvent.ActivityEvent => {
  const events = decode(body)
  assert.strictEqual(events.length, 1)
  return events[0]!
}

const user = (id: string) => `{"id":${id},"id_str":"${id}","name":"n${id}","screen_name":"s${id}"}`
const actionUser = (id: string) => `{"id":"${id}","name":"n${id}","screen_name":"s${id}"}`

interface TweetSpec {
  readonly id?: string
  readonly author: string
  readonly replyTo?: string
  readonly quote?: TweetSpec | true
  readonly retweet?: TweetSpec
  readonly text?: string
  readonly fullText?: string
}

const tweetJson = (spec: TweetSpec): string => {
  const id = spec.id ?? "1556886030274000000"
  const fields = [
    `"created_at":"Wed Aug 17 13:40:30 +0000 2022"`,
    `"id":${id}`,
    `"id_str":"${id}"`,
    `"text":${JSON.stringify(spec.text ?? "hello")}`,
    `"user":${user(spec.author)}`,
    `"timestamp_ms":"1660743630274"`
  ]
  if (spec.replyTo !== undefined) {
    fields.push(`"in_reply_to_status_id_str":"1556886030274000999"`, `"in_reply_to_user_id_str":"${spec.replyTo}"`)
  } else {
    fields.push(`"in_reply_to_status_id_str":null`)
  }
  if (spec.quote === true) fields.push(`"is_quote_status":true`)
  else if (spec.quote !== undefined) fields.push(`"is_quote_status":true`, `"quoted_status":${tweetJson(spec.quote)}`)
  else fields.push(`"is_quote_status":false`)
  if (spec.retweet !== undefined) fields.push(`"retweeted_status":${tweetJson(spec.retweet)}`)
  if (spec.fullText !== undefined)
    fields.push(`"truncated":true,"extended_tweet":{"full_text":${JSON.stringify(spec.fullText)}}`)
  return `{${fields.join(",")}}`
}

const tweetBody = (forUser: string, spec: TweetSpec) =>
  `{"for_user_id":"${forUser}","tweet_create_events":[${tweetJson(spec)}]}`

const actionBody = (forUser: string, key: string, type: string, source: string, target: string) =>
  `{"for_user_id":"${forUser}","${key}":[{"type":"${type}","created_timestamp":"1660745500123","source":${actionUser(source)},"target":${actionUser(target)}}]}`

const likeBody = (forUser: string, liker: string, author: string) =>
  `{"for_user_id":"${forUser}","favorite_events":[{"id":"a7ba59eab0bfcba386f7acedac279542","created_at":"Wed Aug 17 14:10:02 +0000 2022","timestamp_ms":1660745402140,"favorited_status":${tweetJson({ author })},"user":${user(liker)}}]}`

const dmBody = (forUser: string, sender: string, recipient: string) =>
  `{"for_user_id":"${forUser}","direct_message_events":[{"type":"message_create","id":"1559542315127390212","created_timestamp":"1660746060557","message_create":{"target":{"recipient_id":"${recipient}"},"sender_id":"${sender}","source_app_id":"13090192","message_data":{"text":"hi there"}}}],"apps":{"13090192":{"id":"13090192","name":"Desk","url":"https://example.com"}},"users":{"${sender}":{"id":"${sender}","name":"S","screen_name":"sender"},"${recipient}":{"id":"${recipient}","name":"R","screen_name":"recipient"}}}`

const direction = (event: ActivityEvent.ActivityEvent) => ("direction" in event ? event.direction : undefined)

describe("classification of the 19 activity kinds", () => {
  const cases: ReadonlyArray<readonly [string, string, ActivityEvent.Tag, "by" | "of" | undefined]> = [
    ["Tweet by user", tweetBody(U, { author: U }), "Tweet", "by"],
    ["@mention of user", tweetBody(U, { author: O, text: "@s2244994945 hi" }), "Mention", "of"],
    ["Reply from user", tweetBody(U, { author: U, replyTo: O }), "Reply", "by"],
    ["Reply to user", tweetBody(U, { author: O, replyTo: U }), "Reply", "of"],
    ["Retweet by user", tweetBody(U, { author: U, retweet: { author: O } }), "Retweet", "by"],
    ["Retweet of user", tweetBody(U, { author: O, retweet: { author: U } }), "Retweet", "of"],
    ["Quote Tweet by user", tweetBody(U, { author: U, quote: { author: O } }), "QuoteTweet", "by"],
    ["Quote Tweet of user", tweetBody(U, { author: O, quote: { author: U } }), "QuoteTweet", "of"],
    ["Quote Tweet flagged only", tweetBody(U, { author: O, quote: true }), "QuoteTweet", "of"],
    [
      "Retweet of a Quote Tweet by user",
      tweetBody(U, { author: U, retweet: { author: O, quote: { author: T } } }),
      "RetweetOfQuote",
      "by"
    ],
    [
      "Retweet of a Quote Tweet of user",
      tweetBody(U, { author: O, retweet: { author: T, quote: { author: U } } }),
      "RetweetOfQuote",
      "of"
    ],
    [
      "Retweet of a flagged Quote Tweet",
      tweetBody(U, { author: O, retweet: { author: U, quote: true } }),
      "RetweetOfQuote",
      "of"
    ],
    ["Like by user", likeBody(U, U, O), "Like", "by"],
    ["Like of user", likeBody(U, O, U), "Like", "of"],
    ["Follow by user", actionBody(U, "follow_events", "follow", U, O), "Follow", "by"],
    ["Follow of user", actionBody(U, "follow_events", "follow", O, U), "Follow", "of"],
    ["Unfollow by user", actionBody(U, "follow_events", "unfollow", U, O), "Unfollow", "by"],
    ["Unfollow of user", actionBody(U, "follow_events", "unfollow", O, U), "Unfollow", "of"],
    ["Block by user", actionBody(U, "block_events", "block", U, O), "Block", "by"],
    ["Block of user", actionBody(U, "block_events", "block", O, U), "Block", "of"],
    ["Unblock by user", actionBody(U, "block_events", "unblock", U, O), "Unblock", "by"],
    ["Unblock of user", actionBody(U, "block_events", "unblock", O, U), "Unblock", "of"],
    ["Mute by user", actionBody(U, "mute_events", "mute", U, O), "Mute", "by"],
    ["Mute of user", actionBody(U, "mute_events", "mute", O, U), "Mute", "of"],
    ["Unmute by user", actionBody(U, "mute_events", "unmute", U, O), "Unmute", "by"],
    ["Unmute of user", actionBody(U, "mute_events", "unmute", O, U), "Unmute", "of"],
    ["DM sent", dmBody(U, U, O), "DirectMessageSent", undefined],
    ["DM received", dmBody(U, O, U), "DirectMessageReceived", undefined],
    ["Typing indicator", fixture("typing"), "TypingIndicator", undefined],
    ["Read receipt", fixture("mark-read"), "ReadReceipt", undefined],
    ["Subscription revoke", fixture("user-event-revoke"), "SubscriptionRevoke", undefined],
    ["Tweet delete", fixture("tweet-delete"), "TweetDelete", undefined],
    ["Replay job status", fixture("replay-job-complete"), "ReplayJobStatus", undefined],
    ["Unknown", `{"for_user_id":"${U}","poll_vote_events":[{"id":"1"}]}`, "Unknown", undefined]
  ]

  for (const [name, body, tag, dir] of cases) {
    it(`${name} → ${tag}${dir === undefined ? "" : ` (${dir})`}`, () => {
      const event = only(body)
      assert.strictEqual(event._tag, tag)
      assert.strictEqual(direction(event), dir)
    })
  }

  it("covers every tag", () => {
    assert.deepStrictEqual(new Set(cases.map(([, , tag]) => tag)), new Set(ActivityEvent.tags))
    assert.strictEqual(ActivityEvent.tags.length, 21)
  })
})

describe("accessors", () => {
  it("reads the full text of longform Tweets and the text of retweeted ones", () => {
    const longform = only(tweetBody(U, { author: U, text: "short…", fullText: "a much longer text" }))
    assert(longform._tag === "Tweet")
    assert.strictEqual(longform.text, "a much longer text")
    assert.strictEqual(longform.authorId, U)
    assert.strictEqual(longform.author.screen_name, `s${U}`)
    assert.strictEqual(longform.timestamp.epochMillis, 1660743630274)

    const retweet = only(
      tweetBody(U, { id: "1556886030274000111", author: O, retweet: { author: U, text: "original" } })
    )
    assert(retweet._tag === "Retweet")
    assert.strictEqual(retweet.text, "original")
    assert.strictEqual(retweet.tweetId, "1556886030274000111")
    assert.strictEqual(retweet.retweeted?.user.id_str, U)

    const rq = only(tweetBody(U, { author: O, retweet: { author: T, quote: { author: U, text: "quoted" } } }))
    assert(rq._tag === "RetweetOfQuote")
    assert.strictEqual(rq.quoted?.text, "quoted")
  })

  it("reads Direct Message parties, users and app", () => {
    const sent = only(dmBody(U, U, O))
    assert(sent._tag === "DirectMessageSent")
    assert.strictEqual(sent.text, "hi there")
    assert.strictEqual(sent.senderId, U)
    assert.strictEqual(sent.recipientId, O)
    assert.strictEqual(sent.sender?.screen_name, "sender")
    assert.strictEqual(sent.recipient?.screen_name, "recipient")
    assert.strictEqual(sent.app?.name, "Desk")
    assert.strictEqual(sent.messageId, "1559542315127390212")
    assert.isTrue(ActivityEvent.isDirectMessage(sent))
    assert.isFalse(ActivityEvent.isTweetCreate(sent))

    const received = only(fixture("dm-received"))
    assert(received._tag === "DirectMessageReceived")
    assert.strictEqual(received.app, undefined)
    assert.strictEqual(received.sender?.name, "Jordan Brinks")
  })

  it("reads likes, follows, read receipts and replay status", () => {
    const like = only(likeBody(U, O, U))
    assert(like._tag === "Like")
    assert.strictEqual(like.likerId, O)
    assert.strictEqual(like.tweet.user.id_str, U)
    assert.strictEqual(like.favoriteId, "a7ba59eab0bfcba386f7acedac279542")

    const follow = only(actionBody(U, "follow_events", "follow", O, U))
    assert(follow._tag === "Follow")
    assert.strictEqual(follow.sourceId, O)
    assert.strictEqual(follow.targetId, U)

    const read = only(fixture("mark-read"))
    assert(read._tag === "ReadReceipt")
    assert.strictEqual(read.lastReadEventId, "1559542499999999999")
    assert.strictEqual(read.sender?.screen_name, "furiouscamper")

    const complete = only(fixture("replay-job-complete"))
    const incomplete = only(fixture("replay-job-incomplete"))
    assert(complete._tag === "ReplayJobStatus" && incomplete._tag === "ReplayJobStatus")
    assert.isTrue(complete.isComplete)
    assert.isFalse(incomplete.isComplete)
    assert.strictEqual(complete.jobId, "1095098195724558337")
    assert.strictEqual(complete.forUserId, undefined)
    assert.strictEqual(complete.timestampMs, undefined)
  })
})

describe("identity keys", () => {
  it("are identical when the same body is decoded again", () => {
    for (const name of fixtureNames) {
      const first = decode(fixture(name)).map((event) => event.identityKey)
      const second = decode(fixture(name)).map((event) => event.identityKey)
      assert.deepStrictEqual(first, second, name)
    }
  })

  it("differ between the users of a fan-out", () => {
    // A mentions B, both subscribed: one activity, two deliveries.
    const forAuthor = only(tweetBody(O, { author: O, text: "@s2244994945 hi" }))
    const forMentioned = only(tweetBody(U, { author: O, text: "@s2244994945 hi" }))
    assert.strictEqual(forAuthor._tag, "Tweet")
    assert.strictEqual(forMentioned._tag, "Mention")
    assert.notStrictEqual(forAuthor.identityKey, forMentioned.identityKey)

    // A DM between two subscribed users.
    const forSender = only(dmBody(U, U, O))
    const forRecipient = only(dmBody(O, U, O))
    assert.strictEqual(forSender._tag, "DirectMessageSent")
    assert.strictEqual(forRecipient._tag, "DirectMessageReceived")
    assert.notStrictEqual(forSender.identityKey, forRecipient.identityKey)
  })

  it("differ for any two for_user_ids, for every fixture that has one", () => {
    const withUser = fixtureNames.filter((name) => fixture(name).includes('"for_user_id"'))
    fc.assert(
      fc.property(
        fc.constantFrom(...withUser),
        fc.bigInt({ min: 1n, max: 2n ** 63n }).map(String),
        fc.bigInt({ min: 1n, max: 2n ** 63n }).map(String),
        (name, a, b) => {
          fc.pre(a !== b)
          const body = fixture(name)
          const rebind = (id: string) => body.replace(/"for_user_id":\s*"[0-9]+"/, `"for_user_id": "${id}"`)
          const [forA] = decode(rebind(a))
          const [forB] = decode(rebind(b))
          assert.notStrictEqual(forA?.identityKey, forB?.identityKey)
        }
      ),
      { numRuns: 200 }
    )
  })
})

describe("encoding", () => {
  it("encodes every event to JSON with _tag and string ids, and decodes it back", () =>
    Effect.gen(function* () {
      for (const name of fixtureNames) {
        const events = yield* decodeDelivery(fixture(name))
        for (const event of events) {
          const encoded = yield* ActivityEvent.encode(event)
          const json = JSON.parse(JSON.stringify(encoded))
          assert.strictEqual(json._tag, event._tag)
          assert.strictEqual(json.identityKey, event.identityKey)
          const decoded = yield* ActivityEvent.decode(json)
          assert.strictEqual(decoded.constructor, event.constructor)
          assert.deepStrictEqual(yield* ActivityEvent.encode(decoded), encoded)
        }
      }
    }).pipe(Effect.runSync))

  it("keeps Tweet ids as exact strings in the JSON form", () => {
    const event = only(tweetBody(U, { id: "1556886030274000001", author: U }))
    const json = JSON.parse(JSON.stringify(Schema.encodeSync(ActivityEvent.ActivityEvent)(event)))
    assert.strictEqual(json.payload.id, "1556886030274000001")
    assert.strictEqual(json.payload.id_str, "1556886030274000001")
    assert.strictEqual(json.forUserId, U)
    assert.strictEqual(json.timestampMs, 1660743630274)
  })
})
