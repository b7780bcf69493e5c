import { createHmac, randomBytes } from "node:crypto"
import { join } from "node:path"
import { EventQueue } from "@account-activity/queue"
import { SqliteQueue } from "@account-activity/queue-sqlite"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as App from "./process.js"

const dir = App.appDir("receiver")

const newSecret = "new-secret"
const oldSecret = "old-secret"

/** `sha256=` + base64(HMAC-SHA256(secret, message)): the CRC answer and the delivery signature. */
const sign = (secret: string, message: string) =>
  `sha256=${createHmac("sha256", secret).update(message).digest("base64")}`

/** A delivery as X sends it, `/` escaped as `\/` (the bytes must arrive untouched). */
const body = (tweetId: string) =>
  `{"for_user_id":"2244994945","tweet_delete_events":[{"status":{"id":"${tweetId}","user_id":"2244994945","source":"<a href=\\"https:\\/\\/x.com\\">X<\\/a>"},"timestamp_ms":"1660746200593"}]}`

const send = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() }
  })

const post = (url: string, payload: string, headers: Record<string, string>) =>
  send(url, { method: "POST", body: payload, headers: { "content-type": "application/json", ...headers } })

const assertNoSecret = (output: string) => {
  assert.notInclude(output, newSecret, "the process output holds the new secret")
  assert.notInclude(output, oldSecret, "the process output holds the old secret")
}

describe("receiver main (node dist/main.js)", () => {
  beforeAll(() => App.bundle(dir), 120_000)

  it.scopedLive(
    "answers CRC with the first secret, accepts the second, refuses unsigned, stops on SIGTERM with the delivery stored",
    () =>
      Effect.gen(function* () {
        const temp = yield* App.tempDir
        const port = yield* App.freePort
        const filename = join(temp, "q.db")
        const app = yield* App.start({
          dir,
          cwd: temp,
          vars: {
            PORT: String(port),
            HOST: "127.0.0.1",
            AAA_WEBHOOK_PATH: "/hook",
            AAA_CONSUMER_SECRET: `${newSecret},${oldSecret}`,
            AAA_QUEUE_URL: `sqlite:${filename}`
          }
        })
        yield* app.waitFor(new RegExp(`listening on 127\\.0\\.0\\.1:${port}/hook`))
        const base = `http://127.0.0.1:${port}`

        // CRC: signed with the first (new) secret of the rotation.
        const token = randomBytes(24).toString("base64url")
        const crc = yield* send(`${base}/hook?crc_token=${encodeURIComponent(token)}&nonce=1234567890`)
        assert.strictEqual(crc.status, 200, crc.text)
        assert.match(crc.contentType ?? "", /^application\/json/)
        assert.deepStrictEqual(JSON.parse(crc.text), { response_token: sign(newSecret, token) })
        assert.notStrictEqual(sign(newSecret, token), sign(oldSecret, token))

        // A delivery signed with the second (old) secret is still accepted during the rotation.
        const accepted = body("1556886030274000001")
        const ok = yield* post(`${base}/hook`, accepted, { "x-twitter-webhooks-signature": sign(oldSecret, accepted) })
        assert.strictEqual(ok.status, 200, ok.text)

        // Unsigned, or signed with a secret the receiver does not know: refused, not stored.
        const unsigned = yield* post(`${base}/hook`, body("1556886030274000002"), {})
        assert.strictEqual(unsigned.status, 401, unsigned.text)
        const forged = body("1556886030274000003")
        const wrong = yield* post(`${base}/hook`, forged, {
          "x-twitter-webhooks-signature": sign("not-the-secret", forged)
        })
        assert.strictEqual(wrong.status, 401, wrong.text)

        const health = yield* send(`${base}/healthz`)
        assert.strictEqual(health.status, 200, health.text)

        // SIGTERM: a clean exit within a few seconds.
        const stopping = Date.now()
        yield* app.kill("SIGTERM")
        const exit = yield* app.exited("20 seconds")
        const took = Date.now() - stopping
        assert.deepStrictEqual(exit, { code: 0, signal: null }, app.output())
        assert.isBelow(took, 10_000, `the receiver took ${took} ms to stop`)

        // The SQLite file holds exactly the accepted delivery, byte for byte.
        const stored = yield* Effect.gen(function* () {
          const queue = yield* EventQueue.EventQueue
          return yield* queue.receive({ consumer: "probe", max: 10 })
        }).pipe(Effect.provide(SqliteQueue.layer({ filename })), Effect.scoped)
        assert.deepStrictEqual(
          stored.map((message) => new TextDecoder().decode(message.body)),
          [accepted]
        )
        assert.strictEqual(stored[0]?.headers["x-twitter-webhooks-signature"], sign(oldSecret, accepted))

        assertNoSecret(app.output())
      }),
    90_000
  )

  it.scopedLive(
    "exits non-zero naming AAA_QUEUE_URL when the queue URL is not supported",
    () =>
      Effect.gen(function* () {
        const temp = yield* App.tempDir
        const port = yield* App.freePort
        const app = yield* App.start({
          dir,
          cwd: temp,
          vars: {
            PORT: String(port),
            HOST: "127.0.0.1",
            AAA_CONSUMER_SECRET: `${newSecret},${oldSecret}`,
            AAA_QUEUE_URL: "ftp://x"
          }
        })
        const exit = yield* app.exited()
        assert.isNotNull(exit.code, app.output())
        assert.notStrictEqual(exit.code, 0, app.output())
        assert.match(app.output(), /AAA_QUEUE_URL "ftp:\/\/x" is not supported/)
        assert.notMatch(app.output(), /listening/)
        assertNoSecret(app.output())
      }),
    60_000
  )

  it.scopedLive(
    "exits non-zero naming AAA_CONSUMER_SECRET when it is missing",
    () =>
      Effect.gen(function* () {
        const temp = yield* App.tempDir
        const port = yield* App.freePort
        const app = yield* App.start({
          dir,
          cwd: temp,
          vars: { PORT: String(port), HOST: "127.0.0.1", AAA_QUEUE_URL: `sqlite:${join(temp, "q.db")}` }
        })
        const exit = yield* app.exited()
        assert.isNotNull(exit.code, app.output())
        assert.notStrictEqual(exit.code, 0, app.output())
        assert.match(app.output(), /AAA_CONSUMER_SECRET/)
        assert.notMatch(app.output(), /listening/)
      }),
    60_000
  )
})
