import { createHash } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { sha256Hex } from "../src/internal/identity.js"
import * as Json from "../src/internal/json.js"

const outcome = (parse: (text: string) => unknown, text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: parse(text) }
  } catch {
    return { ok: false }
  }
}

// Integers beyond 2^53, as JSON literals: 16 to 19 digits, either sign.
const unsafeInteger = fc
  .bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: 2n ** 63n - 1n })
  .chain((value) => fc.constantFrom(value, -value))

// What the lossless parse must yield for the JSON text of `value`: the same value, except that numbers
// JSON.stringify writes as integer literals beyond 2^53 become strings of those digits.
const protect = (value: unknown): unknown => {
  if (typeof value === "number") {
    const literal = JSON.stringify(value)
    return /^-?[0-9]+$/.test(literal) && !Number.isSafeInteger(value) ? literal : value
  }
  if (Array.isArray(value)) return value.map(protect)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, protect(v)]))
  }
  return value
}

// JSON.parse without own "__proto__" keys, which the lossless parse drops.
const jsonParse = (text: string): unknown => JSON.parse(text, (key, value) => (key === "__proto__" ? undefined : value))

const hasUnsafeInteger = (value: unknown): boolean => JSON.stringify(protect(value)) !== JSON.stringify(value)

describe("lossless JSON parse", () => {
  it("agrees with JSON.parse on documents whose numbers are safe", () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((value) => !hasUnsafeInteger(value)),
        fc.boolean(),
        (value, pretty) => {
          const text = JSON.stringify(value, null, pretty ? 2 : undefined)
          assert.deepStrictEqual(Json.parse(text), jsonParse(text))
        }
      ),
      { numRuns: 500 }
    )
  })

  it("differs from JSON.parse only by keeping unsafe integers as digits", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value)
        assert.deepStrictEqual(Json.parse(text), protect(jsonParse(text)))
      }),
      { numRuns: 500 }
    )
  })

  it("accepts exactly what JSON.parse accepts", () => {
    const almostJson = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .tuple(
          fc.jsonValue().map((value) => JSON.stringify(value)),
          fc.nat(),
          fc.string({ maxLength: 3 })
        )
        .map(([text, at, junk]) => text.slice(0, at % (text.length + 1)) + junk + text.slice(at % (text.length + 1))),
      unsafeInteger.map((value) => `{${value}:1}`),
      unsafeInteger.map((value) => `{"a":1,${value}:2}`),
      unsafeInteger.map((value) => `[${value}, 0${value}]`)
    )
    fc.assert(
      fc.property(almostJson, (text) => {
        assert.strictEqual(outcome(Json.parse, text).ok, outcome(JSON.parse, text).ok, text)
      }),
      { numRuns: 2000 }
    )
  })

  it("keeps the exact digits of integers beyond 2^53, wherever they are", () => {
    fc.assert(
      fc.property(unsafeInteger, fc.jsonValue(), (big, other) => {
        const digits = big.toString()
        const text = `{"id":${digits},"nested":{"list":[${digits},${JSON.stringify(other)},{"x":${digits}}]},"id_str":"${digits}"}`
        const parsed = Json.parse(text) as {
          id: unknown
          id_str: unknown
          nested: { list: [unknown, unknown, { x: unknown }] }
        }
        assert.strictEqual(parsed.id, digits)
        assert.strictEqual(parsed.nested.list[0], digits)
        assert.strictEqual(parsed.nested.list[2].x, digits)
        assert.strictEqual(parsed.id_str, digits)
        assert.deepStrictEqual(parsed.nested.list[1], protect(jsonParse(JSON.stringify(other))))
      })
    )
  })

  it("loses nothing where JSON.parse rounds a 19-digit Tweet id", () => {
    const text = '{"id": 1556886030274000001, "in_reply_to_status_id": 9223372036854775807, "count": 9007199254740991}'
    assert.notStrictEqual(String(JSON.parse(text).id), "1556886030274000001")
    assert.deepStrictEqual(Json.parse(text), {
      id: "1556886030274000001",
      in_reply_to_status_id: "9223372036854775807",
      count: 9007199254740991
    })
  })

  it("leaves numbers inside strings, fractions and exponents alone", () => {
    const text = '{"a":"12345678901234567890","b":12345678901234567890.5,"c":1e400,"d":"\\"12345678901234567890"}'
    assert.deepStrictEqual(Json.parse(text), JSON.parse(text))
  })

  it("drops own __proto__ keys at every level", () => {
    const parsed = Json.parse('{"__proto__":{"polluted":true},"a":[{"__proto__":{"x":1},"b":2}]}') as Record<
      string,
      unknown
    >
    assert.deepStrictEqual(parsed, { a: [{ b: 2 }] })
    assert.strictEqual(Object.getPrototypeOf(parsed), Object.prototype)
    assert.strictEqual(parsed.polluted, undefined)
    assert.strictEqual(Json.parse('"__proto__"'), "__proto__")
  })

  it("renders canonical JSON with sorted keys", () => {
    assert.strictEqual(
      Json.canonicalStringify({ b: [1, { d: 2, c: null }], a: "x" }),
      '{"a":"x","b":[1,{"c":null,"d":2}]}'
    )
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.deepStrictEqual(JSON.parse(Json.canonicalStringify(value)), JSON.parse(JSON.stringify(value)))
      })
    )
  })
})

describe("sha256", () => {
  it("matches node:crypto on any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assert.strictEqual(sha256Hex(bytes), createHash("sha256").update(bytes).digest("hex"))
      }),
      { numRuns: 300 }
    )
  })

  it("matches the published test vectors", () => {
    assert.strictEqual(sha256Hex(new Uint8Array()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert.strictEqual(
      sha256Hex(new TextEncoder().encode("abc")),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
  })
})
