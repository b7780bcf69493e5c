import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, describe, it } from "@effect/vitest"

const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url))
const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "aaa-emulator-cli-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface CredentialsFile {
  readonly baseUrl: string
  readonly consumerKey: string
  readonly consumerSecret: string
  readonly accessToken: string
  readonly accessTokenSecret: string
  readonly bearerToken: string
  readonly users: ReadonlyArray<{ id: string; screenName: string; accessToken: string; accessTokenSecret: string }>
}

/** Starts the CLI, waits for its banner, and returns the process with what it printed so far. */
const start = (args: ReadonlyArray<string>) =>
  new Promise<{ child: ChildProcess; output: () => string }>((resolve, reject) => {
    const child = spawn(tsx, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    const timer = setTimeout(() => reject(new Error(`no banner within 15 s:\n${output}`)), 15_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("Press Ctrl-C to stop.")) {
        clearTimeout(timer)
        resolve({ child, output: () => output })
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before the banner:\n${output}`))
    })
  })

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.removeAllListeners("exit")
    child.on("exit", (code) => resolve(code))
    child.kill("SIGINT")
  })

describe("aaa-emulator", () => {
  it("starts, prints and writes working credentials, and stops on Ctrl-C", { timeout: 40_000 }, async () => {
    const file = join(dir, "credentials.json")
    const { child, output } = await start(["--port", "0", "--seed", "7", "--credentials", file])
    try {
      const credentials = JSON.parse(readFileSync(file, "utf8")) as CredentialsFile
      assert.strictEqual(statSync(file).mode & 0o777, 0o600, "the credentials file is readable by its owner only")
      assert.match(credentials.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.strictEqual(credentials.users.length, 2)
      for (const user of credentials.users) assert.match(user.id, /^\d{1,19}$/)
      assert.include(output(), credentials.consumerKey)

      // the printed bearer token really authenticates against the running server
      const listed = await fetch(`${credentials.baseUrl}/1.1/account_activity/webhooks.json`, {
        headers: { authorization: `Bearer ${credentials.bearerToken}` }
      })
      assert.strictEqual(listed.status, 200)
      assert.deepStrictEqual(await listed.json(), [])
      const refused = await fetch(`${credentials.baseUrl}/1.1/account_activity/webhooks.json`, {
        headers: { authorization: "Bearer not-a-token" }
      })
      assert.strictEqual(refused.status, 401)
    } finally {
      assert.strictEqual(await stop(child), 0, "Ctrl-C ends the emulator cleanly")
    }
  })

  it("gives the same credentials for the same seed", { timeout: 40_000 }, async () => {
    const read = async (seed: string) => {
      const file = join(dir, `seed-${seed}-${Math.random()}.json`)
      const { child } = await start(["--port", "0", "--seed", seed, "--users", "1", "--credentials", file])
      await stop(child)
      return JSON.parse(readFileSync(file, "utf8")) as CredentialsFile
    }
    const first = await read("11")
    const second = await read("11")
    const other = await read("12")
    assert.strictEqual(first.consumerKey, second.consumerKey)
    assert.deepStrictEqual(first.users, second.users)
    assert.notStrictEqual(first.consumerKey, other.consumerKey)
  })
})
