/**
 * A layer-4 load balancer on loopback, in front of the receivers, as a deployment would have one.
 *
 * Each client connection goes to the next backend in turn. When a backend refuses the connection (its
 * process is dead or still starting), the next one is tried, as load balancers do with a failed connect;
 * when none accepts, the client's connection is closed. Once connected, bytes are piped both ways and a
 * backend that dies takes its client connection with it: the request in flight fails at X, which retries it.
 *
 * @since 0.1.0
 */
import * as Net from "node:net"
import { Effect, type Scope } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Balancer {
  readonly port: number
  /** Client connections accepted so far. */
  readonly accepted: () => number
  /** Client connections closed because no backend accepted them. */
  readonly refused: () => number
}

/**
 * Listens on a free loopback port, balancing over the backends' ports, until the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (backends: ReadonlyArray<number>): Effect.Effect<Balancer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: Net.Server; sockets: Set<Net.Socket>; balancer: Balancer }>((resume) => {
      let next = 0
      let accepted = 0
      let refused = 0
      const sockets = new Set<Net.Socket>()
      const track = (socket: Net.Socket) => {
        sockets.add(socket)
        socket.once("close", () => sockets.delete(socket))
      }

      const server = Net.createServer((client) => {
        accepted++
        track(client)
        client.pause()
        client.on("error", () => client.destroy())
        const first = next++ % backends.length
        const attempt = (tried: number) => {
          if (client.destroyed) return
          if (tried === backends.length) {
            refused++
            client.destroy()
            return
          }
          const backend = Net.connect({ host: "127.0.0.1", port: backends[(first + tried) % backends.length]! })
          track(backend)
          const onConnectError = () => {
            backend.destroy()
            attempt(tried + 1)
          }
          backend.once("error", onConnectError)
          backend.once("connect", () => {
            backend.off("error", onConnectError)
            backend.on("error", () => backend.destroy())
            backend.once("close", () => client.destroy())
            client.once("close", () => backend.destroy())
            client.pipe(backend)
            backend.pipe(client)
            client.resume()
          })
        }
        attempt(0)
      })
      server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
        const port = (server.address() as Net.AddressInfo).port
        resume(
          Effect.succeed({
            server,
            sockets,
            balancer: { port, accepted: () => accepted, refused: () => refused }
          })
        )
      })
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ balancer }) => balancer))
