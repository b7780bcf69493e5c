import * as Net from "node:net"
import { Effect, type Scope } from "effect"

/**
 * A TCP proxy that lets at most `bytesPerSecond` through towards the target (answers flow freely): a queue
 * reached over a slow link, whose capacity is known and does not depend on how busy the machine is.
 */
export const throttledProxy = (
  target: URL,
  bytesPerSecond: number
): Effect.Effect<{ readonly url: string }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: Net.Server; sockets: Set<Net.Socket>; timer: NodeJS.Timeout; url: string }>((resume) => {
      const sockets = new Set<Net.Socket>()
      const tick = 10
      let budget = 0
      const waiting: Array<{ upstream: Net.Socket; chunk: Buffer }> = []
      // One bucket for the whole link, refilled every tick; chunks go out in order while it lasts.
      const timer = setInterval(() => {
        budget = Math.min(bytesPerSecond, budget + (bytesPerSecond * tick) / 1000)
        while (waiting.length > 0) {
          const head = waiting[0]!
          if (head.upstream.destroyed) {
            waiting.shift()
            continue
          }
          const size = Math.min(head.chunk.length, Math.floor(budget))
          if (size === 0) break
          head.upstream.write(head.chunk.subarray(0, size))
          budget -= size
          if (size === head.chunk.length) waiting.shift()
          else head.chunk = head.chunk.subarray(size)
        }
      }, tick)
      const server = Net.createServer((client) => {
        const upstream = Net.connect({ host: target.hostname, port: Number(target.port || 6379) })
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on("error", () => {})
          socket.on("close", () => {
            sockets.delete(socket)
            client.destroy()
            upstream.destroy()
          })
        }
        client.on("data", (chunk: Buffer) => waiting.push({ upstream, chunk }))
        upstream.pipe(client)
      })
      server.listen(0, "127.0.0.1", () =>
        resume(
          Effect.succeed({
            server,
            sockets,
            timer,
            url: `redis://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
          })
        )
      )
    }),
    ({ server, sockets, timer }) =>
      Effect.sync(() => {
        clearInterval(timer)
        for (const socket of sockets) socket.destroy()
        server.close()
      })
  ).pipe(Effect.map(({ url }) => ({ url })))
