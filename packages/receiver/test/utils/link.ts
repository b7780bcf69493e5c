import * as Net from "node:net"
import { Effect, type Scope } from "effect"

/** A link to a TCP service (Redis) through a proxy on loopback, as a network in between would be. */
export interface Link {
  /** `redis://127.0.0.1:<proxy port>` */
  readonly url: string
  /** Cuts the link: every connection through it is destroyed and new ones are refused. */
  readonly cut: Effect.Effect<void>
}

/**
 * A proxy to `target`. With `bytesPerSecond`, at most that many bytes a second go towards the target (the
 * answers flow freely): a queue reached over a slow link, whose capacity is known and does not depend on how
 * busy the machine is.
 */
export const link = (
  target: URL,
  options: { readonly bytesPerSecond?: number | undefined } = {}
): Effect.Effect<Link, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly link: Link; readonly close: () => void }>((resume) => {
      const sockets = new Set<Net.Socket>()
      const { bytesPerSecond } = options
      // One bucket for the whole link, refilled every tick; chunks go out in order while it lasts.
      const waiting: Array<{ upstream: Net.Socket; chunk: Buffer }> = []
      let budget = 0
      const tick = 10
      const timer =
        bytesPerSecond === undefined
          ? undefined
          : setInterval(() => {
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
        if (timer === undefined) client.pipe(upstream)
        else client.on("data", (chunk: Buffer) => waiting.push({ upstream, chunk }))
        upstream.pipe(client)
      })
      const close = () => {
        if (timer !== undefined) clearInterval(timer)
        server.close()
        for (const socket of sockets) socket.destroy()
      }
      server.listen(0, "127.0.0.1", () =>
        resume(
          Effect.succeed({
            link: { url: `redis://127.0.0.1:${(server.address() as Net.AddressInfo).port}`, cut: Effect.sync(close) },
            close
          })
        )
      )
    }),
    ({ close }) => Effect.sync(close)
  ).pipe(Effect.map(({ link }) => link))
