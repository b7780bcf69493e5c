import { assert, describe, it } from "@effect/vitest"
import { DateTime, Either, Schema } from "effect"
import * as Rest from "../src/Rest.js"
import * as RestV2 from "../src/RestV2.js"
import { assertRoundTrips, fixture } from "./fixtures/rest/support.js"

const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown): A => Schema.decodeUnknownSync(schema)(input)

describe("RestV2: documented bodies decode", () => {
  it("POST /2/webhooks 200", () => {
    const { data } = decode(RestV2.CreateWebhookResponse, fixture("v2-webhook-create-200.json"))
    assert.deepStrictEqual(data, {
      id: "1234567890",
      url: "https://yourdomain.com/webhooks/twitter",
      valid: true,
      created_at: "2025-01-15T12:00:00.000Z"
    } as RestV2.Webhook)
  })

  it("GET /2/webhooks 200", () => {
    const list = decode(RestV2.WebhookListResponse, fixture("v2-webhooks-list-200.json"))
    assert.strictEqual(list.meta.result_count, 1)
    assert.deepStrictEqual(
      list.data.map((webhook) => webhook.id),
      ["1234567890"]
    )
  })

  it("GET /2/webhooks 200, empty", () => {
    const list = decode(RestV2.WebhookListResponse, fixture("v2-webhooks-list-empty-200.json"))
    assert.deepStrictEqual(list, { data: [], meta: { result_count: 0 } })
  })

  it("GET /2/webhooks without data decodes as an empty list and encodes data", () => {
    const list = decode(RestV2.WebhookListResponse, { meta: { result_count: 0 } })
    assert.deepStrictEqual(list.data, [])
    assert.deepStrictEqual(Schema.encodeSync(RestV2.WebhookListResponse)(list), { data: [], meta: { result_count: 0 } })
  })

  it("GET /2/webhooks with only the fields asked for", () => {
    const list = decode(RestV2.WebhookListResponse, {
      data: [{ id: "1", url: "https://a.example/w", valid: false }],
      meta: { result_count: 1 }
    })
    assert.isUndefined(list.data[0]?.created_at)
  })

  it("PUT /2/webhooks/:webhook_id 200", () => {
    assert.deepStrictEqual(decode(RestV2.ValidateWebhookResponse, fixture("v2-webhook-put-200.json")), {
      data: { valid: true }
    })
  })

  it("DELETE /2/webhooks/:webhook_id 200", () => {
    assert.deepStrictEqual(decode(RestV2.DeleteWebhookResponse, fixture("v2-webhook-delete-200.json")), {
      data: { deleted: true }
    })
  })

  it("subscribe, check and unsubscribe 200", () => {
    assert.isTrue(decode(RestV2.SubscriptionResponse, fixture("v2-subscribed-true-200.json")).data.subscribed)
    assert.isFalse(decode(RestV2.SubscriptionResponse, fixture("v2-subscribed-false-200.json")).data.subscribed)
  })

  it("GET …/subscriptions/all/list 200", () => {
    const { data } = decode(RestV2.SubscriptionsListResponse, fixture("v2-subscriptions-list-200.json"))
    assert.strictEqual(data.application_id, "11231812")
    assert.strictEqual(data.webhook_id, "1234567890")
    assert.deepStrictEqual(
      data.subscriptions.map((subscription) => subscription.user_id),
      ["20212306"]
    )
  })

  it("GET /2/account_activity/subscriptions/count 200", () => {
    const { data } = decode(RestV2.SubscriptionsCountResponse, fixture("v2-subscriptions-count-200.json"))
    assert.deepStrictEqual(Rest.subscriptionsCountNumbers(data), {
      accountName: "my-account",
      all: 1,
      directMessages: 0,
      provisioned: 50
    })
  })

  it("POST /2/webhooks/replay request", () => {
    const request = decode(RestV2.WebhookReplayRequest, fixture("v2-webhooks-replay-request.json"))
    assert.strictEqual(request.webhook_id, "1234567890")
    assert.deepStrictEqual(request.from_date, DateTime.unsafeMake("2025-12-01T12:00:00Z"))
    assert.deepStrictEqual(request.to_date, DateTime.unsafeMake("2025-12-01T13:00:00Z"))
    assert.deepStrictEqual(
      Schema.encodeSync(RestV2.WebhookReplayRequest)(request),
      fixture("v2-webhooks-replay-request.json") as typeof RestV2.WebhookReplayRequest.Encoded
    )
  })

  it("POST /2/webhooks rejects a URL over 200 characters", () => {
    const url = `https://a.example/${"x".repeat(183)}`
    assert.strictEqual(url.length, 201)
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(RestV2.CreateWebhookRequest)({ url })))
    assert.isTrue(Either.isRight(Schema.decodeUnknownEither(RestV2.CreateWebhookRequest)({ url: url.slice(1) })))
  })
})

describe("RestV2.ReplayJobCreatedResponse: the three documented shapes", () => {
  const cases = [
    ["{data: {…}}", "v2-webhooks-replay-200.json", "1995507200941260800", "2025-12-01T12:00:07.000Z"],
    ["OpenAPI, no wrapper", "v2-replay-openapi-200.json", "1915510368169844736", "2025-04-24T20:57:15.242Z"],
    ["quickstart, replay_event", "v2-replay-quickstart-200.json", "1915510368169844736", "2025-04-24T20:57:15.000Z"]
  ] as const
  for (const [name, file, job_id, created_at] of cases) {
    it(`decodes ${name} and encodes the data wrapper`, () => {
      const job = decode(RestV2.ReplayJobCreatedResponse, fixture(file))
      assert.deepStrictEqual(job, { job_id, created_at } as Rest.ReplayJobCreated)
      assert.deepStrictEqual(Schema.encodeSync(RestV2.ReplayJobCreatedResponse)(job), { data: { job_id, created_at } })
    })
  }

  it("rejects a body of none of them", () => {
    const result = Schema.decodeUnknownEither(RestV2.ReplayJobCreatedResponse)({ replay: { job_id: "1" } })
    assert.isTrue(Either.isLeft(result))
  })
})

describe("RestV2: every wire schema round-trips", () => {
  const schemas = {
    Webhook: RestV2.Webhook,
    CreateWebhookRequest: RestV2.CreateWebhookRequest,
    CreateWebhookResponse: RestV2.CreateWebhookResponse,
    WebhookListResponse: RestV2.WebhookListResponse,
    ValidateWebhookResponse: RestV2.ValidateWebhookResponse,
    DeleteWebhookResponse: RestV2.DeleteWebhookResponse,
    SubscriptionResponse: RestV2.SubscriptionResponse,
    SubscriptionsListResponse: RestV2.SubscriptionsListResponse,
    SubscriptionsCountResponse: RestV2.SubscriptionsCountResponse,
    WebhookReplayRequest: RestV2.WebhookReplayRequest,
    ReplayJobCreatedResponse: RestV2.ReplayJobCreatedResponse
  }
  for (const [name, schema] of Object.entries(schemas)) {
    it(name, () => assertRoundTrips(schema as Schema.Schema<unknown, unknown>))
  }
})
