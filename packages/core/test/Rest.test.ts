import { assert, describe, it } from "@effect/vitest"
import { DateTime, Either, FastCheck, Option, Redacted, Schema } from "effect"
import * as Rest from "../src/Rest.js"
import { assertRoundTrips, fixture } from "./fixtures/rest/support.js"

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown): A => Schema.decodeUnknownSync(schema)(input)
const utc = (iso: string) => DateTime.unsafeMake(iso)

describe("Rest: documented bodies decode", () => {
  it("POST account_activity/webhooks.json 200", () => {
    const webhook = decode(Rest.Webhook, fixture("v1-webhook-create-200.json"))
    assert.deepStrictEqual(webhook, {
      id: "1234567890",
      url: "https://your_domain.com/webhook/twitter/0",
      valid: true,
      created_at: "2016-06-02T23:54:02Z"
    } as Rest.Webhook)
    assert.deepStrictEqual(Rest.webhookCreatedAt(webhook), Option.some(utc("2016-06-02T23:54:02Z")))
  })

  it("GET account_activity/webhooks.json 200", () => {
    const list = decode(Rest.WebhookList, fixture("v1-webhooks-list-200.json"))
    assert.deepStrictEqual(
      list.map((webhook) => [webhook.id, webhook.url, webhook.valid, webhook.created_at]),
      [
        ["1234567890", "https://your_domain.com/webhook/twitter/0", true, "2016-06-02T23:54:02Z"],
        ["2468013579", "https://your_domain2.com/webhook/twitter/0", true, "2016-06-04T22:31:29Z"]
      ]
    )
  })

  it("GET account_activity/subscriptions/count.json 200 keeps strings and reads numbers", () => {
    const body = fixture("v1-subscriptions-count-200.json")
    const count = decode(Rest.SubscriptionsCount, body)
    assert.deepStrictEqual(count, body as Rest.SubscriptionsCount)
    const numbers = { accountName: "my-account", all: 1, directMessages: 0, provisioned: 50 }
    assert.deepStrictEqual(Rest.subscriptionsCountNumbers(count), numbers)
    assert.deepStrictEqual(decode(Rest.SubscriptionsCountNumbers, body), numbers)
    assert.deepStrictEqual(Schema.encodeSync(Rest.SubscriptionsCountNumbers)(numbers), body as Rest.SubscriptionsCount)
  })

  it("GET …/subscriptions/all/list.json 200", () => {
    const list = decode(Rest.SubscriptionsList, fixture("v1-subscriptions-list-200.json"))
    assert.strictEqual(list.webhook_id, "1234567890")
    assert.strictEqual(list.webhook_url, "https://your_domain.com/webhook/twitter/0")
    assert.strictEqual(list.application_id, "11231812")
    assert.deepStrictEqual(
      list.subscriptions.map((subscription) => subscription.user_id),
      ["20212306"]
    )
  })

  it("POST …/replay/…/subscriptions/all.json 202", () => {
    const job = decode(Rest.ReplayJobCreated, fixture("v1-replay-202.json"))
    assert.strictEqual(job.job_id, "1234567890")
    assert.strictEqual(job.created_at, "2016-06-02T23:54:02Z")
    assert.deepStrictEqual(Rest.replayJobCreatedAt(job), Option.some(utc("2016-06-02T23:54:02Z")))
  })

  it("POST oauth2/token 200 wraps the token in Redacted", () => {
    const token = decode(Rest.BearerToken, fixture("v1-oauth2-token-200.json"))
    assert.strictEqual(token.token_type, "bearer")
    assert.strictEqual(Redacted.value(token.access_token), "AAAA...%2F...%3D...")
    assert.notInclude(String(token.access_token), "AAAA")
    assert.notInclude(JSON.stringify(token), "AAAA")
    assert.deepStrictEqual(Schema.encodeSync(Rest.BearerToken)(token), {
      token_type: "bearer",
      access_token: "AAAA...%2F...%3D..."
    })
  })

  it("POST oauth2/token rejects a token type other than bearer", () => {
    assert.isTrue(
      Either.isLeft(Schema.decodeUnknownEither(Rest.BearerToken)({ token_type: "mac", access_token: "AAAA" }))
    )
  })

  it("POST oauth2/invalidate_token 200", () => {
    const invalidated = decode(Rest.InvalidatedToken, fixture("v1-oauth2-invalidate-200.json"))
    assert.strictEqual(Redacted.value(invalidated.access_token), "<token>")
  })
})

