// Checks what `changeset version` makes of a sample changeset, on a copy of the workspace's manifests in a
// temporary directory (the repository is never versioned). On 0.x a minor is the breaking bump, so:
//   - the package of the changeset gets exactly the bump it asks for;
//   - a package that peer-depends on it gets a minor (its peer range must move), never a major: Changesets
//     would make 0.x dependents 1.0.0 (the patch in patches/ and `onlyUpdatePeerDependentsWhenOutOfRange`
//     in .changeset/config.json prevent it);
//   - a package that depends on it gets a patch when the new version leaves its range (a minor at most, when
//     it depends on it through another package's peer);
//   - no version leaves 0.x, and packages that do not depend on it stay as they are.
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const parse = (version) => version.split("-")[0].split(".").map(Number)
const bump = (version, type) => {
  const [major, minor, patch] = parse(version)
  if (type === "major") return `${major + 1}.0.0`
  if (type === "minor") return `${major}.${minor + 1}.0`
  return `${major}.${minor}.${patch + 1}`
}
const bumpOf = (from, to) => {
  if (from === to) return "none"
  const [a, b] = [parse(from), parse(to)]
  if (b[0] !== a[0]) return "major"
  if (b[1] !== a[1]) return "minor"
  return "patch"
}

const manifests = (root) =>
  ["packages", "apps"].flatMap((dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((name) => existsSync(join(root, dir, name, "package.json")))
          .map((name) => ({
            path: `${dir}/${name}`,
            pkg: JSON.parse(readFileSync(join(root, dir, name, "package.json")))
          }))
      : []
  )

/**
 * Runs `changeset version` on one sample changeset in a copy of the workspace and checks the versions.
 * @param {{ root: string, dir: string, changed: string, type: "minor" | "patch" }} options
 * @returns {string[]} the problems found
 */
export const checkVersioning = ({ root, dir, changed, type }) => {
  mkdirSync(join(dir, ".changeset"), { recursive: true })
  for (const file of ["package.json", "pnpm-workspace.yaml"]) cpSync(join(root, file), join(dir, file))
  cpSync(join(root, ".changeset", "config.json"), join(dir, ".changeset", "config.json"))
  const before = manifests(root)
  for (const { path } of before) cpSync(join(root, path, "package.json"), join(dir, path, "package.json"))
  writeFileSync(join(dir, ".changeset", "sample.md"), `---\n"${changed}": ${type}\n---\n\nA sample change.\n`)

  const cli = join(root, "node_modules", "@changesets", "cli", "bin.js")
  const result = spawnSync(process.execPath, [cli, "version"], { cwd: dir, encoding: "utf8" })
  if (result.status !== 0) return [`\`changeset version\` failed: ${result.stderr || result.stdout}`]

  const after = new Map(manifests(dir).map(({ pkg }) => [pkg.name, pkg.version]))
  const published = before.filter(({ pkg }) => !pkg.private).map(({ pkg }) => pkg)
  const byName = new Map(published.map((pkg) => [pkg.name, pkg]))
  const dependsOn = (pkg, name, seen = new Set()) => {
    if (seen.has(pkg.name)) return false
    seen.add(pkg.name)
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })
    return deps.includes(name) || deps.some((dep) => byName.has(dep) && dependsOn(byName.get(dep), name, seen))
  }
  const problems = []
  const sample = `a ${type} of ${changed}`
  for (const pkg of published) {
    const version = after.get(pkg.name)
    const got = bumpOf(pkg.version, version)
    const says = `${sample} took ${pkg.name} from ${pkg.version} to ${version}`
    if (pkg.name === changed) {
      if (version !== bump(pkg.version, type)) problems.push(`${says}; expected ${bump(pkg.version, type)}`)
      continue
    }
    if (parse(pkg.version)[0] === 0 && parse(version)[0] !== 0) {
      problems.push(`${says}: a 0.x package must never become 1.0 because of a dependency`)
      continue
    }
    const peer = pkg.peerDependencies?.[changed] !== undefined
    const expected =
      peer && type !== "patch" && parse(pkg.version)[0] === 0
        ? ["minor"]
        : peer
          ? ["none", "patch"]
          : dependsOn(pkg, changed)
            ? ["none", "patch", "minor"]
            : ["none"]
    if (!expected.includes(got)) problems.push(`${says} (a ${got} bump); expected ${expected.join(" or ")}`)
  }
  return problems
}
