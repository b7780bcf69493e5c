/**
 * `aaa request <METHOD> <path> [-d key=value]…`: one signed request, like twurl. The auth kind is the one
 * the Account Activity endpoint at that path takes (OAuth 1.0a or the app-only Bearer token), or `--auth`.
 *
 * @internal
 */
import { AuthKind } from "@account-activity/auth"
import { Endpoint } from "@account-activity/client"
import { ApiError } from "@account-activity/core"
import { Args, Command, Options } from "@effect/cli"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Console, Effect, Option } from "effect"
import { UsageError } from "./errors.js"
import { printJson } from "./output.js"
import * as Settings from "./settings.js"

const methods = ["GET", "POST", "PUT", "DELETE"] as const
type Method = (typeof methods)[number]

const templates = Endpoint.all.map((endpoint) => ({
  endpoint,
  pattern: new RegExp(`^${endpoint.path.replace(/\./g, "\\.").replace(/:(webhook_id|user_id)/g, "[^/]+")}$`)
}))

/** The Account Activity endpoint at `method` `path`, if it is one. @internal */
export const endpointAt = (method: string, path: string): Option.Option<Endpoint.Endpoint> =>
  Option.fromNullable(
    templates.find((template) => template.endpoint.method === method && template.pattern.test(path))?.endpoint
  )

const parseData = (
  entries: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<readonly [string, string]>, UsageError> =>
  Effect.forEach(entries, (entry) =>
    entry.includes("=")
      ? Effect.succeed([...new URLSearchParams(entry)].map(([key, value]) => [key, value] as const))
      : Effect.fail(
          new UsageError({
            message: `-d ${JSON.stringify(entry)} is not form data: write key=value (for example -d "url=https://example.com/webhook").`
          })
        )
  ).pipe(Effect.map((lists) => lists.flat()))

/** `aaa request`. @internal */
export const command = Command.make(
  "request",
  {
    json: Settings.json,
    method: Args.text({ name: "METHOD" }).pipe(Args.withDescription("GET, POST, PUT or DELETE.")),
    path: Args.text({ name: "path" }).pipe(
      Args.withDescription(
        "The path on the API, e.g. /1.1/account_activity/webhooks.json (or a full URL), query included."
      )
    ),
    data: Options.text("data").pipe(
      Options.withAlias("d"),
      Options.repeated,
      Options.withDescription(
        "A form parameter key=value (repeatable): the form body of a POST or PUT, the query of a GET or DELETE; signed either way."
      )
    ),
    auth: Options.choice("auth", ["auto", "oauth1", "bearer"]).pipe(
      Options.withDefault("auto" as const),
      Options.withDescription(
        "How to sign: auto (the kind the Account Activity endpoint at this path takes; OAuth 1.0a for other paths), oauth1 (consumer key and access token), bearer (app-only)."
      )
    ),
    include: Options.boolean("include").pipe(
      Options.withAlias("i"),
      Options.withDescription("Print the status line and the headers before the body.")
    )
  },
  (flags) =>
    Settings.withSettings(flags.json, (current) =>
      Effect.gen(function* () {
        const method = flags.method.toUpperCase() as Method
        if (!methods.includes(method)) {
          return yield* new UsageError({
            message: `${JSON.stringify(flags.method)} is not a method the Account Activity API uses: write GET, POST, PUT or DELETE.`
          })
        }
        const url = /^https?:\/\//i.test(flags.path)
          ? flags.path
          : `${current.apiUrl}${flags.path.startsWith("/") ? "" : "/"}${flags.path}`
        const target = yield* Effect.try({
          try: () => new URL(url),
          catch: () =>
            new UsageError({
              message: `${JSON.stringify(flags.path)} is not a path on the API: write it like /1.1/account_activity/webhooks.json.`
            })
        })
        const data = yield* parseData(flags.data)
        const kind: "oauth1" | "bearer" =
          flags.auth !== "auto"
            ? flags.auth
            : Option.match(endpointAt(method, target.pathname), {
                onSome: (endpoint) => (endpoint.auth === "AppOnly" ? "bearer" : "oauth1"),
                onNone: () => (Option.isSome(Settings.userTokens(current)) ? "oauth1" : "bearer")
              })
        yield* Settings.require(`request ${method}`, current, [kind === "bearer" ? "AppOnly" : "OAuth1"])
        let request = HttpClientRequest.make(method)(url).pipe(HttpClientRequest.acceptJson)
        if (data.length > 0) {
          request =
            method === "POST" || method === "PUT"
              ? HttpClientRequest.bodyUrlParams(request, data)
              : HttpClientRequest.appendUrlParams(request, data)
        }
        const auth = yield* Settings.authClient(current)
        const signed = yield* auth.sign(kind === "bearer" ? AuthKind.AppOnly : AuthKind.AppOwner)(request)
        const http = yield* HttpClient.HttpClient
        const response = yield* http.execute(signed)
        const text = yield* response.text
        const ok = response.status >= 200 && response.status < 300
        if (current.json) {
          let body: unknown = text
          try {
            body = text === "" ? null : JSON.parse(text)
          } catch {
            body = text
          }
          yield* printJson({ status: response.status, headers: response.headers, body })
        } else {
          if (flags.include) {
            yield* Console.log(
              [
                `HTTP ${response.status}`,
                ...Object.entries(response.headers).map(([name, value]) => `${name}: ${value}`),
                ""
              ].join("\n")
            )
          }
          if (text !== "") yield* Console.log(text)
        }
        if (!ok) {
          return yield* Effect.fail(
            ApiError.fromResponse({ status: response.status, body: text, headers: response.headers })
          )
        }
      })
    )
).pipe(
  Command.withDescription(
    "Send one signed request to the API and print the answer's body, like twurl: aaa request GET /1.1/account_activity/webhooks.json. Exit code 3 or 4 when X answers an error."
  )
)
