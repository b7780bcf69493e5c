/**
 * Keeps the desired webhook and subscriptions true: every `interval` it makes sure the webhook of
 * `webhookUrl` exists and is valid (`ensureWebhook`: reuse, PUT to revalidate an invalid one, or register)
 * and that every configured user is subscribed (`ensureSubscribed`). A user who revoked the app
 * (`SubscriptionRevoke`) is no longer subscribed again (the revoke is shared with the other workers through
 * the `SeenStore` when it is in context, for its TTL).
 *
 * With a `Lock` in context (a shared queue such as Redis), only the worker holding the lock `"lifecycle"`
 * does this; the others wait and take over when the holder stops renewing it.
 *
 * A check that fails (the receiver is not reachable yet, X answers 5xx) is tried again sooner: after
 * `retryAfter`, then twice that, and so on, never later than `interval`.
 *
 * When the webhook had to be revalidated, the time since it was last seen valid is recorded in the
 * `Journal` as a `"webhook-invalid"` span, so gap recovery replays it.
 *
 * @since 0.1.0
 */

import type { Credentials } from "@account-activity/auth"
import { AccountActivityClient } from "@account-activity/client"
import type { ActivityEvent, Ids } from "@account-activity/core"
import { Journal, Lock, SeenStore } from "@account-activity/queue"
import { Clock, Context, Duration, Effect, Layer, Option, Ref, SubscriptionRef } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The public HTTPS URL of the receiver's webhook route. */
  readonly webhookUrl: string
  /** The users to subscribe, with the access tokens they granted the app. */
  readonly users: ReadonlyArray<Credentials.UserTokens>
  /** How often to check. Default: 5 minutes. */
  readonly interval?: Duration.DurationInput | undefined
  /** The first wait after a failed check; doubled after each further failure, at most `interval`. Default: 5 s. */
  readonly retryAfter?: Duration.DurationInput | undefined
  /** This worker's name, the lock owner. */
  readonly owner: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The webhook's id once it is known (`None` before the first successful check). */
  readonly webhookId: SubscriptionRef.SubscriptionRef<Option.Option<Ids.WebhookId>>
  /** Runs one check now (when this worker holds the lock); answers whether it ran. */
  readonly check: Effect.Effect<boolean>
  /** Passes a revoke on: that user is not subscribed again. */
  readonly revoked: (event: ActivityEvent.SubscriptionRevoke) => Effect.Effect<void>
  /** Checks every interval until interrupted. */
  readonly run: Effect.Effect<never>
}

/** The `SeenStore` key that records a user's revoke (kept for the store's TTL, 7 days by default). */
const revokedKey = (userId: string) => `revoked:${userId}`

/** The user id X puts before the dash of an access token. */
const userIdOfToken = (token: string): string | undefined => /^(\d+)-/.exec(token)?.[1]

/**
 * Makes the reconciler.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, AccountActivityClient.AccountActivityClient> =>
  Effect.gen(function* () {
    const client = yield* AccountActivityClient.AccountActivityClient
    const journal = yield* Effect.serviceOption(Journal.Journal)
    const lock = yield* Effect.serviceOption(Lock.Lock)
    const interval = Duration.decode(options.interval ?? Duration.minutes(5))
    const retryAfter = Duration.decode(options.retryAfter ?? Duration.seconds(5))
    const webhookId = yield* SubscriptionRef.make(Option.none<Ids.WebhookId>())
    const seen = yield* Effect.serviceOption(SeenStore.SeenStore)
    const revokedUsers = yield* Ref.make(new Set<string>())
    // Revokes are shared through the SeenStore when there is one, so the worker that runs the lifecycle
    // learns of a revoke another worker consumed.
    const isRevoked = (userId: string) =>
      Effect.flatMap(Ref.get(revokedUsers), (local) =>
        local.has(userId) || Option.isNone(seen)
          ? Effect.succeed(local.has(userId))
          : seen.value.has(revokedKey(userId)).pipe(Effect.orElseSucceed(() => false))
      )
    const lastValidAt = yield* Ref.make(Option.none<number>())

    const holdsLock = Option.match(lock, {
      onNone: () => Effect.succeed(true),
      onSome: (lock) =>
        lock
          .acquire("lifecycle", options.owner, Duration.times(interval, 3))
          .pipe(Effect.catchAll((error) => Effect.as(Effect.logWarning(error.message), false)))
    })

    const reconcile = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const ensured = yield* client.ensureWebhook(options.webhookUrl)
      yield* SubscriptionRef.set(webhookId, Option.some(ensured.webhook.id))
      if (ensured.action !== "Reused") yield* Effect.logInfo(`webhook ${ensured.webhook.id}: ${ensured.action}`)
      if (ensured.action === "Revalidated" && Option.isSome(journal)) {
        const since = Option.getOrElse(yield* Ref.get(lastValidAt), () => now - Duration.toMillis(interval))
        yield* journal.value.record({ kind: "webhook-invalid", key: ensured.webhook.id, from: since, to: now })
      }
      yield* Ref.set(lastValidAt, Option.some(now))
      for (const user of options.users) {
        const userId = userIdOfToken(user.accessToken)
        if (userId !== undefined && (yield* isRevoked(userId))) continue
        const result = yield* client
          .ensureSubscribed(ensured.webhook.id, user)
          .pipe(Effect.catchAll((error) => Effect.as(Effect.logWarning(error.message), "Failed" as const)))
        if (result === "Subscribed") yield* Effect.logInfo(`subscribed user ${userId ?? "(token)"}`)
      }
    })

    // "Failed" when this worker holds the lock and the check failed.
    const attempt = Effect.flatMap(holdsLock, (held) =>
      held
        ? reconcile.pipe(
            Effect.as("Done" as const),
            Effect.catchAll((error) =>
              Effect.as(Effect.logWarning(`lifecycle check failed: ${error.message}`), "Failed" as const)
            )
          )
        : Effect.succeed("NotHolder" as const)
    ).pipe(Effect.withSpan("Lifecycle.check"))
    const check = Effect.map(attempt, (outcome) => outcome !== "NotHolder")

    const revoked = (event: ActivityEvent.SubscriptionRevoke) =>
      Effect.gen(function* () {
        const userId = event.forUserId
        yield* Ref.update(revokedUsers, (set) => new Set([...set, userId]))
        if (Option.isSome(seen)) yield* Effect.ignore(seen.value.markIfNew([revokedKey(userId)]))
        yield* Effect.logInfo(`user ${userId} revoked the app: no longer subscribed`)
      })

    const run = Effect.gen(function* () {
      let failures = 0
      while (true) {
        failures = (yield* attempt) === "Failed" ? failures + 1 : 0
        const wait =
          failures === 0
            ? interval
            : Duration.min(interval, Duration.times(retryAfter, 2 ** Math.min(failures - 1, 16)))
        if (failures > 0) yield* Effect.logInfo(`next lifecycle check in ${Duration.format(wait)}`)
        yield* Effect.sleep(wait)
      }
    })

    return { webhookId, check, revoked, run }
  })

/**
 * The reconciler of the running worker.
 *
 * @since 0.1.0
 * @category tags
 */
export class Lifecycle extends Context.Tag("@account-activity/worker/Lifecycle")<Lifecycle, Service>() {}

/**
 * The reconciler, checking every interval for as long as the layer lives.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Lifecycle, never, AccountActivityClient.AccountActivityClient> =>
  Layer.scoped(
    Lifecycle,
    Effect.tap(make(options), (lifecycle) => Effect.forkScoped(lifecycle.run))
  )
