import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import * as Cli from "../src/Cli.js"
import { jsonLines, plain, run, setup, start } from "./utils/harness.js"

const fixture = (name: string) => fileURLToPath(new URL(`../../core/test/fixtures/delivery/${name}`, import.meta.url))

const parse = <A = Record<string, unknown>>(text: string): A => JSON.parse(text) as A
const parseAny = (text: string): unknown => JSON.parse(text)

describe("--help: every command says what it does, its options, the environment and the exit codes", () => {
  const commands: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
    [[], "The X Account Activity API from the command line"],
    [["webhooks"], "Register, list, validate (CRC) and delete"],
    [["webhooks", "list"], "List the app's webhooks"],
    [["webhooks", "register"], "Register a webhook URL"],
    [["webhooks", "validate"], "Make X run a CRC"],
    [["webhooks", "delete"], "Delete a webhook and its subscriptions"],
    [["subscriptions"], "Subscribe users to a webhook"],
    [["subscriptions", "add"], "Subscribe a user to the webhook's events"],
    [["subscriptions", "check"], "Check whether a user is subscribed"],
    [["subscriptions", "remove"], "Unsubscribe a user with their own tokens"],
    [["subscriptions", "count"], "Count the account's subscriptions"],
    [["subscriptions", "list"], "List the users subscribed to a webhook"],
    [["subscriptions", "remove-user"], "Unsubscribe a user by id"],
    [["replay"], "Recover missed events"],
    [["replay", "start"], "Start a Replay job"],
    [["crc"], "Print the JSON a webhook answers to a CRC GET"],
    [["decode"], "Decode a webhook delivery body"],
    [["request"], "Send one signed request"],
    [["doctor"], "Diagnose the usual CRC failures"],
    [["emulator"], "Run the Account Activity API emulator"]
  ]

  for (const [path, description] of commands) {
    it.effect(`aaa ${[...path, "--help"].join(" ")}`, () =>
      Effect.gen(function* () {
        const result = yield* run([...path, "--help"])
        const text = plain(result.stdout)
        assert.strictEqual(result.code, 0, result.stderr)
        assert.include(text, description)
        assert.include(text, "EXIT CODES")
        assert.include(text, "3 auth")
        assert.include(text, "AAA_CONSUMER_KEY")
      })
    )
  }

  it.effect("the root help lists every command and the global options", () =>
    Effect.gen(function* () {
      const text = plain((yield* run(["--help"])).stdout)
      for (const name of [
        "webhooks",
        "subscriptions",
        "replay start",
        "crc",
        "decode",
        "request",
        "doctor",
        "emulator"
      ]) {
        assert.include(text, `- ${name}`)
      }
      for (const option of ["--json", "--api-url", "--consumer-key", "--consumer-secret", "--bearer-token"]) {
        assert.include(text, option)
      }
    })
  )
})

