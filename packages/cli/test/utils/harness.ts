import { spawn } from "node:child_process"
import { createHmac } from "node:crypto"
import { createServer, request as forward } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { Emulator, Server } from "@account-activity/emulator"
import { NodeHttpClient } from "@effect/platform-node"
import { ConfigProvider, Console, Context, Effect, Fiber, Layer, Redacted, type Scope } from "effect"
import * as Cli from "../../src/Cli.js"
import * as Stdin from "../../src/internal/stdin.js"

const packageDir = fileURLToPath(new URL("../..", import.meta.url))
const bin = fileURLToPath(new URL("../../src/bin.ts", import.meta.url))

/** What a run of `aaa` printed and ended with. */
export interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Help text without its ANSI colours. */
export const plain = (text: string): string =>
  text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "")

const listening = (server: ReturnType<typeof createServer>) =>
  Effect.acquireRelease(
    Effect.async<number>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
    }),
    () =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** A webhook receiver on 127.0.0.1: answers CRC GETs with the app's consumer secret, records delivery POSTs. */
export interface Receiver {
  readonly url: string
  readonly posts: ReadonlyArray<string>
  setMode(mode: "ok" | "wrong-token" | "non-200" | "slow"): void
}

const receiver = (secret: Redacted.Redacted): Effect.Effect<Receiver, never, Scope.Scope> =>
  Effect.gen(function* () {
    let mode: "ok" | "wrong-token" | "non-200" | "slow" = "ok"
    const posts: Array<string> = []
    const server = createServer((request, response) => {
      if (request.method === "POST") {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          posts.push(Buffer.concat(chunks).toString("utf8"))
          response.writeHead(200).end()
        })
        return
      }
      const token = new URL(request.url ?? "/", "http://receiver.invalid").searchParams.get("crc_token") ?? ""
      const right = `sha256=${createHmac("sha256", Redacted.value(secret) as string)
        .update(token)
        .digest("base64")}`
      const answer = () =>
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ response_token: mode === "wrong-token" ? "sha256=bm9wZQ==" : right }))
      if (mode === "non-200") response.writeHead(404).end("not here")
      else if (mode === "slow") setTimeout(answer, 1200)
      else answer()
    })
    const port = yield* listening(server)
    return {
      url: `http://127.0.0.1:${port}/webhook`,
      posts,
      setMode(next) {
        mode = next
      }
    }
  })

/**
 * An API in front of the emulator that is not an emulator: everything is forwarded except the control API
 * (`/_emulator/` answers 404, as X would).
 */
const notAnEmulator = (upstream: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function* () {
    const target = new URL(upstream)
    const server = createServer((incoming, response) => {
      if ((incoming.url ?? "").startsWith("/_emulator/")) {
        response
          .writeHead(404, { "content-type": "application/json" })
          .end('{"errors":[{"code":34,"message":"Sorry, that page does not exist."}]}')
        return
      }
      const outgoing = forward(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        }
      )
      incoming.pipe(outgoing)
    })
    return `http://127.0.0.1:${yield* listening(server)}`
  })

export interface Setup {
  readonly emulator: Emulator.Service
  readonly app: Emulator.CreatedApp
  readonly user: Emulator.CreatedUser
  readonly receiver: Receiver
  readonly apiUrl: string
  /** The same API without the control API. */
  readonly xLikeUrl: string
  /** The `AAA_*` variables of the app owner. */
  readonly env: Readonly<Record<string, string>>
  /** The variables of the app with a user's tokens instead of the owner's. */
  readonly userEnv: Readonly<Record<string, string>>
  /** Registers a webhook on the receiver through the emulator's library API. */
  readonly register: (url?: string) => Effect.Effect<string>
}

/** The emulator on a real HTTP server (the real clock: subprocesses sign with it), with replay and deliveries. */
export const setup = (options: Emulator.Options = {}): Effect.Effect<Setup, never, Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      Server.layer().pipe(
        Layer.provideMerge(Server.layerReplay),
        Layer.provideMerge(Server.layerDeliveries()),
        Layer.provideMerge(Emulator.layer({ seed: 11, revalidation: "off", ...options })),
        Layer.provideMerge(NodeHttpClient.layerUndici)
      )
    ).pipe(Effect.orDie)
    const emulator = Context.get(context, Emulator.Emulator)
    const apiUrl = yield* Effect.provide(Server.url, context)
    const app = yield* emulator.createApp({ name: "cli-tests" })
    const user = yield* Effect.orDie(emulator.createUser({ appId: app.app.id, screenName: "alice" }))
    const hook = yield* receiver(app.credentials.consumerSecret)
    const env = {
      AAA_API_URL: apiUrl,
      AAA_CONSUMER_KEY: app.credentials.consumerKey,
      AAA_CONSUMER_SECRET: Redacted.value(app.credentials.consumerSecret) as string,
      AAA_ACCESS_TOKEN: app.owner.accessToken,
      AAA_ACCESS_TOKEN_SECRET: Redacted.value(app.owner.accessTokenSecret) as string
    }
    return {
      emulator,
      app,
      user,
      receiver: hook,
      apiUrl,
      xLikeUrl: yield* notAnEmulator(apiUrl),
      env,
      userEnv: {
        ...env,
        AAA_ACCESS_TOKEN: user.tokens.accessToken,
        AAA_ACCESS_TOKEN_SECRET: Redacted.value(user.tokens.accessTokenSecret) as string
      },
      register: (url = hook.url) =>
        Effect.map(Effect.orDie(emulator.registerWebhook(app.app.id, url)), (webhook) => webhook.id)
    }
  })

