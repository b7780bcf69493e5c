import * as AuthKind from "@account-activity/auth/AuthKind"
import * as BearerToken from "@account-activity/auth/BearerToken"
import * as Credentials from "@account-activity/auth/Credentials"
import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import { appClient, codeOf, layer, messageOf, raw, registered, withWebhook } from "./utils/emulator.js"

const webhooks = "/1.1/account_activity/webhooks.json"
const form = "application/x-www-form-urlencoded;charset=UTF-8"

describe("OAuth 1.0a", () => {
  it.scoped("a good signature over the full URL (http, Host, path, query) is accepted", () =>
    Effect.gen(function* () {
      const { client, stub } = yield* withWebhook
      const reply = yield* client.send(
        AuthKind.AppOwner,
        HttpClientRequest.post(webhooks).pipe(HttpClientRequest.setUrlParam("url", `${stub.url}?a=1 2&b=☃`))
      )
      assert.strictEqual(reply.status, 200)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("a request changed after signing is 401 code 32", () =>
    Effect.gen(function* () {
      const { client, stub } = yield* withWebhook
      const signed = yield* Effect.orDie(
        client.auth.sign(AuthKind.AppOwner)(
          HttpClientRequest.post(`${client.base}${webhooks}`).pipe(HttpClientRequest.setUrlParam("url", stub.url))
        )
      )
      const reply = yield* raw(HttpClientRequest.setUrlParam(signed, "url", `${stub.url}/evil`))
      assert.strictEqual(reply.status, 401)
      assert.deepStrictEqual(reply.json, { errors: [{ code: 32, message: "Could not authenticate you." }] })
      assert.strictEqual(stub.requests.length, 0)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("an unknown token, another app's token or a wrong consumer secret is 401 code 32", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      const path = `/1.1/account_activity/webhooks/${id}/subscriptions/all.json`
      const stranger = Credentials.user({ accessToken: "1-unknown", accessTokenSecret: "secret" })
      const other = yield* appClient()
      const otherUser = yield* emulator.createUser({ appId: other.created.app.id })
      for (const tokens of [stranger, otherUser.tokens]) {
        const reply = yield* client.send(AuthKind.User(tokens), HttpClientRequest.post(path))
        assert.strictEqual(reply.status, 401)
        assert.strictEqual(codeOf(reply), 32)
      }
      const badSecret = Credentials.user({
        accessToken: client.created.owner.accessToken,
        accessTokenSecret: "not the secret"
      })
      const reply = yield* client.send(
        AuthKind.User(badSecret),
        HttpClientRequest.del(`/1.1/account_activity/webhooks/${id}.json`)
      )
      assert.strictEqual(reply.status, 401)
      assert.strictEqual(codeOf(reply), 32)
      assert.strictEqual((yield* emulator.webhooks).length, 1)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("a timestamp more than 300 s away from the clock is 401 code 135", () =>
    Effect.gen(function* () {
      const client = yield* appClient()
      const signed = yield* Effect.orDie(
        client.auth.sign(AuthKind.AppOwner)(
          HttpClientRequest.post(`${client.base}${webhooks}?url=https%3A%2F%2Fexample.com%2Fw`)
        )
      )
      yield* TestClock.adjust("301 seconds")
      const reply = yield* raw(signed)
      assert.strictEqual(reply.status, 401)
      assert.deepStrictEqual(reply.json, { errors: [{ code: 135, message: "Could not authenticate you." }] })
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("a replayed request (same nonce) is 401 code 32; no Authorization header is 400 code 215", () =>
    Effect.gen(function* () {
      const client = yield* appClient()
      const signed = yield* Effect.orDie(
        client.auth.sign(AuthKind.AppOwner)(
          HttpClientRequest.del(`${client.base}/1.1/account_activity/webhooks/1.json`)
        )
      )
      assert.strictEqual(codeOf(yield* raw(signed)), 34)
      const again = yield* raw(signed)
      assert.strictEqual(again.status, 401)
      assert.strictEqual(codeOf(again), 32)
      const none = yield* raw(HttpClientRequest.get(`${client.base}${webhooks}`))
      assert.strictEqual(none.status, 400)
      assert.deepStrictEqual(none.json, { errors: [{ code: 215, message: "Bad authentication data." }] })
    }).pipe(Effect.provide(layer()))
  )
})

describe("Bearer tokens", () => {
  it.scoped("POST /oauth2/token issues one token per app until it is invalidated", () =>
    Effect.gen(function* () {
      const client = yield* appClient()
      const basic = `Basic ${Redacted.value(BearerToken.basicCredentials(client.created.credentials))}`
      const request = HttpClientRequest.post(`${client.base}/oauth2/token`).pipe(
        HttpClientRequest.setHeader("Authorization", basic),
        HttpClientRequest.bodyText("grant_type=client_credentials", form)
      )
      const first = yield* raw(request)
      assert.strictEqual(first.status, 200)
      const body = first.json as { token_type: string; access_token: string }
      assert.strictEqual(body.token_type, "bearer")
      assert.match(body.access_token, /^AAAAAAAAAAAAAAAAAAAAA/)
      assert.deepStrictEqual((yield* raw(request)).json, body)
      // the auth package fetches the same token
      assert.strictEqual(Redacted.value(yield* client.bearer), body.access_token)
      const list = yield* client.send(AuthKind.AppOnly, HttpClientRequest.get(webhooks))
      assert.strictEqual(list.status, 200)
      // invalidate, then the token is refused with 401 code 89
      const invalidated = yield* raw(
        HttpClientRequest.post(`${client.base}/oauth2/invalidate_token`).pipe(
          HttpClientRequest.setHeader("Authorization", basic),
          HttpClientRequest.bodyText(`access_token=${encodeURIComponent(body.access_token)}`, form)
        )
      )
      assert.strictEqual(invalidated.status, 200)
      assert.deepStrictEqual(invalidated.json, { access_token: body.access_token })
      const stale = yield* raw(
        HttpClientRequest.get(`${client.base}${webhooks}`).pipe(HttpClientRequest.bearerToken(body.access_token))
      )
      assert.strictEqual(stale.status, 401)
      assert.deepStrictEqual(stale.json, { errors: [{ code: 89, message: "Invalid or expired token" }] })
      const fresh = (yield* raw(request)).json as { access_token: string }
      assert.notStrictEqual(fresh.access_token, body.access_token)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("bad Basic credentials, a wrong grant or invalidating an unknown token are 403 code 99", () =>
    Effect.gen(function* () {
      const client = yield* appClient()
      const wrong = Credentials.app({ consumerKey: client.created.credentials.consumerKey, consumerSecret: "wrong" })
      const token = (credentials: Credentials.AppCredentials, body: string, path = "/oauth2/token") =>
        raw(
          HttpClientRequest.post(`${client.base}${path}`).pipe(
            HttpClientRequest.setHeader(
              "Authorization",
              `Basic ${Redacted.value(BearerToken.basicCredentials(credentials))}`
            ),
            HttpClientRequest.bodyText(body, form)
          )
        )
      const expected = {
        errors: [{ code: 99, message: "Unable to verify your credentials", label: "authenticity_token_error" }]
      }
      for (const reply of [
        yield* token(wrong, "grant_type=client_credentials"),
        yield* token(client.created.credentials, "grant_type=password"),
        yield* token(client.created.credentials, "access_token=AAAA-unknown", "/oauth2/invalidate_token")
      ]) {
        assert.strictEqual(reply.status, 403)
        assert.deepStrictEqual(reply.json, expected)
      }
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("invalidate_token also accepts OAuth 1.0a with the app owner's tokens and a query parameter", () =>
    Effect.gen(function* () {
      const client = yield* appClient()
      const token = Redacted.value(yield* client.bearer)
      const reply = yield* client.send(
        AuthKind.AppOwner,
        HttpClientRequest.post("/oauth2/invalidate_token").pipe(HttpClientRequest.setUrlParam("access_token", token))
      )
      assert.strictEqual(reply.status, 200)
      const after = yield* raw(
        HttpClientRequest.get(`${client.base}${webhooks}`).pipe(HttpClientRequest.bearerToken(token))
      )
      assert.strictEqual(codeOf(after), 89)
    }).pipe(Effect.provide(layer()))
  )

  it.scoped("wrong kind: Bearer on a user endpoint 403/220, user context on replay 401/32 with X's text", () =>
    Effect.gen(function* () {
      const { client, stub } = yield* withWebhook
      const id = yield* registered(client, stub.url, AuthKind.AppOwner)
      const subscribe = yield* client.send(
        AuthKind.AppOnly,
        HttpClientRequest.post(`/1.1/account_activity/webhooks/${id}/subscriptions/all.json`)
      )
      assert.strictEqual(subscribe.status, 403)
      assert.deepStrictEqual(subscribe.json, {
        errors: [{ code: 220, message: "Your credentials do not allow access to this resource" }]
      })
      const replay = yield* client.send(
        AuthKind.AppOwner,
        HttpClientRequest.post(`/1.1/account_activity/replay/webhooks/${id}/subscriptions/all.json`)
      )
      assert.strictEqual(replay.status, 401)
      assert.strictEqual(codeOf(replay), 32)
      assert.strictEqual(
        messageOf(replay),
        "Invalid authentication method. Please use application-only authentication."
      )
      const count = yield* client.send(
        AuthKind.AppOwner,
        HttpClientRequest.get("/1.1/account_activity/subscriptions/count.json")
      )
      assert.strictEqual(count.status, 401)
      assert.deepStrictEqual(count.json, { errors: [{ code: 32, message: "Could not authenticate you." }] })
      const list = yield* client.send(
        AuthKind.AppOwner,
        HttpClientRequest.get(`/1.1/account_activity/webhooks/${id}/subscriptions/all/list.json`)
      )
      assert.strictEqual(codeOf(list), 32)
      const unknownBearer = yield* raw(
        HttpClientRequest.get(`${client.base}${webhooks}`).pipe(HttpClientRequest.bearerToken("AAAA-nope"))
      )
      assert.strictEqual(unknownBearer.status, 401)
      assert.strictEqual(codeOf(unknownBearer), 89)
    }).pipe(Effect.provide(layer()))
  )
})
