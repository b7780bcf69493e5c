import { createServer, request as forward, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"
import * as Endpoint from "../../src/Endpoint.js"

/**
 * A forwarding proxy on 127.0.0.1 in front of the emulator. It passes every request through unchanged (the
 * `Host` header included, so OAuth signatures made for the proxy's URL verify at the emulator) and records
 * what the client sent and what it got back.
 *
 * A test can also give the next answers of an endpoint a fault: what the emulator cannot be made to answer
 * (X's code 0 and 67 server errors, a proxy's HTML 502, a body the client does not understand, no answer at
 * all), or an answer lost after X took effect (`forward: true`).
 */

export interface Fault {
  readonly status?: number
  /** A JSON body. */
  readonly body?: unknown
  /** A raw body (not JSON). */
  readonly text?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Send the request on to the emulator first (it takes effect), then answer with this fault instead. */
  readonly forward?: boolean
  /** Never answer. */
  readonly hang?: boolean
}

export type Target = Endpoint.Name | "token"

export interface Seen {
  readonly endpoint: Target | "other"
  readonly method: string
  readonly url: string
  /** `AppOnly` (Bearer), `OAuth1:<user id of the token>`, `Basic`, or `None`. */
  readonly auth: string
  readonly status: number
  readonly faulted: boolean
}

export interface Proxy {
  readonly url: string
  readonly seen: Effect.Effect<ReadonlyArray<Seen>>
  readonly count: (endpoint: Target) => Effect.Effect<number>
  /** The next answers of `endpoint`. */
  readonly fault: (endpoint: Target, ...faults: ReadonlyArray<Fault>) => Effect.Effect<void>
}

const templates = Endpoint.all.map((endpoint) => ({
  endpoint,
  pattern: new RegExp(`^${endpoint.path.replace(/\./g, "\\.").replace(/:(webhook_id|user_id)/g, "[^/]+")}$`)
}))

const targetOf = (method: string, url: string): Target | "other" => {
  const path = new URL(url, "http://proxy.invalid").pathname
  if (method === "POST" && path === "/oauth2/token") return "token"
  return (
    templates.find((entry) => entry.endpoint.method === method && entry.pattern.test(path))?.endpoint.name ?? "other"
  )
}

const authOf = (headers: IncomingHttpHeaders): string => {
  const authorization = headers.authorization ?? ""
  if (/^bearer /i.test(authorization)) return "AppOnly"
  if (/^basic /i.test(authorization)) return "Basic"
  if (/^oauth /i.test(authorization)) {
    const token = /oauth_token="([^"]*)"/.exec(authorization)?.[1] ?? ""
    return `OAuth1:${decodeURIComponent(token).split("-")[0]}`
  }
  return "None"
}

const answer = (response: ServerResponse, fault: Fault): number => {
  const status = fault.status ?? 200
  if (fault.text !== undefined) {
    response.writeHead(status, { "content-type": "text/html", ...fault.headers }).end(fault.text)
  } else if (fault.body !== undefined) {
    response.writeHead(status, { "content-type": "application/json", ...fault.headers }).end(JSON.stringify(fault.body))
  } else {
    response.writeHead(status, { ...fault.headers }).end()
  }
  return status
}

/** Starts the proxy for the scope, forwarding to `upstream` (`http://127.0.0.1:<port>`). */
export const make = (upstream: string): Effect.Effect<Proxy, never, Scope.Scope> =>
  Effect.gen(function* () {
    const target = new URL(upstream)
    const seen: Array<Seen> = []
    const faults = new Map<Target, Array<Fault>>()
    const server = createServer((incoming, response) => {
      const chunks: Array<Buffer> = []
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
      incoming.on("end", () => {
        const method = incoming.method ?? "GET"
        const url = incoming.url ?? "/"
        const endpoint = targetOf(method, url)
        const fault = endpoint === "other" ? undefined : faults.get(endpoint)?.shift()
        const record = (status: number, faulted: boolean) =>
          seen.push({ endpoint, method, url, auth: authOf(incoming.headers), status, faulted })
        if (fault !== undefined && fault.hang === true) {
          record(0, true)
          return
        }
        if (fault !== undefined && fault.forward !== true) {
          record(answer(response, fault), true)
          return
        }
        const upstreamRequest = forward(
          { host: target.hostname, port: target.port, method, path: url, headers: incoming.headers },
          (upstreamResponse) => {
            const body: Array<Buffer> = []
            upstreamResponse.on("data", (chunk: Buffer) => body.push(chunk))
            upstreamResponse.on("end", () => {
              if (fault !== undefined) {
                record(answer(response, fault), true)
                return
              }
              const status = upstreamResponse.statusCode ?? 502
              record(status, false)
              response.writeHead(status, upstreamResponse.headers).end(Buffer.concat(body))
            })
          }
        )
        upstreamRequest.on("error", (error) => {
          record(502, true)
          response.writeHead(502, { "content-type": "text/plain" }).end(`proxy: ${error.message}`)
        })
        upstreamRequest.end(Buffer.concat(chunks))
      })
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return {
      url: `http://127.0.0.1:${port}`,
      seen: Effect.sync(() => seen.slice()),
      count: (endpoint) => Effect.sync(() => seen.filter((entry) => entry.endpoint === endpoint).length),
      fault: (endpoint, ...next) =>
        Effect.sync(() => {
          faults.set(endpoint, [...(faults.get(endpoint) ?? []), ...next])
        })
    } satisfies Proxy
  })
