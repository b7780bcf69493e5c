import * as Http from "node:http"
import * as Net from "node:net"
import { WebhookSignature } from "@account-activity/crc"
import { EventQueue, QueueUnavailable } from "@account-activity/queue"
import { HttpServer } from "@effect/platform"
import { Deferred, Effect, Layer, Redacted } from "effect"

export const secret = Redacted.make("receiver-test-consumer-secret")
export const olderSecret = Redacted.make("receiver-test-previous-secret")

export const sign = (body: string | Uint8Array, key = secret) => WebhookSignature.signWith(body, key)

/** The base URL (`http://127.0.0.1:<port>`) of the `HttpServer` in context. */
export const baseUrl = HttpServer.addressFormattedWith((address) => Effect.succeed(address))

export interface Reply {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly text: string
}

/** No connection reuse unless an agent is given: every request is on its own socket. */
const noKeepAlive = new Http.Agent({ keepAlive: false })

/** One request with exactly the headers given (node:http adds Host and Content-Length / chunked only). */
export const send = (
  url: string,
  options: {
    readonly method?: string
    readonly headers?: Record<string, string>
    readonly body?: string | Uint8Array
    readonly agent?: Http.Agent
  } = {}
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const request = Http.request(
      url,
      { method: options.method ?? "GET", headers: options.headers ?? {}, agent: options.agent ?? noKeepAlive },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () =>
          resolve({ status: response.statusCode!, headers: response.headers, text: Buffer.concat(chunks).toString() })
        )
        response.on("error", reject)
      }
    )
    request.on("error", reject)
    request.end(options.body)
  })

export const request = (...args: Parameters<typeof send>) => Effect.promise(() => send(...args))

/** A signed delivery POST. */
export const deliver = (
  url: string,
  body: string | Uint8Array,
  overrides: Record<string, string> = {},
  agent?: Http.Agent
) =>
  request(url, {
    method: "POST",
    headers: { "content-type": "application/json", [WebhookSignature.headerName]: sign(body), ...overrides },
    body,
    ...(agent === undefined ? {} : { agent })
  })

/** Every message available in the queue, leased once. */
export const drainQueue = Effect.gen(function* () {
  const queue = yield* EventQueue.EventQueue
  const out: Array<EventQueue.Message> = []
  while (true) {
    const batch = yield* queue.receive({ consumer: "inspector", max: 500 })
    if (batch.length === 0) return out
    out.push(...batch)
  }
})

export const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8")

/** An `EventQueue` whose every call fails as if its storage were unreachable. */
export const failingQueue = Layer.succeed(EventQueue.EventQueue, {
  append: () => Effect.fail(new QueueUnavailable.QueueUnavailable({ reason: "Unreachable", operation: "append" })),
  receive: () => Effect.fail(new QueueUnavailable.QueueUnavailable({ reason: "Unreachable", operation: "receive" })),
  consume: () => Effect.dieMessage("not used") as never,
  deadLetters: {
    list: () =>
      Effect.fail(new QueueUnavailable.QueueUnavailable({ reason: "Unreachable", operation: "list dead letters" })),
    redrive: () => Effect.succeed(0),
    discard: () => Effect.succeed(0)
  }
} satisfies EventQueue.Service)

/**
 * Wraps the `EventQueue` of context: every append waits until `open` is called (appends already waiting
 * then go on), so a test can hold deliveries in flight.
 */
export const gated = Effect.gen(function* () {
  const inner = yield* EventQueue.EventQueue
  let gate = yield* Deferred.make<void>()
  let waiting = 0
  const service: EventQueue.Service = {
    ...inner,
    append: (deliveries) =>
      Effect.suspend(() => {
        waiting++
        return Effect.zipRight(
          Effect.ensuring(
            Deferred.await(gate),
            Effect.sync(() => waiting--)
          ),
          inner.append(deliveries)
        )
      })
  }
  return {
    service,
    waiting: () => waiting,
    open: Deferred.succeed(gate, undefined),
    close: Effect.map(Deferred.make<void>(), (next) => {
      gate = next
    })
  }
})

/** Raw TCP to the server, for what an HTTP client does not do: trickling headers, unterminated chunked bodies. */
export interface RawSocket {
  readonly socket: Net.Socket
  readonly write: (data: string | Uint8Array) => Promise<void>
  /** Everything received so far. */
  readonly received: () => string
  /** Resolves when the server closes the connection, with everything it sent. */
  readonly closed: Promise<string>
}

export const connect = (url: string): Promise<RawSocket> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url)
    const socket = Net.connect({ host: hostname, port: Number(port) })
    let data = ""
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => {
      data += chunk
    })
    const closed = new Promise<string>((done) => {
      socket.on("close", () => done(data))
    })
    socket.on("error", () => {})
    socket.once("connect", () =>
      resolve({
        socket,
        write: (chunk) => new Promise<void>((done) => socket.write(chunk, () => done())),
        received: () => data,
        closed
      })
    )
    socket.once("error", reject)
  })
