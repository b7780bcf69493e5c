// Run by the pack test inside the blank project it installed the tarballs into (copied there, so that imports
// resolve from that project's node_modules): imports every public module of every package, as a user would, and
// checks that internal modules cannot be imported. Prints one line per problem; exits 1 when there is any.
//
//   node imports.mjs @account-activity/core @account-activity/auth …
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

const require = createRequire(import.meta.url)
const problems = []

for (const name of process.argv.slice(2)) {
  const pkg = JSON.parse(readFileSync(join(dirname(require.resolve(`${name}/package.json`)), "package.json"), "utf8"))
  // Optional peers (the test suites of @account-activity/queue need vitest) are not installed here.
  const optional = Object.keys(pkg.peerDependenciesMeta ?? {}).filter((peer) => pkg.peerDependenciesMeta[peer].optional)
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (target === null || subpath.includes("*") || subpath === "./package.json") continue
    const specifier = subpath === "." ? name : `${name}/${subpath.slice(2)}`
    try {
      await import(specifier)
    } catch (error) {
      const missing = /Cannot find (?:package|module) '([^']+)'/.exec(String(error?.message))?.[1]
      if (missing !== undefined && optional.some((peer) => missing === peer || missing.startsWith(`${peer}/`))) continue
      problems.push(`${specifier} cannot be imported: ${error?.message ?? error}`)
    }
  }
  for (const closed of [`${name}/internal/x`, `${name}/bin`, `${name}/src/index.ts`, `${name}/dist/index.js`]) {
    try {
      await import(closed)
      problems.push(`${closed} can be imported: only the public modules may be exported`)
    } catch (error) {
      if (error?.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") {
        problems.push(`${closed}: expected ERR_PACKAGE_PATH_NOT_EXPORTED, got ${error?.code ?? error}`)
      }
    }
  }
}

for (const problem of problems) console.log(problem)
process.exit(problems.length === 0 ? 0 : 1)
