import { AuthClient, AuthKind } from "@account-activity/auth"
import { ApiError, Ids } from "@account-activity/core"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Redacted } from "effect"
import * as Endpoint from "../src/Endpoint.js"
import { NOW, setup } from "./utils/harness.js"

const minutesAgo = (minutes: number) => DateTime.unsafeMake(NOW - minutes * 60_000)

describe("every endpoint against the emulator, signed with the auth it needs", () => {
  it.scoped("registerWebhook: POST with url as a query parameter, app owner's tokens; the emulator runs a CRC", () =>
    Effect.gen(function* () {
      const { client, hook, authSeen, proxy, receiver, emulator } = yield* setup()
      const url = `${hook}?a=1&b=two words`
      const webhook = yield* client.registerWebhook(url)
      assert.strictEqual(webhook.url, url)
      assert.isTrue(webhook.valid)
      assert.match(webhook.id, /^[0-9]{19}$/)
      assert.strictEqual(webhook.created_at, "2026-01-15T12:00:00Z")
      assert.deepStrictEqual(yield* authSeen("registerWebhook"), ["AppOwner"])
      const [seen] = (yield* proxy.seen).filter((entry) => entry.endpoint === "registerWebhook")
      assert.include(seen!.url, "url=http%3A%2F%2F127.0.0.1")
      assert.include(seen!.url, "%3Fa%3D1%26b%3Dtwo")
      assert.strictEqual(receiver.crcCount(), 1, "X validates the URL with a CRC before saving it")
      assert.deepStrictEqual(
        (yield* emulator.webhooks).map((saved) => saved.url),
        [url]
      )
    })
  )

  it.scoped("listWebhooks: app-only Bearer, fetched once with the client credentials and cached", () =>
    Effect.gen(function* () {
      const { client, register, invalidate, authSeen, proxy, hook } = yield* setup()
      const first = yield* register()
      const second = yield* register(`${hook}/other`)
      yield* invalidate(second)
      const webhooks = yield* client.listWebhooks
      assert.deepStrictEqual(
        webhooks.map((webhook) => [webhook.id, webhook.url, webhook.valid]),
        [
          [first, hook, true],
          [second, `${hook}/other`, false]
        ]
      )
      yield* client.listWebhooks
      assert.deepStrictEqual(yield* authSeen("listWebhooks"), ["AppOnly", "AppOnly"])
      assert.strictEqual(yield* proxy.count("token"), 1)
    })
  )

  it.scoped("validateWebhook: PUT, a CRC, 204 → void, the webhook is valid again", () =>
    Effect.gen(function* () {
      const { client, register, invalidate, authSeen, emulator } = yield* setup()
      const id = yield* register()
      yield* invalidate(id)
      assert.isFalse((yield* emulator.webhook(id)).valid)
      const result = yield* client.validateWebhook(id)
      assert.isUndefined(result)
      const webhook = yield* emulator.webhook(id)
      assert.isTrue(webhook.valid)
      assert.strictEqual(webhook.lastCrc.trigger, "put")
      assert.deepStrictEqual(yield* authSeen("validateWebhook"), ["AppOwner"])
    })
  )

  it.scoped("deleteWebhook: DELETE, app owner's tokens; its subscriptions go with it", () =>
    Effect.gen(function* () {
      const { client, register, authSeen, emulator, app, alice } = yield* setup()
      const id = yield* register()
      yield* Effect.orDie(emulator.subscribe({ appId: app.app.id, webhookId: id, userId: alice.user.id }))
      yield* client.deleteWebhook(id)
      assert.deepStrictEqual(yield* emulator.webhooks, [])
      assert.deepStrictEqual(yield* emulator.subscriptions, [])
      assert.deepStrictEqual(yield* authSeen("deleteWebhook"), ["AppOwner"])
    })
  )

  it.scoped("subscribe: POST with the subscribing user's tokens (the emulator subscribes that user)", () =>
    Effect.gen(function* () {
      const { client, register, authSeen, emulator, alice, bob } = yield* setup()
      const id = yield* register()
      yield* client.subscribe(id, alice.tokens)
      yield* client.subscribe(id, bob.tokens)
      assert.deepStrictEqual(
        (yield* emulator.subscriptions).map((subscription) => subscription.userId),
        [alice.user.id, bob.user.id]
      )
      assert.deepStrictEqual(yield* authSeen("subscribe"), [`User:${alice.user.id}`, `User:${bob.user.id}`])
    })
  )

  it.scoped("checkSubscription: 204 → true, 404 code 34 → false", () =>
    Effect.gen(function* () {
      const { client, register, authSeen, statuses, alice, bob } = yield* setup()
      const id = yield* register()
      yield* client.subscribe(id, alice.tokens)
      assert.isTrue(yield* client.checkSubscription(id, alice.tokens))
      assert.isFalse(yield* client.checkSubscription(id, bob.tokens))
      assert.deepStrictEqual(yield* authSeen("checkSubscription"), [`User:${alice.user.id}`, `User:${bob.user.id}`])
      assert.deepStrictEqual(yield* statuses("checkSubscription"), [204, 404])
    })
  )

  it.scoped("checkSubscription: an unknown webhook stays an error, it is not 'not subscribed'", () =>
    Effect.gen(function* () {
      const { client, alice } = yield* setup()
      const error = yield* Effect.flip(client.checkSubscription(Ids.WebhookId.make("42"), alice.tokens))
      assert.strictEqual(error._tag, "WebhookNotFound")
    })
  )

  it.scoped("unsubscribe (deprecated): DELETE with the user's own tokens", () =>
    Effect.gen(function* () {
      const { client, register, authSeen, emulator, alice, bob } = yield* setup()
      const id = yield* register()
      yield* client.subscribe(id, alice.tokens)
      yield* client.subscribe(id, bob.tokens)
      yield* client.unsubscribe(id, alice.tokens)
      assert.deepStrictEqual(
        (yield* emulator.subscriptions).map((subscription) => subscription.userId),
        [bob.user.id]
      )
      assert.deepStrictEqual(yield* authSeen("unsubscribe"), [`User:${alice.user.id}`])
      const again = yield* Effect.flip(client.unsubscribe(id, alice.tokens))
      assert.strictEqual(again._tag, "NotFound")
    })
  )

  it.scoped("subscriptionsCount: app-only, numbers with the raw strings kept", () =>
    Effect.gen(function* () {
      const { client, register, authSeen, alice, bob } = yield* setup()
      const id = yield* register()
      yield* client.subscribe(id, alice.tokens)
      yield* client.subscribe(id, bob.tokens)
      const count = yield* client.subscriptionsCount
      assert.deepStrictEqual(count, {
        accountName: "emulator-account",
        all: 2,
        directMessages: 0,
        provisioned: 50,
        raw: {
          account_name: "emulator-account",
          subscriptions_count_all: "2",
          subscriptions_count_direct_messages: "0",
          provisioned_count: "50"
        }
      })
      assert.deepStrictEqual(yield* authSeen("subscriptionsCount"), ["AppOnly"])
    })
  )

  it.scoped("listSubscriptions: app-only, the decoded list", () =>
    Effect.gen(function* () {
      const { client, register, authSeen, hook, app, alice } = yield* setup()
      const id = yield* register()
      yield* client.subscribe(id, alice.tokens)
      const list = yield* client.listSubscriptions(id)
      assert.deepStrictEqual(list, {
        webhook_id: id,
        webhook_url: hook,
        application_id: Ids.AppId.make(app.app.id),
        subscriptions: [{ user_id: Ids.UserId.make(alice.user.id) }]
      })
      assert.deepStrictEqual(yield* authSeen("listSubscriptions"), ["AppOnly"])
    })
  )

  it.scoped("deleteSubscription: app-only by user id; a user who is not subscribed is NotFound", () =>
    Effect.gen(function* () {
      const { client, register, authSeen, emulator, alice } = yield* setup()
      const id = yield* register()
      yield* client.subscribe(id, alice.tokens)
      yield* client.deleteSubscription(id, Ids.UserId.make(alice.user.id))
      assert.deepStrictEqual(yield* emulator.subscriptions, [])
      const error = yield* Effect.flip(client.deleteSubscription(id, Ids.UserId.make(alice.user.id)))
      assert.strictEqual(error._tag, "NotFound")
      assert.deepStrictEqual(yield* authSeen("deleteSubscription"), ["AppOnly", "AppOnly"])
    })
  )

  it.scoped("replay: app-only POST with yyyymmddhhmm dates (seconds dropped), 202 → the job", () =>
    Effect.gen(function* () {
      const { client, register, authSeen, proxy, emulator } = yield* setup()
      const id = yield* register()
      const job = yield* client.replay(id, {
        from: DateTime.unsafeMake(NOW - 2 * 60 * 60_000 + 42_000),
        to: minutesAgo(30)
      })
      assert.match(job.job_id, /^[0-9]{19}$/)
      assert.strictEqual(job.created_at, "2026-01-15T12:00:00Z")
      assert.deepStrictEqual(yield* authSeen("replay"), ["AppOnly"])
      const [seen] = (yield* proxy.seen).filter((entry) => entry.endpoint === "replay")
      assert.include(seen!.url, "from_date=202601151000&to_date=202601151130")
      const [running] = yield* emulator.replayJobs
      assert.deepStrictEqual(
        [running!.id, running!.webhookId, running!.state, running!.fromDate, running!.toDate],
        [job.job_id, id, "Running", NOW - 2 * 60 * 60_000, NOW - 30 * 60_000]
      )
    })
  )
})

