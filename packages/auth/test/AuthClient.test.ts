import { HttpClient, HttpClientRequest, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option, Redacted, Stream, TestClock } from "effect"
import * as AuthClient from "../src/AuthClient.js"
import * as AuthKind from "../src/AuthKind.js"
import * as BearerToken from "../src/BearerToken.js"
import * as Credentials from "../src/Credentials.js"
import * as Nonce from "../src/Nonce.js"
import * as OAuth1Signer from "../src/OAuth1Signer.js"
import * as OAuth1Verifier from "../src/OAuth1Verifier.js"
import { LoopbackLive } from "./utils/server.js"

const app = Credentials.app({ consumerKey: "app-key", consumerSecret: "app secret & more" })
const owner = Credentials.user({ accessToken: "1-owner", accessTokenSecret: "owner/secret" })
const subscriber = Credentials.user({ accessToken: "2-subscriber", accessTokenSecret: "sübscriber+secret" })

const verifierOptions: OAuth1Verifier.Options = {
  consumerSecret: (key) => Effect.succeed(key === app.consumerKey ? Option.some(app.consumerSecret) : Option.none()),
  tokenSecret: (token) =>
    Effect.succeed(
      token === owner.accessToken
        ? Option.some(owner.accessTokenSecret)
        : token === subscriber.accessToken
          ? Option.some(subscriber.accessTokenSecret)
          : Option.none()
    )
}

/** Verifies every request it receives and answers who signed it and what it saw. */
const serveVerifier = Effect.gen(function* () {
  const verifier = yield* OAuth1Verifier.make(verifierOptions)
  yield* HttpServer.serveEffect(
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orDie(request.text)
      return yield* verifier.verifyServerRequest(request).pipe(
        Effect.map((verified) =>
          HttpServerResponse.unsafeJson({ verified, method: request.method, url: request.url, body })
        ),
        Effect.catchTag("OAuth1VerificationError", (error) =>
          Effect.succeed(
            HttpServerResponse.unsafeJson(
              { errors: [{ code: error.code, message: error.apiMessage }], reason: error.reason },
              { status: error.status }
            )
          )
        )
      )
    })
  )
})

const AuthLive = AuthClient.layer({ app, owner, bearerToken: Redacted.make("static-bearer") })
const TestLive = AuthLive.pipe(Layer.provideMerge(LoopbackLive))

interface Echo {
  readonly verified?: { readonly consumerKey: string; readonly token: string }
  readonly reason?: string
  readonly method: string
  readonly url: string
  readonly body: string
}

const send = (kind: AuthKind.AuthKind, request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function* () {
    const client = yield* AuthClient.signed(kind)(yield* HttpClient.HttpClient)
    const response = yield* client.execute(request)
    return { status: response.status, echo: (yield* response.json) as Echo }
  })

