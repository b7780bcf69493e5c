import * as Http from "node:http"
import { WebhookSecrets, WebhookSignature } from "@account-activity/crc"
import { MemoryQueue } from "@account-activity/queue"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import fc from "fast-check"
import * as Receiver from "../src/Receiver.js"
import { baseUrl, drainQueue, request, secret, sign, text } from "./utils/http.js"

const maxBodyBytes = 2048

const Live = Receiver.layerServer({ port: 0, host: "127.0.0.1", maxBodyBytes }).pipe(
  Layer.provideMerge(MemoryQueue.layer()),
  Layer.provide(WebhookSecrets.layer(secret)),
  Layer.orDie
)

/** A header value a client may send: printable ASCII. */
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 60
})

const body = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.json({ maxDepth: 3 }).map((json) => new Uint8Array(Buffer.from(json))),
  fc.string({ unit: "binary", maxLength: 400 }).map((value) => new Uint8Array(Buffer.from(value))),
  fc.constant(new Uint8Array(Buffer.from('{"for_user_id":"1","follow_events":[]}'))),
  // around the limit
  fc
    .tuple(fc.integer({ min: maxBodyBytes - 8, max: maxBodyBytes + 8 }), fc.integer({ min: 0, max: 255 }))
    .map(([size, byte]) => new Uint8Array(size).fill(byte)),
  fc.integer({ min: maxBodyBytes, max: 4 * maxBodyBytes }).map((size) => new Uint8Array(size).fill(0x7b))
)

const input = fc.record({
  body,
  signature: fc.oneof(
    { arbitrary: fc.constant("valid"), weight: 5 },
    { arbitrary: fc.constantFrom("missing", "other-secret", "other-body", "hex", "bare", "twice"), weight: 3 },
    { arbitrary: headerValue, weight: 2 }
  ),
  contentType: fc.oneof(
    {
      arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8", " APPLICATION/JSON "),
      weight: 5
    },
    {
      arbitrary: fc.constantFrom(
        "none",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json-seq",
        "multipart/form-data; boundary=x"
      ),
      weight: 3
    },
    { arbitrary: headerValue, weight: 2 }
  ),
  encoding: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 6 },
    { arbitrary: fc.constantFrom("gzip", "identity", "br", " Identity"), weight: 2 }
  ),
  chunked: fc.boolean(),
  method: fc.oneof(
    { arbitrary: fc.constant("POST"), weight: 8 },
    { arbitrary: fc.constantFrom("PUT", "GET", "DELETE", "PATCH"), weight: 2 }
  ),
  path: fc.oneof(
    { arbitrary: fc.constantFrom("/webhook", "/webhook?x=1"), weight: 8 },
    { arbitrary: fc.constantFrom("/webhook/", "/other", "//webhook", "/WEBHOOK"), weight: 2 }
  ),
  extra: fc.dictionary(fc.constantFrom("x-anything", "user-agent", "accept", "x-forwarded-for", "cookie"), headerValue)
})

type Input = typeof input extends fc.Arbitrary<infer A> ? A : never

const signatureOf = (input: Input): string | undefined => {
  const bytes = input.body
  switch (input.signature) {
    case "valid":
      return sign(bytes)
    case "missing":
      return undefined
    case "other-secret":
      return sign(bytes, Redacted.make("not-the-consumer-secret"))
    case "other-body":
      return sign("{}")
    case "hex":
      return `sha256=${Buffer.from(sign(bytes).slice(7), "base64").toString("hex")}`
    case "bare":
      return sign(bytes).slice(7)
    case "twice":
      return `${sign(bytes)}, ${sign(bytes)}`
    default:
      return input.signature
  }
}

const isJson = (value: string | undefined) =>
  value !== undefined && value.split(";")[0]!.trim().toLowerCase() === "application/json"

/** The documented answer for a request (see the README's table), from an independent reading of the rules. */
const expected = (input: Input, signature: string | undefined, contentType: string | undefined): number => {
  const path = input.path.split("?")[0]
  if (path !== "/webhook") return 404
  if (input.method === "GET") return 400 // no crc_token
  if (input.method !== "POST") return 405
  const tooLarge = input.body.length > maxBodyBytes
  // Content-Length is checked before anything else; a chunked body's size is known only while reading it.
  if (tooLarge && !input.chunked) return 413
  if (input.encoding !== undefined && input.encoding.trim().toLowerCase() !== "identity") return 415
  if (!isJson(contentType)) return 415
  if (tooLarge) return 413
  if (!WebhookSignature.isValid(input.body, signature, secret)) return 401
  return 200
}

const fire = (base: string, input: Input, signature: string | undefined, contentType: string | undefined) =>
  new Promise<{ status: number } | { error: string }>((resolve) => {
    const headers: Record<string, string> = { ...input.extra }
    if (contentType !== undefined) headers["content-type"] = contentType
    if (signature !== undefined) headers[WebhookSignature.headerName] = signature
    if (input.encoding !== undefined) headers["content-encoding"] = input.encoding
    if (!input.chunked) headers["content-length"] = String(input.body.length)
    const req = Http.request(`${base}${input.path}`, { method: input.method, headers, agent: false }, (response) => {
      response.resume()
      response.on("end", () => resolve({ status: response.statusCode! }))
    })
    req.on("error", (error) => resolve({ error: String(error) }))
    if (input.chunked) {
      const half = input.body.length >> 1
      if (half > 0) req.write(input.body.subarray(0, half))
      req.end(input.body.subarray(half))
    } else req.end(input.body)
  })

describe("fuzz", () => {
  it.live(
    "random bodies, headers, signatures, types and sizes: only documented 4xx, 200 only when signed, nothing unsigned stored",
    () =>
      Effect.gen(function* () {
        const base = yield* baseUrl
        const accepted: Array<string> = []
        const statuses = new Map<number, number>()
        let cutOff = 0
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(input, async (input) => {
              const signature = signatureOf(input)
              const contentType = input.contentType === "none" ? undefined : input.contentType
              const want = expected(input, signature, contentType)
              const got = await fire(base, input, signature, contentType)
              if ("error" in got) {
                // Only a refused oversized body may be cut off while the client still writes it.
                if (want !== 413) throw new Error(`the request failed (${got.error}); expected ${want}`)
                cutOff++
                return
              }
              statuses.set(got.status, (statuses.get(got.status) ?? 0) + 1)
              if (got.status !== want) throw new Error(`answered ${got.status}, expected ${want}`)
              if (got.status === 200) accepted.push(Buffer.from(input.body).toString("base64"))
            }),
            { numRuns: 400 }
          )
        )
        // Every class of answer was exercised; a cut-off upload stays the exception.
        assert.isBelow(cutOff, 20)
        for (const status of [200, 400, 401, 404, 405, 413, 415]) {
          assert.isAbove(statuses.get(status) ?? 0, 0, `no request was answered ${status}`)
        }
        // The server is still up, and the queue holds exactly the signed deliveries that were answered 200.
        assert.strictEqual((yield* request(`${base}/healthz`)).status, 200)
        const stored = yield* drainQueue
        assert.deepStrictEqual(
          stored.map((message) => Buffer.from(message.body).toString("base64")).sort(),
          accepted.sort()
        )
        for (const message of stored) {
          const signature = message.headers[WebhookSignature.headerName]
          assert.isTrue(WebhookSignature.isValid(message.body, signature, secret), text(message.body))
        }
      }).pipe(Effect.provide(Live)),
    60_000
  )
})
