/**
 * A `Journal` in the memory of the process (tests, the sandbox, single-process tools).
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import * as Journal from "./Journal.js"

/**
 * Makes an in-memory journal.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Journal.Service> = Effect.sync(() => {
  const spans: Array<{ kind: Journal.Kind; key: string; from: number; to: number }> = []

  const extend = (kind: Journal.Kind, key: string, at: number, toleranceMillis: number) =>
    Effect.sync(() => {
      let newest: (typeof spans)[number] | undefined
      for (const span of spans)
        if (span.kind === kind && span.key === key && (newest === undefined || span.to > newest.to)) newest = span
      if (newest !== undefined && newest.to <= at && at - newest.to <= toleranceMillis) newest.to = at
      else if (newest === undefined || newest.to < at) spans.push(Journal.checkSpan({ kind, key, from: at, to: at }))
    })

  const record = (span: Journal.Span) =>
    Effect.sync(() => {
      Journal.checkSpan(span)
      spans.push({ kind: span.kind, key: span.key, from: span.from, to: span.to })
    })

  const list = (kind: Journal.Kind, since: number) =>
    Effect.sync(() =>
      spans
        .filter((span) => span.kind === kind && span.to >= since)
        .map((span): Journal.Span => ({ ...span }))
        .sort(Journal.order)
    )

  return Journal.Journal.of({ extend, record, list })
})

/**
 * An in-memory `Journal`, fresh for each build of the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Journal.Journal> = Layer.effect(Journal.Journal, make)
