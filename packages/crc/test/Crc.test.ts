import { createHmac } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import * as fc from "fast-check"
import * as Crc from "../src/Crc.js"
import * as WebhookSecrets from "../src/WebhookSecrets.js"
import type * as WebhookSignature from "../src/WebhookSignature.js"

const secret = (value: string) => Redacted.make(value)
const appSecret = secret("__APP_SECRET__")

/** An independent oracle: bare node:crypto. */
const bare = (key: string, message: string) => `sha256=${createHmac("sha256", key).update(message).digest("base64")}`

const tokenReason = <A>(result: Either.Either<A, Crc.CrcTokenError>) =>
  Either.match(result, { onLeft: (error) => error.reason, onRight: () => "accepted" })

const signatureReason = (result: Either.Either<number, WebhookSignature.WebhookSignatureError>) =>
  Either.match(result, { onLeft: (error) => error.reason, onRight: (index) => `accepted by secret ${index}` })

describe("test vectors (§3.2)", () => {
  it("response_token for __TOKEN_FROM_TWITTER__", () => {
    assert.deepStrictEqual(
      Crc.responseToken("__TOKEN_FROM_TWITTER__", appSecret),
      Either.right("sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ=")
    )
  })

  it("response_token for foo", () => {
    assert.deepStrictEqual(
      Crc.responseToken("foo", secret("my_consumer_secret")),
      Either.right("sha256=lsBND23VDheU4e/PArTx3YDHHQ2xs23Hj6wI9/uhx3A=")
    )
  })

  it("the CRC GET signature over crc_token=…&nonce=…", () => {
    assert.strictEqual(
      Crc.requestMessage("__TOKEN_FROM_TWITTER__", "__NONCE__"),
      "crc_token=__TOKEN_FROM_TWITTER__&nonce=__NONCE__"
    )
    assert.strictEqual(
      Crc.signRequest("__TOKEN_FROM_TWITTER__", "__NONCE__", appSecret),
      "sha256=bsQqpx1cyheVTwyNGGPmTeY+SLC8YZIwOfr5Kcb2fQE="
    )
  })

  it.effect("respond answers the full JSON object", () =>
    Effect.gen(function* () {
      const response = yield* Crc.respond({ crc_token: "__TOKEN_FROM_TWITTER__" })
      assert.deepStrictEqual(response, { response_token: "sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ=" })
      assert.strictEqual(
        JSON.stringify(response),
        '{"response_token":"sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ="}'
      )
    }).pipe(Effect.provide(WebhookSecrets.layer(appSecret)))
  )
})

describe("query reading", () => {
  const expected = Either.right({ response_token: bare("__APP_SECRET__", "abc+def=") })

  it("accepts a parsed record, URLSearchParams and a raw query string, URL-decoded", () => {
    assert.deepStrictEqual(Crc.responseWith({ crc_token: "abc+def=" }, appSecret), expected)
    assert.deepStrictEqual(Crc.responseWith({ crc_token: ["abc+def="] }, appSecret), expected)
    assert.deepStrictEqual(Crc.responseWith(new URLSearchParams({ crc_token: "abc+def=" }), appSecret), expected)
    assert.deepStrictEqual(Crc.responseWith("crc_token=abc%2Bdef%3D&nonce=n", appSecret), expected)
    assert.deepStrictEqual(Crc.responseWith("?crc_token=abc%2Bdef%3D", appSecret), expected)
  })

  it("reads an unencoded + as a space (form decoding), which is then refused", () => {
    assert.strictEqual(tokenReason(Crc.responseWith("crc_token=abc+def", appSecret)), "BadCharacters")
  })

  it("refuses a missing crc_token (400, as every reference receiver does)", () => {
    assert.strictEqual(tokenReason(Crc.responseWith({}, appSecret)), "Missing")
    assert.strictEqual(tokenReason(Crc.responseWith({ crc_token: undefined }, appSecret)), "Missing")
    assert.strictEqual(tokenReason(Crc.responseWith({ crc_token: [] }, appSecret)), "Missing")
    assert.strictEqual(tokenReason(Crc.responseWith("nonce=abc", appSecret)), "Missing")
  })

  it("refuses a duplicated crc_token", () => {
    assert.strictEqual(tokenReason(Crc.responseWith({ crc_token: ["a", "b"] }, appSecret)), "Duplicate")
    assert.strictEqual(tokenReason(Crc.responseWith("crc_token=a&crc_token=b", appSecret)), "Duplicate")
  })

  it("refuses an empty crc_token", () => {
    assert.strictEqual(tokenReason(Crc.responseWith({ crc_token: "" }, appSecret)), "Empty")
    assert.strictEqual(tokenReason(Crc.responseWith("crc_token=", appSecret)), "Empty")
  })

  it("does not read inherited properties as parameters", () => {
    assert.strictEqual(tokenReason(Crc.responseWith(Object.create({ crc_token: "abc" }), appSecret)), "Missing")
  })
})

