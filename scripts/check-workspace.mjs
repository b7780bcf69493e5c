#!/usr/bin/env node
// Rules that keep the workspace publishable and the Effect runtime single. Each failure says what to do.
//  - exactly one version of `effect` is installed (two copies break Context.Tag identity);
//  - every library peer-depends on `effect` / `@effect/*` (never a regular dependency) and takes the
//    version from the pnpm catalog;
//  - every library has a README, a test script, a typecheck script, a build, `exports` for src with
//    `./internal/*` closed, and `publishConfig.exports` for dist.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const problems = []

const store = join(root, "node_modules", ".pnpm")
if (!existsSync(store)) {
  problems.push("node_modules/.pnpm is missing: run `pnpm install` first.")
} else {
  const versionsOf = (name) =>
    readdirSync(store)
      .filter((entry) => entry.startsWith(`${name.replace("/", "+")}@`))
      .map((entry) => entry.slice(name.length + 1).split("_")[0])
  for (const name of ["effect", "@effect/platform"]) {
    const versions = [...new Set(versionsOf(name))]
    if (versions.length > 1) {
      problems.push(
        `${versions.length} versions of ${name} are installed (${versions.join(", ")}): every package must take it from the pnpm catalog (\`catalog:\`) so that exactly one copy exists.`
      )
    }
  }
}

const isEffect = (name) => name === "effect" || name.startsWith("@effect/")
for (const dir of ["packages", "apps"]) {
  if (!existsSync(join(root, dir))) continue
  for (const name of readdirSync(join(root, dir))) {
    const path = join(root, dir, name)
    if (!existsSync(join(path, "package.json"))) continue
    const pkg = JSON.parse(readFileSync(join(path, "package.json"), "utf8"))
    const where = `${dir}/${name}`
    const need = (condition, message) => condition || problems.push(`${where}: ${message}`)
    need(pkg.type === "module", 'set "type": "module".')
    need(pkg.scripts?.test !== undefined, "add a `test` script (vitest run).")
    need(pkg.scripts?.typecheck !== undefined, "add a `typecheck` script (tsc --noEmit).")
    for (const [dep, range] of Object.entries({
      ...pkg.dependencies,
      ...pkg.devDependencies,
      ...pkg.peerDependencies
    })) {
      if (isEffect(dep))
        need(range === "catalog:", `${dep} must use "catalog:" so the slate stays pinned in one place.`)
    }
    if (pkg.private) continue
    need(pkg.name?.startsWith("@account-activity/"), "published packages live under the @account-activity scope.")
    need(existsSync(join(path, "README.md")), "add a README.md whose first example is the Layer a user provides.")
    need(existsSync(join(path, "tsconfig.build.json")), "add tsconfig.build.json (the build to dist).")
    need(pkg.scripts?.build !== undefined, "add a `build` script.")
    need(pkg.exports?.["./internal/*"] === null, 'close internals with "./internal/*": null in exports.')
    need(pkg.publishConfig?.exports?.["."] !== undefined, "add publishConfig.exports pointing at dist.")
    need(pkg.files?.includes("dist"), 'list "dist" in files.')
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      need(!isEffect(dep), `${dep} must be a peerDependency (and a devDependency), not a dependency.`)
    }
    need(pkg.peerDependencies?.effect !== undefined, "peer-depend on effect.")
    // Every public module is exported, and nothing else (the pack test checks the packed result in depth);
    // bin.ts is a command, run through `bin`, not imported.
    const modules = readdirSync(join(path, "src"))
      .filter((file) => file.endsWith(".ts") && file !== "index.ts" && file !== "bin.ts")
      .map((file) => `./${file.slice(0, -3)}`)
    const exported = Object.keys(pkg.exports ?? {}).filter(
      (key) => key !== "." && key !== "./internal/*" && key !== "./package.json"
    )
    const missing = modules.filter((module) => !exported.includes(module))
    const extra = exported.filter((key) => !modules.includes(key))
    need(
      missing.length === 0 && extra.length === 0,
      `exports must list every public module of src/ and nothing else${missing.length > 0 ? `; add ${missing.join(", ")} (and to publishConfig.exports)` : ""}${extra.length > 0 ? `; remove ${extra.join(", ")}` : ""}.`
    )
    for (const problem of undocumentedExports(join(path, "src"))) problems.push(`${where}/src/${problem}`)
  }
}

// Every export of a public module (src/*.ts, not src/internal) carries JSDoc with `@since`, so the
// reference docs say when each API appeared. Exports inside a JSDoc'd `export * as X` line count too.
function undocumentedExports(src) {
  if (!existsSync(src)) return []
  const found = []
  for (const file of readdirSync(src).filter((name) => name.endsWith(".ts"))) {
    const lines = readFileSync(join(src, file), "utf8").split("\n")
    lines.forEach((line, index) => {
      if (
        !/^export\s+(?:declare\s+|abstract\s+)*(?:const|let|function|class|interface|type|enum|namespace|\*\s+as)\b/.test(
          line
        )
      ) {
        return
      }
      let cursor = index - 1
      while (cursor >= 0 && lines[cursor].trim() === "") cursor--
      if (!lines[cursor]?.trim().endsWith("*/")) {
        found.push(
          `${file}:${index + 1}: add a JSDoc comment with @since (and @category) above \`${line.trim().slice(0, 60)}\``
        )
        return
      }
      let start = cursor
      while (start >= 0 && !lines[start].includes("/**")) start--
      const block = lines.slice(Math.max(start, 0), cursor + 1).join("\n")
      if (!block.includes("@since")) found.push(`${file}:${index + 1}: the JSDoc above this export lacks @since`)
    })
  }
  return found
}

if (problems.length > 0) {
  console.error("Workspace check failed:")
  for (const problem of problems) console.error(`  - ${problem}`)
  process.exit(1)
}
console.log("Workspace check passed: one effect, every package well-formed.")
