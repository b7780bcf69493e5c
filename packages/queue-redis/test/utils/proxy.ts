import * as Net from "node:net"
import { Effect } from "effect"

/**
 * A TCP proxy on loopback in front of a server, that a test can cut (every connection dropped, the port
 * closed) and restore on the same port: a server outage without touching the server.
 */
export interface Proxy {
  readonly port: number
  readonly cut: () => Promise<void>
  readonly restore: () => Promise<void>
  /** Keeps the connections open but forwards nothing (a server that hangs), until `thaw`. */
  readonly freeze: () => void
  readonly thaw: () => void
}

export const make = (target: { readonly host: string; readonly port: number }) =>
  Effect.acquireRelease(
    Effect.promise(async (): Promise<Proxy> => {
      const sockets = new Set<Net.Socket>()
      let server: Net.Server | undefined
      let frozen = false
      const listen = (port: number) =>
        new Promise<number>((resolve, reject) => {
          const next = Net.createServer((client) => {
            const upstream = Net.connect(target.port, target.host)
            sockets.add(client)
            sockets.add(upstream)
            const close = () => {
              client.destroy()
              upstream.destroy()
              sockets.delete(client)
              sockets.delete(upstream)
            }
            for (const socket of [client, upstream]) {
              socket.on("error", close)
              socket.on("close", close)
            }
            client.on("data", (chunk: Buffer) => {
              if (!frozen) upstream.write(chunk)
            })
            upstream.on("data", (chunk: Buffer) => {
              if (!frozen) client.write(chunk)
            })
          })
          next.once("error", reject)
          next.listen(port, "127.0.0.1", () => {
            server = next
            resolve((next.address() as Net.AddressInfo).port)
          })
        })
      const cut = () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy()
          sockets.clear()
          if (server === undefined) return resolve()
          server.close(() => resolve())
          server = undefined
        })
      const port = await listen(0)
      return {
        port,
        cut,
        restore: async () => void (await listen(port)),
        freeze: () => {
          frozen = true
        },
        thaw: () => {
          frozen = false
        }
      }
    }),
    (proxy) => Effect.promise(proxy.cut)
  )

/** A loopback port that nothing listens on. */
export const closedPort = Effect.promise(
  () =>
    new Promise<number>((resolve) => {
      const server = Net.createServer()
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as Net.AddressInfo).port
        server.close(() => resolve(port))
      })
    })
)
