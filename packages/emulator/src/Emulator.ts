/**
 * The state and behaviour of the emulated X Account Activity API (v1.1 Enterprise), as a service: apps
 * and their credentials, users and their access tokens, Bearer tokens, webhooks with their CRC checks,
 * subscriptions, replay jobs, rate-limit windows and the request log.
 *
 * Every endpoint of the HTTP server (`Server`) is one operation here, so a test can also set up state
 * without HTTP (`registerWebhook` still sends the CRC GET). Operations refuse with an {@link ApiRejection}
 * that names the entry of core's `ApiError.Catalog` X answers with.
 *
 * Time comes only from `Clock` plus an offset that {@link Service.advanceClock} moves (so `TestClock` drives a
 * test, and the standalone emulator can jump ahead); ids, credentials and CRC tokens come from a `Random`
 * seeded with `seed` when one is given, so a seed gives the same credentials every run.
 *
 * @since 0.1.0
 */

import * as Credentials from "@account-activity/auth/Credentials"
import * as OAuth1Verifier from "@account-activity/auth/OAuth1Verifier"
import { ApiError, Rest } from "@account-activity/core"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import {
  Clock,
  type Config,
  type ConfigError,
  Context,
  Duration,
  Effect,
  Layer,
  Option,
  Queue,
  Random,
  Redacted,
  Ref,
  Schema,
  type Scope
} from "effect"
import * as EmulatorConfig from "./EmulatorConfig.js"
import * as Crc from "./internal/crc.js"
import * as Ids from "./internal/random.js"
import { isoSeconds } from "./internal/time.js"
import * as Url from "./internal/url.js"

// -----------------------------------------------------------------------------
// Errors
// -----------------------------------------------------------------------------

const catalogNames = Object.keys(ApiError.Catalog) as [ApiError.CatalogName, ...Array<ApiError.CatalogName>]

/**
 * An operation refused the way X refuses it: `entry` names the entry of `ApiError.Catalog` (HTTP status,
 * code, X's message), `detail` replaces a documented message template with the concrete text (codes 357,
 * 360, 368).
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiRejection extends Schema.TaggedError<ApiRejection>("@account-activity/emulator/ApiRejection")(
  "ApiRejection",
  {
    entry: Schema.Literal(...catalogNames),
    detail: Schema.optional(Schema.String)
  }
) {
  /**
   * The HTTP status X answers with.
   *
   * @since 0.1.0
   */
  get status(): number {
    return ApiError.Catalog[this.entry].status
  }

  /**
   * X's error code.
   *
   * @since 0.1.0
   */
  get code(): number {
    return ApiError.Catalog[this.entry].code
  }

  /**
   * X's exact message (or the concrete text of a template).
   *
   * @since 0.1.0
   */
  get apiMessage(): string {
    return this.detail ?? ApiError.Catalog[this.entry].message
  }

  /**
   * The exact v1.1 error body: `{"errors":[{"code":…,"message":"…"}]}`.
   *
   * @since 0.1.0
   */
  get body(): ApiError.ErrorEnvelope {
    return ApiError.body(ApiError.Catalog[this.entry], this.detail)
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const entry: ApiError.CatalogEntry = ApiError.Catalog[this.entry]
    return `The emulator refused the request like X does (HTTP ${entry.status}, code ${entry.code}: ${JSON.stringify(this.apiMessage)}): ${entry.meaning} ${entry.hint}`
  }
}

/**
 * A library call the emulator cannot perform: an unknown app, webhook or replay job.
 *
 * @since 0.1.0
 * @category errors
 */
export class EmulatorError extends Schema.TaggedError<EmulatorError>("@account-activity/emulator/EmulatorError")(
  "EmulatorError",
  {
    reason: Schema.Literal("UnknownApp", "UnknownWebhook", "UnknownReplayJob"),
    id: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return errorMessages[this.reason](this.id)
  }
}

const errorMessages: Record<EmulatorError["reason"], (id: string) => string> = {
  UnknownApp: (id) =>
    `No app ${id} exists in the emulator: create it first with createApp (POST /_emulator/apps) and use the id it returns.`,
  UnknownWebhook: (id) =>
    `No webhook ${id} exists in the emulator: register one first and use the id it returns (GET /_emulator/state lists them).`,
  UnknownReplayJob: (id) =>
    `No replay job ${id} exists in the emulator: use a job_id returned by the replay endpoint (GET /_emulator/state lists them).`
}

// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * The permission level of an access token. The Account Activity API needs `read-write-directmessages`;
 * subscribing with a lesser token is refused with code 348.
 *
 * @since 0.1.0
 * @category models
 */
export type Permission = "read" | "read-write" | "read-write-directmessages"

/**
 * An app registered in the emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface App {
  readonly id: string
  readonly name: string
  /** The account the app belongs to: webhook and subscription limits count all its apps together. */
  readonly account: string
  readonly consumerKey: string
  readonly consumerSecret: Redacted.Redacted<string>
  /** The user id of the app owner, whose access token the app-owner endpoints take. */
  readonly ownerId: string
  /** The app-only Bearer token currently issued, if any. */
  readonly bearerToken: Option.Option<Redacted.Redacted<string>>
  /** Whether the account has Replay enabled (otherwise replay answers 403, code 200). */
  readonly replayEnabled: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface User {
  /** A numeric string of up to 19 digits. */
  readonly id: string
  readonly screenName: string
}

/**
 * An OAuth 1.0a access token issued to a user for an app.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessToken {
  readonly token: string
  readonly secret: Redacted.Redacted<string>
  readonly appId: string
  readonly userId: string
  readonly permission: Permission
}

/**
 * What the last CRC of a webhook found.
 *
 * @since 0.1.0
 * @category models
 */
export type CrcOutcome = Crc.Outcome

/**
 * A registered webhook.
 *
 * @since 0.1.0
 * @category models
 */
export interface Webhook {
  /** A numeric string of 19 digits. */
  readonly id: string
  readonly appId: string
  readonly url: string
  readonly valid: boolean
  /** Epoch milliseconds (emulator time). */
  readonly createdAt: number
  /** The last successful CRC, epoch milliseconds (emulator time). */
  readonly lastValidatedAt: number
  /** The last CRC attempt and what it found. */
  readonly lastCrc: { readonly at: number; readonly outcome: CrcOutcome; readonly trigger: CrcTrigger }
}

