import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { jsonLines, plain, setup, spawnAaa } from "./utils/harness.js"

/**
 * `aaa` as a user runs it: `node --import tsx src/bin.ts …` in a child process, against an emulator started in
 * this process, reading the environment and standard input of the process, ending with its exit code.
 * Independent runs go side by side: each start of a child costs about two seconds of loading. The help of
 * every single command is checked in-process (Cli.test.ts), on the same command tree.
 */

const mentionFile = fileURLToPath(new URL("../../core/test/fixtures/delivery/mention.json", import.meta.url))
const dmBody = readFileSync(
  fileURLToPath(new URL("../../core/test/fixtures/delivery/dm-received.json", import.meta.url)),
  "utf8"
)

const tags = (stdout: string) => jsonLines(stdout).map((event) => (event as { _tag: string })._tag)

describe("aaa in a child process, against the emulator", () => {
  it.scopedLive(
    "--help, webhooks register/list/validate/delete, subscriptions, crc, decode, request, --json, exit codes 0 2 3 4",
    () =>
      Effect.gen(function* () {
        const { env, userEnv, receiver, emulator, user } = yield* setup()

        const [help, replayHelp, registered, crc, decodedFile, decodedStdin, usage, auth] = yield* Effect.all(
          [
            spawnAaa(["--help"]),
            spawnAaa(["replay", "start", "--help"]),
            spawnAaa(["webhooks", "register", receiver.url, "--json"], { env }),
            spawnAaa(["crc", "--token", "foo"], { env: { AAA_CONSUMER_SECRET: "my_consumer_secret" } }),
            spawnAaa(["decode", mentionFile]),
            spawnAaa(["decode", "-"], { stdin: dmBody }),
            spawnAaa(["replay", "start", "--webhook", "1", "--from", "now-5m", "--to", "now"], { env }),
            spawnAaa(["webhooks", "list"], { env: { ...env, AAA_CONSUMER_SECRET: "not-the-secret" } })
          ],
          { concurrency: 4 }
        )

        assert.strictEqual(help.code, 0, help.stderr)
        const rootHelp = plain(help.stdout)
        for (const name of [
          "webhooks list",
          "subscriptions add",
          "replay start",
          "crc",
          "decode",
          "request",
          "doctor"
        ]) {
          assert.include(rootHelp, `- ${name}`)
        }
        assert.include(rootHelp, "EXIT CODES")
        assert.strictEqual(replayHelp.code, 0, replayHelp.stderr)
        for (const option of ["--webhook", "--from", "--to", "--wait"]) assert.include(plain(replayHelp.stdout), option)

        assert.strictEqual(registered.code, 0, registered.stderr)
        const webhook = JSON.parse(registered.stdout) as { id: string; url: string; valid: boolean }
        assert.deepStrictEqual([webhook.url, webhook.valid], [receiver.url, true])

        assert.deepStrictEqual(
          [crc.code, crc.stdout.trim()],
          [0, '{"response_token":"sha256=lsBND23VDheU4e/PArTx3YDHHQ2xs23Hj6wI9/uhx3A="}']
        )
        assert.deepStrictEqual([decodedFile.code, tags(decodedFile.stdout)], [0, ["Mention"]])
        assert.deepStrictEqual([decodedStdin.code, tags(decodedStdin.stdout)], [0, ["DirectMessageReceived"]])

        assert.strictEqual(usage.code, 2)
        assert.include(usage.stderr, "less than 31 minutes ago")
        assert.strictEqual(usage.stdout, "")

        assert.strictEqual(auth.code, 3, auth.stderr)
        assert.include(auth.stderr, "code 99")
        assert.notInclude(auth.stderr, "not-the-secret")

        const [table, validated, subscribed, requested, missing] = yield* Effect.all(
          [
            spawnAaa(["webhooks", "list"], { env }),
            spawnAaa(["webhooks", "validate", webhook.id], { env }),
            spawnAaa(["subscriptions", "add", "--webhook", webhook.id], { env: userEnv }),
            spawnAaa(["request", "GET", "/1.1/account_activity/webhooks.json"], { env }),
            spawnAaa(["webhooks", "validate", "1234567890123456789", "--json"], { env })
          ],
          { concurrency: 4 }
        )
        assert.match(table.stdout, /^ID\s+URL\s+VALID\s+CREATED AT\n/)
        assert.include(table.stdout, webhook.id)
        assert.strictEqual(validated.code, 0, validated.stderr)
        assert.include(validated.stdout, "passed the CRC check")
        assert.strictEqual(subscribed.code, 0, subscribed.stderr)
        assert.include(subscribed.stdout, `User ${user.user.id} is now subscribed`)
        assert.deepStrictEqual(
          (yield* emulator.subscriptions).map((subscription) => subscription.userId),
          [user.user.id]
        )
        assert.strictEqual(requested.code, 0, requested.stderr)
        assert.deepStrictEqual(JSON.parse(requested.stdout), [{ ...webhook }])

        assert.strictEqual(missing.code, 4)
        assert.strictEqual(missing.stdout, "")
        const { error } = JSON.parse(missing.stderr) as { error: { _tag: string; code: number; exitCode: number } }
        assert.deepStrictEqual([error._tag, error.code, error.exitCode], ["WebhookNotFound", 34, 4])

        const deleted = yield* spawnAaa(["webhooks", "delete", webhook.id], { env })
        assert.strictEqual(deleted.code, 0, deleted.stderr)
        assert.deepStrictEqual(yield* emulator.webhooks, [])
        assert.deepStrictEqual(yield* emulator.subscriptions, [])
      }),
    120_000
  )
})
