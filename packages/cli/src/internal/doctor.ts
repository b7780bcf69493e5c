/**
 * `aaa doctor [url] [--webhook <id>]`: sends the webhook URL a CRC GET the way X does (`crc_token`, `nonce`,
 * `x-twitter-webhooks-signature`), times it against X's 3-second limit and checks the answer with the
 * consumer secret, so the usual CRC failures (unreachable, slow, not 200, wrong `response_token`) show up
 * before X marks the webhook invalid.
 *
 * @internal
 */
import { randomBytes } from "node:crypto"
import type { Rest } from "@account-activity/core"
import { Crc, WebhookSignature } from "@account-activity/crc"
import { Args, Command, Options } from "@effect/cli"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Clock, Duration, Effect, Option, type Redacted, Schema } from "effect"
import { DoctorFailed, UsageError } from "./errors.js"
import * as Ids from "./ids.js"
import { printJson, printLines } from "./output.js"
import * as Settings from "./settings.js"

/** X's limit for a CRC answer. */
const LIMIT_MILLIS = 3000
/** How long doctor waits, to tell "slow" from "no answer". */
const GIVE_UP = Duration.seconds(10)

/** One finding: `ok`, `warn` (X may still accept it) or `fail` (X's CRC fails). @internal */
export interface Check {
  readonly check: string
  readonly level: "ok" | "warn" | "fail"
  readonly detail: string
}

/** What doctor found for one URL. @internal */
export interface Diagnosis {
  readonly url: string
  readonly webhook_id: string | null
  readonly valid_at_x: boolean | null
  readonly status: number | null
  readonly latency_ms: number | null
  readonly checks: ReadonlyArray<Check>
}

const decodeAnswer = Schema.decodeUnknownOption(Schema.parseJson(Crc.CrcResponse))

const urlRule = (url: string): Check => {
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    return { check: "url", level: "fail", detail: `${JSON.stringify(url)} is not a URL.` }
  }
  const authority = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split(/[/?#]/)[0] ?? ""
  if (parsed.protocol === "https:" && !authority.includes(":")) {
    return { check: "url", level: "ok", detail: "https:// without a port, as X requires." }
  }
  return {
    check: "url",
    level: "warn",
    detail:
      'X accepts only https:// URLs without a port (214 "Webhook URL does not meet the requirements."); the emulator also accepts http on loopback.'
  }
}

/** Sends one CRC GET to `url` and judges the answer. @internal */
export const diagnose = (
  url: string,
  secret: Redacted.Redacted
): Effect.Effect<Omit<Diagnosis, "webhook_id" | "valid_at_x">, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const token = randomBytes(24).toString("base64url")
    const nonce = randomBytes(16).toString("hex")
    const challenge = Crc.challenge({ token, nonce, secrets: secret })
    const checks: Array<Check> = [urlRule(url)]
    const target = `${url}${url.includes("?") ? "&" : "?"}${challenge.search}`
    const started = yield* Clock.currentTimeMillis
    const answer = yield* HttpClientRequest.get(target).pipe(
      HttpClientRequest.setHeader(WebhookSignature.headerName, challenge.signature),
      HttpClientRequest.acceptJson,
      http.execute,
      Effect.flatMap((response) =>
        Effect.map(response.text, (text) => ({
          status: response.status,
          contentType: response.headers["content-type"] ?? "",
          text
        }))
      ),
      Effect.timeout(GIVE_UP),
      Effect.either
    )
    const latency = (yield* Clock.currentTimeMillis) - started
    if (answer._tag === "Left") {
      const error = answer.left
      checks.push({
        check: "reachable",
        level: "fail",
        detail:
          error._tag === "TimeoutException"
            ? `no answer within ${Duration.format(GIVE_UP)}: X gives up after 3 s (214 "High latency on CRC GET request").`
            : `the CRC GET failed (${causeOf(error)}): X answers 214 "Webhook URL does not meet the requirements." Check that the receiver runs, the DNS name and the TLS certificate.`
      })
      return { url, status: null, latency_ms: null, checks }
    }
    const { status, contentType, text } = answer.right
    checks.push(
      status === 200
        ? { check: "status", level: "ok", detail: "HTTP 200." }
        : {
            check: "status",
            level: "fail",
            detail: `HTTP ${status}: X needs 200 (214 "Non-200 response code during CRC GET request"); redirects are not followed.`
          }
    )
    checks.push(
      latency > LIMIT_MILLIS
        ? {
            check: "latency",
            level: "fail",
            detail: `answered in ${latency} ms: X allows 3 s (214 "High latency on CRC GET request"). Answer the CRC before any slow work (no cold start, no database call).`
          }
        : latency > LIMIT_MILLIS / 3
          ? {
              check: "latency",
              level: "warn",
              detail: `answered in ${latency} ms: close to X's 3 s limit; a slower moment makes X mark the webhook invalid.`
            }
          : { check: "latency", level: "ok", detail: `answered in ${latency} ms (X allows 3 s).` }
    )
    if (status === 200) {
      if (!/^application\/json\b/i.test(contentType)) {
        checks.push({
          check: "content-type",
          level: "warn",
          detail: `Content-Type is ${JSON.stringify(contentType)}: send application/json, as every reference receiver does.`
        })
      }
      const decoded = decodeAnswer(text)
      if (Option.isNone(decoded)) {
        checks.push({
          check: "body",
          level: "fail",
          detail: `the body is not {"response_token":"sha256=…"} (214 "Invalid CRC token or json response format"); it starts with ${JSON.stringify(text.slice(0, 80))}.`
        })
      } else if (decoded.value.response_token !== challenge.response.response_token) {
        checks.push({
          check: "response_token",
          level: "fail",
          detail: `wrong response_token: expected ${challenge.response.response_token} for crc_token=${token}, got ${JSON.stringify(decoded.value.response_token)}. The receiver must answer "sha256=" + base64(HMAC-SHA256(key = this app's consumer secret, message = the crc_token)); not the access token secret or the Bearer token.`
        })
      } else {
        checks.push({
          check: "response_token",
          level: "ok",
          detail: "response_token matches this app's consumer secret."
        })
      }
    }
    return { url, status, latency_ms: latency, checks }
  })