describe("CRC is no signing oracle", () => {
  const body =
    '{"for_user_id":"2244994945","tweet_delete_events":[{"status":{"id":"1556886030274000000","user_id":"2244994945"},"timestamp_ms":"1660746200593"}]}'

  it("refuses a delivery body as crc_token, so its signature is never produced", () => {
    const result = Crc.responseWith({ crc_token: body }, secret("test_consumer_secret"))
    assert.strictEqual(tokenReason(result), "BadCharacters")
    assert.notInclude(JSON.stringify(result), "s4UZngUmTLzF5hn1DkTFC1dmqZ+m3aZPu9FNpsZqX4Y=")
    assert.strictEqual(tokenReason(Crc.responseToken(body, secret("test_consumer_secret"))), "BadCharacters")
  })

  it.effect("respond refuses a JSON body and the error does not repeat it", () =>
    Effect.gen(function* () {
      const error = yield* Crc.respond({ crc_token: body }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "CrcTokenError")
      assert.strictEqual(error.reason, "BadCharacters")
      assert.notInclude(error.message, "for_user_id")
      assert.include(error.message, "nothing is signed")
    }).pipe(Effect.provide(WebhookSecrets.layer(secret("test_consumer_secret"))))
  )

  const refused: ReadonlyArray<readonly [string, string]> = [
    ["an opening brace", "abc{def"],
    ["a closing brace", "abc}"],
    ["a bracket", "[1]"],
    ["a double quote", 'abc"def'],
    ["a colon", "abc:def"],
    ["a space", "abc def"],
    ["a newline", "abc\ndef"],
    ["a carriage return", "abc\r"],
    ["a tab", "\tabc"],
    ["a NUL", "abc\u0000"],
    ["a zero-width space", "abc\u200bdef"],
    ["a non-breaking space", "abc\u00a0def"],
    ["an ampersand (a CRC GET message)", "crc_token=a&nonce=b"],
    ["a percent sign (undecoded input)", "abc%7Bdef"],
    ["a non-ASCII letter", "café"],
    ["a JSON string", '"abc"'],
    ["a JSON array", '["a"]']
  ]

  for (const [name, token] of refused) {
    it(`refuses a token with ${name}`, () => {
      assert.strictEqual(tokenReason(Crc.checkToken(token)), "BadCharacters")
      assert.strictEqual(tokenReason(Crc.responseToken(token, appSecret)), "BadCharacters")
    })
  }

  it("refuses any JSON object or array, whatever the policy's pattern allows", () => {
    const anything = Crc.tokenPolicy({ pattern: /^[\s\S]*$/, maxLength: 1_000_000 })
    fc.assert(
      fc.property(fc.oneof(fc.object(), fc.array(fc.jsonValue())), (value) => {
        const token = JSON.stringify(value)
        assert.oneOf(tokenReason(Crc.checkToken(token)), ["BadCharacters", "TooLong"])
        assert.strictEqual(tokenReason(Crc.checkToken(token, anything)), "BadCharacters")
      })
    )
  })
})

