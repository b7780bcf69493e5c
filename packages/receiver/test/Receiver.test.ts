import * as Http from "node:http"
import { Crc, WebhookSecrets, WebhookSignature } from "@account-activity/crc"
import { EventQueue, MemoryQueue } from "@account-activity/queue"
import { HttpRouter, HttpServer, HttpServerRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Redacted, Scope, TestClock } from "effect"
import * as Receiver from "../src/Receiver.js"
import * as Rejection from "../src/Rejection.js"
import {
  baseUrl,
  connect,
  deliver,
  drainQueue,
  failingQueue,
  gated,
  olderSecret,
  request,
  secret,
  send,
  sign,
  text
} from "./utils/http.js"

const SecretsLive = WebhookSecrets.layer([secret, olderSecret]).pipe(Layer.orDie)

/** The receiver on its own server (127.0.0.1, a free port) over an in-memory queue the test can read. */
const live = (options: Receiver.ServerOptions = {}) =>
  Receiver.layerServer({ port: 0, host: "127.0.0.1", maxBodyBytes: 4096, ...options }).pipe(
    Layer.provideMerge(MemoryQueue.layer()),
    Layer.provide(SecretsLive),
    Layer.orDie
  )

const webhook = Effect.map(baseUrl, (base) => `${base}/webhook`)

// As X writes bodies: "/" escaped, non-ASCII escaped, plus raw UTF-8 to check the exact bytes are kept.
const body =
  '{"for_user_id":"2244994945","tweet_create_events":[{"id":1556886030274000000,"id_str":"1556886030274000000","text":"Caf\\u00e9 https:\\/\\/t.co\\/x é ☕"}]}'

const errorOf = (reply: { readonly text: string }) => JSON.parse(reply.text) as { error: string; hint: string }

