/**
 * `aaa subscriptions add | check | remove` (the subscribing user's tokens) and `count | list | remove-user <id>`
 * (app-only).
 *
 * @internal
 */
import { Args, Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Ids from "./ids.js"
import { printJson, printLines, table } from "./output.js"
import * as Settings from "./settings.js"

const webhook = Options.text("webhook").pipe(
  Options.withAlias("w"),
  Options.optional,
  Options.withDescription("The webhook id; default: the app's only webhook.")
)

const userOptions = { json: Settings.json, webhook }

const userHint = "The subscribing user is the one whose access token is given (AAA_ACCESS_TOKEN, --access-token)."

/** The subscribing user's tokens and, for messages, their id. */
const subscriber = (current: Settings.Settings) =>
  Effect.map(Effect.orDie(Settings.userTokens(current)), (tokens) => ({
    tokens,
    who: Option.match(Settings.userIdOf(tokens), { onNone: () => "The user", onSome: (id) => `User ${id}` }),
    userId: Option.getOrNull(Settings.userIdOf(tokens))
  }))

const add = Command.make("add", userOptions, (flags) =>
  Settings.withSettings(flags.json, (current) =>
    Effect.gen(function* () {
      const client = yield* Settings.client("subscriptions add", current, ["OAuth1"])
      const id = yield* Ids.chosenWebhook(flags.webhook, client)
      const user = yield* subscriber(current)
      const result = yield* client.ensureSubscribed(id, user.tokens)
      if (current.json) {
        return yield* printJson({
          webhook_id: id,
          user_id: user.userId,
          subscribed: true,
          already: result !== "Subscribed"
        })
      }
      yield* printLines(
        result === "Subscribed"
          ? `${user.who} is now subscribed to webhook ${id}: events may take up to 10 seconds to start.`
          : `${user.who} was already subscribed to webhook ${id}.`
      )
    })
  )
).pipe(
  Command.withDescription(
    `Subscribe a user to the webhook's events (POST …/webhooks/:id/subscriptions/all.json); already subscribed is fine. ${userHint}`
  )
)

const check = Command.make("check", userOptions, (flags) =>
  Settings.withSettings(flags.json, (current) =>
    Effect.gen(function* () {
      const client = yield* Settings.client("subscriptions check", current, ["OAuth1"])
      const id = yield* Ids.chosenWebhook(flags.webhook, client)
      const user = yield* subscriber(current)
      const subscribed = yield* client.checkSubscription(id, user.tokens)
      if (current.json) return yield* printJson({ webhook_id: id, user_id: user.userId, subscribed })
      yield* printLines(
        subscribed
          ? `${user.who} is subscribed to webhook ${id}.`
          : `${user.who} is not subscribed to webhook ${id}: \`aaa subscriptions add --webhook ${id}\` subscribes them.`
      )
    })
  )
).pipe(
  Command.withDescription(
    `Check whether a user is subscribed (GET …/webhooks/:id/subscriptions/all.json). ${userHint} With --json, read .subscribed.`
  )
)

const remove = Command.make("remove", userOptions, (flags) =>
  Settings.withSettings(flags.json, (current) =>
    Effect.gen(function* () {
      const client = yield* Settings.client("subscriptions remove", current, ["OAuth1"])
      const id = yield* Ids.chosenWebhook(flags.webhook, client)
      const user = yield* subscriber(current)
      yield* client.unsubscribe(id, user.tokens)
      if (current.json) return yield* printJson({ webhook_id: id, user_id: user.userId, subscribed: false })
      yield* printLines(`${user.who} is no longer subscribed to webhook ${id}.`)
    })
  )
).pipe(
  Command.withDescription(
    `Unsubscribe a user with their own tokens (DELETE …/webhooks/:id/subscriptions/all.json, deprecated by X: remove-user needs only the app). ${userHint}`
  )
)

const count = Command.make("count", { json: Settings.json }, (flags) =>
  Settings.withSettings(flags.json, (current) =>
    Effect.gen(function* () {
      const client = yield* Settings.client("subscriptions count", current, ["AppOnly"])
      const result = yield* client.subscriptionsCount
      if (current.json) return yield* printJson(result.raw)
      yield* printLines(
        table(
          ["account", "subscriptions", "direct messages", "provisioned"],
          [[result.accountName, String(result.all), String(result.directMessages), String(result.provisioned)]],
          ""
        )
      )
    })
  )
).pipe(
  Command.withDescription(
    "Count the account's subscriptions against its provisioned limit (GET account_activity/subscriptions/count.json, app-only)."
  )
)

const list = Command.make("list", userOptions, (flags) =>
  Settings.withSettings(flags.json, (current) =>
    Effect.gen(function* () {
      const client = yield* Settings.client("subscriptions list", current, ["AppOnly"])
      const id = yield* Ids.chosenWebhook(flags.webhook, client)
      const result = yield* client.listSubscriptions(id)
      if (current.json) return yield* printJson(result)
      yield* printLines(
        table(
          ["user id"],
          result.subscriptions.map((subscription) => [subscription.user_id]),
          `No user is subscribed to webhook ${id}.`
        )
      )
    })
  )
).pipe(
  Command.withDescription(
    "List the users subscribed to a webhook (GET …/webhooks/:id/subscriptions/all/list.json, app-only)."
  )
)

const removeUser = Command.make(
  "remove-user",
  {
    ...userOptions,
    userId: Args.text({ name: "user_id" }).pipe(Args.withDescription("The id of the user to unsubscribe."))
  },
  (flags) =>
    Settings.withSettings(flags.json, (current) =>
      Effect.gen(function* () {
        const user = yield* Ids.userId(flags.userId)
        const client = yield* Settings.client("subscriptions remove-user", current, ["AppOnly"])
        const id = yield* Ids.chosenWebhook(flags.webhook, client)
        yield* client.deleteSubscription(id, user)
        if (current.json) return yield* printJson({ webhook_id: id, user_id: user, subscribed: false })
        yield* printLines(`User ${user} is no longer subscribed to webhook ${id}.`)
      })
    )
).pipe(
  Command.withDescription(
    "Unsubscribe a user by id with the app's own credentials (DELETE …/webhooks/:id/subscriptions/:user_id/all.json, app-only)."
  )
)

/** `aaa subscriptions`. @internal */
export const command = Command.make("subscriptions").pipe(
  Command.withDescription(
    "Subscribe users to a webhook, check and remove them (their tokens); count, list and remove subscriptions (app-only)."
  ),
  Command.withSubcommands([add, check, remove, count, list, removeUser])
)
