import { ActivityEvent } from "@account-activity/core"
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import * as Format from "../src/internal/format.js"
import { bodies, decode, samples } from "./fixtures/deliveries.js"

// What each delivery of the fixtures summarises to (text shortened at 80 characters).
const expectedSummaries: Record<string, string> = {
  "Tweet-by":
    '@XDevelopers tweeted 1559898213547626496: "¿Alguien más probando los webhooks hoy? https://t.co/9LhE6edYBx"',
  TweetDelete: "tweet 1559898213547626496 by user 2244994945 was deleted",
  "Mention-of": '@zoe_builds mentioned user 2244994945 in 1559898716864106496: "@XDevelopers merci, c\'est réglé !"',
  "Reply-by":
    '@XDevelopers replied to @kenji_tanaka (1559898716864106498) with 1559898968522346496: "@kenji_tanaka is the webhook up?"',
  "Reply-of":
    '@kenji_tanaka replied to @XDevelopers (1559898968522346496) with 1559899220180586496: "@XDevelopers did you try a PUT to re-run the CRC?"',
  "Retweet-by": "@XDevelopers retweeted @zoe_builds's 1559898716864106496: \"@XDevelopers merci, c'est réglé !\"",
  "Retweet-of": '@zoe_builds retweeted @XDevelopers\'s 1559898968522346496: "@kenji_tanaka is the webhook up?"',
  "QuoteTweet-by":
    '@XDevelopers quoted @kenji_tanaka\'s 1559898716864106498 in 1559899975155306496: "Exactement ça 👇 https://t.co/v387iYOlD2"',
  "QuoteTweet-of":
    '@b_user quoted @XDevelopers\'s 1559899975155306496 in 1559900226813546496: "This, a thousand times https://t.co/d87T3iykqp"',
  "RetweetOfQuote-by":
    '@XDevelopers retweeted @furiouscamper\'s quote 1559900226813546498: "Genau so 👍 https://t.co/qmYNZmnTmR"',
  "RetweetOfQuote-of":
    '@furiouscamper retweeted @XDevelopers\'s quote 1559900478471786498: "Exactement ça 👇 https://t.co/IS0YjILnnU"',
  "Like-by": '@XDevelopers liked @kenji_tanaka\'s 1559898716864106498: "Привет из Москвы, всё работает"',
  "Like-of": '@kenji_tanaka liked @XDevelopers\'s 1559898968522346496: "@kenji_tanaka is the webhook up?"',
  "Follow-by": "@XDevelopers followed @furiouscamper",
  "Follow-of": "@furiouscamper followed @XDevelopers",
  "Unfollow-by": "@XDevelopers unfollowed @zoe_builds",
  "Unfollow-of": "@b_user unfollowed @XDevelopers",
  "Block-by": "@XDevelopers blocked @furiouscamper",
  "Block-of": "@zoe_builds blocked @XDevelopers",
  "Unblock-by": "@XDevelopers unblocked @b_user",
  "Unblock-of": "@kenji_tanaka unblocked @XDevelopers",
  "Mute-by": "@XDevelopers muted @b_user",
  "Mute-of": "@kenji_tanaka muted @XDevelopers",
  "Unmute-by": "@XDevelopers unmuted @b_user",
  "Unmute-of": "@furiouscamper unmuted @XDevelopers",
  DirectMessageSent: 'DM 1559904505003626496 to @kenji_tanaka via SupportDeskApp: "Hi! Is support open today?"',
  DirectMessageReceived:
    'DM 1559904756661866496 from @kenji_tanaka: "See https://example.com/status/incidents for the details"',
  TypingIndicator: "@kenji_tanaka is typing to @XDevelopers",
  ReadReceipt: "@zoe_builds read the conversation up to DM 1559905008320106497",
  SubscriptionRevoke: "user 2244994945 revoked app 13090192: X deleted the subscription",
  "ReplayJobStatus-Complete":
    "replay job 1582512345678901234 of webhook 1234567890123456789: Complete (Job completed successfully)",
  "ReplayJobStatus-Incomplete":
    "replay job 1582512345678901235 of webhook 1234567890123456789: Incomplete (Job failed to deliver all events, please retry your replay job)",
  "Unknown-array": '[unknown] poll_vote_events[0]: {"poll_id":"1559900000000000000","choice":"Tabs"}',
  "Unknown-object": '[unknown] space_events: {"state":"started","space_id":"1YqJDqWqVvXJV"}'
}

const ESC = "\u001b"
const stripAnsi = (line: string) => line.replace(new RegExp(`${ESC}\\[[0-9;]*m`, "g"), "")
const isOneLine = (line: string) => !/[\r\n\u2028\u2029]/.test(line)
const plain = { color: false, maxTextLength: 80 } as const
const decodeEvent = Schema.decodeUnknownSync(ActivityEvent.ActivityEvent)
const encodeEvent = Schema.encodeSync(ActivityEvent.ActivityEvent)

