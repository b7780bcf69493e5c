// What the pack test reads in a package README, and how it compares what an example printed.
//
// A package README starts like this:
//
//   # @account-activity/<name>
//
//   ```sh
//   npm install @account-activity/<name> effect@3        ← the install block: `npm install` / `npm i -g` lines
//   ```
//
//   (prose, headings)
//
//   ```ts                                                 ← the first example: the first ts or sh block after it
//   …
//   ```
//
//   (prose)
//
//   ```text                                               ← what the example prints: the next block
//   …
//   ```
//
// In the expected output, `…` stands for any text within a line; a line that is only `…` stands for any
// number of lines (none included). Colours (ANSI escapes) in what was printed are ignored.

/**
 * The fenced code blocks of a Markdown text, in order.
 * @param {string} text
 * @returns {Array<{ lang: string, code: string, line: number }>}
 */
export const codeBlocks = (text) => {
  const blocks = []
  const lines = text.split("\n")
  for (let index = 0; index < lines.length; index++) {
    const open = /^```([\w-]*)\s*$/.exec(lines[index])
    if (open === null) continue
    const start = index
    const body = []
    for (index++; index < lines.length && !/^```\s*$/.test(lines[index]); index++) body.push(lines[index])
    blocks.push({ lang: open[1], code: body.join("\n"), line: start + 1 })
  }
  return blocks
}

/**
 * The package names and specs of the `npm install` lines of an install block.
 * @param {string} code
 */
export const installSpecs = (code) => {
  const specs = []
  let global = false
  for (const raw of code.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim()
    const match = /^npm\s+(?:install|i|add)\s+(.*)$/.exec(line)
    if (match === null) continue
    for (const word of match[1].split(/\s+/).filter((word) => word !== "")) {
      if (word === "-g" || word === "--global") global = true
      else if (!word.startsWith("-")) specs.push(word)
    }
  }
  return { specs, global }
}

/**
 * The package name of an install spec (`effect@3` → `effect`, `@effect/platform@^0.97` → `@effect/platform`).
 * @param {string} spec
 */
export const specName = (spec) => {
  const at = spec.indexOf("@", 1)
  return at === -1 ? spec : spec.slice(0, at)
}

/**
 * The packages a TypeScript example imports (`node:` built-ins left out).
 * @param {string} code
 */
export const importedPackages = (code) => {
  const names = new Set()
  for (const match of code.matchAll(/(?:^|\s)(?:import|export)\s(?:[^"'`;]*?\sfrom\s)?["']([^"']+)["']/g)) {
    const specifier = match[1]
    if (specifier.startsWith(".") || specifier.startsWith("node:")) continue
    const parts = specifier.split("/")
    names.add(specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0])
  }
  return [...names]
}

/**
 * Reads a package README as the pack test needs it. Every problem is a sentence that says what to change.
 * @param {string} text
 * @param {string} name the package name
 */
export const parseReadme = (text, name) => {
  const problems = []
  const lines = text.split("\n")
  if (lines[0] !== `# ${name}`) problems.push(`the first line must be "# ${name}"`)
  const blocks = codeBlocks(text)
  const firstContent = lines.findIndex((line, index) => index > 0 && line.trim() !== "")
  const install = blocks[0]
  if (install === undefined || install.line !== firstContent + 1 || install.lang !== "sh") {
    problems.push("the title must be followed by a ```sh block with the install line (`npm install …`)")
    return { problems }
  }
  const { specs, global } = installSpecs(install.code)
  if (!specs.map(specName).includes(name)) problems.push(`the install block must install ${name}`)
  const exampleIndex = blocks.findIndex((block, index) => index > 0 && (block.lang === "ts" || block.lang === "sh"))
  const example = blocks[exampleIndex]
  const output = blocks[exampleIndex + 1]
  if (example === undefined) {
    problems.push("add a first example: a ```ts (or, for a command, ```sh) block after the install block")
  } else if (output === undefined || output.lang !== "text") {
    problems.push(`the first example (line ${example.line}) must be followed by a \`\`\`text block with what it prints`)
  }
  if (example?.lang === "ts") {
    const installed = new Set(specs.map(specName))
    for (const imported of importedPackages(example.code)) {
      if (!installed.has(imported)) {
        problems.push(`the first example imports ${imported}, which the install block does not install: add it`)
      }
    }
  }
  return { problems, specs, global, example, output }
}

const linePattern = (expected) =>
  new RegExp(
    `^${expected
      .split("…")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`
  )

/**
 * Whether the printed text matches the expected output (see the top of this file).
 * @param {string} actual
 * @param {string} expected
 */
export const outputMatches = (actual, expected) => {
  const clean = (text) => {
    const lines = text.split("\n").map((line) => line.trimEnd())
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop()
    return lines
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character starts every ANSI colour code
  const got = clean(actual.replace(/\u001b\[[0-9;]*m/g, ""))
  const want = clean(expected).map((line) => (line === "…" ? null : linePattern(line)))
  const memo = new Map()
  const match = (i, j) => {
    const key = i * (want.length + 1) + j
    if (memo.has(key)) return memo.get(key)
    let result
    if (j === want.length) result = i === got.length
    else if (want[j] === null) result = match(i, j + 1) || (i < got.length && match(i + 1, j))
    else result = i < got.length && want[j].test(got[i]) && match(i + 1, j + 1)
    memo.set(key, result)
    return result
  }
  return match(0, 0)
}
