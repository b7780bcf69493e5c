import { assert, describe, it } from "@effect/vitest"
import * as Admission from "../src/internal/admission.js"

const clock = () => {
  let now = 1_000_000
  return {
    millis: () => now,
    advance: (millis: number) => {
      now += millis
    }
  }
}

describe("admission by time", () => {
  it("lets deliveries in while they are answered within maxWait", () => {
    const time = clock()
    const admission = Admission.make({ maxWaitMillis: 1000, millis: time.millis })
    for (let i = 0; i < 20; i++) {
      assert.isTrue(admission.admit())
      const arrived = time.millis()
      time.advance(100)
      admission.answered(arrived)
    }
    assert.strictEqual(admission.longestStay(), 100)
  })

  it("refuses once a delivery stayed longer than maxWait, and lets in again when the stays are short", () => {
    const time = clock()
    const admission = Admission.make({ maxWaitMillis: 1000, millis: time.millis })
    assert.isTrue(admission.admit())
    const arrived = time.millis()
    time.advance(1200)
    admission.answered(arrived)
    assert.isFalse(admission.admit(), "right after the long stay")
    time.advance(200)
    assert.isFalse(admission.admit(), "in the next window")
    // Two windows (250 ms each) without a long stay: let in again.
    time.advance(300)
    assert.isTrue(admission.admit())
    assert.strictEqual(admission.longestStay(), 0)
  })

  it("a stay of exactly maxWait is still in time", () => {
    const time = clock()
    const admission = Admission.make({ maxWaitMillis: 1000, millis: time.millis })
    const arrived = time.millis()
    time.advance(1000)
    admission.answered(arrived)
    assert.isTrue(admission.admit())
  })

  it("forgets a long stay after an idle period", () => {
    const time = clock()
    const admission = Admission.make({ maxWaitMillis: 500, millis: time.millis })
    const arrived = time.millis()
    time.advance(2000)
    admission.answered(arrived)
    assert.isFalse(admission.admit())
    time.advance(60_000)
    assert.isTrue(admission.admit())
  })
})
