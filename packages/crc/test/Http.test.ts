import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, ManagedRuntime, Redacted } from "effect"
import * as Crc from "../src/Crc.js"
import * as WebhookSecrets from "../src/WebhookSecrets.js"
import * as WebhookSignature from "../src/WebhookSignature.js"

const consumerSecret = Redacted.make("test_consumer_secret")

/**
 * A minimal receiver on node:http: the raw body is read once as bytes, verified, and only then parsed.
 * Real sockets on loopback, real HMAC.
 */
const receiver = Effect.acquireRelease(
  Effect.async<{
    readonly url: string
    readonly server: Http.Server
    readonly runtime: ManagedRuntime.ManagedRuntime<WebhookSecrets.WebhookSecrets, never>
  }>((resume) => {
    const runtime = ManagedRuntime.make(WebhookSecrets.layer(consumerSecret).pipe(Layer.orDie))
    const server = Http.createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://localhost")
      const header = request.headers[WebhookSignature.headerName]
      const signature = Array.isArray(header) ? header.join(", ") : header
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { "content-type": "application/json" })
        response.end(JSON.stringify(body))
      }
      if (request.method === "GET") {
        const program = Effect.gen(function* () {
          yield* Crc.verifyRequest(url.searchParams, signature)
          return yield* Crc.respond(url.searchParams)
        })
        runtime.runPromise(Effect.either(program)).then((result) =>
          Either.match(result, {
            onLeft: (error) => reply(error._tag === "CrcTokenError" ? 400 : 401, { reason: error.reason }),
            onRight: (answer) => reply(200, answer)
          })
        )
        return
      }
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const raw = Buffer.concat(chunks)
        runtime.runPromise(Effect.either(WebhookSignature.verify(raw, signature))).then((result) =>
          Either.match(result, {
            onLeft: (error) => reply(401, { reason: error.reason }),
            onRight: (index) => reply(200, { secretIndex: index, parsed: JSON.parse(raw.toString("utf8")) })
          })
        )
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}/webhook`, server, runtime }))
    })
  }),
  ({ runtime, server }) =>
    Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
      server.closeAllConnections()
    }).pipe(Effect.zipRight(Effect.promise(() => runtime.dispose())))
)

const call = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  })

describe("over HTTP on loopback", () => {
  it.scoped("answers a signed CRC GET built by challenge", () =>
    Effect.gen(function* () {
      const { url } = yield* receiver
      const challenge = Crc.challenge({ token: "a+b/c=d_e-f", nonce: "MTYxMjM0NTY3OA", secrets: consumerSecret })
      const response = yield* call(`${url}?${challenge.search}`, {
        headers: { [WebhookSignature.headerName]: challenge.signature }
      })
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(response.body, challenge.response)
    })
  )

  it.scoped("refuses a CRC GET with a wrong nonce or no signature, and a JSON body as crc_token", () =>
    Effect.gen(function* () {
      const { url } = yield* receiver
      const challenge = Crc.challenge({ token: "abc", nonce: "n1", secrets: consumerSecret })
      const wrongNonce = yield* call(`${url}?crc_token=abc&nonce=n2`, {
        headers: { [WebhookSignature.headerName]: challenge.signature }
      })
      assert.deepStrictEqual(wrongNonce, { status: 401, body: { reason: "Mismatch" } })
      const unsigned = yield* call(`${url}?${challenge.search}`)
      assert.deepStrictEqual(unsigned, { status: 401, body: { reason: "Missing" } })

      const forged = '{"for_user_id":"1","tweet_delete_events":[]}'
      const oracle = Crc.challenge({ token: forged, nonce: "n1", secrets: consumerSecret })
      const refused = yield* call(`${url}?${oracle.search}`, {
        headers: { [WebhookSignature.headerName]: oracle.signature }
      })
      assert.deepStrictEqual(refused, { status: 400, body: { reason: "BadCharacters" } })
    })
  )

  it.scoped("verifies a delivery over the raw bytes and refuses a missing or tampered signature", () =>
    Effect.gen(function* () {
      const { url } = yield* receiver
      const body = String.raw`{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"1556886030274000000","text":"caf\u00e9 https:\/\/t.co\/x ☕"}]}`
      const signature = WebhookSignature.signWith(body, consumerSecret)
      const post = (headers: Record<string, string>, payload: string = body) =>
        call(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: payload })

      const accepted = yield* post({ [WebhookSignature.headerName]: signature })
      assert.strictEqual(accepted.status, 200)
      assert.strictEqual(accepted.body.secretIndex, 0)

      assert.deepStrictEqual(yield* post({}), { status: 401, body: { reason: "Missing" } })
      assert.deepStrictEqual(
        yield* post({ [WebhookSignature.headerName]: signature }, JSON.stringify(JSON.parse(body))),
        {
          status: 401,
          body: { reason: "Mismatch" }
        }
      )
    })
  )
})
