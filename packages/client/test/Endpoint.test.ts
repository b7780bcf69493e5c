import { AuthKind, Credentials } from "@account-activity/auth"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Option } from "effect"
import * as Endpoint from "../src/Endpoint.js"
import * as RateLimit from "../src/RateLimit.js"
import { TransportError } from "../src/TransportError.js"

describe("Endpoint", () => {
  it("the 11 endpoints with the auth kind X's reference gives each", () => {
    assert.deepStrictEqual(
      Endpoint.all.map((endpoint) => [endpoint.name, endpoint.method, endpoint.auth, endpoint.success]),
      [
        ["registerWebhook", "POST", "AppOwner", 200],
        ["listWebhooks", "GET", "AppOnly", 200],
        ["validateWebhook", "PUT", "AppOwner", 204],
        ["deleteWebhook", "DELETE", "AppOwner", 204],
        ["subscribe", "POST", "User", 204],
        ["checkSubscription", "GET", "User", 204],
        ["unsubscribe", "DELETE", "User", 204],
        ["subscriptionsCount", "GET", "AppOnly", 200],
        ["listSubscriptions", "GET", "AppOnly", 200],
        ["deleteSubscription", "DELETE", "AppOnly", 204],
        ["replay", "POST", "AppOnly", 202]
      ]
    )
  })

  it("only POST register, subscribe and replay are not idempotent", () => {
    assert.deepStrictEqual(
      Endpoint.all.filter((endpoint) => !endpoint.idempotent).map((endpoint) => endpoint.name),
      ["registerWebhook", "subscribe", "replay"]
    )
  })

  it("paths are filled in and their values percent-encoded", () => {
    assert.strictEqual(
      Endpoint.path(Endpoint.Endpoints.deleteSubscription, { webhook_id: "1", user_id: "2" }),
      "/1.1/account_activity/webhooks/1/subscriptions/2/all.json"
    )
    assert.strictEqual(
      Endpoint.path(Endpoint.Endpoints.validateWebhook, { webhook_id: "../x?y" }),
      "/1.1/account_activity/webhooks/..%2Fx%3Fy.json"
    )
    assert.strictEqual(
      Endpoint.path(Endpoint.Endpoints.subscriptionsCount),
      "/1.1/account_activity/subscriptions/count.json"
    )
    assert.throws(() => Endpoint.path(Endpoint.Endpoints.replay))
  })
})

describe("RateLimit", () => {
  it("reads the three headers in any case; None when one is missing or not a number", () => {
    assert.deepStrictEqual(
      RateLimit.fromHeaders({
        "X-Rate-Limit-Limit": "15",
        "x-rate-limit-remaining": "3",
        "x-rate-limit-reset": "1700000000"
      }),
      Option.some({ limit: 15, remaining: 3, resetAt: DateTime.unsafeMake(1_700_000_000_000) })
    )
    assert.isTrue(Option.isNone(RateLimit.fromHeaders({ "x-rate-limit-limit": "15", "x-rate-limit-reset": "1" })))
    assert.isTrue(
      Option.isNone(
        RateLimit.fromHeaders({ "x-rate-limit-limit": "15", "x-rate-limit-remaining": "-1", "x-rate-limit-reset": "1" })
      )
    )
  })

  it("names auth contexts without secrets", () => {
    const tokens = Credentials.user({ accessToken: "12345-abcdef", accessTokenSecret: "secret" })
    assert.strictEqual(RateLimit.authContext(AuthKind.AppOnly), "app")
    assert.strictEqual(RateLimit.authContext(AuthKind.AppOwner), "owner")
    assert.strictEqual(RateLimit.authContext(AuthKind.User(tokens)), "user:12345")
    const opaque = RateLimit.authContext(
      AuthKind.User(Credentials.user({ accessToken: "opaque-token", accessTokenSecret: "secret" }))
    )
    assert.match(opaque, /^user:#[0-9a-f]{12}$/)
    assert.notInclude(opaque, "opaque")
  })
})

describe("TransportError", () => {
  it("says what failed and what to do", () => {
    const error = new TransportError({
      reason: "RequestFailed",
      endpoint: "registerWebhook",
      method: "POST",
      path: "/1.1/account_activity/webhooks.json",
      detail: "connect ECONNREFUSED 127.0.0.1:1"
    })
    assert.strictEqual(error._tag, "TransportError")
    assert.include(error.message, "POST /1.1/account_activity/webhooks.json")
    assert.include(error.message, "ECONNREFUSED")
    assert.include(error.message, "baseUrl")
  })
})
