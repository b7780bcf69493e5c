// Bundles an app into dist/main.js so that `node dist/main.js` runs on plain Node 20.
//
//   node ../../scripts/bundle.mjs [--if-stale] [entry=src/main.ts] [--out dist/main.js]
//
// The workspace's own packages (their exports point at TypeScript sources) are bundled in; registry
// packages stay external and resolve from the app's node_modules (better-sqlite3 is a native addon and
// cannot be bundled). With --if-stale nothing is done when dist/main.js is newer than every source file
// of the app and of the workspace packages.
import { existsSync, readdirSync, statSync } from "node:fs"
import { join, resolve } from "node:path"
import { build } from "esbuild"

const args = process.argv.slice(2)
const ifStale = args.includes("--if-stale")
const outIndex = args.indexOf("--out")
const out = outIndex === -1 ? "dist/main.js" : args[outIndex + 1]
if (out === undefined || out.startsWith("--")) throw new Error("--out needs a file name, e.g. --out dist/main.js")
const entry =
  args.find((arg, index) => !arg.startsWith("--") && (outIndex === -1 || index !== outIndex + 1)) ?? "src/main.ts"
const outfile = resolve(out)
const root = resolve(import.meta.dirname, "..")

const newest = (dir) => {
  let time = 0
  if (!existsSync(dir)) return time
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (name.name === "node_modules" || name.name === "dist" || name.name.startsWith(".")) continue
    const path = join(dir, name.name)
    time = Math.max(time, name.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return time
}

if (ifStale && existsSync(outfile)) {
  const sources = Math.max(newest(resolve("src")), newest(join(root, "packages")))
  if (statSync(outfile).mtimeMs >= sources) process.exit(0)
}

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  },
  plugins: [
    {
      name: "registry-packages-external",
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith("@account-activity/") || args.path.startsWith("node:")
            ? undefined
            : { path: args.path, external: true }
        )
      }
    }
  ]
})
