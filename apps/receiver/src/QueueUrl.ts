/**
 * `AAA_QUEUE_URL`: where the receiver appends and the worker consumes.
 *
 * - `sqlite:./data/aaa.db` (the default): the embedded SQLite file, for one machine. The path is relative to
 *   the working directory; its directory is created if missing.
 * - `redis://host:6379` (or `rediss://`): Redis Streams, for many receivers and workers. `?prefix=<name>`
 *   sets the namespace of every key (default `aaa`), so several deployments can share one Redis; every
 *   receiver and worker of one deployment must use the same.
 *
 * @since 0.1.0
 */
import { mkdirSync } from "node:fs"
import { dirname, resolve } from "node:path"
import type { EventQueue, Journal, Lock, QueueUnavailable, SeenStore } from "@account-activity/queue"
import { RedisQueue } from "@account-activity/queue-redis"
import { SqliteQueue } from "@account-activity/queue-sqlite"
import { Effect, Either, Layer, Schema } from "effect"

/**
 * The default queue: an SQLite file under `./data`.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultUrl = "sqlite:./data/aaa.db"

/**
 * @since 0.1.0
 * @category models
 */
export type Target =
  | { readonly _tag: "Sqlite"; readonly filename: string }
  | { readonly _tag: "Redis"; readonly url: string; readonly prefix: string | undefined }

/**
 * The queue URL is not one of the supported forms.
 *
 * @since 0.1.0
 * @category errors
 */
export class QueueUrlError extends Schema.TaggedError<QueueUrlError>("@account-activity/app-receiver/QueueUrlError")(
  "QueueUrlError",
  { url: Schema.String }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `AAA_QUEUE_URL "${redact(this.url)}" is not supported: use sqlite:<path> (e.g. ${defaultUrl}) or redis://host:port (optionally ?prefix=<name>).`
  }
}

/**
 * Parses a queue URL.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (url: string): Either.Either<Target, QueueUrlError> => {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
    return path.length > 0 ? Either.right({ _tag: "Sqlite", filename: path }) : Either.left(new QueueUrlError({ url }))
  }
  if (/^rediss?:\/\//.test(url)) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return Either.left(new QueueUrlError({ url }))
    }
    const prefix = parsed.searchParams.get("prefix") ?? undefined
    if (prefix !== undefined && !/^[A-Za-z0-9._:-]+$/.test(prefix)) return Either.left(new QueueUrlError({ url }))
    parsed.searchParams.delete("prefix")
    return Either.right({ _tag: "Redis", url: parsed.href, prefix })
  }
  return Either.left(new QueueUrlError({ url }))
}

/**
 * Every service the apps need from the queue's storage.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = EventQueue.EventQueue | SeenStore.SeenStore | Journal.Journal | Lock.Lock

/**
 * The queue services for a URL.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (url: string): Layer.Layer<Services, QueueUrlError | QueueUnavailable.QueueUnavailable> =>
  Layer.unwrapEffect(
    Effect.map(parse(url), (target): Layer.Layer<Services, QueueUnavailable.QueueUnavailable> => {
      if (target._tag === "Redis") return RedisQueue.layer({ url: target.url, prefix: target.prefix })
      const filename = resolve(target.filename)
      return Layer.unwrapEffect(
        Effect.sync(() => {
          mkdirSync(dirname(filename), { recursive: true })
          return SqliteQueue.layer({ filename })
        })
      )
    })
  )

/**
 * A printable form of the URL without its password.
 *
 * @since 0.1.0
 * @category formatting
 */
export const redact = (url: string): string => url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@")