describe("webhooks", () => {
  it.scopedLive("register, list (table and --json), validate, delete against the emulator", () =>
    Effect.gen(function* () {
      const { env, receiver, emulator } = yield* setup()
      const registered = yield* run(["webhooks", "register", receiver.url, "--json"], { env })
      assert.strictEqual(registered.code, 0, registered.stderr)
      const webhook = parse<{ id: string; url: string; valid: boolean; created_at: string }>(registered.stdout)
      assert.deepStrictEqual([webhook.url, webhook.valid], [receiver.url, true])
      assert.match(webhook.id, /^[0-9]{19}$/)

      const table = yield* run(["webhooks", "list"], { env })
      assert.strictEqual(table.code, 0)
      const [header, row] = table.stdout.split("\n")
      assert.match(header!, /^ID\s+URL\s+VALID\s+CREATED AT$/)
      assert.include(row!, webhook.id)
      assert.include(row!, "yes")

      // --json before the command works as well as after it
      const listed = yield* run(["--json", "webhooks", "list"], { env })
      assert.deepStrictEqual(parseAny(listed.stdout), [webhook])

      const validated = yield* run(["webhooks", "validate", webhook.id], { env })
      assert.strictEqual(validated.code, 0, validated.stderr)
      assert.include(validated.stdout, `Webhook ${webhook.id} passed the CRC check`)
      assert.strictEqual((yield* emulator.webhook(webhook.id)).lastCrc.trigger, "put")

      const deleted = yield* run(["webhooks", "delete", webhook.id, "--json"], { env })
      assert.deepStrictEqual(parse(deleted.stdout), { webhook_id: webhook.id, deleted: true })
      assert.deepStrictEqual(yield* emulator.webhooks, [])
      assert.strictEqual(
        (yield* run(["webhooks", "list"], { env })).stdout,
        "No webhooks: register one with `aaa webhooks register <url>`."
      )
    })
  )

  it.scopedLive('a URL whose CRC answer is wrong: exit 4, X\'s 214 explained on stderr, {"error"} with --json', () =>
    Effect.gen(function* () {
      const { env, receiver, emulator } = yield* setup()
      receiver.setMode("wrong-token")
      const human = yield* run(["webhooks", "register", receiver.url], { env })
      assert.strictEqual(human.code, 4)
      assert.strictEqual(human.stdout, "")
      assert.include(human.stderr, "code 214")
      const machine = yield* run(["webhooks", "register", receiver.url, "--json"], { env })
      const { error } = parse<{ error: Record<string, unknown> }>(machine.stderr)
      assert.deepStrictEqual(
        [error._tag, error.reason, error.code, error.status, error.exitCode],
        ["CrcFailed", "InvalidResponse", 214, 403, 4]
      )
      assert.deepStrictEqual(yield* emulator.webhooks, [])
    })
  )

  it.scopedLive("usage (2), missing or refused credentials (3), an unknown webhook (4)", () =>
    Effect.gen(function* () {
      const { env } = yield* setup()
      const usage = yield* run(["webhooks", "validate", "abc"], { env })
      assert.strictEqual(usage.code, 2)
      assert.include(usage.stderr, '"abc" is not a webhook id')
      assert.strictEqual((yield* run(["webhooks", "nope"], { env })).code, 2)
      assert.strictEqual((yield* run(["webhooks", "list", "--no-such-flag"], { env })).code, 2)

      const { AAA_ACCESS_TOKEN_SECRET: _, ...withoutSecret } = env
      const missing = yield* run(["webhooks", "register", "https://example.com/hook"], { env: withoutSecret })
      assert.strictEqual(missing.code, 3)
      assert.include(missing.stderr, "AAA_ACCESS_TOKEN_SECRET (--access-token-secret)")

      const refused = yield* run(["webhooks", "delete", "123"], { env: { ...env, AAA_ACCESS_TOKEN_SECRET: "wrong" } })
      assert.strictEqual(refused.code, 3)
      assert.include(refused.stderr, "code 32")
      assert.notInclude(refused.stderr, "wrong")

      const unknown = yield* run(["webhooks", "validate", "1234567890123456789"], { env })
      assert.strictEqual(unknown.code, 4)
      assert.include(unknown.stderr, "code 34")
    })
  )

  it.scopedLive("flags win over the environment; secrets given as flags never print", () =>
    Effect.gen(function* () {
      const { env } = yield* setup()
      const { AAA_CONSUMER_SECRET: secret, ...rest } = env
      const ok = yield* run(["webhooks", "list", "--consumer-secret", secret!], { env: rest })
      assert.strictEqual(ok.code, 0, ok.stderr)
      const wrong = yield* run(["webhooks", "list", "--json", "--consumer-secret", "flag-secret-value"], { env })
      assert.strictEqual(wrong.code, 3)
      assert.notInclude(wrong.stderr, "flag-secret-value")
      assert.notInclude(wrong.stderr, secret!)
    })
  )
})

