import { createHmac } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import * as fc from "fast-check"
import * as WebhookSecrets from "../src/WebhookSecrets.js"
import * as WebhookSignature from "../src/WebhookSignature.js"

const secret = (value: string) => Redacted.make(value)

/** An independent oracle: the header computed with bare node:crypto. */
const bare = (key: string, body: string | Uint8Array) =>
  `sha256=${createHmac("sha256", key).update(body).digest("base64")}`

const reasonOf = (result: Either.Either<number, WebhookSignature.WebhookSignatureError>) =>
  Either.match(result, { onLeft: (error) => error.reason, onRight: (index) => `accepted by secret ${index}` })

// §4.1 of the protocol notes: every value below was recomputed independently.
const vectors = [
  {
    secret: "test",
    body: "test=1&other_test=2",
    header: "sha256=25Cu3iwbbiqBTwQRzcKJZwisjf736V2Q8UaTlkfLSoc="
  },
  {
    secret: "test",
    body: '{"test_number":1,"test_string":"two"}',
    header: "sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI="
  },
  {
    secret: "__APP_SECRET__",
    body: '{"for_user_id":"930524282358325248","tweet_delete_events":[{"status":{"id":"1045405559317569537","user_id":"930524282358325248"},"timestamp_ms":"1432228155593"}]}',
    header: "sha256=fN0FZVManGRnnMhAWWT/UI58TXGACAt7RY5H2/akMa4="
  },
  {
    secret: "test_consumer_secret",
    body: '{"for_user_id":"2244994945","tweet_delete_events":[{"status":{"id":"1556886030274000000","user_id":"2244994945"},"timestamp_ms":"1660746200593"}]}',
    header: "sha256=s4UZngUmTLzF5hn1DkTFC1dmqZ+m3aZPu9FNpsZqX4Y="
  }
] as const

describe("test vectors", () => {
  for (const vector of vectors) {
    it(`signs ${vector.body.slice(0, 40)}… with ${vector.secret}`, () => {
      assert.strictEqual(WebhookSignature.signWith(vector.body, secret(vector.secret)), vector.header)
      assert.strictEqual(
        WebhookSignature.signWith(new TextEncoder().encode(vector.body), secret(vector.secret)),
        vector.header
      )
    })

    it(`verifies ${vector.body.slice(0, 40)}… as a string and as bytes`, () => {
      assert.deepStrictEqual(
        WebhookSignature.verifyWith(vector.body, vector.header, secret(vector.secret)),
        Either.right(0)
      )
      assert.deepStrictEqual(
        WebhookSignature.verifyWith(Buffer.from(vector.body, "utf8"), vector.header, secret(vector.secret)),
        Either.right(0)
      )
      assert.strictEqual(reasonOf(WebhookSignature.verifyWith(vector.body, vector.header, secret("other"))), "Mismatch")
    })
  }
})

describe("raw bytes, never re-serialized JSON", () => {
  // A captured delivery keeps X's escapes: "\/" for "/" and "\u003c" for "<".
  const raw = String.raw`{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"1556886030274000000","source":"\u003ca href=\"https:\/\/mobile.twitter.com\" rel=\"nofollow\"\u003eTwitter Web App\u003c\/a\u003e","text":"caf\u00e9 https:\/\/t.co\/abc"}]}`
  const key = secret("test_consumer_secret")
  const header = bare("test_consumer_secret", raw)

  it("verifies the body exactly as received", () => {
    assert.deepStrictEqual(WebhookSignature.verifyWith(raw, header, key), Either.right(0))
    assert.deepStrictEqual(WebhookSignature.verifyWith(Buffer.from(raw), header, key), Either.right(0))
  })

  it("refuses the same body after JSON.stringify(JSON.parse(body))", () => {
    const reserialized = JSON.stringify(JSON.parse(raw))
    assert.notStrictEqual(reserialized, raw)
    assert.strictEqual(reasonOf(WebhookSignature.verifyWith(reserialized, header, key)), "Mismatch")
  })

  it("hashes a string as UTF-8, like the bytes on the wire", () => {
    const body = '{"text":"café ☕ 𝕏"}'
    const header = bare("k", Buffer.from(body, "utf8"))
    assert.deepStrictEqual(WebhookSignature.verifyWith(body, header, secret("k")), Either.right(0))
    assert.strictEqual(
      reasonOf(WebhookSignature.verifyWith(Buffer.from(body, "latin1"), header, secret("k"))),
      "Mismatch"
    )
  })
})

