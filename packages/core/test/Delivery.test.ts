import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Effect, Either, FastCheck, Schema } from "effect"
import * as Delivery from "../src/Delivery.js"
import { DeliveryDecodeError, decodeDelivery } from "../src/index.js"
import * as Json from "../src/internal/json.js"

const X_DEV = "2244994945"
const JORDAN = "3001969357"

const user = (id: string, screenName: string) =>
  `{"id":${id},"id_str":"${id}","name":"${screenName}","screen_name":"${screenName}","created_at":"Fri Jan 30 18:27:49 +0000 2015"}`

const actionUser = (id: string, screenName: string) =>
  `{"id":"${id}","name":"${screenName}","screen_name":"${screenName}","profile_link_color":-1}`

const condensedUser = (id: string, screenName: string) =>
  `{"id":"${id}","created_timestamp":"1422642469000","name":"${screenName}","screen_name":"${screenName}","protected":false,"verified":false}`

const tweet = (fields: { id: string; author: string; text?: string; extra?: string }) =>
  `{"created_at":"Wed Aug 17 13:40:30 +0000 2022","id":${fields.id},"id_str":"${fields.id}","text":${JSON.stringify(fields.text ?? "hello")},"user":${user(fields.author, `u${fields.author}`)},"timestamp_ms":"1660743630274"${fields.extra ?? ""}}`

const decode = (body: string) => Effect.runSync(decodeDelivery(body))

const decodeError = (body: string): DeliveryDecodeError => {
  const result = Delivery.decodeDeliveryEither(body)
  assert(Either.isLeft(result), "expected the body to be rejected")
  assert.instanceOf(result.left, DeliveryDecodeError)
  return result.left
}