describe("subscriptions", () => {
  it.scopedLive("add, check, list, count, remove-user, remove: the user is the one whose token is given", () =>
    Effect.gen(function* () {
      const { env, userEnv, user, register, emulator } = yield* setup()
      const id = yield* register()
      const added = yield* run(["subscriptions", "add"], { env: userEnv })
      assert.strictEqual(added.code, 0, added.stderr)
      assert.include(added.stdout, `User ${user.user.id} is now subscribed to webhook ${id}`)
      const again = yield* run(["subscriptions", "add", "--webhook", id, "--json"], { env: userEnv })
      assert.deepStrictEqual(parse(again.stdout), {
        webhook_id: id,
        user_id: user.user.id,
        subscribed: true,
        already: true
      })
      assert.deepStrictEqual(parse((yield* run(["subscriptions", "check", "--json"], { env: userEnv })).stdout), {
        webhook_id: id,
        user_id: user.user.id,
        subscribed: true
      })

      const listed = yield* run(["subscriptions", "list"], { env })
      assert.strictEqual(listed.stdout, `USER ID\n${user.user.id}`)
      const count = parse((yield* run(["subscriptions", "count", "--json"], { env })).stdout)
      assert.deepStrictEqual(count.subscriptions_count_all, "1")
      const table = (yield* run(["subscriptions", "count"], { env })).stdout
      assert.match(table.split("\n")[1]!, /^emulator-account\s+1\s+0\s+50$/)

      const removed = yield* run(["subscriptions", "remove-user", user.user.id], { env })
      assert.strictEqual(removed.code, 0, removed.stderr)
      assert.deepStrictEqual(yield* emulator.subscriptions, [])
      const check = yield* run(["subscriptions", "check"], { env: userEnv })
      assert.include(check.stdout, "is not subscribed")

      yield* run(["subscriptions", "add"], { env: userEnv })
      const self = yield* run(["subscriptions", "remove"], { env: userEnv })
      assert.strictEqual(self.code, 0, self.stderr)
      assert.deepStrictEqual(yield* emulator.subscriptions, [])
      const gone = yield* run(["subscriptions", "remove-user", user.user.id], { env })
      assert.strictEqual(gone.code, 4, "removing a user who is not subscribed: X's 404")
    })
  )

  it.scopedLive("which webhook: none (2), several without --webhook (2), an unknown one (4)", () =>
    Effect.gen(function* () {
      const { env, register, receiver } = yield* setup()
      const none = yield* run(["subscriptions", "list"], { env })
      assert.strictEqual(none.code, 2)
      assert.include(none.stderr, "no webhook yet")
      const first = yield* register()
      const second = yield* register(`${receiver.url}/second`)
      const several = yield* run(["subscriptions", "add"], { env })
      assert.strictEqual(several.code, 2)
      assert.include(several.stderr, `${first}, ${second}`)
      const unknown = yield* run(["subscriptions", "list", "-w", "1234567890123456789"], { env })
      assert.strictEqual(unknown.code, 4)
    })
  )
})

describe("replay start", () => {
  it.scopedLive("checks the window locally (exit 2) and sends nothing X would refuse", () =>
    Effect.gen(function* () {
      const { env, register, emulator } = yield* setup()
      const id = yield* register()
      const cases: ReadonlyArray<readonly [string, string, string]> = [
        ["now-1h", "now-2h", "must be before --to"],
        ["now-20m", "now-15m", "less than 31 minutes ago"],
        ["now-2h", "now-5m", "less than 10 minutes ago"],
        ["now-6d", "now-1h", "more than 5 days ago"],
        ["yesterday", "now-1h", "is not a time"],
        ["2026-02-30T10:00Z", "now-1h", "is not a time"]
      ]
      for (const [from, to, message] of cases) {
        const result = yield* run(["replay", "start", "--webhook", id, "--from", from, "--to", to], { env })
        assert.strictEqual(result.code, 2, `${from} ${to}: ${result.stderr}`)
        assert.include(result.stderr, message)
      }
      assert.deepStrictEqual(yield* emulator.replayJobs, [])
      assert.deepStrictEqual(
        (yield* emulator.requestLog).filter((entry) => Option.contains(entry.endpoint, "replay")),
        []
      )
    })
  )

  it.scopedLive("starts a job with UTC yyyymmddhhmm dates; --wait follows it until replay_job_status is sent", () =>
    Effect.gen(function* () {
      const { env, register, emulator, receiver } = yield* setup()
      const id = yield* register()
      const now = Date.now()
      const from = new Date(now - 2 * 3600_000).toISOString()
      const started = yield* run(
        ["replay", "start", "-w", id, "--from", from, "--to", "15 minutes ago", "--wait", "--json"],
        {
          env
        }
      )
      assert.strictEqual(started.code, 0, started.stderr)
      const job = parse<{ job_id: string; from_date: string; to_date: string; state: string }>(started.stdout)
      const expectedFrom = from.slice(0, 16).replace(/[-T:]/g, "")
      assert.strictEqual(job.from_date, expectedFrom)
      assert.match(job.to_date, /^[0-9]{12}$/)
      assert.strictEqual(job.state, "Complete")
      assert.strictEqual((yield* emulator.replayJob(job.job_id)).state, "Complete")
      const status = receiver.posts.map((body) => JSON.parse(body)).find((body) => body.replay_job_status !== undefined)
      assert.deepStrictEqual(
        [status?.replay_job_status.job_id, status?.replay_job_status.job_state],
        [job.job_id, "Complete"]
      )
    })
  )

  it.scopedLive("a job that ends Incomplete (the webhook fails the replay's CRC): exit 4", () =>
    Effect.gen(function* () {
      const { env, register, receiver } = yield* setup()
      const id = yield* register()
      receiver.setMode("non-200")
      const result = yield* run(["replay", "start", "-w", id, "--from", "now-2h", "--to", "now-15m", "--wait"], { env })
      assert.strictEqual(result.code, 4, result.stderr)
      assert.include(result.stderr, "ended Incomplete")
    })
  )

  it.scopedLive("against X (no control API), --wait says how to watch for replay_job_status", () =>
    Effect.gen(function* () {
      const { env, register, xLikeUrl } = yield* setup()
      const id = yield* register()
      const result = yield* run(["replay", "start", "-w", id, "--from", "now-2h", "--to", "now-15m", "--wait"], {
        env: { ...env, AAA_API_URL: xLikeUrl }
      })
      assert.strictEqual(result.code, 0, result.stderr)
      assert.include(result.stdout, "replay_job_status")
      assert.include(result.stdout, "worker's log")
    })
  )
})