describe("accepted token shape", () => {
  it("accepts base64, base64url, hex, UUIDs and unreserved characters", () => {
    for (const token of [
      "__TOKEN_FROM_TWITTER__",
      "Zm9vYmFyYmF6cXV4Cg==",
      "Zm9v-YmFy_YmF6",
      "a/b+c=",
      "0123456789abcdef",
      "6f1c1a4e-8b0b-4e5f-9d43-0f5b1c7d3a2e",
      "a.b~c-d_e",
      "x"
    ]) {
      assert.deepStrictEqual(Crc.responseToken(token, appSecret), Either.right(bare("__APP_SECRET__", token)), token)
    }
  })

  it("accepts any base64 or base64url token of 1 to 384 random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 384 }), fc.boolean(), (bytes, url) => {
        const token = Buffer.from(bytes).toString(url ? "base64url" : "base64")
        assert.deepStrictEqual(Crc.responseToken(token, appSecret), Either.right(bare("__APP_SECRET__", token)))
      })
    )
  })

  it("accepts 512 characters and refuses 513", () => {
    assert.strictEqual(tokenReason(Crc.checkToken("a".repeat(512))), "accepted")
    const error = Either.getLeft(Crc.checkToken("a".repeat(513)))
    assert.strictEqual(error._tag === "Some" && error.value.reason, "TooLong")
    assert.include(error._tag === "Some" ? error.value.message : "", "513")
  })

  it("a custom pattern narrows the shape", () => {
    const policy = Crc.tokenPolicy({ pattern: /^[A-Za-z0-9+/=_-]{16,128}$/ })
    assert.strictEqual(tokenReason(Crc.checkToken("short", policy)), "BadCharacters")
    assert.strictEqual(tokenReason(Crc.checkToken("a".repeat(16), policy)), "accepted")
    assert.strictEqual(tokenReason(Crc.checkToken("a".repeat(129), policy)), "BadCharacters")
  })

  it("a custom pattern can widen the shape, but never to the always-refused characters", () => {
    const policy = Crc.tokenPolicy({ pattern: /^[\x21-\x7e]+$/ })
    assert.strictEqual(tokenReason(Crc.checkToken("a:b%c", policy)), "accepted")
    for (const token of ["{a", "a}", '"a', "a&b", "a[0]"]) {
      assert.strictEqual(tokenReason(Crc.checkToken(token, policy)), "BadCharacters", token)
    }
  })

  it("a global pattern gives the same answer on every call", () => {
    const policy = Crc.tokenPolicy({ pattern: /^[a-z]+$/g })
    for (let i = 0; i < 4; i++) assert.strictEqual(tokenReason(Crc.checkToken("abc", policy)), "accepted")
  })

  it("a custom maxLength and predicate apply", () => {
    const policy = Crc.tokenPolicy({ maxLength: 8, predicate: (token) => token.startsWith("x") })
    assert.strictEqual(tokenReason(Crc.checkToken("xabc", policy)), "accepted")
    assert.strictEqual(tokenReason(Crc.checkToken("abc", policy)), "Rejected")
    assert.strictEqual(tokenReason(Crc.checkToken("x12345678", policy)), "TooLong")
  })

  it.effect("respond takes a policy", () =>
    Effect.gen(function* () {
      const policy = Crc.tokenPolicy({ predicate: () => false })
      const error = yield* Crc.respond({ crc_token: "abc" }, policy).pipe(Effect.flip)
      assert.strictEqual(error.reason, "Rejected")
    }).pipe(Effect.provide(WebhookSecrets.layer(appSecret)))
  )
})

describe("rotation", () => {
  it.effect("the first secret answers CRC", () =>
    Effect.gen(function* () {
      const response = yield* Crc.respond({ crc_token: "foo" })
      assert.strictEqual(response.response_token, "sha256=lsBND23VDheU4e/PArTx3YDHHQ2xs23Hj6wI9/uhx3A=")
    }).pipe(Effect.provide(WebhookSecrets.layer([secret("my_consumer_secret"), secret("older")])))
  )
})

