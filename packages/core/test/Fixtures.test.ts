import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import type * as ActivityEvent from "../src/ActivityEvent.js"
import * as Delivery from "../src/Delivery.js"
import * as Json from "../src/internal/json.js"
import { fixture, fixtureNames } from "./fixtures/delivery/load.js"

interface Expected {
  readonly tag: ActivityEvent.Tag
  readonly direction?: "by" | "of"
  readonly identityKey: string
  readonly timestampMs?: number
}

// Every JSON example of spec §5 and §6.4 (and the signed bodies of §4.1), with what it must decode to.
const expectations: Record<string, Expected> = {
  "tweet-by-user": {
    tag: "Tweet",
    direction: "by",
    identityKey: "tweet:2244994945:1556886030274000000",
    timestampMs: 1660743630274
  },
  mention: {
    tag: "Mention",
    direction: "of",
    identityKey: "tweet:2244994945:1556890000000000001",
    timestampMs: 1660744576812
  },
  "reply-to-user": {
    tag: "Reply",
    direction: "of",
    identityKey: "tweet:2244994945:1556891234567890123",
    timestampMs: 1660744870555
  },
  "retweet-of-user": {
    tag: "Retweet",
    direction: "of",
    identityKey: "tweet:2244994945:1556892000000000777",
    timestampMs: 1660745053001
  },
  "quote-of-user": {
    tag: "QuoteTweet",
    direction: "of",
    identityKey: "tweet:2244994945:1556893000000000999",
    timestampMs: 1660745291442
  },
  favorite: {
    tag: "Like",
    direction: "of",
    identityKey: "favorite:2244994945:a7ba59eab0bfcba386f7acedac279542",
    timestampMs: 1660745402140
  },
  follow: {
    tag: "Follow",
    direction: "of",
    identityKey: "follow:2244994945:3001969357:2244994945:1660745500123",
    timestampMs: 1660745500123
  },
  unfollow: {
    tag: "Unfollow",
    direction: "by",
    identityKey: "unfollow:2244994945:2244994945:3001969357:1660745600456",
    timestampMs: 1660745600456
  },
  block: {
    tag: "Block",
    direction: "by",
    identityKey: "block:2244994945:2244994945:3001969357:1660745700789",
    timestampMs: 1660745700789
  },
  unblock: {
    tag: "Unblock",
    direction: "by",
    identityKey: "unblock:2244994945:2244994945:3001969357:1660745800012",
    timestampMs: 1660745800012
  },
  mute: {
    tag: "Mute",
    direction: "by",
    identityKey: "mute:2244994945:2244994945:3001969357:1660745900345",
    timestampMs: 1660745900345
  },
  unmute: {
    tag: "Unmute",
    direction: "by",
    identityKey: "unmute:2244994945:2244994945:3001969357:1660746000678",
    timestampMs: 1660746000678
  },
  "user-event-revoke": {
    tag: "SubscriptionRevoke",
    identityKey: "revoke:3001969357:13090192:1660746012000",
    timestampMs: Date.UTC(2022, 7, 17, 14, 20, 12)
  },
  "dm-received": {
    tag: "DirectMessageReceived",
    identityKey: "dm:2244994945:1559542315127390212",
    timestampMs: 1660746060557
  },
  "dm-sent-with-app": {
    tag: "DirectMessageSent",
    identityKey: "dm:2244994945:1559542499999999999",
    timestampMs: 1660746104642
  },
  "dm-quick-reply-response": {
    tag: "DirectMessageReceived",
    identityKey: "dm:2244994945:1559542600000000001",
    timestampMs: 1660746128777
  },
  typing: {
    tag: "TypingIndicator",
    identityKey: "typing:2244994945:3001969357:2244994945:1660746058930",
    timestampMs: 1660746058930
  },
  "mark-read": {
    tag: "ReadReceipt",
    identityKey: "read:2244994945:3001969357:2244994945:1559542499999999999:1660746110745",
    timestampMs: 1660746110745
  },
  "tweet-delete": {
    tag: "TweetDelete",
    identityKey: "tweet_delete:2244994945:1556886030274000000",
    timestampMs: 1660746200593
  },
  "tweet-delete-signed-app-secret": {
    tag: "TweetDelete",
    identityKey: "tweet_delete:930524282358325248:1045405559317569537",
    timestampMs: 1432228155593
  },
  "tweet-delete-signed-test-secret": {
    tag: "TweetDelete",
    identityKey: "tweet_delete:2244994945:1556886030274000000",
    timestampMs: 1660746200593
  },
  "replay-job-complete": {
    tag: "ReplayJobStatus",
    identityKey: "replay_job_status:1234577122340233217:1095098195724558337:Complete"
  },
  "replay-job-incomplete": {
    tag: "ReplayJobStatus",
    identityKey: "replay_job_status:123451374207332352:1093226942650736640:Incomplete"
  },
  "replay-job-production-log": {
    tag: "ReplayJobStatus",
    identityKey: "replay_job_status:2015725774398234625:2015966466626187265:Complete"
  }
}

describe("spec fixtures", () => {
  it("has an expectation for every fixture file and a file for every expectation", () => {
    assert.deepStrictEqual([...fixtureNames], Object.keys(expectations).sort())
  })

  for (const name of Object.keys(expectations)) {
    const expected = expectations[name]!
    it.effect(`${name} decodes to one ${expected.tag}`, () =>
      Effect.gen(function* () {
        const events = yield* Delivery.decodeDelivery(fixture(name))
        assert.strictEqual(events.length, 1)
        const event = events[0]!
        assert.strictEqual(event._tag, expected.tag)
        assert.strictEqual(event.identityKey, expected.identityKey)
        assert.strictEqual(event.timestampMs, expected.timestampMs)
        assert.strictEqual("direction" in event ? event.direction : undefined, expected.direction)
      })
    )

    it(`${name} re-encodes to the same JSON, unknown fields included`, () => {
      const raw = Json.parse(fixture(name)) as Record<string, unknown>
      const envelope = Either.getOrThrow(Delivery.decodeEnvelope(raw))
      const encoded = Either.getOrThrow(Delivery.encodeEnvelope(envelope))
      // `user_has_blocked` decodes to a boolean and is written back as one.
      const expectedJson =
        raw.user_has_blocked === undefined ? raw : { ...raw, user_has_blocked: raw.user_has_blocked === "true" }
      assert.deepStrictEqual(encoded, expectedJson)
    })
  }

  it.effect("keeps the exact digits of the 19-digit ids of the fixtures", () =>
    Effect.gen(function* () {
      const [retweet] = yield* Delivery.decodeDelivery(fixture("retweet-of-user"))
      assert(retweet?._tag === "Retweet")
      assert.strictEqual(retweet.payload.id, "1556892000000000777")
      assert.strictEqual(retweet.tweetId, "1556892000000000777")
      assert.strictEqual(retweet.retweeted?.id, "1556886030274000000")
      assert.strictEqual(retweet.payload.entities?.user_mentions?.[0]?.id, 2244994945)
      const [reply] = yield* Delivery.decodeDelivery(fixture("reply-to-user"))
      assert(reply?._tag === "Reply")
      assert.strictEqual(reply.payload.in_reply_to_status_id, "1556886030274000000")
      assert.strictEqual(reply.inReplyToTweetId, "1556886030274000000")
    })
  )
})