describe("crc, decode", () => {
  it.effect("crc --token prints the response JSON (the spec's test vectors)", () =>
    Effect.gen(function* () {
      const foo = yield* run(["crc", "--token", "foo"], { env: { AAA_CONSUMER_SECRET: "my_consumer_secret" } })
      assert.strictEqual(foo.code, 0)
      assert.strictEqual(foo.stdout, '{"response_token":"sha256=lsBND23VDheU4e/PArTx3YDHHQ2xs23Hj6wI9/uhx3A="}')
      const doc = yield* run(["crc", "-t", "__TOKEN_FROM_TWITTER__", "--consumer-secret", "__APP_SECRET__"])
      assert.deepStrictEqual(parse(doc.stdout), {
        response_token: "sha256=rPq0FJoFEukzQI8G52D6xjiQ4BGXK4EuZWYZCWMMlsQ="
      })
      assert.strictEqual((yield* run(["crc", "--token", "foo"])).code, 3, "no consumer secret")
      const odd = yield* run(["crc", "--token", '{"a":1}'], { env: { AAA_CONSUMER_SECRET: "s" } })
      assert.strictEqual(odd.code, 2, "a token shaped like a JSON body is never signed")
    })
  )

  it.effect("decode <file>: the typed events as JSON lines, tag first", () =>
    Effect.gen(function* () {
      const result = yield* run(["decode", fixture("mention.json")])
      assert.strictEqual(result.code, 0, result.stderr)
      const [event] = jsonLines(result.stdout) as ReadonlyArray<Record<string, unknown>>
      assert.strictEqual(Object.keys(event!)[0], "_tag")
      assert.deepStrictEqual([event!._tag, event!.forUserId, event!.direction], ["Mention", "2244994945", "of"])
    })
  )

  it.effect("decode - (and no argument): standard input, one body or one body per line", () =>
    Effect.gen(function* () {
      const dm = readFileSync(fixture("dm-received.json"), "utf8")
      const one = yield* run(["decode", "-"], { stdin: dm })
      assert.deepStrictEqual(
        jsonLines(one.stdout).map((event) => (event as { _tag: string })._tag),
        ["DirectMessageReceived"]
      )
      const lines = [fixture("follow.json"), fixture("tweet-delete.json")]
        .map((path) => JSON.stringify(JSON.parse(readFileSync(path, "utf8"))))
        .join("\n")
      const two = yield* run(["decode"], { stdin: lines })
      assert.deepStrictEqual(
        jsonLines(two.stdout).map((event) => (event as { _tag: string })._tag),
        ["Follow", "TweetDelete"]
      )
    })
  )

  it.effect("decode: not JSON (1), no activity (1), no file (2), nothing on stdin (2)", () =>
    Effect.gen(function* () {
      const broken = yield* run(["decode"], { stdin: '{"for_user_id":"1",' })
      assert.strictEqual(broken.code, 1)
      assert.include(broken.stderr, "not valid JSON")
      const empty = yield* run(["decode", "--json"], { stdin: '{"for_user_id":"1"}' })
      assert.strictEqual(empty.code, 1)
      assert.strictEqual(parse<{ error: { reason: string } }>(empty.stderr).error.reason, "NoEvents")
      assert.strictEqual((yield* run(["decode", "/no/such/body.json"])).code, 2)
      assert.strictEqual((yield* run(["decode"], { stdin: "  \n" })).code, 2)
    })
  )
})

