#!/usr/bin/env node
// The README's two commands start here, on a machine that has only Node 20+ and npm:
//   npm start  → make sure pnpm and the dependencies are installed, then run the sandbox
//   npm test   → the same install step, then every check, type check and test (scripts/verify.mjs)
// pnpm is taken from PATH when it is the pinned version, otherwise installed once into .tools/
// (no global install, no root needed).
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { delimiter, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.replace(/^pnpm@/, "")
const toolsBin = join(root, ".tools", "node_modules", ".bin")
const env = {
  ...process.env,
  PATH: `${toolsBin}${delimiter}${process.env.PATH ?? ""}`,
  TURBO_TELEMETRY_DISABLED: "1",
  COREPACK_ENABLE_STRICT: "0"
}
// better-sqlite3 compiles from source when no prebuilt binary can be downloaded. node-gyp then needs
// Node's headers: use the ones installed with Node (Debian's nodejs-dev layout) instead of a download.
if (!env.npm_config_nodedir && existsSync("/usr/include/node/node.h")) env.npm_config_nodedir = "/usr"

const run = (command, args, options = {}) =>
  spawnSync(command, args, { cwd: root, env, stdio: "inherit", shell: process.platform === "win32", ...options })

const versionOf = (command) => {
  const result = spawnSync(command, ["--version"], { env, encoding: "utf8", shell: process.platform === "win32" })
  return result.status === 0 ? result.stdout.trim() : undefined
}

const fail = (message) => {
  console.error(`\n✖ ${message}`)
  process.exit(1)
}

const [major] = process.versions.node.split(".").map(Number)
if (major < 20) fail(`Node ${process.versions.node} is too old: install Node 20 or newer and run the command again.`)

if (versionOf("pnpm") !== pinned) {
  console.log(`▸ installing pnpm ${pinned} into .tools/ (once)`)
  const installed = run("npm", [
    "install",
    "--prefix",
    join(root, ".tools"),
    "--no-save",
    "--no-package-lock",
    "--no-audit",
    "--no-fund",
    `pnpm@${pinned}`
  ])
  if (installed.status !== 0 || versionOf("pnpm") !== pinned) {
    fail(`could not install pnpm ${pinned} with npm. Check that the npm registry is reachable, then run again.`)
  }
}

console.log("▸ pnpm install --frozen-lockfile")
const install = run("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"])
if (install.status !== 0) {
  fail(
    "installing the dependencies failed (see above). If pnpm-lock.yaml is out of date after a package.json change, run `pnpm install` and commit the lockfile."
  )
}

const task = process.argv[2]
if (task === "test") {
  process.exit(run("pnpm", ["run", "verify"]).status ?? 1)
}
if (task === "start") {
  if (!existsSync(join(root, "apps", "sandbox", "package.json"))) {
    console.log(
      "\nThe sandbox (emulator + receiver + worker in one command) has not landed yet.\n" +
        "Everything installed; `npm test` runs every test, and the packages' READMEs show how to use them."
    )
    process.exit(0)
  }
  process.exit(
    run("pnpm", ["--filter", "@account-activity/sandbox", "run", "start", ...process.argv.slice(3)]).status ?? 1
  )
}
fail(`unknown task "${task ?? ""}": use "test" or "start".`)