const capture = (out: Array<string>, err: Array<string>): Console.Console => {
  const text = (args: ReadonlyArray<unknown>) =>
    args.map((arg) => (typeof arg === "string" ? arg : String(arg))).join(" ")
  const toOut = (...args: ReadonlyArray<unknown>) => {
    out.push(text(args))
  }
  const toErr = (...args: ReadonlyArray<unknown>) => {
    err.push(text(args))
  }
  const ignore = () => {}
  const unsafe: Console.UnsafeConsole = {
    assert: ignore,
    clear: ignore,
    count: ignore,
    countReset: ignore,
    debug: toErr,
    dir: toOut,
    dirxml: toOut,
    error: toErr,
    group: ignore,
    groupCollapsed: ignore,
    groupEnd: ignore,
    info: toOut,
    log: toOut,
    table: toOut,
    time: ignore,
    timeEnd: ignore,
    timeLog: ignore,
    trace: toErr,
    warn: toErr
  }
  const lift =
    (f: (...args: ReadonlyArray<unknown>) => void) =>
    (...args: ReadonlyArray<unknown>) =>
      Effect.sync(() => f(...args))
  return {
    [Console.TypeId]: Console.TypeId,
    assert: () => Effect.void,
    clear: Effect.void,
    count: () => Effect.void,
    countReset: () => Effect.void,
    debug: lift(toErr),
    dir: lift(toOut),
    dirxml: lift(toOut),
    error: lift(toErr),
    group: () => Effect.void,
    groupEnd: Effect.void,
    info: lift(toOut),
    log: lift(toOut),
    table: lift(toOut),
    time: () => Effect.void,
    timeEnd: () => Effect.void,
    timeLog: () => Effect.void,
    trace: lift(toErr),
    warn: lift(toErr),
    unsafe
  }
}

interface Options {
  readonly env?: Readonly<Record<string, string>>
  readonly stdin?: string
}

/**
 * Starts `aaa <args>` in this process (the same `Cli.run` as the binary) in a fiber, with `env` as its
 * environment and `stdin` as its standard input; what it prints can be read while it runs.
 */
export const start = (args: ReadonlyArray<string>, options: Options = {}) =>
  Effect.gen(function* () {
    const out: Array<string> = []
    const err: Array<string> = []
    const fiber = yield* Effect.fork(
      Cli.run(["node", "aaa", ...args]).pipe(
        Effect.withConsole(capture(out, err)),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(options.env ?? {})))),
        Effect.provide(Layer.merge(Cli.layer, Stdin.layerText(options.stdin ?? "")))
      )
    )
    return { fiber, stdout: () => out.join("\n"), stderr: () => err.join("\n") }
  })

/** Runs `aaa <args>` in this process to the end; answers the exit code and what it printed. */
export const run = (args: ReadonlyArray<string>, options: Options = {}): Effect.Effect<Result> =>
  Effect.flatMap(start(args, options), ({ fiber, stdout, stderr }) =>
    Effect.map(Fiber.join(fiber), (code) => ({ code, stdout: stdout(), stderr: stderr() }))
  )

/** The environment of a subprocess: this process's, without any `AAA_*` variable, plus `env`. */
const childEnv = (env: Readonly<Record<string, string>>): NodeJS.ProcessEnv => {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AAA_")))
  return { ...base, ...env, NO_COLOR: "1" }
}

/** Runs `aaa <args>` as a subprocess (`node --import tsx src/bin.ts`), as a user would. */
export const spawnAaa = (args: ReadonlyArray<string>, options: Options = {}): Effect.Effect<Result> =>
  Effect.async<Result>((resume) => {
    const child = spawn(process.execPath, ["--import", "tsx", bin, ...args], {
      cwd: packageDir,
      env: childEnv(options.env ?? {}),
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on("close", (code) => resume(Effect.succeed({ code: code ?? -1, stdout, stderr })))
    child.stdin.end(options.stdin ?? "")
    return Effect.sync(() => {
      child.kill("SIGKILL")
    })
  })

/** Parses each line of `text` as JSON. */
export const jsonLines = (text: string): ReadonlyArray<unknown> =>
  text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line))