describe("POST: deliveries", () => {
  it.live("200 only after the append, with the exact bytes, the headers that matter, source and time", () =>
    Effect.gen(function* () {
      const url = yield* webhook
      const before = Date.now()
      const reply = yield* deliver(url, body, { "user-agent": "X-Webhooks", "x-extra": "not stored" })
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.text, "")
      const stored = yield* drainQueue
      assert.strictEqual(stored.length, 1)
      const message = stored[0]!
      assert.deepStrictEqual(Array.from(message.body), Array.from(Buffer.from(body, "utf8")))
      assert.deepStrictEqual(message.headers, {
        "content-type": "application/json",
        [WebhookSignature.headerName]: sign(body)
      })
      assert.strictEqual(message.source, "webhook")
      assert.isAtLeast(message.receivedAt, before)
      assert.isAtMost(message.receivedAt, Date.now())
    }).pipe(Effect.provide(live()))
  )

  it.effect("receivedAt comes from Clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_700_000_000_000)
      const reply = yield* deliver(yield* webhook, body)
      assert.strictEqual(reply.status, 200)
      const [message] = yield* drainQueue
      assert.strictEqual(message!.receivedAt, 1_700_000_000_000)
    }).pipe(Effect.provide(live()))
  )

  it.live("a charset parameter is accepted; a delivery signed with the older secret is accepted and counted", () =>
    Effect.gen(function* () {
      const url = yield* webhook
      const first = yield* deliver(url, body, { "content-type": "Application/JSON; charset=utf-8" })
      assert.strictEqual(first.status, 200)
      const second = yield* deliver(url, "{}", { [WebhookSignature.headerName]: sign("{}", olderSecret) })
      assert.strictEqual(second.status, 200)
      const stored = yield* drainQueue
      assert.deepStrictEqual(
        stored.map((message) => [text(message.body), message.headers["content-type"]]),
        [
          [body, "Application/JSON; charset=utf-8"],
          ["{}", "application/json"]
        ]
      )
      const receiver = yield* Receiver.Receiver
      assert.strictEqual(receiver.metrics.snapshot().olderSecret, 1)
    }).pipe(Effect.provide(live()))
  )

  it.live("401 for a missing, malformed or wrong signature, and nothing is stored", () =>
    Effect.gen(function* () {
      const url = yield* webhook
      const cases: ReadonlyArray<[Record<string, string>, string]> = [
        [{}, "Missing"],
        [{ [WebhookSignature.headerName]: "" }, "Empty"],
        [{ [WebhookSignature.headerName]: sign(`${body} `) }, "Mismatch"],
        [{ [WebhookSignature.headerName]: sign(body, Redacted.make("another-app-secret")) }, "Mismatch"],
        [{ [WebhookSignature.headerName]: sign(body).replace("sha256=", "sha1=") }, "BadPrefix"]
      ]
      for (const [headers, why] of cases) {
        const reply = yield* request(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body
        })
        assert.strictEqual(reply.status, 401, why)
        assert.strictEqual(errorOf(reply).error, "signature_invalid")
        assert.include(errorOf(reply).hint, "not stored")
      }
      assert.deepStrictEqual(yield* drainQueue, [])
      const receiver = yield* Receiver.Receiver
      assert.strictEqual(receiver.metrics.snapshot().rejected.signature_invalid, cases.length)
      assert.strictEqual(receiver.metrics.snapshot().accepted, 0)
    }).pipe(Effect.provide(live()))
  )

  it.live("413 from Content-Length, before the body is read, and nothing is stored", () =>
    Effect.gen(function* () {
      const big = JSON.stringify({ padding: "x".repeat(5000) })
      const reply = yield* deliver(yield* webhook, big)
      assert.strictEqual(reply.status, 413)
      assert.strictEqual(reply.headers.connection, "close")
      assert.strictEqual(errorOf(reply).error, "body_too_large")
      assert.include(errorOf(reply).hint, "4096 bytes")
      assert.deepStrictEqual(yield* drainQueue, [])
    }).pipe(Effect.provide(live()))
  )

  it.live("413 for a chunked body that grows past the limit, answered without waiting for its end", () =>
    Effect.gen(function* () {
      const url = yield* webhook
      const raw = yield* Effect.promise(() => connect(url))
      const chunk = "a".repeat(3000)
      const signature = sign(chunk + chunk)
      yield* Effect.promise(() =>
        raw.write(
          `POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${WebhookSignature.headerName}: ${signature}\r\nTransfer-Encoding: chunked\r\n\r\n`
        )
      )
      yield* Effect.promise(() => raw.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`))
      yield* Effect.promise(() => raw.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`))
      // The terminating chunk is never sent: the answer must come anyway, and the connection must close.
      const answer = yield* Effect.promise(() => raw.closed).pipe(Effect.timeout("5 seconds"))
      assert.match(answer, /^HTTP\/1\.1 413 /)
      assert.include(answer, "body_too_large")
      assert.deepStrictEqual(yield* drainQueue, [])
      const receiver = yield* Receiver.Receiver
      assert.strictEqual(receiver.metrics.snapshot().rejected.body_too_large, 1)
    }).pipe(Effect.provide(live()))
  )

  it.live("415 without application/json, and for a compressed body; nothing is stored", () =>
    Effect.gen(function* () {
      const url = yield* webhook
      const signature = { [WebhookSignature.headerName]: sign(body) }
      const cases: ReadonlyArray<[Record<string, string>, string]> = [
        [{ ...signature }, "unsupported_media_type"],
        [{ ...signature, "content-type": "text/plain" }, "unsupported_media_type"],
        [{ ...signature, "content-type": "application/jsonp" }, "unsupported_media_type"],
        [{ ...signature, "content-type": "application/x-www-form-urlencoded" }, "unsupported_media_type"],
        [{ ...signature, "content-type": "application/json", "content-encoding": "gzip" }, "unsupported_encoding"]
      ]
      for (const [headers, error] of cases) {
        const reply = yield* request(url, { method: "POST", headers, body })
        assert.strictEqual(reply.status, 415, JSON.stringify(headers))
        assert.strictEqual(errorOf(reply).error, error)
      }
      assert.deepStrictEqual(yield* drainQueue, [])
    }).pipe(Effect.provide(live()))
  )

  it.live("503 with Retry-After when the queue fails; /healthz says so too", () =>
    Effect.gen(function* () {
      const base = yield* baseUrl
      const reply = yield* deliver(`${base}/webhook`, body)
      assert.strictEqual(reply.status, 503)
      assert.strictEqual(reply.headers["retry-after"], "7")
      assert.strictEqual(errorOf(reply).error, "queue_unavailable")
      assert.include(errorOf(reply).hint, "X retries it")
      const health = yield* request(`${base}/healthz`)
      assert.strictEqual(health.status, 503)
      assert.strictEqual(errorOf(health).error, "queue_unavailable")
      assert.include(errorOf(health).hint, "(Unreachable)")
    }).pipe(
      Effect.provide(
        Receiver.layerServer({ port: 0, host: "127.0.0.1", retryAfter: "6500 millis" }).pipe(
          Layer.provide(failingQueue),
          Layer.provide(SecretsLive),
          Layer.orDie
        )
      )
    )
  )

  it.live("503 when the append does not finish within appendTimeout", () =>
    Effect.gen(function* () {
      const gate = yield* gated
      const layer = Receiver.layerServer({ port: 0, host: "127.0.0.1", appendTimeout: "150 millis" }).pipe(
        Layer.provide(Layer.succeed(EventQueue.EventQueue, gate.service)),
        Layer.provide(SecretsLive),
        Layer.orDie
      )
      const reply = yield* Effect.flatMap(webhook, (url) => deliver(url, body)).pipe(Effect.provide(layer))
      assert.strictEqual(reply.status, 503)
      assert.strictEqual(errorOf(reply).error, "append_timeout")
      assert.strictEqual(reply.headers["retry-after"], "5")
    }).pipe(Effect.provide(MemoryQueue.layer()))
  )

  it.live("503 above maxInFlight appends, not an unbounded wait", () =>
    Effect.gen(function* () {
      const gate = yield* gated
      const layer = Receiver.layerServer({ port: 0, host: "127.0.0.1", maxInFlight: 2 }).pipe(
        Layer.provideMerge(Layer.succeed(EventQueue.EventQueue, gate.service)),
        Layer.provide(SecretsLive),
        Layer.orDie
      )
      yield* Effect.gen(function* () {
        const url = yield* webhook
        const held = yield* Effect.fork(Effect.all([deliver(url, "[1]"), deliver(url, "[2]")], { concurrency: 2 }))
        while (gate.waiting() < 2) yield* Effect.sleep("5 millis")
        const refused = yield* deliver(url, "[3]")
        assert.strictEqual(refused.status, 503)
        assert.strictEqual(errorOf(refused).error, "overloaded")
        assert.include(errorOf(refused).hint, "2 appends are already in flight")
        yield* gate.open
        const replies = yield* Fiber.join(held)
        assert.deepStrictEqual(
          replies.map((reply) => reply.status),
          [200, 200]
        )
        const stored = yield* drainQueue
        assert.sameMembers(
          stored.map((message) => text(message.body)),
          ["[1]", "[2]"]
        )
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.provide(MemoryQueue.layer()))
  )
})

describe("GET: CRC", () => {
  it.live("answers the response_token of crc's responseToken, as JSON", () =>
    Effect.gen(function* () {
      const url = yield* webhook
      const token = "MTYxMjM0NTY3OA_abc-DEF="
      const reply = yield* request(`${url}?crc_token=${encodeURIComponent(token)}&nonce=abc`)
      assert.strictEqual(reply.status, 200)
      assert.match(String(reply.headers["content-type"]), /^application\/json/)
      const expected = Crc.responseToken(token, secret)
      assert.deepStrictEqual(JSON.parse(reply.text), {
        response_token: expected._tag === "Right" ? expected.right : "unexpected"
      })
      const receiver = yield* Receiver.Receiver
      assert.strictEqual(receiver.metrics.snapshot().crcAnswered, 1)
    }).pipe(Effect.provide(live()))
  )

  it.live("400 for a missing, duplicated or refused crc_token (nothing is signed)", () =>
    Effect.gen(function* () {
      const url = yield* webhook
      for (const query of [
        "",
        "?nonce=1",
        "?crc_token=",
        "?crc_token=a&crc_token=b",
        `?crc_token=${encodeURIComponent(body)}`
      ]) {
        const reply = yield* request(`${url}${query}`)
        assert.strictEqual(reply.status, 400, query)
        assert.strictEqual(errorOf(reply).error, "crc_token_invalid")
        assert.notInclude(reply.text, "sha256=")
      }
    }).pipe(Effect.provide(live()))
  )

  it.live("with verifyCrcSignature: a signed challenge is answered, an unsigned one is 401", () =>
    Effect.gen(function* () {
      const url = yield* webhook
      const challenge = Crc.challenge({ token: "abcDEF123-_", nonce: "n0nce", secrets: secret })
      const signed = yield* request(`${url}?${challenge.search}`, {
        headers: { [WebhookSignature.headerName]: challenge.signature }
      })
      assert.strictEqual(signed.status, 200)
      assert.deepStrictEqual(JSON.parse(signed.text), challenge.response)
      const unsigned = yield* request(`${url}?${challenge.search}`)
      assert.strictEqual(unsigned.status, 401)
      assert.strictEqual(errorOf(unsigned).error, "crc_signature_invalid")
    }).pipe(Effect.provide(live({ verifyCrcSignature: true })))
  )
})

describe("routes", () => {
  it.live("404 elsewhere, 405 for other methods, configurable paths", () =>
    Effect.gen(function* () {
      const base = yield* baseUrl
      assert.strictEqual((yield* request(`${base}/webhook`)).status, 404)
      assert.strictEqual((yield* request(`${base}/x/hook/`)).status, 404)
      const put = yield* request(`${base}/x/hook`, { method: "PUT" })
      assert.strictEqual(put.status, 405)
      assert.strictEqual(put.headers.allow, "GET, POST")
      assert.strictEqual(errorOf(put).error, "method_not_allowed")
      assert.strictEqual((yield* request(`${base}/up`)).status, 200)
      assert.strictEqual((yield* request(`${base}/up`, { method: "POST" })).status, 405)
      assert.strictEqual((yield* request(`${base}/metrics`)).status, 404)
      assert.strictEqual((yield* deliver(`${base}/x/hook`, body)).status, 200)
    }).pipe(Effect.provide(live({ path: "/x/hook", healthPath: "/up", metricsPath: false })))
  )

  it.live("/healthz and /metrics after traffic", () =>
    Effect.gen(function* () {
      const base = yield* baseUrl
      assert.deepStrictEqual(JSON.parse((yield* request(`${base}/healthz`)).text), { status: "ok" })
      for (let i = 0; i < 3; i++) assert.strictEqual((yield* deliver(`${base}/webhook`, `[${i}]`)).status, 200)
      yield* request(`${base}/webhook`, { method: "POST", headers: { "content-type": "application/json" }, body })
      yield* request(`${base}/webhook`, { method: "POST", headers: { "content-type": "text/plain" }, body })
      yield* request(`${base}/webhook?crc_token=abc`)
      yield* request(`${base}/nothing`)
      const reply = yield* request(`${base}/metrics`)
      assert.strictEqual(reply.status, 200)
      assert.match(String(reply.headers["content-type"]), /^text\/plain; version=0\.0\.4/)
      const lines = reply.text.split("\n")
      const value = (name: string) => {
        const line = lines.find((candidate) => candidate.startsWith(`${name} `))
        assert.isDefined(line, name)
        return Number(line!.slice(name.length + 1))
      }
      assert.strictEqual(value("aaa_receiver_deliveries_accepted_total"), 3)
      assert.strictEqual(value('aaa_receiver_requests_rejected_total{reason="signature_invalid"}'), 1)
      assert.strictEqual(value('aaa_receiver_requests_rejected_total{reason="unsupported_media_type"}'), 1)
      assert.strictEqual(value('aaa_receiver_requests_rejected_total{reason="not_found"}'), 1)
      for (const label of Rejection.labels) value(`aaa_receiver_requests_rejected_total{reason="${label}"}`)
      assert.strictEqual(value("aaa_receiver_append_duration_seconds_count"), 3)
      assert.strictEqual(value('aaa_receiver_append_duration_seconds_bucket{le="+Inf"}'), 3)
      assert.isAbove(value("aaa_receiver_append_duration_seconds_sum"), 0)
      assert.strictEqual(value("aaa_receiver_appends_in_flight"), 0)
      assert.strictEqual(value("aaa_receiver_crc_answered_total"), 1)
      assert.strictEqual(value("aaa_receiver_draining"), 0)
      assert.include(reply.text, "# TYPE aaa_receiver_append_duration_seconds histogram")
    }).pipe(Effect.provide(live()))
  )

  it.live("the router serves the same routes when mounted in an application's router", () =>
    Effect.gen(function* () {
      const receiver = yield* Receiver.make({ path: "/hook" })
      const app = HttpRouter.empty.pipe(HttpRouter.mount("/x", receiver.router))
      yield* HttpServer.serveEffect()(app)
      const base = yield* baseUrl
      assert.strictEqual((yield* deliver(`${base}/x/hook`, body)).status, 200)
      assert.strictEqual((yield* request(`${base}/x/hook?crc_token=abc`)).status, 200)
      assert.strictEqual((yield* request(`${base}/x/healthz`)).status, 200)
      assert.strictEqual((yield* drainQueue).length, 1)
    }).pipe(
      Effect.scoped,
      Effect.provide(
        Layer.mergeAll(
          NodeHttpServer.layer(Http.createServer, { port: 0, host: "127.0.0.1" }),
          MemoryQueue.layer(),
          SecretsLive
        )
      )
    )
  )
})

describe("other ways to serve", () => {
  it.live("Receiver.layer serves the same answers on an HttpServer of the application", () =>
    Effect.gen(function* () {
      const url = yield* webhook
      assert.strictEqual((yield* deliver(url, body)).status, 200)
      assert.strictEqual((yield* deliver(url, body, { [WebhookSignature.headerName]: sign("{}") })).status, 401)
      assert.strictEqual((yield* deliver(url, "x".repeat(5000))).status, 413)
      assert.strictEqual((yield* deliver(url, body, { "content-type": "text/plain" })).status, 415)
      assert.strictEqual((yield* request(`${url}?crc_token=abc`)).status, 200)
      const stored = yield* drainQueue
      assert.deepStrictEqual(
        stored.map((message) => text(message.body)),
        [body]
      )
    }).pipe(
      Effect.provide(
        Receiver.layer({ maxBodyBytes: 4096 }).pipe(
          Layer.provideMerge(NodeHttpServer.layer(Http.createServer, { port: 0, host: "127.0.0.1" })),
          Layer.provideMerge(MemoryQueue.layer()),
          Layer.provide(SecretsLive)
        )
      )
    )
  )

  it.scoped("the HttpApp reads any platform's body through its stream (a web Request here)", () =>
    Effect.gen(function* () {
      const receiver = yield* Receiver.make({ maxBodyBytes: 64 })
      const call = (init: RequestInit & { readonly path?: string }) =>
        receiver.httpApp.pipe(
          Effect.provideService(
            HttpServerRequest.HttpServerRequest,
            HttpServerRequest.fromWeb(new Request(`http://receiver.test${init.path ?? "/webhook"}`, init))
          )
        )
      const signed = yield* call({
        method: "POST",
        headers: { "content-type": "application/json", [WebhookSignature.headerName]: sign("[1]") },
        body: "[1]"
      })
      assert.strictEqual(signed.status, 200)
      const unsigned = yield* call({ method: "POST", headers: { "content-type": "application/json" }, body: "[2]" })
      assert.strictEqual(unsigned.status, 401)
      // no Content-Length: the limit is enforced while reading the stream
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode("x".repeat(30)))
          controller.close()
        }
      })
      const large = yield* call({
        method: "POST",
        headers: { "content-type": "application/json", [WebhookSignature.headerName]: sign("x".repeat(120)) },
        body: stream,
        duplex: "half"
      } as RequestInit)
      assert.strictEqual(large.status, 413)
      const stored = yield* drainQueue
      assert.deepStrictEqual(
        stored.map((message) => text(message.body)),
        ["[1]"]
      )
    }).pipe(Effect.provide(Layer.merge(MemoryQueue.layer(), SecretsLive)))
  )
})

