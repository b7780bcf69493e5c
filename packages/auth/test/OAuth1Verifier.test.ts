import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Option, Redacted, TestClock } from "effect"
import * as Credentials from "../src/Credentials.js"
import * as OAuth1 from "../src/OAuth1.js"
import * as OAuth1Verifier from "../src/OAuth1Verifier.js"

const NOW = 1_700_000_000_000
const app = Credentials.app({ consumerKey: "ck-1", consumerSecret: "consumer secret/1" })
const user = Credentials.user({ accessToken: "42-token", accessTokenSecret: "token&secret" })
const otherUser = Credentials.user({ accessToken: "43-token", accessTokenSecret: "other" })

const options: OAuth1Verifier.Options = {
  consumerSecret: (key) => Effect.succeed(key === app.consumerKey ? Option.some(app.consumerSecret) : Option.none()),
  tokenSecret: (token, key) =>
    Effect.succeed(
      key !== app.consumerKey
        ? Option.none()
        : token === user.accessToken
          ? Option.some(user.accessTokenSecret)
          : token === otherUser.accessToken
            ? Option.some(otherUser.accessTokenSecret)
            : Option.none()
    )
}

interface Req {
  readonly method: string
  readonly url: string
  readonly formParams?: ReadonlyArray<readonly [string, string]> | undefined
}

const signAt = (req: Req, nonce: string, seconds: number, credentials: Credentials.OAuth1Credentials = { app, user }) =>
  OAuth1.sign({ ...req, credentials, nonce, timestamp: seconds }).authorization

const request = (req: Req, authorization: string | undefined): OAuth1Verifier.Request => ({ ...req, authorization })

const verifyWith = (verifier: OAuth1Verifier.Service, req: OAuth1Verifier.Request) =>
  Effect.either(verifier.verify(req))

const reasonOf = <A>(result: Either.Either<A, OAuth1Verifier.OAuth1VerificationError>) =>
  Either.isLeft(result) ? result.left.reason : "Verified"

const setHeaderParam = (header: string, name: string, f: (value: string) => string): string => {
  const params = Either.getOrThrow(OAuth1Verifier.parseAuthorizationHeader(header))
  return OAuth1.formatAuthorizationHeader(params.map(([k, v]) => [k, k === name ? f(v) : v] as const))
}

const base: Req = {
  method: "POST",
  url: "https://api.x.com/1.1/account_activity/webhooks.json?url=https%3A%2F%2Fexample.com%2Fhook%3Fa%3D1",
  formParams: [["note", "café ☃ + 😀"]]
}