describe("request", () => {
  it.scopedLive("GET picks the endpoint's auth (Bearer for webhooks.json); POST -d is a signed form (OAuth 1.0a)", () =>
    Effect.gen(function* () {
      const { env, receiver, emulator } = yield* setup()
      const created = yield* run(
        ["request", "POST", "/1.1/account_activity/webhooks.json", "-d", `url=${receiver.url}`],
        {
          env
        }
      )
      assert.strictEqual(created.code, 0, created.stderr)
      const webhook = parse<{ id: string; url: string }>(created.stdout)
      assert.strictEqual(webhook.url, receiver.url)

      const listed = yield* run(["request", "GET", "/1.1/account_activity/webhooks.json"], { env })
      assert.deepStrictEqual(
        parse<ReadonlyArray<{ id: string }>>(listed.stdout).map((entry) => entry.id),
        [webhook.id]
      )
      const schemes = (yield* emulator.requestLog).map((entry) => [
        Option.getOrElse(entry.endpoint, () => entry.url),
        entry.auth
      ])
      assert.deepStrictEqual(schemes, [
        ["registerWebhook", "OAuth1"],
        ["/oauth2/token", "Basic"],
        ["listWebhooks", "Bearer"]
      ])

      const included = yield* run(
        ["request", "get", `${env.AAA_API_URL}/1.1/account_activity/subscriptions/count.json`, "-i"],
        {
          env
        }
      )
      assert.match(included.stdout, /^HTTP 200\n/)
      assert.include(included.stdout, "x-rate-limit-limit: 15")

      const machine = parse<{ status: number; body: unknown }>(
        (yield* run(["request", "DELETE", `/1.1/account_activity/webhooks/${webhook.id}.json`, "--json"], { env }))
          .stdout
      )
      assert.deepStrictEqual([machine.status, machine.body], [204, null])
      assert.deepStrictEqual(yield* emulator.webhooks, [])
    })
  )

  it.scopedLive("an error answer prints X's body and exits 3 (auth) or 4 (API); a bad method is usage (2)", () =>
    Effect.gen(function* () {
      const { env } = yield* setup()
      const wrongKind = yield* run(
        ["request", "GET", "/1.1/account_activity/subscriptions/count.json", "--auth", "oauth1"],
        { env }
      )
      assert.strictEqual(wrongKind.code, 3)
      assert.include(wrongKind.stdout, '"code":32')
      const notFound = yield* run(["request", "PUT", "/1.1/account_activity/webhooks/42.json"], { env })
      assert.strictEqual(notFound.code, 4)
      assert.include(notFound.stderr, "code 34")
      assert.strictEqual((yield* run(["request", "PATCH", "/x"], { env })).code, 2)
      assert.strictEqual((yield* run(["request", "POST", "/x", "-d", "novalue"], { env })).code, 2)
    })
  )
})

