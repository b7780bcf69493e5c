import { createServer } from "node:http"
import { HttpServer } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer } from "effect"

/**
 * A real HTTP server on 127.0.0.1 (port 0) and an `HttpClient` whose relative URLs go to it.
 */
export const LoopbackLive = HttpServer.layerTestClient.pipe(
  Layer.provide(NodeHttpClient.layerUndici),
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
)

/**
 * `http://127.0.0.1:<port>` of the running server.
 */
export const serverUrl: Effect.Effect<string, never, HttpServer.HttpServer> = HttpServer.addressFormattedWith(
  (address) => Effect.succeed(address)
)

/**
 * A real HTTP server on 127.0.0.1 (port 0) and a plain `HttpClient` (absolute URLs, see `serverUrl`).
 */
export const ServerAndClientLive = Layer.merge(
  NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }),
  NodeHttpClient.layerUndici
)
