/**
 * `aaa webhooks list | register <url> | validate <id> | delete <id>`.
 *
 * @internal
 */
import type { Rest } from "@account-activity/core"
import { Args, Command } from "@effect/cli"
import { Effect } from "effect"
import * as Ids from "./ids.js"
import { printJson, printLines, table } from "./output.js"
import * as Settings from "./settings.js"

const webhookIdArg = Args.text({ name: "webhook_id" }).pipe(
  Args.withDescription("The webhook's id, as `aaa webhooks list` shows it.")
)

const webhookJson = (webhook: Rest.Webhook) => ({ ...webhook })

const list = Command.make("list", { json: Settings.json }, (flags) =>
  Settings.withSettings(flags.json, (current) =>
    Effect.gen(function* () {
      const client = yield* Settings.client("webhooks list", current, ["AppOnly"])
      const webhooks = yield* client.listWebhooks
      if (current.json) return yield* printJson(webhooks.map(webhookJson))
      yield* printLines(
        table(
          ["id", "url", "valid", "created at"],
          webhooks.map((webhook) => [webhook.id, webhook.url, webhook.valid ? "yes" : "no", webhook.created_at]),
          "No webhooks: register one with `aaa webhooks register <url>`."
        )
      )
    })
  )
).pipe(
  Command.withDescription(
    "List the app's webhooks, valid or not (GET account_activity/webhooks.json, app-only Bearer token)."
  )
)

const register = Command.make(
  "register",
  {
    json: Settings.json,
    url: Args.text({ name: "url" }).pipe(
      Args.withDescription(
        "The webhook URL: https:// without a port for X (the emulator also takes http://127.0.0.1:<port>)."
      )
    )
  },
  (flags) =>
    Settings.withSettings(flags.json, (current) =>
      Effect.gen(function* () {
        const client = yield* Settings.client("webhooks register", current, ["OAuth1"])
        const webhook = yield* client.registerWebhook(flags.url)
        if (current.json) return yield* printJson(webhookJson(webhook))
        yield* printLines(
          `Registered webhook ${webhook.id} for ${webhook.url} (${webhook.valid ? "valid" : "invalid"}, created ${webhook.created_at}).`,
          `Subscribe users with: aaa subscriptions add --webhook ${webhook.id}`
        )
      })
    )
).pipe(
  Command.withDescription(
    "Register a webhook URL (POST account_activity/webhooks.json, the app owner's tokens). X sends a CRC to the URL first: it must answer within 3 s."
  )
)

const validate = Command.make("validate", { json: Settings.json, webhookId: webhookIdArg }, (flags) =>
  Settings.withSettings(flags.json, (current) =>
    Effect.gen(function* () {
      const id = yield* Ids.webhookId(flags.webhookId)
      const client = yield* Settings.client("webhooks validate", current, ["OAuth1"])
      yield* client.validateWebhook(id)
      if (current.json) return yield* printJson({ webhook_id: id, valid: true })
      yield* printLines(`Webhook ${id} passed the CRC check: it is valid and receives events.`)
    })
  )
).pipe(
  Command.withDescription(
    "Make X run a CRC against the webhook now, and mark it valid again when it passes (PUT account_activity/webhooks/:id.json, the app owner's tokens)."
  )
)

const remove = Command.make("delete", { json: Settings.json, webhookId: webhookIdArg }, (flags) =>
  Settings.withSettings(flags.json, (current) =>
    Effect.gen(function* () {
      const id = yield* Ids.webhookId(flags.webhookId)
      const client = yield* Settings.client("webhooks delete", current, ["OAuth1"])
      yield* client.deleteWebhook(id)
      if (current.json) return yield* printJson({ webhook_id: id, deleted: true })
      yield* printLines(`Deleted webhook ${id} and its subscriptions.`)
    })
  )
).pipe(
  Command.withDescription(
    "Delete a webhook and its subscriptions (DELETE account_activity/webhooks/:id.json, the app owner's tokens)."
  )
)

/** `aaa webhooks`. @internal */
export const command = Command.make("webhooks").pipe(
  Command.withDescription("Register, list, validate (CRC) and delete the app's webhooks."),
  Command.withSubcommands([list, register, validate, remove])
)
