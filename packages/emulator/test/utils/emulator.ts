import { createServer, type IncomingMessage, type Server as NodeServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as AuthClient from "@account-activity/auth/AuthClient"
import type * as AuthKind from "@account-activity/auth/AuthKind"
import * as BearerToken from "@account-activity/auth/BearerToken"
import * as OAuth1Signer from "@account-activity/auth/OAuth1Signer"
import { Crc } from "@account-activity/crc"
import { HttpClient, HttpClientRequest, type HttpServer } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, type Redacted, type Scope } from "effect"
import * as Emulator from "../../src/Emulator.js"
import * as Server from "../../src/Server.js"

/**
 * The emulator on a real HTTP server on 127.0.0.1 (any free port), with a plain `HttpClient` (absolute URLs).
 */
export const layer = (options: Emulator.Options = {}) =>
  Server.layer().pipe(
    Layer.provideMerge(Emulator.layer({ seed: 7, ...options })),
    Layer.provideMerge(NodeHttpClient.layerUndici)
  )

/** {@link layer} with the delivery engine behind the control API. */
export const layerWithDeliveries = (options: Emulator.Options = {}) =>
  Server.layer().pipe(
    Layer.provideMerge(Server.layerDeliveries()),
    Layer.provideMerge(Emulator.layer({ seed: 7, ...options })),
    Layer.provideMerge(NodeHttpClient.layerUndici)
  )

/** What a test reads of a response. */
export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly json: unknown
}

/** The first error code of a v1.1 error body. */
export const codeOf = (reply: Reply): number | undefined =>
  (reply.json as { errors?: ReadonlyArray<{ code?: number }> } | undefined)?.errors?.[0]?.code

/** The first error message of a v1.1 error body. */
export const messageOf = (reply: Reply): string | undefined =>
  (reply.json as { errors?: ReadonlyArray<{ message?: string }> } | undefined)?.errors?.[0]?.message

/** Sends a request as is and reads the whole answer. */
export const raw = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(request)
    const text = yield* response.text
    let json: unknown
    try {
      json = text === "" ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json } satisfies Reply
  }).pipe(Effect.orDie)

/** A client of one emulated app: signs requests with the auth package, as a real client does. */
export interface AppClient {
  readonly base: string
  readonly created: Emulator.CreatedApp
  readonly auth: AuthClient.Service
  /** Signs `request` (a path on the emulator) for `kind` and sends it. */
  readonly send: (
    kind: AuthKind.AuthKind,
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<Reply, never, HttpClient.HttpClient>
  /** The app's Bearer token, fetched from `POST /oauth2/token`. */
  readonly bearer: Effect.Effect<Redacted.Redacted<string>>
}

/** Creates an app in the emulator and a signing client for it. */
export const appClient = (options?: Emulator.CreateAppOptions) =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const base = yield* Server.url
    const created = yield* emulator.createApp(options)
    const auth = yield* AuthClient.make({ app: created.credentials, owner: created.owner, baseUrl: base }).pipe(
      Effect.provide(Layer.merge(OAuth1Signer.layer, BearerToken.layer({ baseUrl: base })))
    )
    const send = (kind: AuthKind.AuthKind, request: HttpClientRequest.HttpClientRequest) =>
      Effect.flatMap(Effect.orDie(auth.sign(kind)(HttpClientRequest.prependUrl(request, base))), raw)
    return { base, created, auth, send, bearer: Effect.orDie(auth.bearerToken) } satisfies AppClient
  })

/** Registers a webhook through the API and answers its id. */
export const registered = (client: AppClient, url: string, kind: AuthKind.AuthKind) =>
  Effect.map(
    client.send(
      kind,
      HttpClientRequest.post("/1.1/account_activity/webhooks.json").pipe(HttpClientRequest.setUrlParam("url", url))
    ),
    (reply) => (reply.json as { id: string }).id
  )

/** How the CRC receiver stub answers. */
export type Mode = "ok" | "wrong-token" | "non-200" | "bad-json" | "hang"

/** A webhook receiver on 127.0.0.1 that answers CRC GETs the way a test asks. */
export interface Receiver {
  readonly url: string
  readonly setMode: (mode: Mode) => void
  readonly setSecret: (secret: Redacted.Redacted<string>) => void
  /** Every CRC GET received: its query and signature header. */
  readonly requests: ReadonlyArray<{ readonly query: URLSearchParams; readonly signature: string | undefined }>
  /** Every delivery POST received: its raw body and signature header. */
  readonly posts: ReadonlyArray<{ readonly body: string; readonly signature: string | undefined }>
  /** Resolves when a request has arrived and is being held (mode `hang`). */
  readonly holding: Promise<void>
}

const listen = (server: NodeServer) =>
  Effect.async<number>((resume) => {
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
  })

const close = (server: NodeServer) =>
  Effect.async<void>((resume) => {
    server.closeAllConnections()
    server.close(() => resume(Effect.void))
  })

/** Starts a receiver stub for the scope. */
export const receiver: Effect.Effect<Receiver, never, Scope.Scope> = Effect.gen(function* () {
  let mode: Mode = "ok"
  let secret: Redacted.Redacted<string> | undefined
  const requests: Array<{ query: URLSearchParams; signature: string | undefined }> = []
  const posts: Array<{ body: string; signature: string | undefined }> = []
  let held: () => void = () => {}
  const holding = new Promise<void>((resolve) => {
    held = resolve
  })
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const query = new URL(req.url ?? "/", "http://stub.invalid").searchParams
    const signature = req.headers["x-twitter-webhooks-signature"]
    if (req.method === "POST") {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        posts.push({
          body: Buffer.concat(chunks).toString("utf8"),
          signature: typeof signature === "string" ? signature : undefined
        })
        res.writeHead(200)
        res.end()
      })
      return
    }
    requests.push({ query, signature: typeof signature === "string" ? signature : undefined })
    const token = query.get("crc_token") ?? ""
    switch (mode) {
      case "ok": {
        const answer = Crc.responseWith({ crc_token: token }, secret!)
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify(answer._tag === "Right" ? answer.right : {}))
        return
      }
      case "wrong-token":
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify({ response_token: "sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ=" }))
        return
      case "non-200":
        res.writeHead(500, { "content-type": "text/plain" })
        res.end("boom")
        return
      case "bad-json":
        res.writeHead(200, { "content-type": "application/json" })
        res.end("{response_token: nope")
        return
      case "hang":
        held()
        return
    }
  })
  const port = yield* Effect.acquireRelease(listen(server), () => close(server))
  return {
    url: `http://127.0.0.1:${port}/webhooks/twitter`,
    setMode: (next) => {
      mode = next
    },
    setSecret: (next) => {
      secret = next
    },
    requests,
    posts,
    holding
  } satisfies Receiver
})

/** A URL on 127.0.0.1 where nothing listens. */
export const refusedUrl: Effect.Effect<string> = Effect.gen(function* () {
  const server = createServer()
  const port = yield* listen(server)
  yield* close(server)
  return `http://127.0.0.1:${port}/webhook`
})

/** An app client, a receiver answering CRC with the app's secret, and a webhook registered on it. */
export const withWebhook = Effect.gen(function* () {
  const client = yield* appClient()
  const stub = yield* receiver
  stub.setSecret(client.created.credentials.consumerSecret)
  return { client, stub }
})

export type { HttpServer }