describe("the emulator refuses the wrong auth kind with X's codes, so the tests above can fail", () => {
  const wrongKinds: ReadonlyArray<readonly [Endpoint.Name, "AppOnly" | "AppOwner" | "User", string, number]> = [
    ["registerWebhook", "AppOnly", "CannotWrite", 261],
    ["validateWebhook", "AppOnly", "CredentialsNotAllowed", 220],
    ["deleteWebhook", "AppOnly", "CredentialsNotAllowed", 220],
    ["subscribe", "AppOnly", "CredentialsNotAllowed", 220],
    ["checkSubscription", "AppOnly", "CredentialsNotAllowed", 220],
    ["unsubscribe", "AppOnly", "CredentialsNotAllowed", 220],
    ["listWebhooks", "AppOwner", "CouldNotAuthenticate", 32],
    ["subscriptionsCount", "User", "CouldNotAuthenticate", 32],
    ["listSubscriptions", "AppOwner", "CouldNotAuthenticate", 32],
    ["deleteSubscription", "AppOwner", "CouldNotAuthenticate", 32],
    ["replay", "AppOwner", "WrongAuthMethod", 32]
  ]

  it.scoped("each endpoint signed with a wrong kind of credentials is refused (strict auth)", () =>
    Effect.gen(function* () {
      const { register, emulatorUrl, app, alice, emulator } = yield* setup({ emulator: { strictAuth: true } })
      const id = yield* register()
      const auth = yield* Effect.provide(
        AuthClient.AuthClient,
        AuthClient.layer({
          app: app.credentials,
          owner: app.owner,
          bearerToken: yield* Effect.orDie(emulator.issueBearerToken(app.app.id)),
          baseUrl: emulatorUrl
        })
      )
      const http = yield* HttpClient.HttpClient
      const kinds = { AppOnly: AuthKind.AppOnly, AppOwner: AuthKind.AppOwner, User: AuthKind.User(alice.tokens) }
      for (const [name, kind, reason, code] of wrongKinds) {
        const endpoint = Endpoint.Endpoints[name]
        const request = HttpClientRequest.make(endpoint.method)(
          `${emulatorUrl}${Endpoint.path(endpoint, { webhook_id: id, user_id: alice.user.id })}`
        ).pipe(
          HttpClientRequest.setUrlParams({
            url: "https://example.com/hook",
            from_date: "202601151000",
            to_date: "202601151130"
          })
        )
        const signed = yield* auth.sign(kinds[kind])(request)
        const response = yield* http.execute(signed)
        const error = ApiError.fromResponse({ status: response.status, body: yield* response.text })
        assert.strictEqual(error._tag, "Unauthorized", `${name} with ${kind}`)
        assert.strictEqual((error as ApiError.Unauthorized).reason, reason, `${name} with ${kind}`)
        assert.strictEqual((error as ApiError.Unauthorized).code, code, `${name} with ${kind}`)
      }
      assert.deepStrictEqual((yield* emulator.webhooks).length, 1, "nothing was registered")
      assert.deepStrictEqual(yield* emulator.subscriptions, [])
    }).pipe(Effect.provide(NodeHttpClient.layerUndici))
  )

  it.scoped("a request without credentials: 400 code 215 → Unauthorized BadAuthData", () =>
    Effect.gen(function* () {
      const { emulatorUrl } = yield* setup()
      const http = yield* HttpClient.HttpClient
      const response = yield* http.execute(HttpClientRequest.get(`${emulatorUrl}/1.1/account_activity/webhooks.json`))
      const error = ApiError.fromResponse({ status: response.status, body: yield* response.text })
      assert.strictEqual(error._tag, "Unauthorized")
      assert.strictEqual((error as ApiError.Unauthorized).reason, "BadAuthData")
      assert.strictEqual(error.status, 400)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici))
  )

  it.scoped("a replay without from_date (the client always sends both): 400 code 357 → InvalidReplayDates", () =>
    Effect.gen(function* () {
      const { register, emulatorUrl, emulator, app } = yield* setup()
      const id = yield* register()
      const token = Redacted.value(yield* Effect.orDie(emulator.issueBearerToken(app.app.id)))
      const http = yield* HttpClient.HttpClient
      const response = yield* http.execute(
        HttpClientRequest.post(
          `${emulatorUrl}${Endpoint.path(Endpoint.Endpoints.replay, { webhook_id: id })}?to_date=202601151130`
        ).pipe(HttpClientRequest.bearerToken(token))
      )
      const error = ApiError.fromResponse({ status: response.status, body: yield* response.text })
      assert.strictEqual(error._tag, "InvalidReplayDates")
      assert.strictEqual((error as ApiError.InvalidReplayDates).reason, "MissingParameter")
      assert.strictEqual((error as ApiError.InvalidReplayDates).apiMessage, "from_date: queryParam is required.")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici))
  )
})