describe("AuthClient over real HTTP, checked by OAuth1Verifier", () => {
  it.scopedLive("AppOwner: url params with reserved and non-ASCII characters", () =>
    Effect.gen(function* () {
      yield* serveVerifier
      const { status, echo } = yield* send(
        AuthKind.AppOwner,
        HttpClientRequest.post("/1.1/account_activity/webhooks.json").pipe(
          HttpClientRequest.setUrlParams({
            url: "https://example.com/webhook/twitter?a=1&b=two words#frag",
            note: "café ☃ 😀 !*'() ~ + %41"
          })
        )
      )
      assert.strictEqual(status, 200, JSON.stringify(echo))
      assert.deepStrictEqual(echo.verified, { consumerKey: "app-key", token: "1-owner" })
      assert.include(echo.url, "url=https%3A%2F%2Fexample.com")
    }).pipe(Effect.provide(TestLive))
  )

  it.scopedLive("User(tokens): a form body and query params, signed together", () =>
    Effect.gen(function* () {
      yield* serveVerifier
      const { status, echo } = yield* send(
        AuthKind.User(subscriber),
        HttpClientRequest.post("/1.1/account_activity/webhooks/1234/subscriptions/all.json?x=1&x=0&y=a%20b").pipe(
          HttpClientRequest.appendUrlParam("z", "ünïcödé & co"),
          HttpClientRequest.bodyUrlParams({
            status: "Hello Ladies + Gentlemen, a signed OAuth request! ☃",
            "a b": "~*'",
            empty: ""
          })
        )
      )
      assert.strictEqual(status, 200, JSON.stringify(echo))
      assert.deepStrictEqual(echo.verified, { consumerKey: "app-key", token: "2-subscriber" })
      assert.include(echo.body, "status=Hello+Ladies")
    }).pipe(Effect.provide(TestLive))
  )

  it.scopedLive("a JSON body is sent but not signed; a path with encoded characters is signed as sent", () =>
    Effect.gen(function* () {
      yield* serveVerifier
      const { status, echo } = yield* send(
        AuthKind.User(subscriber),
        HttpClientRequest.post("/2/dm_conversations/with/é a/messages").pipe(
          HttpClientRequest.bodyUnsafeJson({ text: "hi & bye", status: "x" })
        )
      )
      assert.strictEqual(status, 200, JSON.stringify(echo))
      assert.strictEqual(echo.url, "/2/dm_conversations/with/%C3%A9%20a/messages")
      assert.strictEqual(echo.body, '{"text":"hi & bye","status":"x"}')
    }).pipe(Effect.provide(TestLive))
  )

  it.scopedLive("a request changed after signing is refused by the server", () =>
    Effect.gen(function* () {
      yield* serveVerifier
      const signed = yield* AuthClient.signed(AuthKind.AppOwner)(yield* HttpClient.HttpClient)
      const tampered = HttpClient.mapRequest(signed, HttpClientRequest.appendUrlParam("injected", "1"))
      const response = yield* tampered.execute(HttpClientRequest.put("/1.1/account_activity/webhooks/1.json"))
      const body = (yield* response.json) as Echo
      assert.strictEqual(response.status, 401)
      assert.strictEqual(body.reason, "BadSignature")
    }).pipe(Effect.provide(TestLive))
  )

  it.scopedLive("an unsigned request is refused; AppOnly sends the Bearer token instead of OAuth", () =>
    Effect.gen(function* () {
      yield* serveVerifier
      const plain = yield* HttpClient.HttpClient
      const response = yield* plain.execute(HttpClientRequest.get("/1.1/account_activity/webhooks.json"))
      assert.strictEqual(response.status, 400)
      assert.strictEqual(((yield* response.json) as Echo).reason, "MissingHeader")
      const auth = yield* AuthClient.AuthClient
      const request = yield* auth.sign(AuthKind.AppOnly)(HttpClientRequest.get("/1.1/account_activity/webhooks.json"))
      assert.strictEqual(request.headers.authorization, "Bearer static-bearer")
    }).pipe(Effect.provide(TestLive))
  )
})

