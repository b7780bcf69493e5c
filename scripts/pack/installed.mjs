// Checks the node_modules of the blank project the pack test installed into: exactly one copy of `effect`, of
// each @effect/ package and of each of ours, and ours from the tarballs, never from the registry.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"

const isShared = (name) => name === "effect" || name.startsWith("@effect/") || name.startsWith("@account-activity/")

/**
 * Every installed package, nested copies included, by name.
 * @param {string} project
 * @returns {Map<string, Array<{ path: string, version: string }>>}
 */
export const installedCopies = (project) => {
  const copies = new Map()
  const walk = (dir) => {
    if (!existsSync(dir)) return
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue
      const scoped = entry.name.startsWith("@")
      for (const name of scoped ? readdirSync(join(dir, entry.name)) : [entry.name]) {
        const path = scoped ? join(dir, entry.name, name) : join(dir, name)
        const manifest = join(path, "package.json")
        if (!existsSync(manifest)) continue
        const { name: packageName, version } = JSON.parse(readFileSync(manifest, "utf8"))
        if (packageName !== undefined) copies.set(packageName, [...(copies.get(packageName) ?? []), { path, version }])
        walk(join(path, "node_modules"))
      }
    }
  }
  walk(join(project, "node_modules"))
  return copies
}

/**
 * @param {string} project the directory npm installed into
 * @param {string[]} ours the names of the packages installed from tarballs
 * @returns {Array<[string, string?]>} the problems, each with what to do
 */
export const checkInstalled = (project, ours) => {
  const problems = []
  const copies = installedCopies(project)
  for (const [name, found] of copies) {
    if (isShared(name) && found.length !== 1) {
      problems.push([
        `${found.length} copies of ${name} are installed: ${found.map((copy) => `${copy.version} in ${relative(project, copy.path)}`).join(", ")}`,
        "every package must take it as a peer dependency with a ^ range the others overlap, and install lines must not name a conflicting version"
      ])
    }
  }
  if (!copies.has("effect")) problems.push(["effect is not installed"])
  const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"))
  for (const name of ours) {
    const entry = lock.packages?.[`node_modules/${name}`]
    if (!String(entry?.resolved ?? "").startsWith("file:")) {
      problems.push([
        `${name} was not installed from its tarball (resolved: ${entry?.resolved ?? "missing"})`,
        "install every tarball in the same npm install, so that our packages depend on each other's tarballs"
      ])
    }
  }
  return problems
}
