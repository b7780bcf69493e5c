import { createHmac } from "node:crypto"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Redacted, type Scope } from "effect"

/**
 * A webhook receiver on 127.0.0.1 that answers the emulator's CRC GETs the way a test asks: correctly (with
 * the app's consumer secret and real HMAC-SHA256), with a wrong token, with a 500, or not at all.
 */

export type Mode = "ok" | "wrong-token" | "non-200" | "hang"

export interface Receiver {
  /** `http://127.0.0.1:<port>/webhook/twitter`; any path answers. */
  readonly url: string
  readonly setMode: (mode: Mode) => void
  readonly setSecret: (secret: Redacted.Redacted) => void
  /** How many CRC GETs arrived. */
  readonly crcCount: () => number
}

export const make: Effect.Effect<Receiver, never, Scope.Scope> = Effect.gen(function* () {
  let mode: Mode = "ok"
  let secret = ""
  let crcs = 0
  const held: Array<ServerResponse> = []
  const server = createServer((request, response) => {
    const token = new URL(request.url ?? "/", "http://receiver.invalid").searchParams.get("crc_token")
    if (request.method !== "GET" || token === null) {
      response.writeHead(200).end()
      return
    }
    crcs++
    switch (mode) {
      case "ok":
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(
            JSON.stringify({ response_token: `sha256=${createHmac("sha256", secret).update(token).digest("base64")}` })
          )
        return
      case "wrong-token":
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ response_token: "sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ=" }))
        return
      case "non-200":
        response.writeHead(500, { "content-type": "text/plain" }).end("boom")
        return
      case "hang":
        held.push(response)
        return
    }
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
    url: `http://127.0.0.1:${port}/webhook/twitter`,
    setMode: (next) => {
      mode = next
    },
    setSecret: (next) => {
      secret = Redacted.value(next) as string
    },
    crcCount: () => crcs
  } satisfies Receiver
})