/**
 * What started a CRC: registration, `PUT`, the periodic re-validation, or a replay job (X checks the webhook
 * before it delivers replayed events).
 *
 * @since 0.1.0
 * @category models
 */
export type CrcTrigger = "register" | "put" | "periodic" | "replay"

/**
 * A user subscribed to a webhook.
 *
 * @since 0.1.0
 * @category models
 */
export interface Subscription {
  readonly webhookId: string
  readonly userId: string
  readonly appId: string
  /** Epoch milliseconds (emulator time). */
  readonly createdAt: number
}

/**
 * `Running` until the job ends: the replay engine (`ReplayEngine`) ends it just before it sends the
 * `replay_job_status` event, {@link Service.completeReplayJob} ends it by hand, and deleting the webhook ends it
 * `Incomplete`.
 *
 * @since 0.1.0
 * @category models
 */
export type ReplayJobState = "Running" | "Complete" | "Incomplete"

/**
 * A replay job accepted by the replay endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayJob {
  readonly id: string
  readonly webhookId: string
  readonly appId: string
  /** Inclusive, epoch milliseconds. */
  readonly fromDate: number
  /** Exclusive, epoch milliseconds. */
  readonly toDate: number
  readonly createdAt: number
  readonly state: ReplayJobState
  readonly finishedAt: Option.Option<number>
}

/**
 * The auth scheme a request carried.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthScheme = "OAuth1" | "Bearer" | "Basic" | "None" | "Other"

/**
 * One request the API server answered (control API requests are not logged).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLogEntry {
  readonly seq: number
  /** Epoch milliseconds (emulator time). */
  readonly at: number
  readonly method: string
  /** Path and query, as requested. */
  readonly url: string
  readonly endpoint: Option.Option<EmulatorConfig.Endpoint>
  readonly auth: AuthScheme
  readonly status: number
  /** The error code answered, if any. */
  readonly code: Option.Option<number>
}

/**
 * Who made a request, once authenticated: a user through OAuth 1.0a user context, or an app through its
 * Bearer token.
 *
 * @since 0.1.0
 * @category models
 */
export type Principal =
  | {
      readonly _tag: "User"
      readonly app: App
      readonly userId: string
      readonly token: string
      readonly permission: Permission
    }
  | { readonly _tag: "App"; readonly app: App }

/**
 * The state of a rate-limit window after a request was counted.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitState {
  readonly limit: number
  readonly remaining: number
  /** When the window resets, in epoch seconds (`x-rate-limit-reset`). */
  readonly reset: number
  readonly exceeded: boolean
}

/**
 * Everything the emulator holds, at one instant.
 *
 * @since 0.1.0
 * @category models
 */
export interface Snapshot {
  readonly now: number
  readonly config: EmulatorConfig.EmulatorConfig
  readonly apps: ReadonlyArray<App>
  readonly users: ReadonlyArray<User>
  readonly webhooks: ReadonlyArray<Webhook>
  readonly subscriptions: ReadonlyArray<Subscription>
  readonly replayJobs: ReadonlyArray<ReplayJob>
}

/**
 * An app with the credentials a client signs with.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreatedApp {
  readonly app: App
  /** The consumer key and secret. */
  readonly credentials: Credentials.AppCredentials
  /** The app owner's access token and secret. */
  readonly owner: Credentials.UserTokens
}

/**
 * A user with the access token it granted an app.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreatedUser {
  readonly user: User
  readonly appId: string
  readonly tokens: Credentials.UserTokens
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateAppOptions {
  readonly name?: string | undefined
  /** Default `"emulator-account"`: apps of one account share its limits. */
  readonly account?: string | undefined
  /** The owner's screen name; default `owner` and the last 10 digits of the owner's id. */
  readonly ownerScreenName?: string | undefined
  /** Default `true`. */
  readonly replayEnabled?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateUserOptions {
  /** The app the user grants an access token to. */
  readonly appId: string
  /** An existing user id (to authorize a second app), or the id of the new user; default random. */
  readonly userId?: string | undefined
  /** Default `user` and the last 11 digits of the id (at most 15 characters, like X's). */
  readonly screenName?: string | undefined
  /** Default `read-write-directmessages`. */
  readonly permission?: Permission | undefined
}