describe("doctor", () => {
  it.scopedLive("a receiver that answers the CRC right: every check passes (exit 0)", () =>
    Effect.gen(function* () {
      const { env, register } = yield* setup()
      const id = yield* register()
      const result = yield* run(["doctor", "--webhook", id], { env })
      assert.strictEqual(result.code, 0, result.stderr)
      assert.include(result.stdout, `(webhook ${id}, valid at X)`)
      assert.include(result.stdout, "✓ status: HTTP 200.")
      assert.include(result.stdout, "✓ response_token: response_token matches this app's consumer secret.")
      assert.include(result.stdout, "! url: X accepts only https://")
    })
  )

  it.scopedLive("the usual failures: wrong response_token, not 200, unreachable (exit 1); slow is a warning", () =>
    Effect.gen(function* () {
      const { env, receiver } = yield* setup()
      receiver.setMode("wrong-token")
      const wrong = yield* run(["doctor", receiver.url, "--json"], { env })
      assert.strictEqual(wrong.code, 1)
      const checks = parse<{
        ok: boolean
        results: ReadonlyArray<{ checks: ReadonlyArray<{ check: string; level: string }> }>
      }>(wrong.stdout)
      assert.isFalse(checks.ok)
      assert.deepStrictEqual(
        checks.results[0]!.checks.filter((check) => check.level === "fail").map((check) => check.check),
        ["response_token"]
      )
      receiver.setMode("non-200")
      const missing = yield* run(["doctor", receiver.url], { env })
      assert.strictEqual(missing.code, 1)
      assert.include(missing.stdout, "✗ status: HTTP 404")
      const refused = yield* run(["doctor", "http://127.0.0.1:1/webhook"], { env })
      assert.strictEqual(refused.code, 1)
      assert.include(refused.stdout, "ECONNREFUSED")
      receiver.setMode("slow")
      const slow = yield* run(["doctor", receiver.url], { env })
      assert.strictEqual(slow.code, 0, slow.stdout)
      assert.match(slow.stdout, /! latency: answered in 1[0-9]{3} ms: close to X's 3 s limit/)
    })
  )
})

describe("exit codes of the transport and the rate limit", () => {
  it.scopedLive("no API at the URL: exit 5; a rate limit far from its reset: exit 4 with the reset time", () =>
    Effect.gen(function* () {
      const { env, emulator } = yield* setup()
      const unreachable = yield* run(["webhooks", "list", "--api-url", "http://127.0.0.1:1"], { env })
      assert.strictEqual(unreachable.code, 5)
      assert.include(unreachable.stderr, "got no answer")
      assert.strictEqual((yield* run(["webhooks", "list", "--api-url", "ftp://x"], { env })).code, 2)
      yield* emulator.setConfig({ rateLimits: { listWebhooks: 0 } })
      const limited = yield* run(["webhooks", "list", "--json"], { env })
      assert.strictEqual(limited.code, 4)
      const { error } = parse<{ error: { _tag: string; code: number; resetAt: string } }>(limited.stderr)
      assert.deepStrictEqual([error._tag, error.code], ["RateLimited", 88])
      assert.match(error.resetAt, /^\d{4}-\d{2}-\d{2}T/)
    })
  )
})

describe("emulator", () => {
  it.live("aaa emulator serves the API with the credentials it prints, until interrupted", () =>
    Effect.gen(function* () {
      const running = yield* start(["emulator", "--port", "0", "--seed", "5", "--users", "1", "--json"])
      let printed = ""
      for (let attempt = 0; attempt < 200 && printed === ""; attempt++) {
        yield* Effect.sleep("25 millis")
        printed = running.stdout()
      }
      const credentials = parse<{ baseUrl: string; bearerToken: string; users: ReadonlyArray<{ id: string }> }>(printed)
      assert.match(credentials.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.strictEqual(credentials.users.length, 1)
      const listed = yield* Effect.promise(() =>
        fetch(`${credentials.baseUrl}/1.1/account_activity/webhooks.json`, {
          headers: { authorization: `Bearer ${credentials.bearerToken}` }
        }).then(async (response) => [response.status, await response.json()] as const)
      )
      assert.deepStrictEqual(listed, [200, []])
      yield* Fiber.interrupt(running.fiber)
      const after = yield* Effect.promise(() =>
        fetch(`${credentials.baseUrl}/1.1/account_activity/webhooks.json`).then(
          () => "answered",
          () => "closed"
        )
      )
      assert.strictEqual(after, "closed")
    })
  )

  it.effect("aaa emulator refuses a bad port or no users (2)", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* run(["emulator", "--users", "0"])).code, 2)
      assert.strictEqual((yield* run(["emulator", "--port", "70000"])).code, 2)
    })
  )
})

describe("--version", () => {
  it("is the version of the installed package", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      readonly version: string
    }
    assert.strictEqual(Cli.version, manifest.version)
  })
})