describe("decodeDelivery: realistic bodies", () => {
  it("reads escaped slashes and \\u003c escapes in a raw body", () => {
    const body = `{"for_user_id":"${X_DEV}","tweet_create_events":[{"created_at":"Wed Aug 17 13:40:30 +0000 2022","id":1556886030274000000,"id_str":"1556886030274000000","text":"see https:\\/\\/t.co\\/x \\u003c3 caf\\u00e9","source":"\\u003ca href=\\"https:\\/\\/mobile.twitter.com\\" rel=\\"nofollow\\"\\u003eTwitter Web App\\u003c\\/a\\u003e","user":${user(X_DEV, "XDevelopers")},"timestamp_ms":"1660743630274"}]}`
    assert.include(body, "https:\\/\\/t.co")
    const [event] = decode(body)
    assert(event?._tag === "Tweet")
    assert.strictEqual(event.text, "see https://t.co/x <3 café")
    assert.strictEqual(event.payload.source, '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>')
  })

  it("keeps emoji and CJK text, raw or escaped as surrogate pairs", () => {
    const body = `{"for_user_id":"${X_DEV}","direct_message_events":[{"type":"message_create","id":"1559542315127390212","created_timestamp":"1660746060557","message_create":{"target":{"recipient_id":"${X_DEV}"},"sender_id":"${JORDAN}","message_data":{"text":"こんにちは 🚀 \\ud83d\\ude00 你好","entities":{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[]}}}}],"users":{"${JORDAN}":${condensedUser(JORDAN, "furiouscamper")}}}`
    const [event] = decode(body)
    assert(event?._tag === "DirectMessageReceived")
    assert.strictEqual(event.text, "こんにちは 🚀 😀 你好")
    assert.strictEqual(event.sender?.screen_name, "furiouscamper")
    assert.strictEqual(event.recipient, undefined)
  })

  it("keeps the exact digits of 19-digit ids that JSON.parse would round", () => {
    const body = `{"for_user_id":"${X_DEV}","tweet_create_events":[${tweet({
      id: "1556886030274000001",
      author: JORDAN,
      extra: `,"is_quote_status":true,"quoted_status_id":9223372036854775807,"quoted_status_id_str":"9223372036854775807"`
    })}]}`
    assert.notStrictEqual(String(JSON.parse(body).tweet_create_events[0].id), "1556886030274000001")
    const [event] = decode(body)
    assert(event?._tag === "QuoteTweet")
    assert.strictEqual(event.payload.id, "1556886030274000001")
    assert.strictEqual(event.tweetId, "1556886030274000001")
    assert.strictEqual(event.payload.quoted_status_id, "9223372036854775807")
    assert.strictEqual(event.quotedTweetId, "9223372036854775807")
    assert.strictEqual(event.identityKey, `tweet:${X_DEV}:1556886030274000001`)
  })

  it("turns every element of every array into an event, in order", () => {
    const body = `{"for_user_id":"${X_DEV}","tweet_create_events":[${[
      tweet({ id: "1556886030274000010", author: X_DEV }),
      tweet({ id: "1556886030274000011", author: JORDAN, text: "@XDevelopers hi" }),
      tweet({
        id: "1556886030274000012",
        author: JORDAN,
        extra: `,"in_reply_to_status_id":1556886030274000010,"in_reply_to_status_id_str":"1556886030274000010"`
      })
    ].join(",")}]}`
    const events = decode(body)
    assert.deepStrictEqual(
      events.map((event) => event._tag),
      ["Tweet", "Mention", "Reply"]
    )
    assert.strictEqual(new Set(events.map((event) => event.identityKey)).size, 3)

    const follows = decode(
      `{"for_user_id":"${X_DEV}","follow_events":[${[1, 2, 3]
        .map(
          (n) =>
            `{"type":"follow","created_timestamp":"166074550012${n}","source":${actionUser(`30019693${n}0`, `f${n}`)},"target":${actionUser(X_DEV, "XDevelopers")}}`
        )
        .join(",")}]}`
    )
    assert.deepStrictEqual(
      follows.map((event) => (event._tag === "Follow" ? event.sourceId : "")),
      ["3001969310", "3001969320", "3001969330"]
    )
  })

  it("preserves unknown fields at every level and encodes them back", () => {
    const body = `{"for_user_id":"${X_DEV}","delivery_hint":{"v":2},"tweet_create_events":[${tweet({
      id: "1556886030274000020",
      author: X_DEV,
      extra: `,"edit_history_tweet_ids":["1556886030274000020"],"entities":{"hashtags":[],"brand_new":[{"x":1}]}`
    }).replace(`"screen_name":"u${X_DEV}"`, `"screen_name":"u${X_DEV}","is_blue_verified":true`)}]}`
    const raw = Json.parse(body)
    const envelope = Either.getOrThrow(Delivery.decodeEnvelope(raw))
    assert.deepStrictEqual(Either.getOrThrow(Delivery.encodeEnvelope(envelope)), raw as never)

    // Events come out in body order: the unknown key is first in this body.
    const [unknown, event] = decode(body)
    assert(event?._tag === "Tweet")
    const payload = event.payload as unknown as {
      edit_history_tweet_ids: unknown
      entities: { brand_new: unknown }
      user: { is_blue_verified: unknown }
    }
    assert.deepStrictEqual(payload.edit_history_tweet_ids, ["1556886030274000020"])
    assert.deepStrictEqual(payload.entities.brand_new, [{ x: 1 }])
    assert.strictEqual(payload.user.is_blue_verified, true)
    assert(unknown?._tag === "Unknown")
    assert.strictEqual(unknown.key, "delivery_hint")
  })

  it("turns unknown top-level keys into Unknown events, one per element", () => {
    const body = `{"for_user_id":"${X_DEV}","favorite_undo_events":[{"id":"a","timestamp_ms":"1660745402140"},{"id":"b"}],"something":"else"}`
    const events = decode(body)
    assert.strictEqual(events.length, 3)
    const [first, second, third] = events
    assert(first?._tag === "Unknown" && second?._tag === "Unknown" && third?._tag === "Unknown")
    assert.strictEqual(first.key, "favorite_undo_events")
    assert.strictEqual(first.index, 0)
    assert.deepStrictEqual(first.value, { id: "a", timestamp_ms: "1660745402140" })
    assert.strictEqual(first.timestampMs, 1660745402140)
    assert.strictEqual(first.forUserId, X_DEV)
    assert.strictEqual(second.index, 1)
    assert.strictEqual(second.timestampMs, undefined)
    assert.strictEqual(third.key, "something")
    assert.strictEqual(third.index, undefined)
    assert.match(first.identityKey, /^unknown:2244994945:favorite_undo_events:[0-9a-f]{64}$/)
    assert.notStrictEqual(first.identityKey, second.identityKey)
    // The same element hashes the same whatever its key order.
    const [reordered] = decode(
      `{"for_user_id":"${X_DEV}","favorite_undo_events":[{"timestamp_ms":"1660745402140","id":"a"}]}`
    )
    assert.strictEqual(reordered?.identityKey, first.identityKey)
  })

  it("reads user_has_blocked as a boolean or a string", () => {
    const mention = (flag: string) =>
      `{"for_user_id":"${X_DEV}",${flag}"tweet_create_events":[${tweet({ id: "1556890000000000001", author: JORDAN })}]}`
    const blocked = (flag: string) => {
      const [event] = decode(mention(flag))
      assert(event?._tag === "Mention")
      return event.userHasBlocked
    }
    assert.strictEqual(blocked(`"user_has_blocked":"false",`), false)
    assert.strictEqual(blocked(`"user_has_blocked":"true",`), true)
    assert.strictEqual(blocked(`"user_has_blocked":false,`), false)
    assert.strictEqual(blocked(`"user_has_blocked":true,`), true)
    assert.strictEqual(blocked(`"is_blocked_by":"true",`), true)
    assert.strictEqual(blocked(""), undefined)
    assert.strictEqual(decodeError(mention(`"user_has_blocked":"nope",`)).path, "$.user_has_blocked")
    const [reply] = decode(
      `{"for_user_id":"${X_DEV}","user_has_blocked":"true","tweet_create_events":[${tweet({
        id: "1556890000000000002",
        author: JORDAN,
        extra: `,"in_reply_to_status_id_str":"1556886030274000000","in_reply_to_user_id_str":"${X_DEV}"`
      })}]}`
    )
    assert(reply?._tag === "Reply")
    assert.strictEqual(reply.userHasBlocked, true)
  })

  it("accepts created_at where created_timestamp is usual, and the other way round", () => {
    const [follow] = decode(
      `{"for_user_id":"${X_DEV}","follow_events":[{"type":"follow","created_at":"Wed Aug 17 14:11:40 +0000 2022","source":${actionUser(JORDAN, "j")},"target":${actionUser(X_DEV, "x")}}]}`
    )
    assert(follow?._tag === "Follow")
    assert.strictEqual(follow.timestampMs, Date.UTC(2022, 7, 17, 14, 11, 40))

    const [like] = decode(
      `{"for_user_id":"${X_DEV}","favorite_events":[{"id":"a7ba59eab0bfcba386f7acedac279542","created_at":"Wed Aug 17 14:10:02 +0000 2022","favorited_status":${tweet({ id: "1556886030274000000", author: X_DEV })},"user":${user(JORDAN, "j")}}]}`
    )
    assert(like?._tag === "Like")
    assert.strictEqual(like.timestampMs, Date.UTC(2022, 7, 17, 14, 10, 2))
    assert.strictEqual(like.timestamp.epochMillis, like.timestampMs)

    const [withNumber] = decode(
      `{"for_user_id":"${X_DEV}","favorite_events":[{"id":"b","timestamp_ms":1660745402140,"favorited_status":${tweet({ id: "1556886030274000000", author: X_DEV })},"user":${user(JORDAN, "j")}}]}`
    )
    assert.strictEqual(withNumber?.timestampMs, 1660745402140)

    const [typing] = decode(
      `{"for_user_id":"${X_DEV}","direct_message_indicate_typing_events":[{"created_timestamp":"1660746058930","sender_id":"${JORDAN}","target":{"recipient_id":"${X_DEV}"}}],"users":{"${JORDAN}":{"id":"${JORDAN}","created_at":"Fri Jan 30 18:27:49 +0000 2015","name":"J","screen_name":"j"}}}`
    )
    assert(typing?._tag === "TypingIndicator")
    assert.strictEqual(typing.sender?.created_at, "Fri Jan 30 18:27:49 +0000 2015")

    const noTimestamp = tweet({ id: "1556886030274000000", author: X_DEV }).replace(
      `,"timestamp_ms":"1660743630274"`,
      ""
    )
    const [fromCreatedAt] = decode(`{"for_user_id":"${X_DEV}","tweet_create_events":[${noTimestamp}]}`)
    assert.strictEqual(fromCreatedAt?.timestampMs, Date.UTC(2022, 7, 17, 13, 40, 30))
  })

  it("accepts a revoke with or without for_user_id", () => {
    const revoke = `"user_event":{"revoke":{"date_time":"2022-08-17T14:20:12+00:00","target":{"app_id":"13090192"},"source":{"user_id":"${JORDAN}"}}}`
    const [without] = decode(`{${revoke}}`)
    const [withIt] = decode(`{"for_user_id":"${JORDAN}",${revoke}}`)
    assert(without?._tag === "SubscriptionRevoke" && withIt?._tag === "SubscriptionRevoke")
    assert.strictEqual(without.forUserId, JORDAN)
    assert.strictEqual(without.appId, "13090192")
    assert.strictEqual(without.identityKey, withIt.identityKey)
  })
})