/**
 * The library API of the emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  // --- clock and config
  /** The emulator's time: `Clock` plus the offset moved by `advanceClock`, in epoch milliseconds. */
  readonly now: Effect.Effect<number>
  /** Moves the emulator's clock forward, then runs the periodic CRC checks that became due. */
  readonly advanceClock: (duration: Duration.DurationInput) => Effect.Effect<number>
  readonly config: Effect.Effect<EmulatorConfig.EmulatorConfig>
  readonly setConfig: (patch: EmulatorConfig.Patch) => Effect.Effect<EmulatorConfig.EmulatorConfig>

  // --- set up and read state
  readonly createApp: (options?: CreateAppOptions) => Effect.Effect<CreatedApp>
  readonly createUser: (options: CreateUserOptions) => Effect.Effect<CreatedUser, EmulatorError>
  readonly snapshot: Effect.Effect<Snapshot>
  readonly app: (appId: string) => Effect.Effect<App, EmulatorError>
  readonly webhook: (webhookId: string) => Effect.Effect<Webhook, EmulatorError>
  readonly webhooks: Effect.Effect<ReadonlyArray<Webhook>>
  readonly subscriptions: Effect.Effect<ReadonlyArray<Subscription>>
  /** The subscriptions of one user, across webhooks and apps (a delivery goes to each). */
  readonly subscriptionsOfUser: (userId: string) => Effect.Effect<ReadonlyArray<Subscription>>
  readonly replayJobs: Effect.Effect<ReadonlyArray<ReplayJob>>
  readonly requestLog: Effect.Effect<ReadonlyArray<RequestLogEntry>>
  /** Whether deliveries may be sent to the webhook: it exists and is valid. */
  readonly isDeliverable: (webhook: Webhook | string) => Effect.Effect<boolean>
  /** One replay job. */
  readonly replayJob: (jobId: string) => Effect.Effect<ReplayJob, EmulatorError>
  /**
   * Registers `hook`, run with every replay job the replay endpoint accepts, right after the job is recorded
   * `Running` and before the `202` is answered (the replay engine starts the job with it). The hook is removed
   * when the scope closes.
   */
  readonly onReplayJobAccepted: (
    hook: (job: ReplayJob) => Effect.Effect<void>
  ) => Effect.Effect<void, never, Scope.Scope>
  /**
   * Sends a CRC to the webhook now and records it like a periodic one: a failure marks the webhook invalid, a
   * success valid. Answers the webhook as updated (`lastCrc` says what the CRC found).
   */
  readonly checkWebhook: (webhookId: string, trigger: CrcTrigger) => Effect.Effect<Webhook, EmulatorError>
  /** Ends a running replay job, so another can be requested for its webhook. */
  readonly completeReplayJob: (
    jobId: string,
    state: Exclude<ReplayJobState, "Running">
  ) => Effect.Effect<ReplayJob, EmulatorError>
  /** A fresh seed derived from the emulator's seed, for engines built per request (the activity generator). */
  readonly nextSeed: Effect.Effect<string>
  /** Runs the periodic CRC of every webhook due one now; answers the ids checked. */
  readonly runDueRevalidations: Effect.Effect<ReadonlyArray<string>>

  // --- the endpoints
  readonly registerWebhook: (appId: string, url: string | undefined) => Effect.Effect<Webhook, ApiRejection>
  readonly listWebhooks: (appId: string) => Effect.Effect<ReadonlyArray<Webhook>>
  readonly validateWebhook: (appId: string, webhookId: string) => Effect.Effect<Webhook, ApiRejection>
  readonly deleteWebhook: (appId: string, webhookId: string) => Effect.Effect<void, ApiRejection>
  readonly subscribe: (options: {
    readonly appId: string
    readonly webhookId: string
    readonly userId: string
    readonly permission?: Permission | undefined
  }) => Effect.Effect<Subscription, ApiRejection>
  readonly checkSubscription: (options: {
    readonly appId: string
    readonly webhookId: string
    readonly userId: string
  }) => Effect.Effect<void, ApiRejection>
  readonly countSubscriptions: (appId: string) => Effect.Effect<Rest.SubscriptionsCount>
  readonly listSubscriptions: (appId: string, webhookId: string) => Effect.Effect<Rest.SubscriptionsList, ApiRejection>
  /** Removes a subscription (the deprecated user-context DELETE and the Bearer DELETE by user id). */
  readonly unsubscribe: (options: {
    readonly appId: string
    readonly webhookId: string
    readonly userId: string
  }) => Effect.Effect<void, ApiRejection>
  /** Validates a replay request (raw route and query values) and records a `Running` job. */
  readonly requestReplay: (options: {
    readonly appId: string
    readonly webhookId: string
    readonly fromDate: string | undefined
    readonly toDate: string | undefined
  }) => Effect.Effect<ReplayJob, ApiRejection>

  // --- auth, limits and logging (used by the server)
  /** Authenticates an API request: OAuth 1.0a user context or a Bearer token. */
  readonly authenticate: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<Principal, ApiRejection>
  /** Checks the `Authorization: Basic …` credentials of `oauth2/token` and answers the app. */
  readonly authenticateBasic: (authorization: string | undefined) => Effect.Effect<App, ApiRejection>
  /** The app's Bearer token: the one already issued, or a new one. */
  readonly issueBearerToken: (appId: string) => Effect.Effect<Redacted.Redacted<string>, EmulatorError>
  /** Revokes the app's Bearer token if it is `token`; refuses (code 99) otherwise. */
  readonly invalidateBearerToken: (appId: string, token: string) => Effect.Effect<void, ApiRejection>
  /** Counts a request against the window of `endpoint` for this principal. */
  readonly countRequest: (endpoint: EmulatorConfig.Endpoint, principal: Principal) => Effect.Effect<RateLimitState>
  readonly logRequest: (entry: Omit<RequestLogEntry, "seq" | "at">) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Tag("@account-activity/emulator/Emulator")<Emulator, Service>() {}

/**
 * The options of {@link make}: any setting of `EmulatorConfig` (the rest keep X's defaults) and a seed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends EmulatorConfig.Patch {
  /** Seeds the ids, credentials and CRC tokens; without it they come from the `Random` in context. */
  readonly seed?: string | number | undefined
  /** How many requests the request log keeps (the oldest are dropped). Default 10 000. */
  readonly requestLogSize?: number | undefined
}

// -----------------------------------------------------------------------------
// Implementation
// -----------------------------------------------------------------------------

interface State {
  readonly config: EmulatorConfig.EmulatorConfig
  readonly offset: number
  readonly apps: ReadonlyMap<string, App>
  readonly users: ReadonlyMap<string, User>
  readonly tokens: ReadonlyMap<string, AccessToken>
  readonly webhooks: ReadonlyMap<string, Webhook>
  readonly subscriptions: ReadonlyArray<Subscription>
  readonly replayJobs: ReadonlyMap<string, ReplayJob>
  readonly windows: ReadonlyMap<string, { readonly start: number; readonly count: number }>
  readonly log: ReadonlyArray<RequestLogEntry>
  readonly seq: number
}

const withEntry = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> => new Map(map).set(key, value)
const without = <K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> => {
  const next = new Map(map)
  next.delete(key)
  return next
}

const reject = (entry: ApiError.CatalogName, detail?: string) =>
  Effect.fail(detail === undefined ? new ApiRejection({ entry }) : new ApiRejection({ entry, detail }))

const crcRejection: Record<Exclude<Crc.Outcome, "Ok">, ApiError.CatalogName> = {
  HighLatency: "CrcHighLatency",
  Non200Response: "CrcNon200Response",
  InvalidResponse: "CrcInvalidResponse",
  UrlRequirements: "CrcUrlRequirements"
}

const HOUR = 60 * 60 * 1000
const MINUTE = 60 * 1000
const DAY = 24 * HOUR
const REPLAY_WINDOW = 5 * DAY
const REPLAY_FROM_AGE = 31 * MINUTE
const REPLAY_TO_AGE = 10 * MINUTE

