/**
 * The control API under `/_emulator/`: JSON in, JSON out, the same operations as the library API.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Duration, Effect, Option, Redacted, Schema } from "effect"
import type * as Deliveries from "../Deliveries.js"
import type * as Emulator from "../Emulator.js"
import * as EmulatorConfig from "../EmulatorConfig.js"
import * as Activity from "./activity.js"
import { isoSeconds } from "./time.js"

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

const Permission = Schema.Literal("read", "read-write", "read-write-directmessages")

const CreateApp = Schema.Struct({
  name: optional(Schema.String),
  account: optional(Schema.String),
  ownerScreenName: optional(Schema.String),
  replayEnabled: optional(Schema.Boolean)
})

const CreateUser = Schema.Struct({
  appId: Schema.String,
  userId: optional(Schema.String.pipe(Schema.pattern(/^[1-9][0-9]{0,18}$/))),
  screenName: optional(Schema.String),
  permission: optional(Permission)
})

const Advance = Schema.Struct({
  millis: optional(Schema.NonNegativeInt),
  duration: optional(Schema.String)
})

const CompleteJob = Schema.Struct({ state: optional(Schema.Literal("Complete", "Incomplete")) })

/** A fault on the wire: `"duplicate"`, `"drop"`, `"reorder"` or `{"delay": <ms>}`. */
const FaultJson = Schema.Union(
  Schema.Literal("duplicate", "drop", "reorder"),
  Schema.Struct({ delay: Schema.NonNegativeInt })
)

const InjectFault = Schema.Struct({
  fault: FaultJson,
  times: optional(Schema.Int.pipe(Schema.positive())),
  webhookId: optional(Schema.String)
})

const toFault = (json: typeof FaultJson.Type): Deliveries.Fault => {
  switch (json) {
    case "duplicate":
      return { _tag: "Duplicate" }
    case "drop":
      return { _tag: "Drop" }
    case "reorder":
      return { _tag: "Reorder" }
    default:
      return { _tag: "Delay", millis: json.delay }
  }
}

const faultJson = (fault: Deliveries.Fault): typeof FaultJson.Type => {
  switch (fault._tag) {
    case "Duplicate":
      return "duplicate"
    case "Drop":
      return "drop"
    case "Reorder":
      return "reorder"
    case "Delay":
      return { delay: fault.millis }
  }
}

/** The pending faults as JSON; `remaining` is `null` for a fault without a limit. @internal */
export const pendingJson = (pending: ReadonlyArray<Deliveries.PendingFault>) =>
  pending.map((entry) => ({
    fault: faultJson(entry.fault),
    remaining: Number.isFinite(entry.remaining) ? entry.remaining : null,
    ...(entry.webhookId === undefined ? {} : { webhookId: entry.webhookId })
  }))

/** @internal */
export const appJson = (app: Emulator.App) => ({
  id: app.id,
  name: app.name,
  account: app.account,
  consumerKey: app.consumerKey,
  ownerId: app.ownerId,
  hasBearerToken: Option.isSome(app.bearerToken),
  replayEnabled: app.replayEnabled
})

/** @internal */
export const webhookJson = (webhook: Emulator.Webhook) => ({
  id: webhook.id,
  appId: webhook.appId,
  url: webhook.url,
  valid: webhook.valid,
  createdAt: isoSeconds(webhook.createdAt),
  lastValidatedAt: isoSeconds(webhook.lastValidatedAt),
  lastCrc: { at: isoSeconds(webhook.lastCrc.at), outcome: webhook.lastCrc.outcome, trigger: webhook.lastCrc.trigger }
})

/** @internal */
export const subscriptionJson = (subscription: Emulator.Subscription) => ({
  ...subscription,
  createdAt: isoSeconds(subscription.createdAt)
})

/** @internal */
export const replayJobJson = (job: Emulator.ReplayJob) => ({
  id: job.id,
  webhookId: job.webhookId,
  appId: job.appId,
  fromDate: isoSeconds(job.fromDate),
  toDate: isoSeconds(job.toDate),
  createdAt: isoSeconds(job.createdAt),
  state: job.state,
  finishedAt: Option.getOrNull(Option.map(job.finishedAt, isoSeconds))
})

/** @internal */
export const requestJson = (entry: Emulator.RequestLogEntry) => ({
  seq: entry.seq,
  at: new Date(entry.at).toISOString(),
  method: entry.method,
  url: entry.url,
  endpoint: Option.getOrNull(entry.endpoint),
  auth: entry.auth,
  status: entry.status,
  code: Option.getOrNull(entry.code)
})

const clockJson = (now: number) => ({ now, iso: new Date(now).toISOString() })

const ok = (body: unknown, status = 200) => Effect.succeed(HttpServerResponse.unsafeJson(body, { status }))

const problem = (status: number, error: string) => ok({ error }, status)

const noDeliveries = problem(
  501,
  "the delivery engine is not running: provide Server.layerDeliveries (the standalone emulator does)"
)

const readBody = <A, I>(request: HttpServerRequest.HttpServerRequest, schema: Schema.Schema<A, I>) =>
  Effect.gen(function* () {
    const text = yield* Effect.orElseSucceed(request.text, () => "")
    return yield* Schema.decodeUnknown(Schema.parseJson(schema))(text.trim() === "" ? "{}" : text)
  }).pipe(Effect.mapError((error) => `the request body does not match: ${error.message}`))

