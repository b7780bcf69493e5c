import type { EventQueue } from "@account-activity/queue"

/** The keys of one queue namespace (see the README for the layout). */
export interface Keys {
  readonly stream: string
  readonly delayed: string
  readonly schedule: string
  readonly dead: string
  readonly deadIndex: string
  readonly deadOrder: string
  /** The KEYS of every queue script, in their order. */
  readonly queue: ReadonlyArray<string>
  readonly seen: (key: string) => string
  readonly spans: (kind: string) => string
  readonly newest: (kind: string) => string
  readonly lock: (name: string) => string
}

export const keys = (prefix: string): Keys => {
  const stream = `${prefix}:stream`
  const delayed = `${prefix}:delayed`
  const schedule = `${prefix}:delayed:due`
  const dead = `${prefix}:dead`
  const deadIndex = `${prefix}:dead:index`
  const deadOrder = `${prefix}:dead:order`
  return {
    stream,
    delayed,
    schedule,
    dead,
    deadIndex,
    deadOrder,
    queue: [stream, delayed, schedule, dead, deadIndex, deadOrder],
    seen: (key) => `${prefix}:seen:${key}`,
    spans: (kind) => `${prefix}:journal:${kind}`,
    newest: (kind) => `${prefix}:journal:${kind}:newest`,
    lock: (name) => `${prefix}:lock:${name}`
  }
}

/** The fields of a stream record for a delivery: the body as raw bytes, never as text. */
export const encode = (delivery: EventQueue.Delivery): Array<string | Buffer> => {
  const body = Buffer.from(delivery.body.buffer, delivery.body.byteOffset, delivery.body.byteLength)
  const fields: Array<string | Buffer> = [
    "body",
    body,
    "headers",
    JSON.stringify(delivery.headers),
    "receivedAt",
    String(delivery.receivedAt)
  ]
  if (delivery.source !== undefined) fields.push("source", delivery.source)
  return fields
}

/** A record's fields (a flat list of names and values, as Buffers) by name. */
export const fieldsOf = (reply: unknown): Map<string, Buffer> => {
  const fields = new Map<string, Buffer>()
  if (!Array.isArray(reply)) return fields
  for (let index = 0; index + 1 < reply.length; index += 2) {
    const name = reply[index]
    const value = reply[index + 1]
    if (Buffer.isBuffer(name) && Buffer.isBuffer(value)) fields.set(name.toString("utf8"), value)
  }
  return fields
}

const text = (fields: Map<string, Buffer>, name: string): string | undefined => fields.get(name)?.toString("utf8")

/** The delivery stored in a record's fields (a copy of the body bytes). */
export const decode = (fields: Map<string, Buffer>): EventQueue.Delivery => {
  const body = fields.get("body")
  const delivery = {
    body: body === undefined ? new Uint8Array(0) : new Uint8Array(body),
    receivedAt: Number(text(fields, "receivedAt") ?? "0"),
    headers: JSON.parse(text(fields, "headers") ?? "{}") as Record<string, string>
  }
  const source = text(fields, "source")
  return source === undefined ? delivery : { ...delivery, source }
}

export const textOf = text

const idPattern = /^(\d+)-(\d+)$/

/** A message id padded so that ids compare in order as strings ("" for anything that is no stream id). */
export const sortKey = (id: string): string => {
  const match = idPattern.exec(id)
  return match === null ? "" : `${match[1]!.padStart(20, "0")}-${match[2]!.padStart(20, "0")}`
}

/** Unique ids, oldest message first. */
export const sortIds = (ids: ReadonlyArray<string>): Array<string> =>
  [...new Set(ids)].sort((a, b) => {
    const x = sortKey(a)
    const y = sortKey(b)
    return x < y ? -1 : x > y ? 1 : 0
  })