describe("Rest.Webhook: created_at or created_timestamp", () => {
  it("accepts created_timestamp and encodes created_at", () => {
    const [webhook] = decode(Rest.WebhookList, fixture("v1-webhooks-list-created-timestamp.json"))
    assert.isDefined(webhook)
    assert.strictEqual(webhook.created_at, "2016-06-02 23:54:02")
    assert.notProperty(webhook, "created_timestamp")
    const wire = Schema.encodeSync(Rest.Webhook)(webhook)
    assert.deepStrictEqual(wire, {
      id: "1234567890",
      url: "https://your_domain.com/webhook/twitter/0",
      valid: false,
      created_at: "2016-06-02 23:54:02"
    })
    assert.deepStrictEqual(Rest.webhookCreatedAt(webhook), Option.some(utc("2016-06-02T23:54:02Z")))
  })

  it("prefers created_at when both are present", () => {
    const webhook = decode(Rest.Webhook, {
      id: "1",
      url: "https://a.example/w",
      valid: true,
      created_at: "2016-06-02T23:54:02Z",
      created_timestamp: "2001-01-01 00:00:00"
    })
    assert.strictEqual(webhook.created_at, "2016-06-02T23:54:02Z")
  })

  it("rejects a webhook with neither", () => {
    const result = Schema.decodeUnknownEither(Rest.Webhook)({ id: "1", url: "https://a.example/w", valid: true })
    assert.isTrue(Either.isLeft(result))
  })

  it("rejects a numeric id", () => {
    const result = Schema.decodeUnknownEither(Rest.Webhook)({
      id: 1234567890,
      url: "https://a.example/w",
      valid: true,
      created_at: "2016-06-02T23:54:02Z"
    })
    assert.isTrue(Either.isLeft(result))
  })

  it("keeps fields it does not know, both ways", () => {
    const input = { id: "1", url: "https://a.example/w", valid: true, created_at: "2016-06-02T23:54:02Z", env: "prod" }
    const webhook = decode(Rest.Webhook, input)
    assert.propertyVal(webhook, "env", "prod")
    assert.deepStrictEqual(Schema.encodeSync(Rest.Webhook)(webhook) as unknown, input)
  })

  it("reads the creation time in every known form", () => {
    const at = (created_at: string) => Rest.webhookCreatedAt({ created_at })
    assert.deepStrictEqual(at("2025-01-15T12:00:00.000Z"), Option.some(utc("2025-01-15T12:00:00.000Z")))
    assert.deepStrictEqual(at("2025-01-15T14:00:00+02:00"), Option.some(utc("2025-01-15T12:00:00.000Z")))
    assert.deepStrictEqual(at("1464911642000"), Option.some(utc("2016-06-02T23:54:02Z")))
    assert.deepStrictEqual(at("2016-02-30 10:00:00"), Option.none())
    assert.deepStrictEqual(at("yesterday"), Option.none())
  })
})

describe("Rest.SubscriptionsCount", () => {
  it("rejects a count that is not a digit string", () => {
    for (const provisioned_count of ["fifty", "-1", "", 50]) {
      const result = Schema.decodeUnknownEither(Rest.SubscriptionsCount)({
        account_name: "a",
        subscriptions_count_all: "1",
        subscriptions_count_direct_messages: "0",
        provisioned_count
      })
      assert.isTrue(Either.isLeft(result), `accepted ${JSON.stringify(provisioned_count)}`)
    }
  })
})

