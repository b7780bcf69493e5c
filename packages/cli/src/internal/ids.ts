/**
 * Ids typed on the command line, checked before anything is sent.
 *
 * @internal
 */
import type { AccountActivityClient } from "@account-activity/client"
import { Ids } from "@account-activity/core"
import { Effect, Either, Option, Schema } from "effect"
import { UsageError } from "./errors.js"

const decodeWebhookId = Schema.decodeUnknownEither(Ids.WebhookId)
const decodeUserId = Schema.decodeUnknownEither(Ids.UserId)

/** A webhook id: a number of up to 19 digits. @internal */
export const webhookId = (text: string): Effect.Effect<Ids.WebhookId, UsageError> =>
  Either.match(decodeWebhookId(text.trim()), {
    onLeft: () =>
      Effect.fail(
        new UsageError({
          message: `${JSON.stringify(text)} is not a webhook id: ids are numbers such as 1234577122340233217 (\`aaa webhooks list\` shows them).`
        })
      ),
    onRight: Effect.succeed
  })

/** A user id: a number of up to 19 digits. @internal */
export const userId = (text: string): Effect.Effect<Ids.UserId, UsageError> =>
  Either.match(decodeUserId(text.trim()), {
    onLeft: () =>
      Effect.fail(
        new UsageError({
          message: `${JSON.stringify(text)} is not a user id: ids are numbers such as 2244994945 (\`aaa subscriptions list\` shows the subscribed ones).`
        })
      ),
    onRight: Effect.succeed
  })

/**
 * The webhook a subscription command works on: `--webhook` when given, else the app's only webhook.
 *
 * @internal
 */
export const chosenWebhook = (flag: Option.Option<string>, client: AccountActivityClient.Service) =>
  Option.match(flag, {
    onSome: webhookId,
    onNone: () =>
      Effect.flatMap(client.listWebhooks, (webhooks) => {
        if (webhooks.length === 1) return Effect.succeed(webhooks[0]!.id)
        return Effect.fail(
          new UsageError({
            message:
              webhooks.length === 0
                ? "The app has no webhook yet: register one with `aaa webhooks register <url>` first."
                : `The app has ${webhooks.length} webhooks (${webhooks.map((webhook) => webhook.id).join(", ")}): choose one with --webhook <id>.`
          })
        )
      })
  })