describe("CRC GET signature", () => {
  const query = { crc_token: "__TOKEN_FROM_TWITTER__", nonce: "__NONCE__" }
  const good = "sha256=bsQqpx1cyheVTwyNGGPmTeY+SLC8YZIwOfr5Kcb2fQE="

  it("accepts the vector, from a record, URLSearchParams or a raw query string", () => {
    assert.deepStrictEqual(Crc.verifyRequestWith(query, good, appSecret), Either.right(0))
    assert.deepStrictEqual(Crc.verifyRequestWith(new URLSearchParams(query), good, appSecret), Either.right(0))
    assert.deepStrictEqual(
      Crc.verifyRequestWith("crc_token=__TOKEN_FROM_TWITTER__&nonce=__NONCE__", good, appSecret),
      Either.right(0)
    )
  })

  it("signs the decoded values, whatever order and encoding the query used", () => {
    const token = "abc/def+ghi="
    const header = bare("__APP_SECRET__", `crc_token=${token}&nonce=n-1`)
    assert.deepStrictEqual(
      Crc.verifyRequestWith("nonce=n-1&crc_token=abc%2Fdef%2Bghi%3D", header, appSecret),
      Either.right(0)
    )
  })

  it("refuses a missing header", () => {
    assert.strictEqual(signatureReason(Crc.verifyRequestWith(query, undefined, appSecret)), "Missing")
  })

  it("refuses a wrong nonce", () => {
    assert.strictEqual(
      signatureReason(Crc.verifyRequestWith({ ...query, nonce: "__OTHER__" }, good, appSecret)),
      "Mismatch"
    )
  })

  it("refuses a wrong token and a wrong secret", () => {
    assert.strictEqual(
      signatureReason(Crc.verifyRequestWith({ ...query, crc_token: "x" }, good, appSecret)),
      "Mismatch"
    )
    assert.strictEqual(signatureReason(Crc.verifyRequestWith(query, good, secret("other"))), "Mismatch")
  })

  it("refuses a query without exactly one crc_token and one nonce", () => {
    assert.strictEqual(
      signatureReason(Crc.verifyRequestWith({ crc_token: query.crc_token }, good, appSecret)),
      "BadQuery"
    )
    assert.strictEqual(signatureReason(Crc.verifyRequestWith({ nonce: query.nonce }, good, appSecret)), "BadQuery")
    assert.strictEqual(signatureReason(Crc.verifyRequestWith({ ...query, nonce: "" }, good, appSecret)), "BadQuery")
    assert.strictEqual(
      signatureReason(Crc.verifyRequestWith({ ...query, nonce: ["__NONCE__", "__NONCE__"] }, good, appSecret)),
      "BadQuery"
    )
  })

  it("refuses malformed headers like a delivery signature", () => {
    const hex = createHmac("sha256", "__APP_SECRET__")
      .update(Crc.requestMessage(query.crc_token, query.nonce))
      .digest("hex")
    assert.strictEqual(signatureReason(Crc.verifyRequestWith(query, "", appSecret)), "Empty")
    assert.strictEqual(
      signatureReason(Crc.verifyRequestWith(query, good.replace("sha256", "sha1"), appSecret)),
      "BadPrefix"
    )
    assert.strictEqual(signatureReason(Crc.verifyRequestWith(query, `sha256=${hex}`, appSecret)), "HexDigest")
  })

  it("an error about a CRC GET names the CRC request, not a delivery", () => {
    const error = Either.getLeft(Crc.verifyRequestWith(query, undefined, appSecret))
    assert.strictEqual(error._tag === "Some" && error.value.subject, "CrcRequest")
    assert.include(error._tag === "Some" ? error.value.message : "", "CRC request")
  })

  it.effect("verifyRequest checks every secret of the service and reports which matched", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* Crc.verifyRequest(query, good), 1)
      const error = yield* Crc.verifyRequest({ ...query, nonce: "__OTHER__" }, good).pipe(Effect.flip)
      assert.strictEqual(error.reason, "Mismatch")
      assert.strictEqual(error.secrets, 2)
    }).pipe(Effect.provide(WebhookSecrets.layer([secret("newer"), appSecret])))
  )
})

describe("challenge (what X sends)", () => {
  it("builds the vector's query, signature and expected answer", () => {
    const challenge = Crc.challenge({ token: "__TOKEN_FROM_TWITTER__", nonce: "__NONCE__", secrets: appSecret })
    assert.strictEqual(challenge.search, "crc_token=__TOKEN_FROM_TWITTER__&nonce=__NONCE__")
    assert.strictEqual(challenge.signature, "sha256=bsQqpx1cyheVTwyNGGPmTeY+SLC8YZIwOfr5Kcb2fQE=")
    assert.deepStrictEqual(challenge.response, {
      response_token: "sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ="
    })
    assert.deepStrictEqual(challenge.params, { crc_token: "__TOKEN_FROM_TWITTER__", nonce: "__NONCE__" })
  })

  it("round-trips through its encoded query for any base64 token and nonce", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 96 }),
        fc.uint8Array({ minLength: 1, maxLength: 32 }),
        (t, n) => {
          const token = Buffer.from(t).toString("base64")
          const nonce = Buffer.from(n).toString("base64url")
          const challenge = Crc.challenge({ token, nonce, secrets: appSecret })
          assert.deepStrictEqual(
            Crc.verifyRequestWith(challenge.search, challenge.signature, appSecret),
            Either.right(0)
          )
          assert.deepStrictEqual(Crc.responseWith(challenge.search, appSecret), Either.right(challenge.response))
        }
      )
    )
  })
})
