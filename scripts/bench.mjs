#!/usr/bin/env node
// `pnpm bench`: runs every benchmark of the workspace one after another, each against a baseline written
// without the toolkit and measured in the same run, then (re)writes BENCHMARKS.md with the machine, the
// command and one table per benchmark. A few minutes in all; every benchmark has a time limit.
//
//   pnpm bench                       every benchmark, then BENCHMARKS.md is rewritten
//   pnpm bench --only receiver,e2e   the benchmarks whose name contains one of these words; prints the
//                                    tables and leaves BENCHMARKS.md alone (add --write to rewrite it anyway)
//   pnpm bench --list                the names
//
// REDIS_URL picks the Redis server of the Redis cases (default redis://127.0.0.1:6379); all traffic stays on
// loopback.
//
// ## Adding a benchmark
//
// 1. Write a script (TypeScript, run with tsx from its package directory) that measures our case and its
//    baseline in the same process tree, within a bounded time, and prints what it measured.
// 2. When the environment variable AAA_BENCH_RESULTS names a file, append one JSON line per comparison to it
//    (fs.appendFileSync(file, JSON.stringify(result) + "\n")), with these fields:
//
//      bench          the benchmark's name, as in the list below (lines with the same name form one table)
//      title          the table's heading, e.g. "Receiver ingest"                       (first line's wins)
//      about          what it measures and how to read it, one or two sentences          (first line's wins)
//      case           our side, e.g. "receiver + SqliteQueue"
//      baseline       the other side, e.g. "node:http + node:crypto + better-sqlite3 group commit"
//      metric         what both values are, with their unit, e.g. "requests/s" or "p99 latency, ms"
//      better         "higher" or "lower": which way is good for this metric
//      value          our number
//      baselineValue  the baseline's number
//      ratio          value / baselineValue (computed here when left out)
//      note           optional: anything that helps to read the row (spread, failures, achieved rate)
//
//    A line never carries a verdict: BENCHMARKS.md shows the numbers, the ratio and which way is better.
//    A case that cannot run here (e.g. no Redis) writes instead { bench, title, skipped: "why, and how to fix it" }
//    and the script goes on (or exits 0 when nothing is left to run).
// 3. Add an entry to `benches` below: its name, the package directory, the script and a time limit in
//    seconds (the whole process group is killed past it, and the run goes on with the next benchmark).
// 4. Give the package a `bench` script that runs it, so `pnpm --filter <package> bench` works too.
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = dirname(dirname(fileURLToPath(import.meta.url)))

/** Every benchmark, in the order they run. */
const benches = [
  { name: "auth-oauth", dir: "packages/auth", script: "bench/index.ts", limit: 60 },
  { name: "crc-verify", dir: "packages/crc", script: "bench/index.ts", limit: 60 },
  { name: "queue-sqlite", dir: "packages/queue-sqlite", script: "bench/index.ts", limit: 90 },
  { name: "queue-redis", dir: "packages/queue-redis", script: "bench/index.ts", limit: 90 },
  { name: "receiver-ingest", dir: "packages/receiver", script: "bench/index.ts", limit: 120 },
  { name: "receiver-crc", dir: "packages/receiver", script: "bench/crc.ts", limit: 90 },
  { name: "receiver-overload", dir: "packages/receiver", script: "bench/overload.ts", limit: 120 },
  { name: "e2e-latency", dir: "apps/worker", script: "bench/e2e.ts", limit: 150 }
]

const args = process.argv.slice(2).filter((arg) => arg !== "--")
const option = (name) => {
  const index = args.indexOf(name)
  return index === -1 ? undefined : (args[index + 1] ?? "")
}
if (args.includes("--list")) {
  for (const bench of benches) console.log(`${bench.name.padEnd(18)} ${bench.dir}/${bench.script}`)
  process.exit(0)
}
const only = option("--only")
const words = only === undefined ? [] : only.split(",").filter((word) => word.length > 0)
const selected =
  words.length === 0 ? benches : benches.filter((bench) => words.some((word) => bench.name.includes(word)))
if (selected.length === 0) {
  console.error(`No benchmark matches ${JSON.stringify(only)}; the names are: ${benches.map((b) => b.name).join(", ")}`)
  process.exit(2)
}
const write = only === undefined || args.includes("--write")

const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
const scratch = mkdtempSync(join(Os.tmpdir(), "aaa-bench-"))
const resultsFile = join(scratch, "results.jsonl")

const loadAverage = () =>
  Os.loadavg()
    .map((value) => value.toFixed(2))
    .join(" / ")

let running
const stopRunning = () => {
  if (running === undefined) return
  try {
    process.kill(-running.pid, "SIGKILL")
  } catch {
    // already gone
  }
}
// the benchmark runs in a process group of its own, which Ctrl-C does not reach: stop it with us
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    stopRunning()
    rmSync(scratch, { recursive: true, force: true })
    process.exit(130)
  })
}

