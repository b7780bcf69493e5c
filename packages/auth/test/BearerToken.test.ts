import {
  HttpClient,
  type HttpClientError,
  HttpClientRequest,
  HttpServer,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Option, Redacted } from "effect"
import * as AuthClient from "../src/AuthClient.js"
import * as AuthKind from "../src/AuthKind.js"
import * as BearerToken from "../src/BearerToken.js"
import * as Credentials from "../src/Credentials.js"
import { ServerAndClientLive, serverUrl } from "./utils/server.js"

const appA = Credentials.app({ consumerKey: "key-a", consumerSecret: "secret-a-XYZ" })
const appB = Credentials.app({ consumerKey: "key-b", consumerSecret: "secret-b-XYZ" })
const appMac = Credentials.app({ consumerKey: "key-mac", consumerSecret: "secret-mac" })
const appUnknown = Credentials.app({ consumerKey: "key-a", consumerSecret: "wrong-secret-XYZ" })

const known = new Map([
  ["key-a", "secret-a-XYZ"],
  ["key-b", "secret-b-XYZ"],
  ["key-mac", "secret-mac"]
])

const errorBody = (code: number, message: string) => ({ errors: [{ code, message }] })

interface StubState {
  tokenRequests: number
  generation: number
  readonly issued: Map<string, string>
  readonly valid: Set<string>
  readonly invalidated: Array<string>
  readonly bad: Array<string>
}

/** An X-like token server: one token per app until invalidated, 99/89/220 errors. */
const serveStub = Effect.gen(function* () {
  const state: StubState = {
    tokenRequests: 0,
    generation: 0,
    issued: new Map<string, string>(),
    valid: new Set<string>(),
    invalidated: [],
    bad: []
  }
  const basicKey = (header: string | undefined): string | undefined => {
    if (header === undefined || !header.startsWith("Basic ")) return undefined
    const [key, secret] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":").map(decodeURIComponent)
    return key !== undefined && known.get(key) === secret ? key : undefined
  }
  const json = (body: unknown, status = 200) => Effect.succeed(HttpServerResponse.unsafeJson(body, { status }))
  yield* HttpServer.serveEffect(
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orDie(request.text)
      const path = request.url.split("?")[0]
      const authorization = request.headers.authorization
      switch (path) {
        case "/oauth2/token": {
          const key = basicKey(authorization)
          if (key === undefined)
            return yield* json(
              {
                errors: [{ code: 99, label: "authenticity_token_error", message: "Unable to verify your credentials" }]
              },
              403
            )
          if (
            request.method !== "POST" ||
            request.headers["content-type"] !== "application/x-www-form-urlencoded;charset=UTF-8" ||
            body !== "grant_type=client_credentials"
          ) {
            state.bad.push(`${request.method} ${request.headers["content-type"]} ${body}`)
            return yield* json(errorBody(170, "Missing required parameter: grant_type"), 400)
          }
          yield* Effect.sleep("50 millis")
          state.tokenRequests++
          let token = state.issued.get(key)
          if (token === undefined) {
            token = `AAAA${key}%2F${++state.generation}%3D`
            state.issued.set(key, token)
            state.valid.add(token)
          }
          return yield* json({ token_type: key === "key-mac" ? "mac" : "bearer", access_token: token })
        }
        case "/oauth2/invalidate_token": {
          const key = basicKey(authorization)
          const token = new URLSearchParams(body).get("access_token")
          if (key === undefined || token === null || state.issued.get(key) !== token) {
            return yield* json(errorBody(99, "Unable to verify your credentials"), 403)
          }
          state.issued.delete(key)
          state.valid.delete(token)
          state.invalidated.push(token)
          return yield* json({ access_token: token })
        }
        case "/1.1/account_activity/webhooks.json": {
          const token = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined
          if (token === undefined || !state.valid.has(token))
            return yield* json(errorBody(89, "Invalid or expired token."), 401)
          if (request.method === "POST") {
            return yield* json(errorBody(220, "Your credentials do not allow access to this resource."), 403)
          }
          return yield* json([])
        }
        default:
          return yield* json(errorBody(34, "Sorry, that page does not exist."), 404)
      }
    })
  )
  return state
})

const setup = Effect.gen(function* () {
  const state = yield* serveStub
  const baseUrl = `${yield* serverUrl}/`
  const bearer = yield* BearerToken.make({ baseUrl })
  return { state, bearer, baseUrl }
})