describe("fails closed", () => {
  const body = vectors[1].body
  const key = secret(vectors[1].secret)
  const good = vectors[1].header
  const digest = good.slice("sha256=".length)
  const hexDigest = createHmac("sha256", vectors[1].secret).update(body).digest("hex")

  const cases: ReadonlyArray<readonly [string, string | null | undefined, WebhookSignature.Reason]> = [
    ["a missing header (undefined)", undefined, "Missing"],
    ["a missing header (null)", null, "Missing"],
    ["an empty header", "", "Empty"],
    ["a blank header", "   ", "Empty"],
    ["sha256= with nothing after it", "sha256=", "Empty"],
    ["the digest without prefix", digest, "BadPrefix"],
    ["a sha1= prefix", `sha1=${digest}`, "BadPrefix"],
    ["an uppercase SHA256= prefix", `SHA256=${digest}`, "BadPrefix"],
    ["a prefix with a space before =", `sha256 =${digest}`, "BadPrefix"],
    ["a hex digest instead of base64", `sha256=${hexDigest}`, "HexDigest"],
    ["an uppercase hex digest", `sha256=${hexDigest.toUpperCase()}`, "HexDigest"],
    ["a digest truncated by 4 characters", good.slice(0, -4), "BadLength"],
    ["a digest truncated by 1 character", good.slice(0, -1), "NotBase64"],
    ["a digest without its padding", good.replace(/=$/, ""), "NotBase64"],
    ["a digest with a stray character", `${good.slice(0, 20)}!${good.slice(21)}`, "NotBase64"],
    ["base64url instead of base64", `sha256=${Buffer.from(digest, "base64").toString("base64url")}=`, "NotBase64"],
    ["a space inside the value", `sha256= ${digest}`, "NotBase64"],
    ["a trailing newline (not optional whitespace)", `${good}\n`, "NotBase64"],
    ["two headers joined by a proxy", `${good}, ${good}`, "NotBase64"],
    ["a 48-byte digest (SHA-384)", `sha256=${Buffer.alloc(48, 1).toString("base64")}`, "BadLength"],
    ["a well-formed digest of zeros", `sha256=${Buffer.alloc(32).toString("base64")}`, "Mismatch"]
  ]

  for (const [name, header, reason] of cases) {
    it(`refuses ${name}: ${reason}`, () => {
      const result = WebhookSignature.verifyWith(body, header, key)
      assert.isTrue(Either.isLeft(result))
      assert.strictEqual(reasonOf(result), reason)
      assert.isFalse(WebhookSignature.isValid(body, header, key))
    })
  }

  it("the test body really uses + or / in its digest (so the base64url case is meaningful)", () => {
    assert.match(digest, /[+/]/)
  })

  it("refuses a non-canonical base64 spelling of the right digest", () => {
    // The 43rd character carries 2 unused bits: setting one decodes to the same 32 bytes.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    const last = digest[42]!
    const tweaked = `${digest.slice(0, 42)}${alphabet[alphabet.indexOf(last) + 1]}=`
    assert.deepStrictEqual(Buffer.from(tweaked, "base64"), Buffer.from(digest, "base64"))
    assert.strictEqual(reasonOf(WebhookSignature.verifyWith(body, `sha256=${tweaked}`, key)), "NotBase64")
  })

  it("accepts spaces and tabs around the value (RFC 9110 optional whitespace)", () => {
    assert.deepStrictEqual(WebhookSignature.verifyWith(body, `  ${good}`, key), Either.right(0))
    assert.deepStrictEqual(WebhookSignature.verifyWith(body, `${good} \t`, key), Either.right(0))
  })

  it.effect("a missing header fails the effect: the event is never emitted", () =>
    Effect.gen(function* () {
      const error = yield* WebhookSignature.verify(body, undefined).pipe(Effect.flip)
      assert.strictEqual(error._tag, "WebhookSignatureError")
      assert.strictEqual(error.reason, "Missing")
      assert.strictEqual(error.subject, "Delivery")
      assert.include(error.message, "x-twitter-webhooks-signature")
    }).pipe(Effect.provide(WebhookSecrets.layer(key)))
  )

  it("says what to check on a mismatch and never shows the secret", () => {
    const result = WebhookSignature.verifyWith(body, bare("wrong-secret", body), [secret("s3cr3t-value")])
    const error = Either.getLeft(result).pipe((option) => (option._tag === "Some" ? option.value : undefined))
    assert.isDefined(error)
    assert.strictEqual(error.reason, "Mismatch")
    assert.include(error.message, "consumer secret")
    assert.include(error.message, "raw body bytes")
    assert.notInclude(error.message, "s3cr3t-value")
    assert.notInclude(JSON.stringify(error), "s3cr3t-value")
    assert.notInclude(String(error), "s3cr3t-value")
  })
})

