#!/usr/bin/env node
// `pnpm test:pack`: every package of packages/ as a user gets it from npm, outside the workspace.
//
//   1. the manifests and READMEs: exports list every public module of src (internals closed) for src and
//      for dist; the README starts with the install line and a first example followed by its output;
//   2. build (turbo) and `pnpm pack` every package; the tarballs hold what `exports` and `bin` name, with no
//      `workspace:` or `catalog:` left and `^` ranges for the Effect peers;
//   3. publint and @arethetypeswrong/cli (profile esm-only: the packages are ESM only, on purpose) on every
//      tarball, and `changeset version` on sample changesets in a copy of the manifests, while
//   4. a blank project in a temporary directory installs, in one `npm install`, every tarball and what the
//      READMEs' install lines name (from the registry), plus typescript and @types/node;
//   5. exactly one copy of `effect` (and of each @effect/ and @account-activity/ package) is installed, ours
//      from the tarballs; every public module imports, internals do not;
//   6. each README's first example is type-checked against the installed declarations (strict, NodeNext, as
//      a user's project would) and run; what it prints must match the text block under it. The CLI's example
//      runs `aaa` from the installed bin (a global install would fetch our other packages from the registry).
//      The queue-redis example needs Redis: AAA_REDIS_URL, else REDIS_URL, else redis://127.0.0.1:6379.
//
// Options: --keep (keep the temporary directory; it is also kept when something fails).
import { spawn, spawnSync } from "node:child_process"
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { builtinModules } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { checkVersioning } from "./changesets.mjs"
import { checkInstalled } from "./installed.mjs"
import { outputMatches, parseReadme, specName } from "./readme.mjs"

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))))
const keep = process.argv.includes("--keep")
const started = Date.now()
const seconds = (since = started) => `${((Date.now() - since) / 1000).toFixed(0)} s`
const failures = []
/** The temporary directory, once made. */
let work
const fail = (what, fix) => failures.push(fix === undefined ? what : `${what}\n    → ${fix}`)
const step = (text) => console.log(`▸ ${text} (${seconds()})`)

const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: "1",
  NO_COLOR: "1",
  npm_config_update_notifier: "false",
  AAA_REDIS_URL: process.env.AAA_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
}
// better-sqlite3 compiles from source when no prebuilt binary can be downloaded; node-gyp then needs Node's
// headers: use the ones installed with Node instead of a download (as scripts/bootstrap.mjs does).
if (!env.npm_config_nodedir && existsSync("/usr/include/node/node.h")) env.npm_config_nodedir = "/usr"

// Each command runs in a process group of its own (so that a timeout ends its children too); an interrupted
// pack test ends them all.
const running = new Set()
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const pid of running) {
      try {
        process.kill(-pid, "SIGKILL")
      } catch {}
    }
    process.exit(130)
  })
}

/** Runs a command to its end; resolves with its status and output, never rejects. */
const exec = (command, args, options = {}) =>
  new Promise((resolve) => {
    const { timeout = 600_000, ...rest } = options
    const child = spawn(command, args, { env, ...rest, stdio: ["ignore", "pipe", "pipe"], detached: true })
    running.add(child.pid)
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => {
      stdout += chunk
    })
    child.stderr.on("data", (chunk) => {
      stderr += chunk
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {}
    }, timeout)
    child.on("error", (error) => {
      clearTimeout(timer)
      running.delete(child.pid)
      resolve({ status: -1, stdout, stderr: `${stderr}${error.message}`, timedOut })
    })
    child.on("close", (status) => {
      clearTimeout(timer)
      running.delete(child.pid)
      resolve({ status: timedOut ? -1 : status, stdout, stderr, timedOut })
    })
  })
const tail = (text, lines = 30) => text.trim().split("\n").slice(-lines).join("\n")
const indent = (text) => text.replace(/^/gm, "      ")

// ---------------------------------------------------------------------------------------------------------------
// 1. manifests and READMEs

const packages = readdirSync(join(root, "packages"))
  .filter((name) => existsSync(join(root, "packages", name, "package.json")))
  .sort()
  .map((dir) => {
    const path = join(root, "packages", dir)
    const pkg = JSON.parse(readFileSync(join(path, "package.json"), "utf8"))
    const readme = existsSync(join(path, "README.md")) ? readFileSync(join(path, "README.md"), "utf8") : ""
    return { dir, path, pkg, name: pkg.name, readme: parseReadme(readme, pkg.name) }
  })
  .filter(({ pkg }) => !pkg.private)