describe("BearerToken against a local token server", () => {
  it("the Basic credentials of the X docs example", () => {
    const basic = BearerToken.basicCredentials(
      Credentials.app({
        consumerKey: "xvz1evFS4wEEPTGEFPHBog",
        consumerSecret: "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg"
      })
    )
    assert.strictEqual(
      Redacted.value(basic),
      "eHZ6MWV2RlM0d0VFUFRHRUZQSEJvZzpMOHFxOVBaeVJnNmllS0dFS2hab2xHQzB2SldMdzhpRUo4OERSZHlPZw=="
    )
    assert.strictEqual(String(basic), "<redacted>")
  })

  it.scopedLive("fetched once per credential set, then cached; concurrent callers share one request", () =>
    Effect.gen(function* () {
      const { state, bearer } = yield* setup
      const tokens = yield* Effect.all(
        Array.from({ length: 10 }, () => bearer.get(appA)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(state.tokenRequests, 1)
      assert.deepStrictEqual(state.bad, [])
      assert.strictEqual(new Set(tokens.map(Redacted.value)).size, 1)
      assert.strictEqual(Redacted.value(tokens[0]!), "AAAAkey-a%2F1%3D")
      yield* bearer.get(appA)
      assert.strictEqual(state.tokenRequests, 1)
    }).pipe(Effect.provide(ServerAndClientLive))
  )

  it.scopedLive("a caller interrupted during the fetch does not strand the callers waiting on it", () =>
    Effect.gen(function* () {
      const { bearer } = yield* setup
      const first = yield* Effect.fork(bearer.get(appA))
      yield* Effect.sleep("15 millis")
      const second = yield* Effect.fork(bearer.get(appA))
      yield* Effect.sleep("5 millis")
      yield* Fiber.interrupt(first)
      const token = yield* Fiber.join(second)
      assert.strictEqual(Redacted.value(token), "AAAAkey-a%2F1%3D")
    }).pipe(Effect.provide(ServerAndClientLive))
  )

  it.scopedLive("two credential sets get two tokens; the same key with another secret shares nothing", () =>
    Effect.gen(function* () {
      const { state, bearer } = yield* setup
      const [a, b] = yield* Effect.all([bearer.get(appA), bearer.get(appB)], { concurrency: 2 })
      assert.notStrictEqual(Redacted.value(a), Redacted.value(b))
      assert.strictEqual(state.tokenRequests, 2)
      const wrong = yield* Effect.flip(bearer.get(appUnknown))
      assert.strictEqual(wrong.reason, "CredentialsUnverified")
      // separate instances have separate caches
      const other = yield* BearerToken.make({ baseUrl: yield* serverUrl })
      yield* other.get(appA)
      assert.strictEqual(state.tokenRequests, 3)
    }).pipe(Effect.provide(ServerAndClientLive))
  )

  it.scopedLive("code 99 maps to CredentialsUnverified and is not cached", () =>
    Effect.gen(function* () {
      const { bearer } = yield* setup
      const first = yield* Effect.flip(bearer.get(appUnknown))
      const second = yield* Effect.flip(bearer.get(appUnknown))
      assert.strictEqual(first._tag, "BearerTokenError")
      assert.strictEqual(first.reason, "CredentialsUnverified")
      assert.strictEqual(first.status, 403)
      assert.strictEqual(first.code, 99)
      assert.strictEqual(second.reason, "CredentialsUnverified")
      assert.notStrictEqual(first, second)
    }).pipe(Effect.provide(ServerAndClientLive))
  )

  it.scopedLive("token_type must be bearer", () =>
    Effect.gen(function* () {
      const { bearer } = yield* setup
      const error = yield* Effect.flip(bearer.get(appMac))
      assert.strictEqual(error.reason, "UnexpectedTokenType")
    }).pipe(Effect.provide(ServerAndClientLive))
  )

  it.scopedLive("invalidate revokes the token at the server and the next get fetches a new one", () =>
    Effect.gen(function* () {
      const { state, bearer } = yield* setup
      const before = yield* bearer.get(appA)
      yield* bearer.invalidate(appA)
      assert.deepStrictEqual(state.invalidated, [Redacted.value(before)])
      const after = yield* bearer.get(appA)
      assert.notStrictEqual(Redacted.value(after), Redacted.value(before))
      assert.strictEqual(state.tokenRequests, 2)
      // invalidating a token the server no longer knows: code 99
      state.issued.set("key-a", "AAAAsomething-else")
      const error = yield* Effect.flip(bearer.invalidate(appA))
      assert.strictEqual(error.reason, "CredentialsUnverified")
    }).pipe(Effect.provide(ServerAndClientLive))
  )

  it.scopedLive("an unreachable server is RequestFailed", () =>
    Effect.gen(function* () {
      const bearer = yield* BearerToken.make({ baseUrl: "http://127.0.0.1:1" })
      const error = yield* Effect.flip(bearer.get(appA))
      assert.strictEqual(error.reason, "RequestFailed")
    }).pipe(Effect.provide(ServerAndClientLive))
  )
})

describe("AppOnly through AuthClient", () => {
  const withAuth = <A, E, R>(
    f: (ctx: {
      readonly state: StubState
      readonly baseUrl: string
      readonly client: HttpClient.HttpClient.With<HttpClientError.HttpClientError | AuthClient.SignError>
    }) => Effect.Effect<A, E, R>
  ) =>
    Effect.gen(function* () {
      const state = yield* serveStub
      const baseUrl = yield* serverUrl
      const auth = Context.get(yield* Layer.build(AuthClient.layer({ app: appA, baseUrl })), AuthClient.AuthClient)
      const client = auth.signed(AuthKind.AppOnly)(yield* HttpClient.HttpClient)
      return yield* f({ state, baseUrl, client })
    })

  it.scopedLive("sends the fetched token; code 89 drops it so the next call fetches a new one", () =>
    withAuth(({ state, baseUrl, client }) =>
      Effect.gen(function* () {
        const ok = yield* client.execute(HttpClientRequest.get(`${baseUrl}/1.1/account_activity/webhooks.json`))
        assert.strictEqual(ok.status, 200)
        assert.strictEqual(state.tokenRequests, 1)
        // the server revokes the token behind our back
        state.valid.clear()
        state.issued.clear()
        const error = yield* Effect.flip(
          client.execute(HttpClientRequest.get(`${baseUrl}/1.1/account_activity/webhooks.json`))
        )
        assert.strictEqual(error._tag, "BearerTokenError")
        if (error._tag === "BearerTokenError") {
          assert.strictEqual(error.reason, "InvalidOrExpiredToken")
          assert.strictEqual(error.status, 401)
          assert.strictEqual(error.code, 89)
        }
        const again = yield* client.execute(HttpClientRequest.get(`${baseUrl}/1.1/account_activity/webhooks.json`))
        assert.strictEqual(again.status, 200)
        assert.strictEqual(state.tokenRequests, 2)
      })
    ).pipe(Effect.provide(ServerAndClientLive))
  )

  it.scopedLive("code 220: a Bearer token on a user-context endpoint", () =>
    withAuth(({ baseUrl, client }) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          client.execute(HttpClientRequest.post(`${baseUrl}/1.1/account_activity/webhooks.json`))
        )
        assert.strictEqual(error._tag, "BearerTokenError")
        if (error._tag === "BearerTokenError") {
          assert.strictEqual(error.reason, "CredentialsNotAllowed")
          assert.strictEqual(error.status, 403)
          assert.include(error.message, "AuthKind.AppOwner")
        }
      })
    ).pipe(Effect.provide(ServerAndClientLive))
  )

  it.scopedLive("other answers pass through untouched", () =>
    withAuth(({ baseUrl, client }) =>
      Effect.gen(function* () {
        const response = yield* client.execute(HttpClientRequest.get(`${baseUrl}/nowhere`))
        assert.strictEqual(response.status, 404)
      })
    ).pipe(Effect.provide(ServerAndClientLive))
  )
})