/**
 * Builds the emulator; its periodic CRC loop runs in the scope. Needs the `HttpClient` it sends CRC GETs with.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const random = options.seed === undefined ? yield* Effect.random : Random.make(options.seed)
    const logSize = Math.max(1, options.requestLogSize ?? 10_000)
    const seedBase = options.seed === undefined ? yield* Ids.alphanumeric(random, 16) : String(options.seed)
    const seeds = yield* Ref.make(0)
    const replayHooks = yield* Ref.make<ReadonlyArray<(job: ReplayJob) => Effect.Effect<void>>>([])
    const { seed: _seed, requestLogSize: _size, ...patch } = options
    const state = yield* Ref.make<State>({
      config: EmulatorConfig.make(patch),
      offset: 0,
      apps: new Map(),
      users: new Map(),
      tokens: new Map(),
      webhooks: new Map(),
      subscriptions: [],
      replayJobs: new Map(),
      windows: new Map(),
      log: [],
      seq: 0
    })

    const now = Effect.zipWith(Clock.currentTimeMillis, Ref.get(state), (millis, s) => millis + s.offset)
    const config = Effect.map(Ref.get(state), (s) => s.config)

    // --- OAuth 1.0a verification against the registered apps and tokens
    const makeVerifier = (windowSeconds: number) =>
      OAuth1Verifier.make({
        timestampWindow: Duration.seconds(windowSeconds),
        consumerSecret: (key) =>
          Effect.map(Ref.get(state), (s) =>
            Option.map(
              Option.fromNullable([...s.apps.values()].find((app) => app.consumerKey === key)),
              (app) => app.consumerSecret
            )
          ),
        tokenSecret: (token, key) =>
          Effect.map(Ref.get(state), (s) => {
            const record = s.tokens.get(token)
            const app = record === undefined ? undefined : s.apps.get(record.appId)
            return app !== undefined && app.consumerKey === key ? Option.some(record!.secret) : Option.none()
          })
      })
    const initialConfig = (yield* Ref.get(state)).config
    const verifier = yield* Ref.make({
      window: initialConfig.oauthTimestampWindowSeconds,
      service: yield* makeVerifier(initialConfig.oauthTimestampWindowSeconds)
    })

    // --- ids
    const freshId = (length: number, taken: (id: string) => boolean): Effect.Effect<string> =>
      Effect.repeat(Ids.numericId(random, length), { until: (id) => !taken(id) })

    // --- clock and config
    const setConfig = (change: EmulatorConfig.Patch) =>
      Effect.gen(function* () {
        const next = yield* Ref.updateAndGet(state, (s) => ({ ...s, config: EmulatorConfig.patch(s.config, change) }))
        yield* changed
        const current = yield* Ref.get(verifier)
        if (current.window !== next.config.oauthTimestampWindowSeconds) {
          const service = yield* makeVerifier(next.config.oauthTimestampWindowSeconds)
          yield* Ref.set(verifier, { window: next.config.oauthTimestampWindowSeconds, service })
        }
        return next.config
      })

    // --- apps and users
    const createApp = (appOptions: CreateAppOptions = {}) =>
      Effect.gen(function* () {
        const s = yield* Ref.get(state)
        const id = yield* freshId(8, (candidate) => s.apps.has(candidate))
        const ownerId = yield* freshId(10, (candidate) => s.users.has(candidate))
        const consumerKey = yield* Ids.alphanumeric(random, 25)
        const consumerSecret = Redacted.make(yield* Ids.alphanumeric(random, 50))
        const ownerToken = `${ownerId}-${yield* Ids.alphanumeric(random, 40)}`
        const ownerSecret = Redacted.make(yield* Ids.alphanumeric(random, 45))
        const name = appOptions.name ?? `app-${id}`
        const app: App = {
          id,
          name,
          account: appOptions.account ?? "emulator-account",
          consumerKey,
          consumerSecret,
          ownerId,
          bearerToken: Option.none(),
          replayEnabled: appOptions.replayEnabled ?? true
        }
        const owner: User = { id: ownerId, screenName: appOptions.ownerScreenName ?? `owner${ownerId.slice(-10)}` }
        yield* Ref.update(
          state,
          (current): State => ({
            ...current,
            apps: withEntry(current.apps, id, app),
            users: withEntry(current.users, ownerId, owner),
            tokens: withEntry(current.tokens, ownerToken, {
              token: ownerToken,
              secret: ownerSecret,
              appId: id,
              userId: ownerId,
              permission: "read-write-directmessages"
            })
          })
        )
        return {
          app,
          credentials: Credentials.app({ consumerKey, consumerSecret }),
          owner: Credentials.user({ accessToken: ownerToken, accessTokenSecret: ownerSecret })
        } satisfies CreatedApp
      })

    const app = (appId: string) =>
      Effect.flatMap(Ref.get(state), (s) => {
        const found = s.apps.get(appId)
        return found === undefined
          ? Effect.fail(new EmulatorError({ reason: "UnknownApp", id: appId }))
          : Effect.succeed(found)
      })

    const createUser = (userOptions: CreateUserOptions) =>
      Effect.gen(function* () {
        yield* app(userOptions.appId)
        const s = yield* Ref.get(state)
        const id = userOptions.userId ?? (yield* freshId(yield* random.nextIntBetween(9, 20), (c) => s.users.has(c)))
        const user: User = s.users.get(id) ?? { id, screenName: userOptions.screenName ?? `user${id.slice(-11)}` }
        const token = `${id}-${yield* Ids.alphanumeric(random, 40)}`
        const secret = Redacted.make(yield* Ids.alphanumeric(random, 45))
        yield* Ref.update(
          state,
          (current): State => ({
            ...current,
            users: withEntry(current.users, id, user),
            tokens: withEntry(current.tokens, token, {
              token,
              secret,
              appId: userOptions.appId,
              userId: id,
              permission: userOptions.permission ?? "read-write-directmessages"
            })
          })
        )
        return {
          user,
          appId: userOptions.appId,
          tokens: Credentials.user({ accessToken: token, accessTokenSecret: secret })
        } satisfies CreatedUser
      })

    // --- reading state
    const snapshot = Effect.zipWith(
      Ref.get(state),
      now,
      (s, at): Snapshot => ({
        now: at,
        config: s.config,
        apps: [...s.apps.values()],
        users: [...s.users.values()],
        webhooks: [...s.webhooks.values()],
        subscriptions: s.subscriptions,
        replayJobs: [...s.replayJobs.values()]
      })
    )

    const webhook = (webhookId: string) =>
      Effect.flatMap(Ref.get(state), (s) => {
        const found = s.webhooks.get(webhookId)
        return found === undefined
          ? Effect.fail(new EmulatorError({ reason: "UnknownWebhook", id: webhookId }))
          : Effect.succeed(found)
      })

    const isDeliverable = (target: Webhook | string) =>
      Effect.map(Ref.get(state), (s) => s.webhooks.get(typeof target === "string" ? target : target.id)?.valid === true)

    /** The webhook, if it exists and belongs to the app (otherwise code 34). */
    const ownWebhook = (s: State, appId: string, webhookId: string) => {
      const found = s.webhooks.get(webhookId)
      return found === undefined || found.appId !== appId ? reject("WebhookNotFound") : Effect.succeed<Webhook>(found)
    }

    const accountOf = (s: State, appId: string): string => s.apps.get(appId)?.account ?? ""
    const appsOfAccount = (s: State, account: string): ReadonlySet<string> =>
      new Set([...s.apps.values()].filter((a) => a.account === account).map((a) => a.id))

    // --- CRC
    const runCrc = (target: Pick<Webhook, "appId" | "url">) =>
      Effect.gen(function* () {
        const s = yield* Ref.get(state)
        const owner = s.apps.get(target.appId)
        if (owner === undefined) return "UrlRequirements" as const
        return yield* Crc.check({
          client,
          url: target.url,
          secret: owner.consumerSecret,
          token: yield* Ids.crcToken(random),
          nonce: yield* Ids.alphanumeric(random, 32),
          timeout: Crc.timeoutOf(s.config.crcTimeoutMillis)
        })
      })

    /** Records a CRC's outcome on a webhook that still exists. */
    const recordCrc = (webhookId: string, outcome: Crc.Outcome, trigger: CrcTrigger, at: number, invalidate: boolean) =>
      Ref.updateAndGet(state, (s) => {
        const current = s.webhooks.get(webhookId)
        if (current === undefined) return s
        const next: Webhook =
          outcome === "Ok"
            ? { ...current, valid: true, lastValidatedAt: at, lastCrc: { at, outcome, trigger } }
            : { ...current, valid: invalidate ? false : current.valid, lastCrc: { at, outcome, trigger } }
        return { ...s, webhooks: withEntry(s.webhooks, webhookId, next) }
      }).pipe(Effect.map((s) => s.webhooks.get(webhookId)))

    const registerWebhook = (appId: string, url: string | undefined) =>
      Effect.gen(function* () {
        const s = yield* Ref.get(state)
        if (!s.apps.has(appId)) return yield* reject("CouldNotAuthenticate")
        if (url === undefined || !Url.isAcceptable(url, s.config.urlMode)) return yield* reject("CrcUrlRequirements")
        if (s.config.rejectDuplicateUrls && [...s.webhooks.values()].some((w) => w.appId === appId && w.url === url)) {
          return yield* reject("CrcUrlRequirements")
        }
        const account = accountOf(s, appId)
        const countOf = (current: State) => {
          const apps = appsOfAccount(current, account)
          return [...current.webhooks.values()].filter((w) => apps.has(w.appId)).length
        }
        if (countOf(s) >= s.config.webhookLimit) return yield* reject("TooManyResources")
        const outcome = yield* runCrc({ appId, url })
        if (outcome !== "Ok") return yield* reject(crcRejection[outcome])
        const at = yield* now
        const id = yield* freshId(19, (candidate) => s.webhooks.has(candidate))
        const created: Webhook = {
          id,
          appId,
          url,
          valid: true,
          createdAt: at,
          lastValidatedAt: at,
          lastCrc: { at, outcome, trigger: "register" }
        }
        // the limit is checked again: another registration may have completed during the CRC
        const saved = yield* Ref.modify(state, (current) =>
          countOf(current) >= current.config.webhookLimit
            ? [false, current]
            : [true, { ...current, webhooks: withEntry(current.webhooks, id, created) }]
        )
        if (!saved) return yield* reject("TooManyResources")
        yield* changed
        return created
      })

    const listWebhooks = (appId: string) =>
      Effect.map(Ref.get(state), (s) => [...s.webhooks.values()].filter((w) => w.appId === appId))

    const validateWebhook = (appId: string, webhookId: string) =>
      Effect.gen(function* () {
        const target = yield* ownWebhook(yield* Ref.get(state), appId, webhookId)
        const outcome = yield* runCrc(target)
        const updated = yield* recordCrc(webhookId, outcome, "put", yield* now, true)
        yield* changed
        if (outcome !== "Ok") return yield* reject(crcRejection[outcome])
        return updated ?? target
      })

    const deleteWebhook = (appId: string, webhookId: string) =>
      Effect.gen(function* () {
        yield* ownWebhook(yield* Ref.get(state), appId, webhookId)
        const at = yield* now
        yield* Ref.update(state, (s) => ({
          ...s,
          webhooks: without(s.webhooks, webhookId),
          subscriptions: s.subscriptions.filter((sub) => sub.webhookId !== webhookId),
          replayJobs: new Map(
            [...s.replayJobs].map(([id, job]) => [
              id,
              job.webhookId === webhookId && job.state === "Running"
                ? { ...job, state: "Incomplete" as const, finishedAt: Option.some(at) }
                : job
            ])
          )
        }))
      })

    const checkWebhook = (webhookId: string, trigger: CrcTrigger) =>
      Effect.gen(function* () {
        const target = yield* webhook(webhookId)
        const outcome = yield* runCrc(target)
        const updated = yield* recordCrc(webhookId, outcome, trigger, yield* now, true)
        yield* changed
        if (updated === undefined) return yield* new EmulatorError({ reason: "UnknownWebhook", id: webhookId })
        return updated
      })

    // --- periodic re-validation
    /** When the webhook is next due a periodic CRC (emulator time), if ever. */
    const dueAt = (s: State, w: Webhook): Option.Option<number> => {
      if (!w.valid) return Option.none()
      switch (s.config.revalidation) {
        case "off":
          return Option.none()
        case "daily":
          return Option.some(w.lastValidatedAt + DAY)
        case "hourly":
          return Option.some(w.lastValidatedAt + HOUR)
        case "stale30m":
          return Option.some(Math.max(w.lastValidatedAt + DAY, w.lastCrc.at + 30 * MINUTE))
      }
    }

    const runDueRevalidations = Effect.gen(function* () {
      const s = yield* Ref.get(state)
      const at = yield* now
      const due = [...s.webhooks.values()].filter((w) => Option.exists(dueAt(s, w), (time) => time <= at))
      yield* Effect.forEach(
        due,
        (w) =>
          Effect.gen(function* () {
            const outcome = yield* runCrc(w)
            const checkedAt = yield* now
            // stale30m follows X's v2 rule: a wrong answer invalidates at once; transient failures (timeouts,
            // non-200, unreachable) only once the webhook has gone 28 hours without a successful CRC
            const invalidate =
              s.config.revalidation !== "stale30m" ||
              outcome === "InvalidResponse" ||
              checkedAt - w.lastValidatedAt >= 28 * HOUR
            yield* recordCrc(w.id, outcome, "periodic", checkedAt, invalidate)
          }),
        { concurrency: 8, discard: true }
      )
      return due.map((w) => w.id)
    })

    // sleeps until the next webhook is due (or until the webhooks or the settings change), then checks
    const wake = yield* Queue.sliding<void>(1)
    const changed = Effect.asVoid(Queue.offer(wake, undefined))
    const nextWait = Effect.zipWith(Ref.get(state), now, (s, at) =>
      [...s.webhooks.values()]
        .reduce<Option.Option<number>>(
          (soonest, w) =>
            Option.match(dueAt(s, w), {
              onNone: () => soonest,
              onSome: (time) =>
                Option.some(Option.match(soonest, { onNone: () => time, onSome: (t) => Math.min(t, time) }))
            }),
          Option.none()
        )
        .pipe(Option.map((time) => Math.max(0, time - at)))
    )
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.gen(function* () {
          const wait = yield* nextWait
          yield* Option.match(wait, {
            onNone: () => Queue.take(wake),
            onSome: (millis) => Effect.race(Effect.sleep(Duration.millis(millis)), Queue.take(wake))
          })
          yield* runDueRevalidations
        })
      )
    )

    const advanceClock = (duration: Duration.DurationInput) =>
      Effect.gen(function* () {
        const millis = Duration.toMillis(Duration.decode(duration))
        yield* Ref.update(state, (s) => ({ ...s, offset: s.offset + Math.max(0, millis) }))
        yield* runDueRevalidations
        return yield* now
      })

    // --- subscriptions
    const subscribe = (request: {
      readonly appId: string
      readonly webhookId: string
      readonly userId: string
      readonly permission?: Permission | undefined
    }) =>
      Effect.gen(function* () {
        const s = yield* Ref.get(state)
        yield* ownWebhook(s, request.appId, request.webhookId)
        if (request.permission !== undefined && request.permission !== "read-write-directmessages") {
          return yield* reject("SubscriptionNotPermitted")
        }
        const at = yield* now
        const subscription: Subscription = {
          webhookId: request.webhookId,
          userId: request.userId,
          appId: request.appId,
          createdAt: at
        }
        const account = accountOf(s, request.appId)
        const result = yield* Ref.modify(state, (current): [ApiError.CatalogName | "ok", State] => {
          if (!current.webhooks.has(request.webhookId)) return ["WebhookNotFound", current]
          if (current.subscriptions.some((x) => x.webhookId === request.webhookId && x.userId === request.userId)) {
            return ["SubscriptionExists", current]
          }
          const apps = appsOfAccount(current, account)
          const count = current.subscriptions.filter((x) => apps.has(x.appId)).length
          if (current.config.subscriptionLimit === "enforce" && count >= current.config.provisionedCount) {
            return ["TooManyResources", current]
          }
          return ["ok", { ...current, subscriptions: [...current.subscriptions, subscription] }]
        })
        if (result !== "ok") return yield* reject(result)
        return subscription
      })

    const findSubscription = (s: State, webhookId: string, userId: string) =>
      s.subscriptions.find((x) => x.webhookId === webhookId && x.userId === userId)

    const checkSubscription = (request: {
      readonly appId: string
      readonly webhookId: string
      readonly userId: string
    }) =>
      Effect.gen(function* () {
        const s = yield* Ref.get(state)
        yield* ownWebhook(s, request.appId, request.webhookId)
        if (findSubscription(s, request.webhookId, request.userId) === undefined) return yield* reject("PageNotFound")
      })

    const unsubscribe = (request: { readonly appId: string; readonly webhookId: string; readonly userId: string }) =>
      Effect.gen(function* () {
        const s = yield* Ref.get(state)
        yield* ownWebhook(s, request.appId, request.webhookId)
        const removed = yield* Ref.modify(state, (current): [boolean, State] => {
          if (findSubscription(current, request.webhookId, request.userId) === undefined) return [false, current]
          return [
            true,
            {
              ...current,
              subscriptions: current.subscriptions.filter(
                (x) => !(x.webhookId === request.webhookId && x.userId === request.userId)
              )
            }
          ]
        })
        if (!removed) return yield* reject("PageNotFound")
      })

    const countSubscriptions = (appId: string) =>
      Effect.map(Ref.get(state), (s): Rest.SubscriptionsCount => {
        const account = accountOf(s, appId)
        const apps = appsOfAccount(s, account)
        return {
          account_name: account,
          subscriptions_count_all: String(s.subscriptions.filter((x) => apps.has(x.appId)).length),
          subscriptions_count_direct_messages: "0",
          provisioned_count: String(s.config.provisionedCount)
        }
      })

    const listSubscriptions = (appId: string, webhookId: string) =>
      Effect.gen(function* () {
        const s = yield* Ref.get(state)
        const target = yield* ownWebhook(s, appId, webhookId)
        return yield* Schema.decodeUnknown(Rest.SubscriptionsList)({
          webhook_id: target.id,
          webhook_url: target.url,
          application_id: appId,
          subscriptions: s.subscriptions.filter((x) => x.webhookId === webhookId).map((x) => ({ user_id: x.userId }))
        }).pipe(Effect.orDie)
      })

    // --- replay
    const requestReplay = (request: {
      readonly appId: string
      readonly webhookId: string
      readonly fromDate: string | undefined
      readonly toDate: string | undefined
    }) =>
      Effect.gen(function* () {
        const s = yield* Ref.get(state)
        if (s.apps.get(request.appId)?.replayEnabled === false) return yield* reject("ReplayNotEnabled")
        if (/^-[0-9]+$/.test(request.webhookId)) {
          return yield* reject(
            "ReplayParamNegative",
            `webhook_id: [${request.webhookId}] is not greater than or equal to 0.`
          )
        }
        if (!/^[0-9]{1,19}$/.test(request.webhookId)) return yield* reject("ReplayParamMalformed")
        const dates: Array<readonly [string, string | undefined]> = [
          ["from_date", request.fromDate],
          ["to_date", request.toDate]
        ]
        for (const [name, value] of dates) {
          if (value === undefined || value === "")
            return yield* reject("ReplayParamMissing", `${name}: queryParam is required.`)
        }
        const parsed = dates.map(([name, value]) => [name, value!, Rest.parseReplayDate(value!)] as const)
        for (const [, , date] of parsed) if (Option.isNone(date)) return yield* reject("ReplayParamMalformed")
        const [[, fromRaw, fromOption], [, toRaw, toOption]] = parsed as unknown as [
          readonly [string, string, Option.Some<{ readonly epochMillis: number }>],
          readonly [string, string, Option.Some<{ readonly epochMillis: number }>]
        ]
        const from = fromOption.value.epochMillis
        const to = toOption.value.epochMillis
        const at = yield* now
        const notInPast = (name: string, raw: string) =>
          reject("ReplayDateNotInPast", `${name}: [${raw}] is not in the past.`)
        if (from >= at) return yield* notInPast("from_date", fromRaw)
        if (to >= at) return yield* notInPast("to_date", toRaw)
        if (from >= to) return yield* reject("ReplayFromNotBeforeTo")
        if (from < at - REPLAY_WINDOW) return yield* reject("ReplayFromTooOld")
        // X: from_date "no more recent than 31 minutes", to_date "no more recent than 10 minutes" before now
        if (from > at - REPLAY_FROM_AGE) return yield* notInPast("from_date", fromRaw)
        if (to > at - REPLAY_TO_AGE) return yield* notInPast("to_date", toRaw)
        const target = yield* ownWebhook(s, request.appId, request.webhookId)
        if (!target.valid) return yield* reject("WebhookInvalid")
        const id = yield* freshId(19, (candidate) => s.replayJobs.has(candidate))
        const job: ReplayJob = {
          id,
          webhookId: target.id,
          appId: request.appId,
          fromDate: from,
          toDate: to,
          createdAt: at,
          state: "Running",
          finishedAt: Option.none()
        }
        const accepted = yield* Ref.modify(state, (current): [boolean, State] =>
          [...current.replayJobs.values()].some((j) => j.webhookId === target.id && j.state === "Running")
            ? [false, current]
            : [true, { ...current, replayJobs: withEntry(current.replayJobs, id, job) }]
        )
        if (!accepted) return yield* reject("ReplayInProgress")
        yield* Effect.forEach(yield* Ref.get(replayHooks), (hook) => hook(job), { discard: true })
        return job
      })

    const replayJob = (jobId: string) =>
      Effect.flatMap(Ref.get(state), (s) => {
        const found = s.replayJobs.get(jobId)
        return found === undefined
          ? Effect.fail(new EmulatorError({ reason: "UnknownReplayJob", id: jobId }))
          : Effect.succeed(found)
      })

    const onReplayJobAccepted = (hook: (job: ReplayJob) => Effect.Effect<void>) =>
      Effect.asVoid(
        Effect.acquireRelease(
          Ref.update(replayHooks, (hooks) => [...hooks, hook]),
          () => Ref.update(replayHooks, (hooks) => hooks.filter((h) => h !== hook))
        )
      )

    const completeReplayJob = (jobId: string, jobState: Exclude<ReplayJobState, "Running">) =>
      Effect.gen(function* () {
        const at = yield* now
        const updated = yield* Ref.modify(state, (s): [ReplayJob | undefined, State] => {
          const job = s.replayJobs.get(jobId)
          if (job === undefined) return [undefined, s]
          const next: ReplayJob = { ...job, state: jobState, finishedAt: Option.some(at) }
          return [next, { ...s, replayJobs: withEntry(s.replayJobs, jobId, next) }]
        })
        if (updated === undefined) return yield* new EmulatorError({ reason: "UnknownReplayJob", id: jobId })
        return updated
      })

    // --- auth
    const authenticate = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function* () {
        const header = request.headers.authorization ?? ""
        const s = yield* Ref.get(state)
        if (/^bearer /i.test(header)) {
          const token = header.slice(7).trim()
          const owner = [...s.apps.values()].find((a) =>
            Option.exists(a.bearerToken, (issued) => Redacted.value(issued) === token)
          )
          if (owner === undefined) return yield* reject("InvalidOrExpiredToken")
          return { _tag: "App", app: owner } satisfies Principal as Principal
        }
        if (!/^oauth /i.test(header)) return yield* reject("BadAuthenticationData")
        const { service } = yield* Ref.get(verifier)
        const verified = yield* service.verifyServerRequest(request).pipe(
          Effect.mapError(
            (error) =>
              new ApiRejection({
                entry:
                  error.code === 215
                    ? "BadAuthenticationData"
                    : error.code === 135
                      ? "TimestampOutOfBounds"
                      : "CouldNotAuthenticate"
              })
          )
        )
        const current = yield* Ref.get(state)
        const record = current.tokens.get(verified.token)
        const owner = record === undefined ? undefined : current.apps.get(record.appId)
        if (record === undefined || owner === undefined) return yield* reject("CouldNotAuthenticate")
        return {
          _tag: "User",
          app: owner,
          userId: record.userId,
          token: record.token,
          permission: record.permission
        } satisfies Principal as Principal
      })

    const authenticateBasic = (authorization: string | undefined) =>
      Effect.gen(function* () {
        const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? "")
        if (match === null) return yield* reject("CredentialsUnverified")
        const decoded = Buffer.from(match[1]!, "base64").toString("utf8")
        const colon = decoded.indexOf(":")
        if (colon < 0) return yield* reject("CredentialsUnverified")
        const formDecode = (value: string) => {
          try {
            return decodeURIComponent(value.replace(/\+/g, " "))
          } catch {
            return undefined
          }
        }
        const key = formDecode(decoded.slice(0, colon))
        const secret = formDecode(decoded.slice(colon + 1))
        const s = yield* Ref.get(state)
        const found = [...s.apps.values()].find(
          (a) => a.consumerKey === key && Redacted.value(a.consumerSecret) === secret
        )
        if (found === undefined) return yield* reject("CredentialsUnverified")
        return found
      })

    const issueBearerToken = (appId: string) =>
      Effect.gen(function* () {
        const existing = yield* app(appId)
        if (Option.isSome(existing.bearerToken)) return existing.bearerToken.value
        const token = Redacted.make(yield* Ids.bearerToken(random))
        return yield* Ref.modify(state, (s): [Redacted.Redacted<string>, State] => {
          const current = s.apps.get(appId)!
          if (Option.isSome(current.bearerToken)) return [current.bearerToken.value, s]
          return [token, { ...s, apps: withEntry(s.apps, appId, { ...current, bearerToken: Option.some(token) }) }]
        })
      })

    const invalidateBearerToken = (appId: string, token: string) =>
      Effect.flatMap(
        Ref.modify(state, (s): [boolean, State] => {
          const current = s.apps.get(appId)
          if (current === undefined || !Option.exists(current.bearerToken, (t) => Redacted.value(t) === token)) {
            return [false, s]
          }
          return [true, { ...s, apps: withEntry(s.apps, appId, { ...current, bearerToken: Option.none() }) }]
        }),
        (done) => (done ? Effect.void : reject("CredentialsUnverified"))
      )

    // --- rate limits and the request log
    const countRequest = (endpoint: EmulatorConfig.Endpoint, principal: Principal) =>
      Effect.gen(function* () {
        const at = yield* now
        return yield* Ref.modify(state, (s): [RateLimitState, State] => {
          const who =
            principal._tag === "User" ? `user:${principal.app.id}:${principal.token}` : `app:${principal.app.id}`
          const key = `${endpoint}|${who}`
          const limit = s.config.rateLimits[endpoint]
          const windowMillis = Math.max(1, s.config.rateLimitWindowMillis)
          const previous = s.windows.get(key)
          const window =
            previous === undefined || at >= previous.start + windowMillis ? { start: at, count: 0 } : previous
          const reset = Math.ceil((window.start + windowMillis) / 1000)
          if (window.count >= limit) {
            return [
              { limit, remaining: 0, reset, exceeded: true },
              { ...s, windows: withEntry(s.windows, key, window) }
            ]
          }
          const next = { start: window.start, count: window.count + 1 }
          return [
            { limit, remaining: limit - next.count, reset, exceeded: false },
            { ...s, windows: withEntry(s.windows, key, next) }
          ]
        })
      })

    const logRequest = (entry: Omit<RequestLogEntry, "seq" | "at">) =>
      Effect.flatMap(now, (at) =>
        Ref.update(state, (s) => {
          const log = [...s.log, { ...entry, seq: s.seq + 1, at }]
          return { ...s, seq: s.seq + 1, log: log.length > logSize ? log.slice(log.length - logSize) : log }
        })
      )

    return {
      now,
      advanceClock,
      config,
      setConfig,
      createApp,
      createUser,
      snapshot,
      app,
      webhook,
      webhooks: Effect.map(Ref.get(state), (s) => [...s.webhooks.values()]),
      subscriptions: Effect.map(Ref.get(state), (s) => s.subscriptions),
      subscriptionsOfUser: (userId) =>
        Effect.map(Ref.get(state), (s) => s.subscriptions.filter((x) => x.userId === userId)),
      replayJobs: Effect.map(Ref.get(state), (s) => [...s.replayJobs.values()]),
      requestLog: Effect.map(Ref.get(state), (s) => s.log),
      isDeliverable,
      nextSeed: Effect.map(
        Ref.getAndUpdate(seeds, (n) => n + 1),
        (n) => `${seedBase}:${n}`
      ),
      replayJob,
      onReplayJobAccepted,
      checkWebhook,
      completeReplayJob,
      runDueRevalidations,
      registerWebhook,
      listWebhooks,
      validateWebhook,
      deleteWebhook,
      subscribe,
      checkSubscription,
      countSubscriptions,
      listSubscriptions,
      unsubscribe,
      requestReplay,
      authenticate,
      authenticateBasic,
      issueBearerToken,
      invalidateBearerToken,
      countRequest,
      logRequest
    } satisfies Service
  })

/**
 * The emulator as a Layer. Needs the `HttpClient` it sends CRC GETs with (e.g. `NodeHttpClient.layerUndici`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Emulator, never, HttpClient.HttpClient> =>
  Layer.scoped(Emulator, make(options))

/**
 * {@link layer} with its options read from `Config`; the app chooses the names.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options>
): Layer.Layer<Emulator, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(config, layer))

/**
 * A webhook as the v1.1 API writes it: `{"id","url","valid","created_at"}` with `created_at` in the
 * `2016-06-02T23:54:02Z` form.
 *
 * @since 0.1.0
 * @category encoding
 */
export const webhookJson = (webhook: Webhook): typeof Rest.Webhook.Encoded => ({
  id: webhook.id,
  url: webhook.url,
  valid: webhook.valid,
  created_at: isoSeconds(webhook.createdAt)
})

/**
 * The `202` body of a replay request: `{"job_id","created_at"}`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const replayJobJson = (job: ReplayJob): typeof Rest.ReplayJobCreated.Encoded => ({
  job_id: job.id,
  created_at: isoSeconds(job.createdAt)
})