describe("decodeDelivery: errors", () => {
  it("rejects a body that is not JSON with reason InvalidJson", () => {
    for (const body of ["", "{", "not json", '{"for_user_id": 1556886030274000000'] as const) {
      const error = decodeError(body)
      assert.strictEqual(error.reason, "InvalidJson")
      assert.strictEqual(error._tag, "DeliveryDecodeError")
      assert.include(error.message, "not valid JSON")
      assert.include(error.message, "raw request body")
    }
  })

  it("rejects a body with no activity with reason NoEvents", () => {
    for (const body of ["{}", `{"for_user_id":"${X_DEV}"}`, `{"for_user_id":"${X_DEV}","users":{}}`]) {
      const error = decodeError(body)
      assert.strictEqual(error.reason, "NoEvents")
      assert.include(error.message, "tweet_create_events")
    }
  })

  it("rejects JSON that is not an object", () => {
    for (const body of ["[]", "42", '"tweet_create_events"', "null"]) {
      const error = decodeError(body)
      assert.strictEqual(error.reason, "InvalidEnvelope")
      assert.strictEqual(error.path, "$")
    }
  })

  it("names the wrong field, what was expected and what kind of value was found", () => {
    const wrongId = decodeError(
      `{"for_user_id":"${X_DEV}","tweet_create_events":[${tweet({ id: "1556886030274000000", author: X_DEV })}]}`.replace(
        `"id_str":"1556886030274000000"`,
        `"id_str":155688`
      )
    )
    assert.strictEqual(wrongId.reason, "InvalidEnvelope")
    assert.strictEqual(wrongId.path, "$.tweet_create_events[0].id_str")
    assert.include(wrongId.expected, "string")
    assert.strictEqual(wrongId.actual, "a number")
    assert.include(wrongId.message, "$.tweet_create_events[0].id_str")

    const secret = "my secret message"
    const wrongDm = decodeError(
      `{"for_user_id":"${X_DEV}","direct_message_events":[{"type":"message_create","id":"1","created_timestamp":"1","message_create":{"target":{"recipient_id":"${X_DEV}"},"sender_id":${JSON.stringify(secret)},"message_data":{"text":"${secret}"}}}]}`
    )
    assert.strictEqual(wrongDm.path, "$.direct_message_events[0].message_create.sender_id")
    assert.strictEqual(wrongDm.actual, "a string")
    assert.notInclude(wrongDm.message, secret)

    const wrongType = decodeError(
      `{"for_user_id":"${X_DEV}","follow_events":[{"type":"frobnicate","created_timestamp":"1","source":${actionUser(JORDAN, "j")},"target":${actionUser(X_DEV, "x")}}]}`
    )
    assert.strictEqual(wrongType.path, "$.follow_events[0].type")
    assert.include(wrongType.expected, '"follow"')

    const missing = decodeError(
      `{"for_user_id":"${X_DEV}","tweet_delete_events":[{"status":{"id":"1"},"timestamp_ms":"1"}]}`
    )
    assert.strictEqual(missing.path, "$.tweet_delete_events[0].status.user_id")
    assert.strictEqual(missing.actual, "nothing (the field is missing)")
  })

  it("requires for_user_id where the activity belongs to a user", () => {
    const error = decodeError(`{"tweet_create_events":[${tweet({ id: "1", author: X_DEV })}]}`)
    assert.strictEqual(error.path, "$.for_user_id")
    assert.include(error.expected, "for_user_id")
  })

  it("requires a timestamp and a readable date", () => {
    const noTime = decodeError(
      `{"for_user_id":"${X_DEV}","mute_events":[{"type":"mute","source":${actionUser(X_DEV, "x")},"target":${actionUser(JORDAN, "j")}}]}`
    )
    assert.strictEqual(noTime.path, "$.mute_events[0]")
    assert.include(noTime.expected, "created_timestamp")
    const badDate = decodeError(
      `{"for_user_id":"${X_DEV}","mute_events":[{"type":"mute","created_at":"yesterday","source":${actionUser(X_DEV, "x")},"target":${actionUser(JORDAN, "j")}}]}`
    )
    assert.strictEqual(badDate.path, "$.mute_events[0].created_at")
  })

  it("never lets a __proto__ key supply undecoded fields", () => {
    const smuggled = `"__proto__":{"users":{"${JORDAN}":{"id":42}},"tweet_create_events":[{"id_str":1}]}`
    assert.strictEqual(decodeError(`{"for_user_id":"${X_DEV}",${smuggled}}`).reason, "NoEvents")
    const [event] = decode(
      `{"for_user_id":"${X_DEV}",${smuggled},"direct_message_indicate_typing_events":[{"created_timestamp":"1660746058930","sender_id":"${JORDAN}","target":{"recipient_id":"${X_DEV}"}}]}`
    )
    assert(event?._tag === "TypingIndicator")
    assert.deepStrictEqual(event.users, {})
    assert.strictEqual(event.sender, undefined)
  })

  it("is a schema error that encodes without the body", () => {
    const error = decodeError("{")
    const encoded = Schema.encodeSync(DeliveryDecodeError)(error)
    assert.strictEqual(encoded._tag, "DeliveryDecodeError")
    assert.strictEqual(encoded.reason, "InvalidJson")
  })
})

