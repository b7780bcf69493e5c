#!/usr/bin/env node
// Everything `npm test` checks, in order, without stopping at the first failure:
//   1. the workspace rules (one `effect`, packages well-formed)   scripts/check-workspace.mjs
//   2. type check and tests of every package                       turbo run typecheck test (3 at a time:
//      the crash and subprocess tests spawn processes, and these machines have 2 cores)
//   3. the chaos run, 2,000 events on SQLite and on Redis          apps/chaos (alone: it kills processes on a
//      timeline of seconds, and X's 3 s timeout must not be missed because other tests hold the CPU)
//   4. lint and format                                             biome check
//   5. every package as a user installs it from npm                scripts/pack/test.mjs (`pnpm test:pack`)
// It ends with one line "N passed, N failed, N skipped" summed over every package's vitest report.
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" }
const run = (command, args) => spawnSync(command, args, { cwd: root, env, stdio: "inherit" }).status === 0

const workspacePackages = ["packages", "apps"].flatMap((dir) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir))
        .map((name) => join(root, dir, name))
        .filter((path) => existsSync(join(path, "package.json")))
    : []
)
const withTests = workspacePackages.filter(
  (path) => JSON.parse(readFileSync(join(path, "package.json"), "utf8")).scripts?.test !== undefined
)
// A report left from an earlier run must not be counted; turbo restores the ones it replays from cache.
for (const path of withTests) rmSync(join(path, ".test-results"), { recursive: true, force: true })

const failures = []
if (!run("node", ["scripts/check-workspace.mjs"])) failures.push("workspace check")
const chaos = "@account-activity/chaos"
const turbo = (filter) => [
  "exec",
  "turbo",
  "run",
  "typecheck",
  "test",
  `--filter=${filter}`,
  "--continue",
  "--concurrency=3",
  "--output-logs=errors-only"
]
if (!run("pnpm", turbo(`!${chaos}`))) failures.push("type check or tests (turbo)")
if (!run("pnpm", turbo(chaos)))
  failures.push("the chaos run (apps/chaos; its summary above says what was lost or doubled)")
if (!run("pnpm", ["exec", "biome", "check", "."])) failures.push("lint (biome check; `pnpm format` fixes formatting)")
if (!run("pnpm", ["run", "--silent", "test:pack"])) {
  failures.push("pack test (`pnpm test:pack`): a package does not install or work on its own, see the ✖ lines above")
}

let passed = 0
let failed = 0
let skipped = 0
for (const path of withTests) {
  const report = join(path, ".test-results", "vitest.json")
  if (!existsSync(report)) {
    failures.push(`no test report from ${path.slice(root.length + 1)}`)
    continue
  }
  const json = JSON.parse(readFileSync(report, "utf8"))
  passed += json.numPassedTests
  failed += json.numFailedTests
  skipped += json.numPendingTests + json.numTodoTests
  if (json.numTotalTests === 0) failures.push(`${path.slice(root.length + 1)} ran no test`)
}

console.log("")
for (const failure of failures) console.log(`✖ ${failure}`)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failures.length === 0 && failed === 0 ? 0 : 1)