describe("Rest.ReplayDate", () => {
  it("decodes yyyymmddhhmm as a UTC minute", () => {
    assert.deepStrictEqual(decode(Rest.ReplayDate, "202406011230"), utc("2024-06-01T12:30:00Z"))
    assert.deepStrictEqual(decode(Rest.ReplayDate, "202402292359"), utc("2024-02-29T23:59:00Z"))
    assert.deepStrictEqual(decode(Rest.ReplayDate, "197001010000"), utc("1970-01-01T00:00:00Z"))
  })

  it("encodes a UTC minute as yyyymmddhhmm", () => {
    assert.strictEqual(Schema.encodeSync(Rest.ReplayDate)(utc("2016-06-02T23:54:00Z")), "201606022354")
    assert.strictEqual(Schema.encodeSync(Rest.ReplayDate)(utc("2024-01-05T03:07:00Z")), "202401050307")
  })

  it("rejects every malformed date", () => {
    const bad = [
      "",
      "20240601123",
      "2024060112300",
      "2024-06-01T12:30",
      "2024060112:3",
      "20240601123a",
      " 202406011230",
      "202406011230 ",
      "２０２４０６０１１２３０",
      "202413011230",
      "202400011230",
      "202406001230",
      "202402301230",
      "202302291230",
      "202406012430",
      "202406011260",
      "196912312359"
    ]
    for (const input of bad) {
      const result = Schema.decodeUnknownEither(Rest.ReplayDate)(input)
      assert.isTrue(Either.isLeft(result), `accepted ${JSON.stringify(input)}`)
      assert.isTrue(Option.isNone(Rest.parseReplayDate(input)))
    }
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Rest.ReplayDate)(202406011230)))
  })

  it("refuses to encode seconds; formatReplayDate floors them", () => {
    const withSeconds = utc("2024-06-01T12:30:59.999Z")
    assert.isTrue(Either.isLeft(Schema.encodeEither(Rest.ReplayDate)(withSeconds)))
    assert.strictEqual(Rest.formatReplayDate(withSeconds), "202406011230")
    assert.deepStrictEqual(Rest.floorToMinute(withSeconds), utc("2024-06-01T12:30:00Z"))
  })

  it("formats in UTC whatever the zone", () => {
    const zoned = DateTime.unsafeMakeZoned(utc("2024-06-01T23:30:00Z"), { timeZone: "Asia/Tokyo" })
    assert.strictEqual(Rest.formatReplayDate(zoned), "202406012330")
  })

  it("parse ∘ format is floorToMinute", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (millis) => {
        const dateTime = DateTime.unsafeMake(millis)
        const text = Rest.formatReplayDate(dateTime)
        assert.match(text, /^[0-9]{12}$/)
        assert.deepStrictEqual(Rest.parseReplayDate(text), Option.some(Rest.floorToMinute(dateTime)))
      }),
      { numRuns: 500 }
    )
  })

  it("format ∘ parse is the identity on every date it accepts", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.stringMatching(/^[0-9]{12}$/), (text) => {
        Option.match(Rest.parseReplayDate(text), {
          onNone: () => undefined,
          onSome: (dateTime) => assert.strictEqual(Rest.formatReplayDate(dateTime), text)
        })
      }),
      { numRuns: 500 }
    )
  })

  it("decodes the replay query", () => {
    const query = decode(Rest.ReplayQuery, { from_date: "202406011200", to_date: "202406011400" })
    assert.deepStrictEqual(query, { from_date: utc("2024-06-01T12:00:00Z"), to_date: utc("2024-06-01T14:00:00Z") })
  })
})

describe("Rest: every wire schema round-trips", () => {
  const schemas = {
    Webhook: Rest.Webhook,
    WebhookList: Rest.WebhookList,
    RegisterWebhookQuery: Rest.RegisterWebhookQuery,
    CountString: Rest.CountString,
    SubscriptionsCount: Rest.SubscriptionsCount,
    SubscriptionsCountNumbers: Rest.SubscriptionsCountNumbers,
    Subscription: Rest.Subscription,
    SubscriptionsList: Rest.SubscriptionsList,
    ReplayDate: Rest.ReplayDate,
    ReplayQuery: Rest.ReplayQuery,
    ReplayJobCreated: Rest.ReplayJobCreated,
    TokenRequest: Rest.TokenRequest,
    BearerToken: Rest.BearerToken,
    InvalidatedToken: Rest.InvalidatedToken
  }
  for (const [name, schema] of Object.entries(schemas)) {
    it(name, () => assertRoundTrips(schema as Schema.Schema<unknown, unknown>))
  }
})