describe("slow clients and shutdown", () => {
  it.live("a client trickling its headers is cut off by headersTimeout", () =>
    Effect.gen(function* () {
      const url = yield* webhook
      const raw = yield* Effect.promise(() => connect(url))
      const started = Date.now()
      yield* Effect.promise(() => raw.write("POST /webhook HTTP/1.1\r\nHost: x\r\n"))
      let cutOff = false
      for (let i = 0; i < 60 && !cutOff; i++) {
        yield* Effect.sleep("100 millis")
        if (raw.socket.destroyed || raw.socket.readableEnded) cutOff = true
        else yield* Effect.promise(() => raw.write(`X-Slow-${i}: ${"z".repeat(3)}\r\n`))
      }
      const answer = yield* Effect.promise(() => raw.closed)
      assert.isTrue(cutOff, "the connection was never closed")
      assert.isBelow(Date.now() - started, 3000)
      assert.match(answer, /^HTTP\/1\.1 408 /)
      assert.deepStrictEqual(yield* drainQueue, [])
    }).pipe(Effect.provide(live({ headersTimeout: "500 millis", connectionsCheckingInterval: "100 millis" })))
  )

  it.live("shutdown answers new requests 503, lets the in-flight append finish with 200, then closes", () =>
    Effect.gen(function* () {
      const memory = yield* MemoryQueue.make()
      const gate = yield* gated.pipe(Effect.provideService(EventQueue.EventQueue, memory))
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        Receiver.layerServer({ port: 0, host: "127.0.0.1", drainTimeout: "10 seconds" }).pipe(
          Layer.provide(Layer.succeed(EventQueue.EventQueue, gate.service)),
          Layer.provide(SecretsLive),
          Layer.orDie
        ),
        scope
      )
      const url = `${yield* baseUrl.pipe(Effect.provide(context))}/webhook`
      const receiver = Context.get(context, Receiver.Receiver)
      // A connection whose request has begun (so closing idle connections spares it), finished during the drain.
      const open = yield* Effect.promise(() => connect(url))
      yield* Effect.promise(() =>
        open.write(
          `POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${WebhookSignature.headerName}: ${sign("[2]")}\r\n`
        )
      )

      const inFlight = yield* Effect.fork(deliver(url, body))
      while ((yield* receiver.inFlight) < 1) yield* Effect.sleep("5 millis")
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      while (!(yield* receiver.isDraining)) yield* Effect.sleep("5 millis")

      yield* Effect.promise(() => open.write("Content-Length: 3\r\n\r\n[2]"))
      const during = yield* Effect.promise(() => open.closed)
      assert.match(during, /^HTTP\/1\.1 503 /)
      assert.match(during, /connection: close/i)
      assert.match(during, /retry-after: 5/i)
      assert.include(during, '"error":"draining"')
      const refused = yield* Effect.either(Effect.tryPromise(() => send(`${url}?crc_token=late`)))
      assert.isTrue(refused._tag === "Left", "new connections are refused once the server stops listening")
      assert.strictEqual(closing.unsafePoll(), null, "the scope waits for the in-flight append")

      yield* gate.open
      const reply = yield* Fiber.join(inFlight)
      assert.strictEqual(reply.status, 200)
      yield* Fiber.join(closing)
      const stored = yield* drainQueue.pipe(Effect.provideService(EventQueue.EventQueue, memory))
      assert.deepStrictEqual(
        stored.map((message) => text(message.body)),
        [body]
      )
    }).pipe(Effect.scoped)
  )
})
