import type { Redis } from "ioredis"

/**
 * Connections for blocking reads (XREAD BLOCK): a blocked connection serves nothing else, so every consumer
 * that waits at the same time gets its own. A connection goes back to the pool when its command ends (not
 * when the waiting fiber is interrupted); idle connections beyond `maxIdle` are closed.
 */
export interface Pool {
  readonly acquire: () => Promise<Redis>
  readonly release: (connection: Redis) => void
  readonly close: () => void
}

export const make = (create: () => Redis, maxIdle: number): Pool => {
  const idle: Array<Redis> = []
  const all = new Set<Redis>()
  let closed = false

  const drop = (connection: Redis) => {
    all.delete(connection)
    connection.disconnect()
  }

  return {
    acquire: async () => {
      if (closed) throw new Error("Connection is closed.")
      while (idle.length > 0) {
        const connection = idle.pop()!
        if (connection.status === "ready") return connection
        drop(connection)
      }
      const connection = create()
      all.add(connection)
      try {
        await connection.connect()
      } catch (error) {
        drop(connection)
        throw error
      }
      if (closed) {
        drop(connection)
        throw new Error("Connection is closed.")
      }
      return connection
    },
    release: (connection) => {
      if (closed || connection.status !== "ready" || idle.length >= maxIdle) drop(connection)
      else idle.push(connection)
    },
    close: () => {
      closed = true
      idle.length = 0
      for (const connection of all) connection.disconnect()
      all.clear()
    }
  }
}