describe("rotation", () => {
  const next = secret("new-consumer-secret")
  const previous = secret("old-consumer-secret")
  const body = vectors[2].body

  it.effect("accepts the new and the old secret, reports which one, refuses a third", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* WebhookSignature.verify(body, bare("new-consumer-secret", body)), 0)
      assert.strictEqual(yield* WebhookSignature.verify(body, bare("old-consumer-secret", body)), 1)
      const error = yield* WebhookSignature.verify(body, bare("third-consumer-secret", body)).pipe(Effect.flip)
      assert.strictEqual(error.reason, "Mismatch")
      assert.strictEqual(error.secrets, 2)
      assert.include(error.message, "2 configured secret(s)")
    }).pipe(Effect.provide(WebhookSecrets.layer([next, previous])))
  )

  it.effect("signs with the first (newest) secret", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* WebhookSignature.sign(body), bare("new-consumer-secret", body))
    }).pipe(Effect.provide(WebhookSecrets.layer([next, previous])))
  )
})

describe("properties", () => {
  const secretText = fc.string({ minLength: 1, maxLength: 64, unit: "grapheme" })
  const body = fc.oneof(fc.string({ unit: "grapheme", maxLength: 2048 }), fc.uint8Array({ maxLength: 2048 }))

  it("sign then verify succeeds for any body and secret, and matches bare node:crypto", () => {
    fc.assert(
      fc.property(body, secretText, (body, key) => {
        const header = WebhookSignature.signWith(body, secret(key))
        assert.strictEqual(header, bare(key, body))
        assert.deepStrictEqual(WebhookSignature.verifyWith(body, header, secret(key)), Either.right(0))
      })
    )
  })

  it("flipping any bit pattern of any single body byte fails", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 1024 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        secretText,
        (bytes, at, mask, key) => {
          const header = WebhookSignature.signWith(bytes, secret(key))
          const tampered = Uint8Array.from(bytes)
          const index = at % tampered.length
          tampered[index] = tampered[index]! ^ mask
          assert.strictEqual(reasonOf(WebhookSignature.verifyWith(tampered, header, secret(key))), "Mismatch")
        }
      )
    )
  })

  it("changing any single character of the header fails", () => {
    fc.assert(
      fc.property(body, secretText, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (body, key, at, char) => {
        const header = WebhookSignature.signWith(body, secret(key))
        const index = at % header.length
        fc.pre(header[index] !== char)
        const tampered = header.slice(0, index) + char + header.slice(index + 1)
        assert.isTrue(Either.isLeft(WebhookSignature.verifyWith(body, tampered, secret(key))))
      })
    )
  })

  it("another secret fails", () => {
    fc.assert(
      fc.property(body, secretText, secretText, (body, key, other) => {
        // HMAC pads short keys with zero bytes, so "k" and "k\0" are the same key: not a different secret.
        fc.pre(key.replace(/\0+$/, "") !== other.replace(/\0+$/, ""))
        const header = WebhookSignature.signWith(body, secret(key))
        assert.strictEqual(reasonOf(WebhookSignature.verifyWith(body, header, secret(other))), "Mismatch")
      })
    )
  })
})