describe("error mapping and secrecy", () => {
  it("fromErrorBody: 99, 89 (401 or 403), 220; nothing else", () => {
    const reason = (status: number, code: number) =>
      Option.map(BearerToken.fromErrorBody(status, JSON.stringify(errorBody(code, "m"))), (e) => e.reason)
    assert.deepStrictEqual(reason(403, 99), Option.some("CredentialsUnverified"))
    assert.deepStrictEqual(reason(401, 89), Option.some("InvalidOrExpiredToken"))
    assert.deepStrictEqual(reason(403, 89), Option.some("InvalidOrExpiredToken"))
    assert.deepStrictEqual(reason(403, 220), Option.some("CredentialsNotAllowed"))
    assert.deepStrictEqual(reason(401, 32), Option.none())
    assert.deepStrictEqual(reason(500, 89), Option.none())
    assert.deepStrictEqual(BearerToken.fromErrorBody(401, "<html>"), Option.none())
  })

  it.scopedLive("no secret in any error's message, String or JSON", () =>
    Effect.gen(function* () {
      const { state, bearer } = yield* setup
      const errors: Array<BearerToken.BearerTokenError> = []
      errors.push(yield* Effect.flip(bearer.get(appUnknown)))
      errors.push(yield* Effect.flip(bearer.get(appMac)))
      const token = Redacted.value(yield* bearer.get(appA))
      state.issued.set("key-a", "other")
      errors.push(yield* Effect.flip(bearer.invalidate(appA)))
      const down = yield* BearerToken.make({ baseUrl: "http://127.0.0.1:1" })
      errors.push(yield* Effect.flip(down.get(appA)))
      const exit = yield* Effect.exit(bearer.get(appUnknown))
      assert.isTrue(Exit.isFailure(exit))
      const secrets = [
        "secret-a-XYZ",
        "wrong-secret-XYZ",
        "secret-mac",
        token,
        Redacted.value(BearerToken.basicCredentials(appA)),
        Redacted.value(BearerToken.basicCredentials(appUnknown))
      ]
      for (const error of errors) {
        for (const text of [error.message, String(error), JSON.stringify(error), String(exit), error.stack]) {
          for (const secret of secrets) assert.notInclude(String(text), secret)
        }
      }
    }).pipe(Effect.provide(ServerAndClientLive))
  )
})