for (const { dir, path, pkg, readme } of packages) {
  const where = `packages/${dir}/package.json`
  const modules = readdirSync(join(path, "src"))
    .filter((file) => file.endsWith(".ts") && file !== "index.ts" && file !== "bin.ts")
    .map((file) => file.slice(0, -3))
  const expected = [".", ...modules.map((module) => `./${module}`), "./internal/*", "./package.json"].sort()
  for (const [field, exportsMap] of [
    ["exports", pkg.exports],
    ["publishConfig.exports", pkg.publishConfig?.exports]
  ]) {
    const keys = Object.keys(exportsMap ?? {}).sort()
    if (JSON.stringify(keys) !== JSON.stringify(expected)) {
      const missing = expected.filter((key) => !keys.includes(key))
      const extra = keys.filter((key) => !expected.includes(key))
      fail(
        `${where}: ${field} must list exactly the public modules of src/ (${[
          missing.length > 0 ? `missing ${missing.join(", ")}` : "",
          extra.length > 0 ? `not modules of src/: ${extra.join(", ")}` : ""
        ]
          .filter((part) => part !== "")
          .join("; ")})`,
        'each src/<Module>.ts is "./<Module>": "./src/<Module>.ts" in exports and { "types": "./dist/<Module>.d.ts", "default": "./dist/<Module>.js" } in publishConfig.exports; src/internal stays closed ("./internal/*": null)'
      )
    }
    if (exportsMap?.["./internal/*"] !== null) fail(`${where}: ${field} must close "./internal/*" with null`)
  }
  for (const [subpath, target] of Object.entries(pkg.publishConfig?.exports ?? {})) {
    if (target === null || subpath === "./package.json") continue
    const module = subpath === "." ? "index" : subpath.slice(2)
    if (target?.types !== `./dist/${module}.d.ts` || target?.default !== `./dist/${module}.js`) {
      fail(
        `${where}: publishConfig.exports["${subpath}"] must be { "types": "./dist/${module}.d.ts", "default": "./dist/${module}.js" }`
      )
    }
  }
  if (!pkg.files?.includes("dist") || !pkg.files?.includes("!dist/.tsbuildinfo")) {
    fail(`${where}: files must include "dist" and exclude the build cache with "!dist/.tsbuildinfo"`)
  }
  for (const problem of readme.problems) fail(`packages/${dir}/README.md: ${problem}`)
}
if (failures.length > 0) finish()

// ---------------------------------------------------------------------------------------------------------------
// 2. build and pack

work = mkdtempSync(join(tmpdir(), "aaa-pack-"))
const tarballs = join(work, "tarballs")
const unpacked = join(work, "unpacked")
const project = join(work, "project")
for (const dir of [tarballs, unpacked, project]) mkdirSync(dir, { recursive: true })

step("build every package (turbo run build)")
const buildArgs = ["exec", "turbo", "run", "build", "--filter=./packages/*", "--output-logs=errors-only"]
const build = await exec("pnpm", buildArgs, { cwd: root })
if (build.status !== 0) {
  fail(`the build failed:\n${indent(tail(build.stdout + build.stderr))}`, "run `pnpm build` and fix what it reports")
  finish()
}

step("pnpm pack every package")
const pack = await exec("pnpm", ["-r", "--filter=./packages/*", "pack", "--pack-destination", tarballs], { cwd: root })
if (pack.status !== 0) {
  fail(`pnpm pack failed:\n${indent(tail(pack.stdout + pack.stderr))}`)
  finish()
}
const tarballOf = new Map()
for (const file of readdirSync(tarballs).filter((file) => file.endsWith(".tgz"))) {
  const into = join(unpacked, file.slice(0, -4))
  mkdirSync(into)
  spawnSync("tar", ["-xzf", join(tarballs, file), "-C", into])
  const manifest = JSON.parse(readFileSync(join(into, "package", "package.json"), "utf8"))
  tarballOf.set(manifest.name, { file: join(tarballs, file), dir: join(into, "package"), manifest })
}

const isEffect = (name) => name === "effect" || name.startsWith("@effect/")

