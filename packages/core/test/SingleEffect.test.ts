import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { assert, it } from "@effect/vitest"

// packages/core/test → packages
const packagesDirectory = fileURLToPath(new URL("../../", import.meta.url))

const workspacePackages = readdirSync(packagesDirectory)
  .map((name) => `${packagesDirectory}${name}/package.json`)
  .filter((manifest) => existsSync(manifest))

const dependsOnEffect = (manifest: string): boolean => {
  const json = JSON.parse(readFileSync(manifest, "utf8"))
  return ["dependencies", "peerDependencies", "devDependencies"].some((field) => json[field]?.effect !== undefined)
}

it("every workspace package resolves one and the same effect", () => {
  const users = workspacePackages.filter(dependsOnEffect)
  assert.include(
    users.map((manifest) => manifest.slice(packagesDirectory.length)),
    "core/package.json"
  )
  const resolved = new Map(
    users.map((manifest) => [
      manifest.slice(packagesDirectory.length),
      realpathSync(createRequire(manifest).resolve("effect"))
    ])
  )
  const distinct = new Set(resolved.values())
  assert.strictEqual(
    distinct.size,
    1,
    `several copies of effect: ${JSON.stringify(Object.fromEntries(resolved), null, 2)}`
  )
})