describe("signing rules", () => {
  const SignerLive = OAuth1Signer.layerWithoutNonce.pipe(Layer.provide(Nonce.layerFixed(["fixed-nonce"])))
  const credentials = { app, user: owner }
  const authorization = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.flatMap(OAuth1Signer.OAuth1Signer, (signer) => signer.signRequest(request, credentials)).pipe(
      Effect.map((signed) => signed.headers.authorization)
    )
  const post = HttpClientRequest.post("https://api.x.com/1.1/direct_messages/events/new.json")

  it.effect("changing a JSON body does not change the signature; changing a form body does", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_700_000_000_000)
      const json1 = yield* authorization(HttpClientRequest.bodyUnsafeJson(post, { text: "one" }))
      const json2 = yield* authorization(HttpClientRequest.bodyUnsafeJson(post, { text: "two" }))
      const none = yield* authorization(post)
      assert.strictEqual(json1, json2)
      assert.strictEqual(json1, none)
      const form1 = yield* authorization(HttpClientRequest.bodyUrlParams(post, { text: "one" }))
      const form2 = yield* authorization(HttpClientRequest.bodyUrlParams(post, { text: "two" }))
      assert.notStrictEqual(form1, form2)
      assert.notStrictEqual(form1, none)
      assert.include(json1, 'oauth_nonce="fixed-nonce"')
      assert.include(json1, 'oauth_timestamp="1700000000"')
    }).pipe(Effect.provide(SignerLive))
  )

  it.effect("url params count exactly like the same query in the URL", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_700_000_000_000)
      const inUrl = yield* authorization(HttpClientRequest.get("https://api.x.com/1.1/x.json?a=1%202&b=%E2%98%83"))
      const asParams = yield* authorization(
        HttpClientRequest.get("https://api.x.com/1.1/x.json").pipe(HttpClientRequest.setUrlParams({ a: "1 2", b: "☃" }))
      )
      assert.strictEqual(inUrl, asParams)
    }).pipe(Effect.provide(SignerLive))
  )

  it.effect("a streamed form body cannot be signed", () =>
    Effect.gen(function* () {
      const error = yield* authorization(
        HttpClientRequest.bodyStream(post, Stream.make(new TextEncoder().encode("a=1")), {
          contentType: "application/x-www-form-urlencoded"
        })
      ).pipe(Effect.flip)
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.reason, "Encode")
    }).pipe(Effect.provide(SignerLive))
  )

  it.effect("AppOwner without the owner's tokens fails with a clear message", () =>
    Effect.gen(function* () {
      const auth = yield* AuthClient.make({ app })
      const error = yield* auth.sign(AuthKind.AppOwner)(post).pipe(Effect.flip)
      assert.strictEqual(error._tag, "RequestError")
      assert.include(error.message, "owner")
    }).pipe(
      Effect.provide(Layer.mergeAll(SignerLive, BearerToken.layer().pipe(Layer.provide(LoopbackLive)))),
      Effect.scoped
    )
  )

  it.effect("nonces from node:crypto: 32 alphanumeric characters, all different", () =>
    Effect.gen(function* () {
      const nonces = yield* Nonce.Nonce
      const drawn = yield* Effect.all(Array.from({ length: 200 }, () => nonces.next))
      for (const n of drawn) assert.match(n, /^[A-Za-z0-9]{32}$/)
      assert.strictEqual(new Set(drawn).size, drawn.length)
    }).pipe(Effect.provide(Nonce.layer))
  )
})

describe("layerConfig", () => {
  it.scopedLive("reads credentials from Config names the app chooses; secrets stay Redacted", () =>
    Effect.gen(function* () {
      yield* serveVerifier
      const { status, echo } = yield* send(
        AuthKind.AppOwner,
        HttpClientRequest.del("/1.1/account_activity/webhooks/9.json")
      )
      assert.strictEqual(status, 200, JSON.stringify(echo))
      assert.deepStrictEqual(echo.verified, { consumerKey: "app-key", token: "1-owner" })
    }).pipe(
      Effect.provide(
        AuthClient.layerConfig({
          app: Credentials.appConfig({ consumerKey: "MY_KEY", consumerSecret: "MY_SECRET" }),
          owner: Credentials.userConfig({ accessToken: "MY_TOKEN", accessTokenSecret: "MY_TOKEN_SECRET" })
        }).pipe(
          Layer.provideMerge(LoopbackLive),
          Layer.provide(
            Layer.setConfigProvider(
              ConfigProvider.fromMap(
                new Map([
                  ["MY_KEY", "app-key"],
                  ["MY_SECRET", "app secret & more"],
                  ["MY_TOKEN", "1-owner"],
                  ["MY_TOKEN_SECRET", "owner/secret"]
                ])
              )
            )
          )
        )
      )
    )
  )

  it.effect("a missing entry is a ConfigError naming it", () =>
    Effect.gen(function* () {
      const error = yield* Layer.build(
        AuthClient.layerConfig({
          app: Credentials.appConfig({ consumerKey: "MY_KEY", consumerSecret: "MY_SECRET" })
        }).pipe(Layer.provide(LoopbackLive))
      ).pipe(Effect.flip)
      assert.include(String(error), "MY_SECRET")
    }).pipe(Effect.scoped, Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MY_KEY", "app-key"]]))))
  )

  it("Credentials hide their secrets", () => {
    const text = `${String(app.consumerSecret)} ${JSON.stringify(app)} ${JSON.stringify(owner)}`
    assert.notInclude(text, "app secret")
    assert.notInclude(text, "owner/secret")
  })
})