/** The packages that the .js and .d.ts files under `dir` import, each with a file that imports it. */
const importsOf = (dir, found = new Map()) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) importsOf(path, found)
    if (!/\.(?:js|d\.ts)$/.test(entry.name)) continue
    const code = readFileSync(path, "utf8")
    const specifiers = [
      ...code.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gms),
      ...code.matchAll(/^import\s*"([^"]+)"/gm),
      ...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)
    ].map((match) => match[1])
    for (const specifier of specifiers) {
      if (specifier.startsWith(".") || specifier.startsWith("node:") || builtinModules.includes(specifier)) continue
      const parts = specifier.split("/")
      const name = specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]
      if (!found.has(name)) found.set(name, path)
    }
  }
  return found
}
for (const { name, dir } of packages) {
  const tarball = tarballOf.get(name)
  if (tarball === undefined) {
    fail(`pnpm pack made no tarball for ${name}`)
    continue
  }
  const { manifest } = tarball
  const inTarball = (path) => existsSync(join(tarball.dir, path))
  const text = JSON.stringify(manifest)
  if (text.includes('"workspace:') || text.includes('"catalog:')) {
    fail(`${name}: the packed package.json still has workspace: or catalog: ranges`, "pack with pnpm (`pnpm pack`)")
  }
  for (const [dep, range] of Object.entries(manifest.peerDependencies ?? {})) {
    if (isEffect(dep) && !range.startsWith("^")) {
      fail(`${name}: peer ${dep} has the range "${range}"`, "the catalog (pnpm-workspace.yaml) must give ^ ranges")
    }
  }
  for (const dep of Object.keys(manifest.dependencies ?? {}).filter(isEffect)) {
    fail(`${name}: ${dep} is a dependency`, "make it a peerDependency (and a devDependency) with catalog:")
  }
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    for (const file of typeof target === "string" ? [target] : Object.values(target ?? {})) {
      if (!inTarball(file)) fail(`${name}: exports["${subpath}"] names ${file}, which is not in the tarball`)
    }
  }
  if (inTarball("dist/.tsbuildinfo")) fail(`${name}: the tarball holds dist/.tsbuildinfo`)
  // Inside the workspace a package may import what only the root or a sibling installs; outside it may not.
  const declared = new Set([name, ...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })])
  for (const [imported, file] of inTarball("dist") ? importsOf(join(tarball.dir, "dist")) : []) {
    if (!declared.has(imported)) {
      fail(
        `${name}: ${file.slice(tarball.dir.length + 1)} imports ${imported}, which its package.json does not declare`,
        `add it to packages/${dir}/package.json: a peerDependency (catalog:) for effect, @effect/* and the packages whose services an app provides, else a dependency`
      )
    }
  }
  for (const [command, file] of Object.entries(manifest.bin ?? {})) {
    if (!inTarball(file)) fail(`${name}: bin ${command} names ${file}, which is not in the tarball`)
    else if (!readFileSync(join(tarball.dir, file), "utf8").startsWith("#!/usr/bin/env node")) {
      fail(`${name}: ${file} (bin ${command}) must start with #!/usr/bin/env node`)
    }
  }
  if (!inTarball("dist") || !readdirSync(join(tarball.dir, "dist")).some((file) => file.endsWith(".js.map"))) {
    fail(`${name}: the tarball has no source maps`, `set "sourceMap": true for packages/${dir}`)
  }
}
console.log(`  ${tarballOf.size} tarballs, ${seconds()}`)

// ---------------------------------------------------------------------------------------------------------------
// 3 and 4: the install runs while publint, attw and the changesets check run

const catalog = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")
const catalogRange = (name) =>
  new RegExp(`^\\s+"?${name.replace("/", "\\/")}"?:\\s*(\\S+)\\s*$`, "m").exec(catalog)?.[1]
const registrySpecs = new Set()
for (const { readme } of packages) {
  for (const spec of readme.specs ?? []) if (!tarballOf.has(specName(spec))) registrySpecs.add(spec)
}
for (const tool of ["typescript", "@types/node"]) registrySpecs.add(`${tool}@${catalogRange(tool) ?? "latest"}`)

writeFileSync(
  join(project, "package.json"),
  `${JSON.stringify({ name: "blank-project", private: true, type: "module" }, null, 2)}\n`
)
const installArgs = [
  "install",
  "--no-audit",
  "--no-fund",
  ...[...tarballOf.values()].map((t) => t.file),
  ...registrySpecs
]
step(`npm install in a blank project: ${tarballOf.size} tarballs and ${[...registrySpecs].join(" ")}`)
const installing = exec("npm", installArgs, { cwd: project, timeout: 420_000 }).then((result) => {
  console.log(`  npm install done, ${seconds()}`)
  return result
})

const bin = (name) => join(root, "node_modules", ".bin", name)
for (const { name } of packages) {
  const tarball = tarballOf.get(name)
  if (tarball === undefined) continue
  const publint = await exec(bin("publint"), ["run", tarball.file, "--strict"], { cwd: work })
  if (publint.status !== 0 || !/All good/.test(publint.stdout)) {
    fail(`publint ${name}:\n${indent(tail(publint.stdout + publint.stderr))}`)
  }
  const attw = await exec(bin("attw"), [tarball.file, "--profile", "esm-only", "--format", "ascii", "--no-color"], {
    cwd: work
  })
  if (attw.status !== 0) fail(`attw ${name} (profile esm-only):\n${indent(tail(attw.stdout + attw.stderr))}`)
}
console.log(`  publint and attw checked ${tarballOf.size} tarballs, ${seconds()}`)