/** A decoded event of one fixture body, with `transform` applied to the body first. */
const eventOf = (name: string, transform: (body: string) => string = (body) => body) =>
  decode(transform(bodies[name]!))[0]!

describe("the fixtures", () => {
  it("cover all 21 tags", () => {
    assert.deepStrictEqual(new Set(samples.map((sample) => sample.event._tag)), new Set(ActivityEvent.tags))
    assert.strictEqual(ActivityEvent.tags.length, 21)
  })
})

describe("pretty", () => {
  for (const { name, event } of samples) {
    it(`${name}: one line with time, kind, user, direction and summary`, () => {
      const line = Format.pretty(event, plain)
      assert.isTrue(isOneLine(line), line)
      assert.notInclude(line, ESC)
      const time = event.timestampMs === undefined ? "-" : new Date(event.timestampMs).toISOString()
      const direction = "direction" in event ? event.direction : "-"
      const columns = line.split(/ +/)
      assert.deepStrictEqual(columns.slice(0, 4), [time, event._tag, event.forUserId ?? "-", direction])
      assert.isTrue(
        line.endsWith(` ${expectedSummaries[name]}`),
        `${line}\n  should end with ${expectedSummaries[name]}`
      )
      assert.strictEqual(Format.summary(event, 80), expectedSummaries[name])
    })
  }

  it("aligns the columns", () => {
    const starts = samples.map(({ event }) => Format.pretty(event, plain).indexOf(Format.summary(event, 80)))
    assert.deepStrictEqual(new Set(starts), new Set([24 + 1 + 21 + 1 + 19 + 1 + 2 + 1]))
  })

  it("with color, wraps the columns in ANSI codes and says the same thing", () => {
    for (const { event } of samples) {
      const colored = Format.pretty(event, { ...plain, color: true })
      assert.include(colored, `${ESC}[`)
      assert.strictEqual(stripAnsi(colored), Format.pretty(event, plain))
    }
  })

  it("marks unknown activities, in red when colored", () => {
    const unknown = eventOf("Unknown-array")
    assert.include(Format.pretty(unknown, plain), "[unknown] poll_vote_events[0]")
    assert.include(Format.pretty(unknown, { ...plain, color: true }), `${ESC}[1;31mUnknown${ESC}[0m`)
    const incomplete = Format.pretty(eventOf("ReplayJobStatus-Incomplete"), { ...plain, color: true })
    assert.include(incomplete, `${ESC}[33mReplayJobStatus${ESC}[0m`)
  })

  it("shortens long texts to maxTextLength characters", () => {
    const long = "a".repeat(300)
    const event = eventOf("DirectMessageReceived", (body) =>
      body.replace("See https:\\/\\/example.com\\/status\\/incidents for the details", long)
    )
    const line = Format.pretty(event, { color: false, maxTextLength: 40 })
    assert.include(line, `: "${"a".repeat(39)}…"`)
    assert.notInclude(line, "a".repeat(40))
  })

  it("keeps a Tweet full of newlines, escapes and bidi overrides on one inert line", () => {
    const hostile = "first\\nsecond\\r\\n\\u001b[31mred\\u001b[0m\\u2028third\\u202eevil\\ttab"
    const event = eventOf("Mention-of", (body) =>
      body.replace("@XDevelopers merci, c'est r\\u00e9gl\\u00e9 !", hostile)
    )
    assert.include((event as ActivityEvent.Mention).text, "\n")
    const line = Format.pretty(event, plain)
    assert.isTrue(isOneLine(line))
    assert.notInclude(line, ESC)
    assert.notInclude(line, "\u202e")
    assert.include(line, `"first second [31mred [0m third evil tab"`)
    const colored = Format.pretty(event, { ...plain, color: true })
    assert.strictEqual(colored.split(ESC).length - 1, 6, "only the plugin's own colour codes")
  })

  it("marks mentions from users the subscribed user blocked", () => {
    const event = eventOf("Mention-of", (body) =>
      body.replace('"user_has_blocked":"false"', '"user_has_blocked":"true"')
    )
    assert.isTrue(Format.summary(event, 80).endsWith(" [user_has_blocked]"))
  })
})

describe("shorten", () => {
  it("collapses whitespace, cuts with an ellipsis, never splits a character", () => {
    assert.strictEqual(Format.shorten("  a \n\t b  ", 10), "a b")
    assert.strictEqual(Format.shorten("abcdef", 4), "abc…")
    assert.strictEqual(Format.shorten("abcd", 4), "abcd")
    assert.strictEqual(Format.shorten("👍👍👍👍👍", 3), "👍👍…")
  })
})