describe("OAuth1Verifier", () => {
  it.effect("accepts a signed request and tells who signed it", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const verifier = yield* OAuth1Verifier.make(options)
      const verified = yield* verifier.verify(request(base, signAt(base, "nonce-1", NOW / 1000)))
      assert.deepStrictEqual(verified, { consumerKey: "ck-1", token: "42-token" })
    })
  )

  const param = fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 12 }))
  const arbitraryRequest = fc.record({
    method: fc.constantFrom("GET", "POST", "PUT", "DELETE"),
    host: fc.constantFrom("api.x.com", "127.0.0.1:8080", "example.com"),
    path: fc.stringMatching(/^(?:\/[A-Za-z0-9_-]{1,6}){1,3}(?:\.json)?$/),
    query: fc.array(param, { maxLength: 4 }),
    form: fc.array(param, { maxLength: 4 })
  })
  const toReq = (r: typeof arbitraryRequest extends fc.Arbitrary<infer T> ? T : never): Req => {
    const url = new URL(`https://${r.host}${r.path}`)
    for (const [k, v] of r.query) url.searchParams.append(k, v)
    return { method: r.method, url: url.toString(), formParams: r.form }
  }

  it.effect.prop("property: every signed request verifies", [arbitraryRequest], ([r]) =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const verifier = yield* OAuth1Verifier.make(options)
      const req = toReq(r)
      const result = yield* verifyWith(verifier, request(req, signAt(req, "n", NOW / 1000)))
      assert.strictEqual(reasonOf(result), "Verified")
    })
  )

  const mutations: ReadonlyArray<readonly [string, (req: Req, header: string) => OAuth1Verifier.Request]> = [
    ["method", (req, h) => request({ ...req, method: req.method === "GET" ? "POST" : "GET" }, h)],
    [
      "host",
      (req, h) => {
        const url = new URL(req.url)
        url.hostname = url.hostname === "api.x.com" ? "api.twitter.com" : "api.x.com"
        return request({ ...req, url: url.toString() }, h)
      }
    ],
    [
      "path",
      (req, h) => {
        const url = new URL(req.url)
        url.pathname += "x"
        return request({ ...req, url: url.toString() }, h)
      }
    ],
    ["scheme", (req, h) => request({ ...req, url: req.url.replace("https://", "http://") }, h)],
    [
      "query param added",
      (req, h) => {
        const url = new URL(req.url)
        url.searchParams.append("extra", "1")
        return request({ ...req, url: url.toString() }, h)
      }
    ],
    ["form param added", (req, h) => request({ ...req, formParams: [...(req.formParams ?? []), ["extra", "1"]] }, h)],
    [
      "timestamp",
      (req, h) =>
        request(
          req,
          setHeaderParam(h, "oauth_timestamp", (t) => String(Number(t) - 1))
        )
    ],
    [
      "nonce",
      (req, h) =>
        request(
          req,
          setHeaderParam(h, "oauth_nonce", (n) => `${n}x`)
        )
    ],
    [
      "signature",
      (req, h) =>
        request(
          req,
          setHeaderParam(h, "oauth_signature", (s) => (s[0] === "A" ? "B" : "A") + s.slice(1))
        )
    ],
    [
      "token (another user's)",
      (req, h) =>
        request(
          req,
          setHeaderParam(h, "oauth_token", () => otherUser.accessToken)
        )
    ]
  ]

  it.effect.prop(
    "property: any change to the request or the header is rejected as BadSignature",
    [arbitraryRequest, fc.integer({ min: 0, max: mutations.length - 1 })],
    ([r, i]) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const verifier = yield* OAuth1Verifier.make(options)
        const req = toReq(r)
        const [name, mutate] = mutations[i]!
        const result = yield* verifyWith(verifier, mutate(req, signAt(req, "n", NOW / 1000)))
        assert.strictEqual(reasonOf(result), "BadSignature", name)
      })
  )

  it.effect.prop(
    "property: a changed form or query value, or a wrong secret, is rejected",
    [arbitraryRequest.filter((r) => r.form.length > 0 && r.query.length > 0), fc.constantFrom(0, 1, 2, 3)],
    ([r, which]) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const verifier = yield* OAuth1Verifier.make(options)
        const req = toReq(r)
        const header = signAt(req, "n", NOW / 1000)
        let result: Either.Either<OAuth1Verifier.Verified, OAuth1Verifier.OAuth1VerificationError>
        switch (which) {
          case 0: {
            const form = r.form.map(([k, v], j) => [k, j === 0 ? `${v}!` : v] as const)
            result = yield* verifyWith(verifier, request({ ...req, formParams: form }, header))
            break
          }
          case 1: {
            const url = new URL(`https://${r.host}${r.path}`)
            r.query.forEach(([k, v], j) => {
              url.searchParams.append(k, j === 0 ? `${v}!` : v)
            })
            result = yield* verifyWith(verifier, request({ ...req, url: url.toString() }, header))
            break
          }
          case 2: {
            const wrong = Credentials.app({ consumerKey: app.consumerKey, consumerSecret: "consumer secret/2" })
            result = yield* verifyWith(verifier, request(req, signAt(req, "n", NOW / 1000, { app: wrong, user })))
            break
          }
          default: {
            const wrong = Credentials.user({ accessToken: user.accessToken, accessTokenSecret: "token&secreT" })
            result = yield* verifyWith(verifier, request(req, signAt(req, "n", NOW / 1000, { app, user: wrong })))
          }
        }
        assert.strictEqual(reasonOf(result), "BadSignature")
      })
  )

  it.effect("a reused nonce is rejected within the window; a stale timestamp afterwards", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const verifier = yield* OAuth1Verifier.make(options)
      const signed = request(base, signAt(base, "once", NOW / 1000))
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, signed)), "Verified")
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, signed)), "NonceReused")
      yield* TestClock.adjust("299 seconds")
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, signed)), "NonceReused")
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, signed)), "TimestampOutOfWindow")
      // the same nonce with another token is another request
      const other = request(base, signAt(base, "once", NOW / 1000 + 301, { app, user: otherUser }))
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, other)), "Verified")
    })
  )

  it.effect("timestamps: 300 s both ways by default, configurable", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const verifier = yield* OAuth1Verifier.make(options)
      const at = (offset: number, nonce: string) => request(base, signAt(base, nonce, NOW / 1000 + offset))
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, at(-300, "a"))), "Verified")
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, at(300, "b"))), "Verified")
      const late = yield* verifyWith(verifier, at(-301, "c"))
      assert.strictEqual(reasonOf(late), "TimestampOutOfWindow")
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, at(301, "d"))), "TimestampOutOfWindow")
      if (Either.isLeft(late)) {
        assert.strictEqual(late.left.status, 401)
        assert.strictEqual(late.left.code, 135)
      }
      const strict = yield* OAuth1Verifier.make({ ...options, timestampWindow: "30 seconds" })
      assert.strictEqual(reasonOf(yield* verifyWith(strict, at(-31, "e"))), "TimestampOutOfWindow")
      assert.strictEqual(reasonOf(yield* verifyWith(strict, at(-30, "f"))), "Verified")
    })
  )

  it.effect("nonce memory is per instance and bounded", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const one = yield* OAuth1Verifier.make({ ...options, maxNonces: 2 })
      const two = yield* OAuth1Verifier.make(options)
      const signed = (n: string) => request(base, signAt(base, n, NOW / 1000))
      assert.strictEqual(reasonOf(yield* verifyWith(one, signed("a"))), "Verified")
      assert.strictEqual(reasonOf(yield* verifyWith(two, signed("a"))), "Verified")
      assert.strictEqual(reasonOf(yield* verifyWith(one, signed("b"))), "Verified")
      assert.strictEqual(reasonOf(yield* verifyWith(one, signed("b"))), "NonceReused")
      assert.strictEqual(reasonOf(yield* verifyWith(one, signed("c"))), "Verified")
      // "a" was the oldest of the two remembered and has been forgotten
      assert.strictEqual(reasonOf(yield* verifyWith(one, signed("c"))), "NonceReused")
      assert.strictEqual(reasonOf(yield* verifyWith(one, signed("a"))), "Verified")
    })
  )

  it.effect("a rejected request does not use up its nonce", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const verifier = yield* OAuth1Verifier.make(options)
      const header = signAt(base, "fresh", NOW / 1000)
      const forged = setHeaderParam(header, "oauth_signature", () => "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, request(base, forged))), "BadSignature")
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, request(base, header))), "Verified")
    })
  )

  it.effect("header problems have their own reasons", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const verifier = yield* OAuth1Verifier.make(options)
      const header = signAt(base, "h", NOW / 1000)
      const check = (authorization: string | undefined) => verifyWith(verifier, request(base, authorization))

      assert.strictEqual(reasonOf(yield* check(undefined)), "MissingHeader")
      assert.strictEqual(reasonOf(yield* check("Bearer abc")), "MalformedHeader")
      assert.strictEqual(reasonOf(yield* check("OAuth oauth_nonce=unquoted")), "MalformedHeader")
      assert.strictEqual(reasonOf(yield* check('OAuth oauth_nonce="%E2%28"')), "MalformedHeader")
      assert.strictEqual(reasonOf(yield* check(`${header}, foo="bar"`)), "MalformedHeader")

      const duplicate = yield* check(`${header}, oauth_nonce="other"`)
      assert.strictEqual(reasonOf(duplicate), "DuplicateParameter")
      if (Either.isLeft(duplicate)) assert.strictEqual(duplicate.left.parameter, "oauth_nonce")

      for (const missing of [
        "oauth_consumer_key",
        "oauth_nonce",
        "oauth_signature",
        "oauth_signature_method",
        "oauth_timestamp",
        "oauth_token"
      ]) {
        const params = Either.getOrThrow(OAuth1Verifier.parseAuthorizationHeader(header)).filter(([k]) => k !== missing)
        const result = yield* check(OAuth1.formatAuthorizationHeader(params))
        assert.strictEqual(reasonOf(result), "MissingParameter")
        if (Either.isLeft(result)) {
          assert.strictEqual(result.left.parameter, missing)
          assert.include(result.left.message, missing)
          assert.strictEqual(result.left.status, 400)
          assert.strictEqual(result.left.code, 215)
        }
      }

      const set = (name: string, value: string) => check(setHeaderParam(header, name, () => value))
      assert.strictEqual(reasonOf(yield* set("oauth_signature_method", "PLAINTEXT")), "UnsupportedSignatureMethod")
      assert.strictEqual(reasonOf(yield* set("oauth_version", "2.0")), "UnsupportedVersion")
      assert.strictEqual(reasonOf(yield* set("oauth_timestamp", "soon")), "MalformedParameter")
      assert.strictEqual(reasonOf(yield* set("oauth_nonce", "n☃")), "MalformedParameter")
      assert.strictEqual(reasonOf(yield* set("oauth_consumer_key", "who")), "UnknownConsumerKey")
      assert.strictEqual(reasonOf(yield* set("oauth_token", "who")), "UnknownToken")
    })
  )

  it.effect("header syntax: case-insensitive scheme, spaces and tabs tolerated, realm ignored, version optional", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const verifier = yield* OAuth1Verifier.make(options)
      const params = Either.getOrThrow(OAuth1Verifier.parseAuthorizationHeader(signAt(base, "s", NOW / 1000)))
      const spaced = `oauth  realm="Photos" ,\t${params.map(([k, v]) => `${k} = "${OAuth1.percentEncode(v)}"`).join(" ,  ")} `
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, request(base, spaced))), "Verified")

      const noVersion = OAuth1.sign({
        ...base,
        credentials: { app, user },
        nonce: "v",
        timestamp: NOW / 1000,
        includeVersion: false
      })
      assert.notInclude(noVersion.authorization, "oauth_version")
      assert.strictEqual(reasonOf(yield* verifyWith(verifier, request(base, noVersion.authorization))), "Verified")
    })
  )

  it.effect("errors carry X's status and code, and no secret", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const verifier = yield* OAuth1Verifier.make(options)
      const header = signAt(base, "e", NOW / 1000, {
        app: Credentials.app({ consumerKey: app.consumerKey, consumerSecret: "guessed" }),
        user
      })
      const result = yield* verifyWith(verifier, request(base, header))
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        const error = result.left
        assert.strictEqual(error._tag, "OAuth1VerificationError")
        assert.strictEqual(error.status, 401)
        assert.strictEqual(error.code, 32)
        assert.strictEqual(error.apiMessage, "Could not authenticate you.")
        for (const text of [error.message, String(error), JSON.stringify(error)]) {
          assert.notInclude(text, Redacted.value(app.consumerSecret))
          assert.notInclude(text, Redacted.value(user.accessTokenSecret))
        }
      }
    })
  )
})