for (const [changed, type] of [
  ["@account-activity/core", "minor"],
  ["@account-activity/queue", "minor"],
  ["@account-activity/core", "patch"]
]) {
  const dir = join(work, "changesets", `${changed.split("/")[1]}-${type}`)
  for (const problem of checkVersioning({ root, dir, changed, type })) {
    fail(`changeset version: ${problem}`, "see .changeset/config.json and patches/@changesets__assemble-release-plan*")
  }
}
console.log(`  changeset version checked, ${seconds()}`)

const install = await installing
if (install.status !== 0) {
  fail(
    `npm install in the blank project failed${install.timedOut ? " (timed out)" : ""}:\n${indent(tail(install.stdout + install.stderr))}`,
    "a dependency may be missing from a package.json, or an install line names a version that conflicts with a peer range"
  )
  finish()
}

// ---------------------------------------------------------------------------------------------------------------
// 5. what got installed

step("check the installed tree")
for (const [problem, fix] of checkInstalled(project, [...tarballOf.keys()])) fail(problem, fix)
copyFileSync(join(root, "scripts", "pack", "imports.mjs"), join(project, "imports.mjs"))
const imports = await exec(process.execPath, ["imports.mjs", ...tarballOf.keys()], { cwd: project, timeout: 120_000 })
if (imports.status !== 0) fail(`importing the public modules:\n${indent(tail(imports.stdout + imports.stderr))}`)

// ---------------------------------------------------------------------------------------------------------------
// 6. the first example of every README

step("type-check the README examples")
const examples = packages.filter(({ readme }) => readme.example?.lang === "ts")
mkdirSync(join(project, "examples"))
for (const { dir, readme } of examples)
  writeFileSync(join(project, "examples", `${dir}.ts`), `${readme.example.code}\n`)
writeFileSync(
  join(project, "tsconfig.json"),
  `${JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        types: ["node"],
        strict: true,
        // as most projects do: the declarations of @effect/platform need DOM types, those of
        // @effect/platform-node-shared need @types/ws; attw checks ours
        skipLibCheck: true,
        rootDir: "examples",
        outDir: "out",
        sourceMap: true
      },
      include: ["examples"]
    },
    null,
    2
  )}\n`
)
const tsc = await exec(process.execPath, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
  cwd: project,
  timeout: 300_000
})
if (tsc.status !== 0) {
  fail(
    `the README examples do not type-check against the installed packages:\n${indent(tail(tsc.stdout + tsc.stderr, 40))}`,
    `the files are examples/<package>.ts in ${project} (kept)`
  )
}

step("run the README examples")
for (const { dir, readme } of packages) {
  if (readme.example === undefined) continue
  const cwd = join(project, "run", dir)
  mkdirSync(cwd, { recursive: true })
  const started = Date.now()
  const result =
    readme.example.lang === "ts"
      ? await exec(process.execPath, ["--enable-source-maps", join(project, "out", `${dir}.js`)], {
          cwd,
          timeout: 60_000
        })
      : await exec("bash", ["-e", "-o", "pipefail", "-c", readme.example.code], {
          cwd,
          timeout: 60_000,
          env: { ...env, PATH: `${join(project, "node_modules", ".bin")}:${env.PATH}` }
        })
  const where = `packages/${dir}/README.md, the first example (line ${readme.example.line})`
  if (result.status !== 0) {
    fail(
      `${where} ${result.timedOut ? "did not finish within 60 s" : `exited with ${result.status}`}:\n${indent(tail(result.stdout + result.stderr))}`
    )
  } else if (!outputMatches(result.stdout, readme.output.code)) {
    fail(
      `${where} printed something else than the text block under it (line ${readme.output.line}):\n${indent(result.stdout.trimEnd())}`,
      "fix the package, or the example and its output block"
    )
  } else {
    console.log(`  ✓ ${dir} (${seconds(started)})`)
  }
}

finish()

function finish() {
  console.log("")
  if (failures.length === 0) {
    console.log(`✓ pack test passed: ${packages.length} packages installed and ran from their tarballs (${seconds()})`)
    if (!keep && work !== undefined) rmSync(work, { recursive: true, force: true })
    process.exit(0)
  }
  for (const failure of failures) console.log(`✖ ${failure}`)
  if (work !== undefined) console.log(`\nThe temporary project is kept for a look: ${work}`)
  console.log(`✖ pack test failed (${failures.length} ${failures.length === 1 ? "problem" : "problems"}, ${seconds()})`)
  process.exit(1)
}