describe("json", () => {
  for (const { name, event } of samples) {
    it(`${name}: parses back with the identity key, and its event decodes to the same event`, () => {
      const text = Format.json(event, Date.UTC(2022, 7, 17, 15))
      assert.isTrue(isOneLine(text))
      const line = JSON.parse(text)
      assert.strictEqual(line.tag, event._tag)
      assert.strictEqual(line.identityKey, event.identityKey)
      assert.strictEqual(line.forUserId, event.forUserId)
      assert.strictEqual(line.timestampMs, event.timestampMs)
      assert.strictEqual(
        line.time,
        event.timestampMs === undefined ? undefined : new Date(event.timestampMs).toISOString()
      )
      assert.strictEqual(line.direction, "direction" in event ? event.direction : undefined)
      assert.strictEqual(line.loggedAt, "2022-08-17T15:00:00.000Z")
      assert.notProperty(line, "encoded")
      const decoded = decodeEvent(line.event)
      assert.strictEqual(decoded._tag, event._tag)
      assert.strictEqual(decoded.identityKey, event.identityKey)
      assert.deepStrictEqual(encodeEvent(decoded), encodeEvent(event))
    })
  }
})

describe("odd payloads", () => {
  const cyclic: Record<string, unknown> = { big: 12345678901234567890n, when: new Date(Number.NaN) }
  cyclic.self = cyclic
  const throwing = Object.defineProperty({ _tag: "Tweet", identityKey: "k" }, "payload", {
    enumerable: true,
    get() {
      throw new Error("boom")
    }
  })
  const odd: ReadonlyArray<unknown> = [
    {},
    { _tag: "Tweet" },
    { _tag: "Tweet", payload: null, timestampMs: Number.NaN, forUserId: 42 },
    { _tag: "Mention", payload: { user: "nobody", text: 7 }, timestampMs: 1e20, direction: { by: true } },
    { _tag: "Reply", payload: { user: [], in_reply_to_screen_name: "\u001b]0;pwned\u0007" } },
    { _tag: "Retweet", payload: { retweeted_status: 5 } },
    { _tag: "QuoteTweet", payload: { quoted_status: null } },
    { _tag: "Like", payload: { user: 42, favorited_status: "x" } },
    { _tag: "Follow", payload: { source: null, target: { id: 3n } } },
    { _tag: "DirectMessageReceived", payload: { message_create: { message_data: { text: 5 } } }, users: null },
    { _tag: "DirectMessageSent", payload: { id: [], message_create: { source_app_id: "1" } }, apps: { 1: null } },
    { _tag: "TypingIndicator", payload: "typing" },
    { _tag: "ReadReceipt", payload: { sender_id: Symbol("s") } },
    { _tag: "SubscriptionRevoke", payload: { source: 1, target: [] } },
    { _tag: "ReplayJobStatus", payload: { job_state: { nested: true } } },
    { _tag: "Unknown", key: 3, index: -1, value: cyclic },
    { _tag: "Unknown", value: () => 1 },
    { _tag: "Mars", identityKey: "mars:1", value: cyclic },
    { _tag: Symbol("tag") },
    throwing,
    new Proxy(
      {},
      {
        get() {
          throw new Error("trap")
        },
        ownKeys() {
          throw new Error("trap")
        }
      }
    )
  ]

  it("never throw, and give one line of text and one line of JSON", () => {
    for (const value of odd) {
      const event = value as ActivityEvent.ActivityEvent
      for (const color of [false, true]) {
        const line = Format.pretty(event, { color, maxTextLength: 20 })
        assert.isString(line)
        assert.isTrue(isOneLine(line), line)
      }
      const text = Format.json(event, 0)
      assert.isTrue(isOneLine(text), text)
      const parsed = JSON.parse(text)
      assert.isObject(parsed)
    }
  })

  it("keep what can be kept: bigints as digits, cycles marked, hand-built events flagged as not encoded", () => {
    const unknown = JSON.parse(Format.json({ _tag: "Unknown", identityKey: "u", key: "x", value: cyclic } as never, 0))
    assert.strictEqual(unknown.tag, "Unknown")
    assert.deepStrictEqual(unknown.event.value, { big: "12345678901234567890", when: null, self: "[Circular]" })
    const broken = JSON.parse(Format.json({ _tag: "Tweet", identityKey: "t", payload: { id: 1n } } as never, 0))
    assert.strictEqual(broken.encoded, false)
    assert.deepStrictEqual(broken.event, { _tag: "Tweet", identityKey: "t", payload: { id: "1" } })
    const pretty = Format.pretty({ _tag: "Tweet", payload: null, timestampMs: 1e20 } as never, plain)
    assert.isTrue(pretty.startsWith("- "), pretty)
    assert.include(pretty, "Tweet")
  })

  it("never throw on any event the schema can produce", () => {
    const arbitrary = Arbitrary.make(ActivityEvent.ActivityEvent)
    fc.assert(
      fc.property(arbitrary, fc.integer({ min: 8, max: 200 }), (event, maxTextLength) => {
        const line = Format.pretty(event, { color: false, maxTextLength })
        const parsed = JSON.parse(Format.json(event, 0))
        return (
          isOneLine(line) &&
          line.includes(event._tag) &&
          parsed.tag === event._tag &&
          parsed.identityKey === event.identityKey &&
          parsed.event._tag === event._tag
        )
      }),
      { numRuns: 200 }
    )
  })
})