/** Runs one benchmark in a process group of its own; resolves with how it ended. */
const runOne = (bench) =>
  new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, ["--import", tsx, bench.script], {
      cwd: join(root, bench.dir),
      env: { ...process.env, AAA_BENCH_RESULTS: resultsFile, AAA_BENCH: bench.name },
      stdio: ["ignore", "inherit", "pipe"],
      detached: true
    })
    running = child
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      process.stderr.write(chunk)
      stderr = (stderr + chunk).slice(-4000)
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {
        // already gone
      }
    }, bench.limit * 1000)
    child.on("exit", (code, signal) => {
      clearTimeout(timer)
      running = undefined
      // whatever the benchmark started and left behind (its servers) goes with it
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {
        // nothing left
      }
      const seconds = (performance.now() - started) / 1000
      const lastLine =
        stderr
          .trim()
          .split("\n")
          .filter((line) => line.trim().length > 0)
          .pop() ?? ""
      resolve(
        timedOut
          ? { ok: false, seconds, error: `stopped after its limit of ${bench.limit} s` }
          : code === 0
            ? { ok: true, seconds }
            : { ok: false, seconds, error: `exited with ${code ?? signal}${lastLine ? `: ${lastLine}` : ""}` }
      )
    })
  })

const startedAt = new Date()
const loadBefore = loadAverage()
const runStarted = performance.now()
const outcomes = new Map()
for (const bench of selected) {
  console.log(`\n━━ ${bench.name}  (${bench.dir}/${bench.script}, limit ${bench.limit} s, load ${loadAverage()})`)
  const outcome = await runOne(bench)
  outcomes.set(bench.name, outcome)
  console.log(`━━ ${bench.name}: ${outcome.ok ? "done" : "FAILED"} in ${outcome.seconds.toFixed(1)} s`)
}
const totalSeconds = (performance.now() - runStarted) / 1000
const loadAfter = loadAverage()

const results = existsSync(resultsFile)
  ? readFileSync(resultsFile, "utf8")
      .split("\n")
      .filter((line) => line.trim().length > 0)
      .map((line) => JSON.parse(line))
  : []
rmSync(scratch, { recursive: true, force: true })

// --- formatting

const number = (value) => {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
}
const ratioOf = (result) => {
  const ratio = result.ratio ?? result.value / result.baselineValue
  // a baseline of 0 (e.g. nothing given up) has no ratio
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "–"
}
/** Markdown table with aligned columns. */
const table = (head, rows) => {
  const widths = head.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)))
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`
  return [line(head), `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`, ...rows.map(line)].join("\n")
}
const escape = (text) => String(text).replaceAll("|", "\\|")

const sections = []
for (const bench of selected) {
  const all = results.filter((result) => result.bench === bench.name)
  const lines = all.filter((result) => result.skipped === undefined)
  const skipped = all.filter((result) => result.skipped !== undefined)
  const outcome = outcomes.get(bench.name)
  const title = all.find((line) => line.title)?.title ?? bench.name
  const about = all.find((line) => line.about)?.about
  const parts = [`## ${title}`, "", `\`${bench.dir}/${bench.script}\`${about ? `: ${about}` : ""}`]
  if (lines.length > 0) {
    const rows = lines.map((line) => [
      escape(line.case),
      escape(line.baseline),
      escape(line.metric),
      number(line.value),
      number(line.baselineValue),
      ratioOf(line),
      line.better === "lower" ? "lower" : "higher",
      escape(line.note ?? "")
    ])
    parts.push("", table(["our case", "baseline", "metric", "ours", "baseline's", "ratio", "better", "note"], rows))
  }
  for (const line of skipped) parts.push("", `Skipped: ${line.skipped}`)
  if (!outcome.ok) parts.push("", `**Not complete:** the benchmark ${outcome.error}.`)
  sections.push(parts.join("\n"))
}

console.log(`\n${sections.join("\n\n")}\n`)
const failed = [...outcomes].filter(([, outcome]) => !outcome.ok).map(([name]) => name)
console.log(
  `${selected.length} benchmark(s) in ${Math.round(totalSeconds)} s; load average before ${loadBefore}, after ${loadAfter}`
)

if (write) {
  const cpus = Os.cpus()
  const release = existsSync("/etc/os-release")
    ? /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1]
    : undefined
  const command = only === undefined ? "pnpm bench" : `pnpm bench ${args.join(" ")}`
  const minutes = `${Math.floor(totalSeconds / 60)} min ${Math.round(totalSeconds % 60)} s`
  const machine = table(
    ["run", ""],
    [
      ["date", startedAt.toISOString().replace(/\.\d+Z$/, "Z")],
      ["command", `\`${command}\` (took ${minutes})`],
      ["CPU", `${cpus[0]?.model.trim() ?? "unknown"}, ${cpus.length} cores`],
      ["memory", `${(Os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
      ["OS", `${Os.type()} ${Os.release()}${release ? ` (${release})` : ""}`],
      ["Node", process.version],
      ["load average (1 / 5 / 15 min)", `${loadBefore} before, ${loadAfter} after`]
    ]
  )
  const text = `# Benchmarks

Written by \`pnpm bench\` ([scripts/bench.mjs](scripts/bench.mjs)); run it again to reproduce on your machine.
Every benchmark measures our code and a baseline written without the toolkit (bare Node, the same storage,
the same durability) in the same run, on the same machine, so the **ratio** (ours / baseline) is what
carries over to another machine; the absolute numbers depend on the machine and on what else runs on it.
"better" says which way is good: for throughput a ratio above 1 means faster than the baseline, for latency
and time per call a ratio below 1 does. All traffic stays on loopback; every run is bounded in time.

${machine}

A load average near or above the number of cores means other processes competed for the CPU and the disk
during the run: the absolute numbers are then low and noisy, the ratios less so (the cases of a benchmark
take turns, so a change in load weighs on each alike).

${sections.join("\n\n")}
`
  writeFileSync(join(root, "BENCHMARKS.md"), text)
  console.log("BENCHMARKS.md written")
}
process.exit(failed.length === 0 ? 0 : 1)
