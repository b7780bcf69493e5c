/**
 * Reads a request body once, as bytes, within a size limit.
 *
 * On Node (the request's `source` is an `http.IncomingMessage`) the bytes are taken straight from the
 * stream's `data` events: no Effect per chunk, and a single chunk (the usual delivery of a few KB) is used
 * as is. As soon as the bytes received exceed the limit the stream is paused, so nothing more is read from
 * the socket. Other platforms go through `HttpServerRequest.stream` with the same limit.
 */
import type { IncomingMessage } from "node:http"
import type { HttpServerRequest } from "@effect/platform"
import { Effect, Stream } from "effect"

/** Why a body was not read. */
export type Failure = "TooLarge" | "Unreadable"

const isNodeRequest = (source: unknown): source is IncomingMessage =>
  typeof source === "object" &&
  source !== null &&
  typeof (source as IncomingMessage).on === "function" &&
  typeof (source as IncomingMessage).pause === "function" &&
  typeof (source as IncomingMessage).removeListener === "function" &&
  "socket" in source

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/**
 * Reads the body of a Node request, then calls `done` once: with the bytes, or with why not. Returns a
 * function that stops reading (and never calls `done`).
 */
export const readNodeWith = (
  message: IncomingMessage,
  limit: number,
  done: (failure: Failure | undefined, body: Uint8Array) => void
): (() => void) => {
  if (message.readableEnded || message.destroyed) {
    done("Unreadable", empty)
    return noop
  }
  const chunks: Array<Uint8Array> = []
  let size = 0
  let finished = false
  const cleanup = () => {
    finished = true
    message.removeListener("data", onData)
    message.removeListener("end", onEnd)
    message.removeListener("error", onError)
    message.removeListener("close", onClose)
  }
  function onData(chunk: Buffer) {
    size += chunk.length
    if (size > limit) {
      cleanup()
      // Stop reading from the socket: the rest of the body is never read.
      message.pause()
      return done("TooLarge", empty)
    }
    chunks.push(chunk)
  }
  function onEnd() {
    // The stream is over: its listeners go with it, only `close` must now be ignored.
    finished = true
    done(undefined, concat(chunks, size))
  }
  function onError() {
    cleanup()
    done("Unreadable", empty)
  }
  function onClose() {
    if (finished) return
    cleanup()
    done("Unreadable", empty)
  }
  message.on("data", onData)
  message.on("end", onEnd)
  message.on("error", onError)
  message.on("close", onClose)
  return () => {
    if (!finished) cleanup()
  }
}

const empty = new Uint8Array(0)
const noop = () => {}

/** The Node request behind a platform request, when there is one. */
export const nodeSource = (request: HttpServerRequest.HttpServerRequest): IncomingMessage | undefined =>
  isNodeRequest(request.source) ? request.source : undefined

const tooLarge = { _tag: "TooLarge" } as const

const readStream = (request: HttpServerRequest.HttpServerRequest, limit: number): Effect.Effect<Uint8Array, Failure> =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return request.stream.pipe(
      Stream.runForEach((chunk) => {
        size += chunk.length
        if (size > limit) return Effect.fail(tooLarge)
        chunks.push(chunk)
        return Effect.void
      }),
      Effect.mapError((error): Failure => (error === tooLarge ? "TooLarge" : "Unreadable")),
      Effect.map(() => concat(chunks, size))
    )
  })

/** The whole body, at most `limit` bytes, through `HttpServerRequest.stream` (any platform). */
export const read = readStream