/** Answers one control request. @internal */
export const handle = (
  emulator: Emulator.Service,
  request: HttpServerRequest.HttpServerRequest,
  url: URL,
  deliveries: Option.Option<Deliveries.Service>
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  const path = url.pathname.slice("/_emulator/".length).replace(/\/+$/, "")
  const method = request.method
  const route = `${method} ${path}`
  const handled: Effect.Effect<HttpServerResponse.HttpServerResponse, string> = Effect.gen(function* () {
    switch (route) {
      case "GET state": {
        const snapshot = yield* emulator.snapshot
        return yield* ok({
          ...clockJson(snapshot.now),
          config: snapshot.config,
          apps: snapshot.apps.map(appJson),
          users: snapshot.users,
          webhooks: snapshot.webhooks.map(webhookJson),
          subscriptions: snapshot.subscriptions.map(subscriptionJson),
          replayJobs: snapshot.replayJobs.map(replayJobJson)
        })
      }
      case "POST apps": {
        const body = yield* readBody(request, CreateApp)
        const created = yield* emulator.createApp(body)
        return yield* ok(
          {
            app: appJson(created.app),
            consumerKey: created.credentials.consumerKey,
            consumerSecret: Redacted.value(created.credentials.consumerSecret),
            accessToken: created.owner.accessToken,
            accessTokenSecret: Redacted.value(created.owner.accessTokenSecret)
          },
          201
        )
      }
      case "GET apps":
        return yield* ok((yield* emulator.snapshot).apps.map(appJson))
      case "POST users": {
        const body = yield* readBody(request, CreateUser)
        const created = yield* Effect.mapError(emulator.createUser(body), (error) => error.message)
        return yield* ok(
          {
            user: created.user,
            appId: created.appId,
            accessToken: created.tokens.accessToken,
            accessTokenSecret: Redacted.value(created.tokens.accessTokenSecret)
          },
          201
        )
      }
      case "GET webhooks":
        return yield* ok((yield* emulator.webhooks).map(webhookJson))
      case "GET subscriptions":
        return yield* ok((yield* emulator.subscriptions).map(subscriptionJson))
      case "GET replay-jobs":
        return yield* ok((yield* emulator.replayJobs).map(replayJobJson))
      case "GET requests":
        return yield* ok((yield* emulator.requestLog).map(requestJson))
      case "GET config":
        return yield* ok(yield* emulator.config)
      case "PUT config": {
        const body = yield* readBody(request, EmulatorConfig.Patch)
        return yield* ok(yield* emulator.setConfig(body))
      }
      case "GET clock":
        return yield* ok(clockJson(yield* emulator.now))
      case "POST clock/advance": {
        const body = yield* readBody(request, Advance)
        const duration =
          body.millis !== undefined
            ? Option.some(Duration.millis(body.millis))
            : body.duration !== undefined
              ? Duration.decodeUnknown(body.duration)
              : Option.none()
        if (Option.isNone(duration)) {
          return yield* Effect.fail('send {"millis": <n>} or {"duration": "<n> minutes|hours|days"}')
        }
        return yield* ok(clockJson(yield* emulator.advanceClock(duration.value)))
      }
      case "POST revalidate":
        return yield* ok({ checked: yield* emulator.runDueRevalidations })
      case "POST activity":
      case "GET deliveries": {
        if (Option.isNone(deliveries)) return yield* noDeliveries
        if (method === "GET") return yield* ok(yield* Activity.log(deliveries.value))
        const body = yield* readBody(request, Activity.Inject)
        return yield* ok({ activities: yield* Activity.inject(emulator, deliveries.value, body) }, 202)
      }
      case "GET faults":
      case "POST faults":
      case "DELETE faults": {
        if (Option.isNone(deliveries)) return yield* noDeliveries
        const engine = deliveries.value
        if (method === "POST") {
          const body = yield* readBody(request, InjectFault)
          yield* engine.inject(toFault(body.fault), { times: body.times, webhookId: body.webhookId })
        } else if (method === "DELETE") {
          yield* engine.clearFaults
        }
        return yield* ok({ pending: pendingJson(yield* engine.pendingFaults) })
      }
    }
    const complete = /^POST replay-jobs\/([0-9]+)\/complete$/.exec(route)
    if (complete !== null) {
      const body = yield* readBody(request, CompleteJob)
      const job = yield* Effect.mapError(
        emulator.completeReplayJob(complete[1]!, body.state ?? "Complete"),
        (error) => error.message
      )
      return yield* ok(replayJobJson(job))
    }
    const bearer = /^POST apps\/([0-9]+)\/bearer-token$/.exec(route)
    if (bearer !== null) {
      const token = yield* Effect.mapError(emulator.issueBearerToken(bearer[1]!), (error) => error.message)
      return yield* ok({ token_type: "bearer", access_token: Redacted.value(token) })
    }
    return yield* problem(404, `no control route ${method} /_emulator/${path}: see the emulator README`)
  })
  return Effect.catchAll(handled, (error) => problem(400, error))
}