/** The innermost messages of an error chain: "connect ECONNREFUSED 127.0.0.1:9" rather than "Transport error". */
const causeOf = (error: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const message = (current as { message?: unknown }).message
    const code = (current as { code?: unknown }).code
    if (typeof message === "string" && message !== "")
      parts.push(typeof code === "string" ? `${code}: ${message}` : message)
    current = (current as { cause?: unknown }).cause
  }
  return parts.length === 0 ? String(error) : parts[parts.length - 1]!
}

const mark = { ok: "✓", warn: "!", fail: "✗" } as const

const render = (diagnosis: Diagnosis): string =>
  [
    `${diagnosis.url}${diagnosis.webhook_id === null ? "" : ` (webhook ${diagnosis.webhook_id}, ${diagnosis.valid_at_x ? "valid" : "invalid"} at X)`}`,
    ...diagnosis.checks.map((check) => `  ${mark[check.level]} ${check.check}: ${check.detail}`),
    ...(diagnosis.valid_at_x === false && diagnosis.checks.every((check) => check.level !== "fail")
      ? [`  → the CRC passes now: \`aaa webhooks validate ${diagnosis.webhook_id}\` makes X mark it valid again.`]
      : [])
  ].join("\n")

/** `aaa doctor`. @internal */
export const command = Command.make(
  "doctor",
  {
    json: Settings.json,
    url: Args.text({ name: "url" }).pipe(
      Args.optional,
      Args.withDescription("The webhook URL to check; without it (and without --webhook) every webhook of the app.")
    ),
    webhook: Options.text("webhook").pipe(
      Options.withAlias("w"),
      Options.optional,
      Options.withDescription("Check this registered webhook (its URL and whether X has it valid).")
    )
  },
  (flags) =>
    Settings.withSettings(flags.json, (current) =>
      Effect.gen(function* () {
        const chosen = yield* Option.match(flags.webhook, {
          onNone: () => Effect.succeed(Option.none<Rest.Webhook["id"]>()),
          onSome: (text) => Effect.map(Ids.webhookId(text), Option.some)
        })
        yield* Settings.require("doctor", current, ["ConsumerSecret"])
        const secret = Option.getOrThrow(current.consumerSecret)
        let targets: ReadonlyArray<{ readonly url: string; readonly webhook: Option.Option<Rest.Webhook> }>
        if (Option.isSome(flags.url) && Option.isNone(chosen)) {
          targets = [{ url: flags.url.value, webhook: Option.none() }]
        } else {
          const client = yield* Settings.client("doctor", current, ["AppOnly"])
          const webhooks = yield* client.listWebhooks
          const picked = Option.isSome(chosen) ? webhooks.filter((webhook) => webhook.id === chosen.value) : webhooks
          if (picked.length === 0) {
            return yield* new UsageError({
              message: Option.isSome(chosen)
                ? `The app has no webhook ${chosen.value}: \`aaa webhooks list\` shows its webhooks.`
                : "The app has no webhook: give the URL to check (aaa doctor https://example.com/webhook)."
            })
          }
          targets = picked.map((webhook) => ({ url: webhook.url, webhook: Option.some(webhook) }))
        }
        const results: Array<Diagnosis> = []
        for (const target of targets) {
          const found = yield* diagnose(target.url, secret)
          results.push({
            ...found,
            webhook_id: Option.getOrNull(Option.map(target.webhook, (webhook) => webhook.id)),
            valid_at_x: Option.getOrNull(Option.map(target.webhook, (webhook) => webhook.valid))
          })
        }
        const failed = results.flatMap((result) =>
          result.checks.filter((check) => check.level === "fail").map((check) => `${check.check} (${result.url})`)
        )
        if (current.json) yield* printJson({ ok: failed.length === 0, results })
        else yield* printLines(...results.map(render))
        if (failed.length > 0) {
          return yield* new DoctorFailed({ url: results.map((result) => result.url).join(", "), failed })
        }
      })
    )
).pipe(
  Command.withDescription(
    "Diagnose the usual CRC failures of a webhook URL: send it a signed CRC GET as X does, time it against the 3 s limit and check the response_token with the consumer secret. Exit code 1 when a check fails."
  )
)