describe("wire schemas round-trip", () => {
  const schemas = {
    Tweet: Delivery.Tweet,
    User: Delivery.User,
    ActionUser: Delivery.ActionUser,
    CondensedUser: Delivery.CondensedUser,
    App: Delivery.App,
    Entities: Delivery.Entities,
    FavoriteEvent: Delivery.FavoriteEvent,
    FollowEvent: Delivery.FollowEvent,
    BlockEvent: Delivery.BlockEvent,
    MuteEvent: Delivery.MuteEvent,
    DirectMessageEvent: Delivery.DirectMessageEvent,
    TypingEvent: Delivery.TypingEvent,
    MarkReadEvent: Delivery.MarkReadEvent,
    TweetDeleteEvent: Delivery.TweetDeleteEvent,
    Revoke: Delivery.Revoke,
    UserEvent: Delivery.UserEvent,
    ReplayJobStatus: Delivery.ReplayJobStatus,
    Envelope: Delivery.Envelope
  } as const

  // Schemas that hold whole Tweets (with nested retweeted and quoted Tweets) generate large values.
  const heavy = new Set(["Tweet", "FavoriteEvent", "Envelope"])

  for (const [name, schema] of Object.entries(schemas)) {
    it(`${name}: decode(encode(a)) is a, encode(decode(e)) is e`, () => {
      const s = schema as Schema.Schema<unknown, unknown>
      const encode = Schema.encodeSync(s)
      const decode = Schema.decodeUnknownSync(s)
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(s), (value) => {
          // Records keyed "__proto__" cannot be rebuilt by any object-based decoder (the JSON parser drops
          // such keys before decoding).
          FastCheck.pre(!JSON.stringify(value).includes('"__proto__"'))
          const encoded = encode(value)
          assert.deepStrictEqual(decode(encoded), value)
          assert.deepStrictEqual(encode(decode(encoded)), encoded)
        }),
        { numRuns: heavy.has(name) ? 25 : 100 }
      )
    })
  }

  it("BooleanFromWire reads strings and writes booleans", () => {
    const decode = Schema.decodeUnknownSync(Delivery.BooleanFromWire)
    assert.strictEqual(decode("false"), false)
    assert.strictEqual(decode("true"), true)
    assert.strictEqual(decode(false), false)
    assert.strictEqual(Schema.encodeSync(Delivery.BooleanFromWire)(true), true)
    assert.throws(() => decode("False"))
  })
})
