/**
 * The webhook receiver of the X Account Activity API, on `@effect/platform`.
 *
 * - `GET <path>?crc_token=…` answers the CRC challenge with `{"response_token": "sha256=…"}` (only for a
 *   token of an accepted shape, so the endpoint is no signing oracle; optionally only for a signed GET).
 * - `POST <path>` reads the raw body once, as bytes, within a size limit; requires
 *   `Content-Type: application/json`; verifies `x-twitter-webhooks-signature` over those bytes with every
 *   configured secret; appends the exact bytes to the `EventQueue`; and answers `200` only after the append
 *   has returned. Nothing on this path parses JSON. Every other outcome is a `4xx` or a `503` with
 *   `{"error", "hint"}` (see `Rejection`), never a `2xx`.
 * - `GET /healthz` (`200` while the queue answers a cheap read) and `GET /metrics` (Prometheus text).
 * - With a `Journal` in context, a heartbeat extends this instance's `"receiver"` span, so gap recovery knows
 *   when the receiver was up.
 * - When the layer's scope closes: new requests get `503` (CRC keeps being answered), in-flight appends finish
 *   (within `drainTimeout`), then the server closes.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import * as Os from "node:os"
import { Crc, WebhookSecrets, WebhookSignature } from "@account-activity/crc"
import { EventQueue, Journal, type QueueUnavailable } from "@account-activity/queue"
import {
  type HttpApp,
  HttpMiddleware,
  HttpRouter,
  HttpServer,
  type HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import {
  Cause,
  Clock,
  Config,
  type ConfigError,
  Context,
  Deferred,
  Duration,
  Effect,
  Either,
  FiberId,
  Layer,
  Option,
  Runtime,
  type Scope
} from "effect"
import * as Admission from "./internal/admission.js"
import * as Batcher from "./internal/batcher.js"
import * as Body from "./internal/body.js"
import * as ReceiverMetrics from "./ReceiverMetrics.js"
import { type Reason, Rejection } from "./Rejection.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The webhook path: CRC GETs and delivery POSTs. Default `/webhook`. */
  readonly path?: string | undefined
  /** The health path, or `false` to serve none. Default `/healthz`. */
  readonly healthPath?: string | false | undefined
  /** The metrics path, or `false` to serve none (render `metrics` elsewhere). Default `/metrics`. */
  readonly metricsPath?: string | false | undefined
  /** The largest body accepted, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined
  /** The `Retry-After` of `503` answers. Default 5 seconds (whole seconds are sent, at least 1). */
  readonly retryAfter?: Duration.DurationInput | undefined
  /** At most this many appends in flight; above it the receiver answers `503`. Default 1024. */
  readonly maxInFlight?: number | undefined
  /**
   * Admission by time: when a delivery answered in the last half second spent longer than this in the receiver
   * (from its body read in full to its answer: verifying, waiting for the queue), new deliveries get
   * `503 saturated` at once, until the answers are fast again. A receiver given more than it can store then refuses the excess quickly (X retries it later)
   * instead of answering after X's 3-second timeout. Default 1 s.
   */
  readonly maxWait?: Duration.DurationInput | undefined
  /** How long an append may take before the receiver answers `503` (X stops waiting after 3 s). Default 10 s. */
  readonly appendTimeout?: Duration.DurationInput | undefined
  /** How long shutdown waits for in-flight appends. Default 10 s. */
  readonly drainTimeout?: Duration.DurationInput | undefined
  /** How long the health check waits for the queue. Default 2 s. */
  readonly healthTimeout?: Duration.DurationInput | undefined
  /** Which `crc_token` values are signed. Default `Crc.defaultTokenPolicy`. */
  readonly tokenPolicy?: Crc.TokenPolicy | undefined
  /**
   * Require a valid `x-twitter-webhooks-signature` on CRC GETs (over `crc_token=…&nonce=…`), else `401`.
   * X's v1.1 platform sends it; whether v2 does is unconfirmed. Default `false`.
   */
  readonly verifyCrcSignature?: boolean | undefined
  /** The `source` of every stored delivery. Default `"webhook"`. */
  readonly source?: string | undefined
  /** The key of this instance's heartbeat span in the `Journal`. Default `<host name>:<process id>`. */
  readonly instanceId?: string | undefined
  /** How often the heartbeat runs (the span's tolerance is 3 times this). Default 5 s. */
  readonly heartbeatInterval?: Duration.DurationInput | undefined
  /** The registry to count in (share one between receivers). Default: a new one. */
  readonly metrics?: ReceiverMetrics.ReceiverMetrics | undefined
  /** Keep `@effect/platform`'s request spans (one span per request). Default `false`. */
  readonly tracing?: boolean | undefined
}

/**
 * The options of {@link layerServer}: the receiver's, and those of its Node HTTP server.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions extends Options {
  /** Default 8080; 0 picks a free port (read it from `HttpServer`). */
  readonly port?: number | undefined
  /** Default `0.0.0.0`. */
  readonly host?: string | undefined
  /** Time a client has to send the complete request headers (slow clients are cut off). Default 10 s. */
  readonly headersTimeout?: Duration.DurationInput | undefined
  /** Time a client has to send the complete request, body included. Default 30 s. */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** How long an idle keep-alive connection stays open; keep it above the load balancer's idle timeout. Default 65 s. */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /** How often Node checks the header and request timeouts. Default 1 s. */
  readonly connectionsCheckingInterval?: Duration.DurationInput | undefined
}

/**
 * The options {@link layerConfig} reads from `Config`: every option of {@link ServerOptions} that is a plain
 * value.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigOptions = Omit<ServerOptions, "tokenPolicy" | "metrics">

/**
 * A running receiver.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Every route, dispatched on the path: serve it with `HttpServer.serve`. */
  readonly httpApp: HttpApp.Default
  /** The same routes as an `HttpRouter`, to mount in an application's router. */
  readonly router: HttpRouter.HttpRouter
  readonly metrics: ReceiverMetrics.ReceiverMetrics
  /** Appends running now. */
  readonly inFlight: Effect.Effect<number>
  readonly isDraining: Effect.Effect<boolean>
  /**
   * Starts draining (new deliveries get `503`, CRC is still answered) and waits until no append is in flight,
   * at most `drainTimeout`. Succeeds with `true` when every append finished in time.
   */
  readonly drain: Effect.Effect<boolean>
  /** The key of this instance's heartbeat span. */
  readonly instanceId: string
}

/**
 * The running receiver, provided by {@link layer} and {@link layerServer}.
 *
 * @since 0.1.0
 * @category tags
 */
export class Receiver extends Context.Tag("@account-activity/receiver/Receiver")<Receiver, Service>() {}

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaultMaxBodyBytes = 1024 * 1024

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaultMaxInFlight = 1024

const signatureHeader = WebhookSignature.headerName

const positiveInt = (value: number | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Receiver: ${name} must be a whole number of at least 1, got ${value}`)
  }
  return value
}

const millis = (input: Duration.DurationInput | undefined, fallback: Duration.DurationInput, name: string): number => {
  const value = Duration.toMillis(Duration.decode(input ?? fallback))
  if (Number.isNaN(value) || value < 0) throw new RangeError(`Receiver: ${name} must be a duration of at least 0`)
  return value
}

const routePath = (value: string | undefined, fallback: string, name: string): `/${string}` => {
  const path = value ?? fallback
  if (!path.startsWith("/") || path.includes("?") || path.includes("#")) {
    throw new RangeError(`Receiver: ${name} must be a path starting with "/" (no query), got ${JSON.stringify(path)}`)
  }
  return path as `/${string}`
}

const optionalPath = (value: string | false | undefined, fallback: string, name: string) =>
  value === false ? undefined : routePath(value, fallback, name)

const isJson = (value: string | undefined): boolean => {
  if (value === undefined) return false
  const semicolon = value.indexOf(";")
  const type = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase()
  return type === "application/json"
}

const splitUrl = (url: string): readonly [string, string] => {
  const question = url.indexOf("?")
  return question === -1 ? [url, ""] : [url.slice(0, question), url.slice(question + 1)]
}

const noStore = { "cache-control": "no-store" } as const

/** Writes a platform response (empty or bytes, the only kinds the receiver makes) on a Node response. */
const writeNode = (response: Http.ServerResponse, answer: HttpServerResponse.HttpServerResponse) => {
  if (response.writableEnded || response.destroyed) return
  response.writeHead(answer.status, answer.headers)
  if (answer.body._tag === "Uint8Array") response.end(answer.body.body)
  else response.end()
}

/** How layers hook the server they own into the drain: stop accepting, then close the connections. */
interface ServerControl {
  readonly stopAccepting: Effect.Effect<void>
  readonly closeConnections: (waitMillis: number) => Effect.Effect<void>
}

const makeInternal = (options: Options) =>
  Effect.gen(function* () {
    const path = routePath(options.path, "/webhook", "path")
    const healthPath = optionalPath(options.healthPath, "/healthz", "healthPath")
    const metricsPath = optionalPath(options.metricsPath, "/metrics", "metricsPath")
    const maxBodyBytes = positiveInt(options.maxBodyBytes, defaultMaxBodyBytes, "maxBodyBytes")
    const maxInFlight = positiveInt(options.maxInFlight, defaultMaxInFlight, "maxInFlight")
    const retryAfter = String(Math.max(1, Math.ceil(millis(options.retryAfter, "5 seconds", "retryAfter") / 1000)))
    const appendTimeout = millis(options.appendTimeout, "10 seconds", "appendTimeout")
    const maxWait = millis(options.maxWait, "1 second", "maxWait")
    const drainTimeout = millis(options.drainTimeout, "10 seconds", "drainTimeout")
    const healthTimeout = millis(options.healthTimeout, "2 seconds", "healthTimeout")
    const heartbeatInterval = millis(options.heartbeatInterval, "5 seconds", "heartbeatInterval")
    if (heartbeatInterval === 0 || !Number.isFinite(heartbeatInterval)) {
      throw new RangeError("Receiver: heartbeatInterval must be a finite duration above 0")
    }
    const tokenPolicy = options.tokenPolicy ?? Crc.defaultTokenPolicy
    const verifyCrcSignature = options.verifyCrcSignature ?? false
    const source = options.source ?? "webhook"
    const instanceId = options.instanceId ?? `${Os.hostname()}:${process.pid}`
    const metrics = options.metrics ?? ReceiverMetrics.make()

    const queue = yield* EventQueue.EventQueue
    const { secrets } = yield* WebhookSecrets.WebhookSecrets
    const clock = yield* Effect.clock
    const journal = yield* Effect.serviceOption(Journal.Journal)

    let draining = false
    let idle: Deferred.Deferred<void> | undefined

    // --- answers

    const cache = new Map<string, HttpServerResponse.HttpServerResponse>()

    const rejectionResponse = (rejection: Rejection, close: boolean): HttpServerResponse.HttpServerResponse => {
      const headers: Record<string, string> = { ...noStore }
      if (rejection.status === 503) headers["retry-after"] = retryAfter
      if (rejection.reason === "MethodNotAllowed") headers.allow = rejection.detail ?? "GET"
      if (close) headers.connection = "close"
      return HttpServerResponse.text(rejection.body, {
        status: rejection.status,
        contentType: "application/json",
        headers
      })
    }

    /** The answer for a refusal; counted in the metrics unless `count` is false. */
    const reject = (
      reason: Reason,
      fields: { readonly detail?: string | undefined; readonly limit?: number | undefined; readonly key?: string } = {},
      count = true
    ): HttpServerResponse.HttpServerResponse => {
      if (count) metrics.rejected(reason)
      // The body or its unread rest is left on the connection: close it rather than read it.
      const close = draining || reason === "BodyTooLarge" || reason === "BodyUnreadable"
      const key = `${reason}|${fields.key ?? fields.detail ?? ""}|${close}`
      let response = cache.get(key)
      if (response === undefined) {
        const rejection = new Rejection({
          reason,
          ...(fields.detail === undefined ? {} : { detail: fields.detail }),
          ...(fields.limit === undefined ? {} : { limit: fields.limit })
        })
        response = rejectionResponse(rejection, close)
        if (cache.size < 512) cache.set(key, response)
      }
      return response
    }

    const ok = HttpServerResponse.empty({ status: 200 })
    const okClosing = HttpServerResponse.empty({ status: 200, headers: { connection: "close" } })
    const healthy = HttpServerResponse.text('{"status":"ok"}', {
      status: 200,
      contentType: "application/json",
      headers: noStore
    })

    const runtime = yield* Effect.runtime<never>()
    const runFork = Runtime.runFork(runtime)

    // At most one warning a second: an outage must not flood the log with one line per request.
    let lastWarning = Number.NEGATIVE_INFINITY
    const warn = (message: string, cause?: Cause.Cause<unknown>) => {
      const now = clock.unsafeCurrentTimeMillis()
      if (now - lastWarning < 1000) return
      lastWarning = now
      runFork(cause === undefined ? Effect.logWarning(message) : Effect.logWarning(message, cause))
    }

    // --- admission by time (see internal/admission.ts)

    const admission = Admission.make({ maxWaitMillis: maxWait, millis: () => clock.unsafeCurrentTimeMillis() })

    // --- group append: the deliveries verified in one turn of the event loop go to the queue together

    const batcher = Batcher.make({
      append: queue.append,
      runtime,
      maxBatch: 256,
      timeoutMillis: appendTimeout,
      nanos: () => clock.unsafeCurrentTimeNanos(),
      millis: () => clock.unsafeCurrentTimeMillis(),
      onDone: (seconds, remaining) => {
        metrics.appendEnded(seconds)
        if (remaining === 0 && idle !== undefined) {
          Deferred.unsafeDone(idle, Effect.void)
          idle = undefined
        }
      }
    })

    // --- POST: store a verified delivery

    const answer = (outcome: Batcher.Outcome): HttpServerResponse.HttpServerResponse => {
      switch (outcome._tag) {
        case "Stored":
          metrics.accepted()
          return draining ? okClosing : ok
        case "TimedOut":
          warn(`The event queue did not confirm an append within ${appendTimeout} ms; answered 503.`)
          return reject("AppendTimeout", { limit: appendTimeout })
        case "Unavailable":
          warn(`A delivery was answered 503: ${outcome.error.message}`)
          return reject("QueueUnavailable", { detail: `(${outcome.error.reason})` })
        case "Failed":
          warn("The event queue failed unexpectedly on append; answered 503.", outcome.cause)
          return reject("QueueUnavailable", { detail: "(Failed)" })
      }
    }

    /** The checks made on the headers alone, before the body is read: an answer, or `undefined` to go on. */
    const precheck = (headers: Http.IncomingHttpHeaders | Readonly<Record<string, string | undefined>>) => {
      if (draining) return reject("Draining")
      if (!admission.admit()) return reject("Saturated", { limit: maxWait })
      const length = headers["content-length"]
      if (length !== undefined && !(Number(length) <= maxBodyBytes))
        return reject("BodyTooLarge", { limit: maxBodyBytes })
      const encoding = headers["content-encoding"]
      if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") return reject("UnsupportedEncoding")
      if (!isJson(headers["content-type"])) return reject("UnsupportedMediaType")
      return undefined
    }

    /**
     * Verifies a body read in full and hands it to the batcher; `done` gets the answer. Returns how to stop
     * waiting, or `undefined` when the answer was given at once.
     */
    const accept = (
      body: Uint8Array,
      contentType: string,
      signature: string | undefined,
      done: (response: HttpServerResponse.HttpServerResponse) => void
    ): (() => void) | undefined => {
      const result = WebhookSignature.verifyWith(body, signature, secrets)
      if (Either.isLeft(result)) {
        done(reject("SignatureInvalid", { detail: result.left.message, key: result.left.reason }))
        return undefined
      }
      if (result.right > 0) metrics.olderSecret()
      if (draining) {
        done(reject("Draining"))
        return undefined
      }
      if (batcher.inFlight() >= maxInFlight) {
        done(reject("Overloaded", { limit: maxInFlight }))
        return undefined
      }
      metrics.appendStarted()
      const delivery: EventQueue.Delivery = {
        body,
        receivedAt: clock.unsafeCurrentTimeMillis(),
        headers: { "content-type": contentType, [signatureHeader]: signature! },
        source
      }
      return batcher.enqueue(delivery, (outcome) => done(answer(outcome)))
    }

    /**
     * {@link accept}, with the delivery's stay counted for the admission by time: from its body read in full to
     * its answer. The time the client took to send the body is not the receiver's: a slow client must not make
     * the receiver refuse everyone else.
     */
    const acceptTimed = (
      body: Uint8Array,
      contentType: string,
      signature: string | undefined,
      done: (response: HttpServerResponse.HttpServerResponse) => void
    ): (() => void) | undefined => {
      const read = clock.unsafeCurrentTimeMillis()
      return accept(body, contentType, signature, (response) => {
        admission.answered(read)
        done(response)
      })
    }

    const unread = (failure: Body.Failure) =>
      failure === "TooLarge" ? reject("BodyTooLarge", { limit: maxBodyBytes }) : reject("BodyUnreadable")

    /**
     * Reads, verifies and stores the body of a Node request with callbacks; `done` gets the answer. Returns
     * how to stop (the client went away).
     */
    const receiveNode = (
      message: Http.IncomingMessage,
      contentType: string,
      signature: string | undefined,
      done: (response: HttpServerResponse.HttpServerResponse) => void
    ): (() => void) => {
      let stop: (() => void) | undefined = Body.readNodeWith(message, maxBodyBytes, (failure, body) => {
        if (failure !== undefined) {
          stop = undefined
          return done(unread(failure))
        }
        stop = acceptTimed(body, contentType, signature, done)
      })
      return () => stop?.()
    }

    const post = (
      request: HttpServerRequest.HttpServerRequest
    ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
      const headers = request.headers
      const early = precheck(headers)
      if (early !== undefined) return Effect.succeed(early)
      const contentType = headers["content-type"]!
      const signature = headers[signatureHeader]
      const node = Body.nodeSource(request)
      if (node !== undefined) {
        // One suspension per request: read, verify and enqueue run as callbacks.
        return Effect.async<HttpServerResponse.HttpServerResponse>((resume) => {
          const stop = receiveNode(node, contentType, signature, (response) => resume(Effect.succeed(response)))
          return Effect.sync(stop)
        })
      }
      return Effect.matchEffect(Body.read(request, maxBodyBytes), {
        onFailure: (failure) => Effect.succeed(unread(failure)),
        onSuccess: (body) =>
          Effect.async<HttpServerResponse.HttpServerResponse>((resume) => {
            const stop = acceptTimed(body, contentType, signature, (response) => resume(Effect.succeed(response)))
            return stop === undefined ? undefined : Effect.sync(stop)
          })
      })
    }

    /**
     * The webhook POST straight from Node's `request` event, without a fiber: what {@link layerServer} uses for
     * deliveries. Answers `false` (and does nothing) for any other request.
     */
    const postNode = (message: Http.IncomingMessage, response: Http.ServerResponse): boolean => {
      if (message.method !== "POST") return false
      const url = message.url ?? ""
      const question = url.indexOf("?")
      if ((question === -1 ? url : url.slice(0, question)) !== path) return false
      const headers = message.headers
      const early = precheck(headers)
      if (early !== undefined) {
        writeNode(response, early)
        return true
      }
      const signature = headers[signatureHeader]
      // A client that goes away mid-body ends the read ("Unreadable"); one that goes away later finds its
      // delivery stored anyway (a duplicate of X's retry at worst) and its answer dropped.
      receiveNode(message, headers["content-type"]!, typeof signature === "string" ? signature : undefined, (answer) =>
        writeNode(response, answer)
      )
      return true
    }

    // --- GET: the CRC challenge

    const crc = (
      request: HttpServerRequest.HttpServerRequest,
      search: string
    ): HttpServerResponse.HttpServerResponse => {
      const query = new URLSearchParams(search)
      if (verifyCrcSignature) {
        const signed = Crc.verifyRequestWith(query, request.headers[signatureHeader], secrets)
        if (Either.isLeft(signed)) {
          return reject("CrcSignatureInvalid", { detail: signed.left.message, key: signed.left.reason })
        }
      }
      const answer = Crc.responseWith(query, secrets, tokenPolicy)
      if (Either.isLeft(answer)) return reject("CrcTokenInvalid", { detail: answer.left.message })
      metrics.crcAnswered()
      return HttpServerResponse.text(JSON.stringify(answer.right), {
        status: 200,
        contentType: "application/json",
        headers: noStore
      })
    }

    // --- health and metrics

    const timedOut = { _tag: "TimedOut" } as const
    const probe = Effect.interruptible(queue.deadLetters.list({ limit: 1 }))
    const health: Effect.Effect<HttpServerResponse.HttpServerResponse> = Effect.suspend(() => {
      if (draining) return Effect.succeed(reject("Draining", {}, false))
      const checked = Number.isFinite(healthTimeout)
        ? Effect.timeoutFail(probe, { duration: Duration.millis(healthTimeout), onTimeout: () => timedOut })
        : probe
      return Effect.matchCause(checked, {
        onSuccess: () => healthy,
        onFailure: (cause) => {
          const failure = Cause.failureOption(cause)
          const detail =
            Option.isSome(failure) && failure.value !== timedOut
              ? `(${(failure.value as QueueUnavailable.QueueUnavailable).reason})`
              : Option.isSome(failure)
                ? `(no answer within ${healthTimeout} ms)`
                : "(Failed)"
          return reject("QueueUnavailable", { detail }, false)
        }
      })
    })

    const metricsResponse = Effect.sync(() =>
      HttpServerResponse.text(metrics.render(), {
        status: 200,
        contentType: ReceiverMetrics.contentType,
        headers: noStore
      })
    )

    // --- routing

    const webhook = (request: HttpServerRequest.HttpServerRequest, search: string) => {
      switch (request.method) {
        case "POST":
          return post(request)
        case "GET":
          return Effect.succeed(crc(request, search))
        default:
          return Effect.succeed(reject("MethodNotAllowed", { detail: "GET, POST" }))
      }
    }

    const readOnly = (
      request: HttpServerRequest.HttpServerRequest,
      answer: Effect.Effect<HttpServerResponse.HttpServerResponse>
    ) =>
      request.method === "GET" || request.method === "HEAD"
        ? answer
        : Effect.succeed(reject("MethodNotAllowed", { detail: "GET, HEAD" }))

    const dispatch = (
      request: HttpServerRequest.HttpServerRequest
    ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
      const [pathname, search] = splitUrl(request.url)
      if (pathname === path) return webhook(request, search)
      if (pathname === healthPath) return readOnly(request, health)
      if (pathname === metricsPath) return readOnly(request, metricsResponse)
      return Effect.succeed(reject("NotFound"))
    }

    const httpApp: HttpApp.Default = Effect.flatMap(HttpServerRequest.HttpServerRequest, dispatch)

    const withRequest = (
      f: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<HttpServerResponse.HttpServerResponse>
    ) => Effect.flatMap(HttpServerRequest.HttpServerRequest, f)
    const routes: Array<HttpRouter.Route<never, never>> = [
      HttpRouter.makeRoute(
        "*",
        path,
        withRequest((request) => webhook(request, splitUrl(request.url)[1]))
      )
    ]
    if (healthPath !== undefined) {
      routes.push(
        HttpRouter.makeRoute(
          "*",
          healthPath,
          withRequest((request) => readOnly(request, health))
        )
      )
    }
    if (metricsPath !== undefined) {
      routes.push(
        HttpRouter.makeRoute(
          "*",
          metricsPath,
          withRequest((request) => readOnly(request, metricsResponse))
        )
      )
    }
    const router = HttpRouter.fromIterable(routes)

    // --- drain

    const drain: Effect.Effect<boolean> = Effect.suspend(() => {
      draining = true
      metrics.setDraining(true)
      if (batcher.inFlight() === 0) return Effect.succeed(true)
      idle ??= Deferred.unsafeMake<void>(FiberId.none)
      const wait = Deferred.await(idle)
      return Number.isFinite(drainTimeout)
        ? Effect.map(Effect.timeoutOption(wait, Duration.millis(drainTimeout)), Option.isSome)
        : Effect.as(wait, true)
    })

    // --- heartbeat

    if (Option.isSome(journal)) {
      const tolerance = 3 * heartbeatInterval
      const beat = Effect.flatMap(Clock.currentTimeMillis, (now) =>
        journal.value.extend("receiver", instanceId, now, tolerance)
      ).pipe(
        Effect.catchAllCause((cause) =>
          Effect.zipRight(
            Effect.sync(() => metrics.heartbeatFailed()),
            Effect.logWarning(
              `The receiver's heartbeat could not be written to the journal; gap recovery may treat this time as a gap and replay it. Check the queue's storage.`,
              cause
            )
          )
        )
      )
      yield* beat
      // The last heartbeat marks the end of this instance's span, once the drain is over.
      yield* Effect.addFinalizer(() => beat)
      yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep(Duration.millis(heartbeatInterval)), beat)))
    }

    const service = Receiver.of({
      httpApp,
      router,
      metrics,
      inFlight: Effect.sync(() => batcher.inFlight()),
      isDraining: Effect.sync(() => draining),
      drain,
      instanceId
    })
    return { service, postNode }
  })

/**
 * Makes a receiver for the `EventQueue` and `WebhookSecrets` in context. The heartbeat (when a `Journal` is in
 * context) runs until the scope closes. Serving is up to the caller ({@link layer} does it); so is calling
 * `drain` before the server closes.
 *
 * Throws a `RangeError` (a defect) on an option that makes no sense.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Service, never, EventQueue.EventQueue | WebhookSecrets.WebhookSecrets | Scope.Scope> =>
  Effect.map(makeInternal(options), (internal) => internal.service)

/** Drains when the scope closes; registered after the routes, so it runs before they are removed. */
const drainOnClose = (receiver: Service, control: ServerControl | undefined) =>
  Effect.addFinalizer(() =>
    Effect.gen(function* () {
      if (control !== undefined) yield* control.stopAccepting
      const drained = yield* receiver.drain
      if (!drained) {
        const left = yield* receiver.inFlight
        yield* Effect.logWarning(
          `The receiver stopped with ${left} append(s) still in flight after the drain timeout; those deliveries were not acknowledged, so X retries them.`
        )
      }
      if (control !== undefined) yield* control.closeConnections(1000)
    })
  )

const withTracing = <A, E, R>(options: Options, effect: Effect.Effect<A, E, R>) =>
  options.tracing === true ? effect : HttpMiddleware.withTracerDisabledWhenEffect(effect, () => true)

/**
 * Serves the receiver on the `HttpServer` in context, for the lifetime of the layer. When the layer's scope
 * closes, the receiver drains first (see {@link Service.drain}).
 *
 * @example
 * ```ts
 * import { WebhookSecrets } from "@account-activity/crc"
 * import { SqliteQueue } from "@account-activity/queue-sqlite"
 * import { Receiver } from "@account-activity/receiver"
 * import { NodeHttpServer } from "@effect/platform-node"
 * import { Config, Layer } from "effect"
 * import { createServer } from "node:http"
 *
 * const ReceiverLive = Receiver.layer({ path: "/webhooks/x" }).pipe(
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 8080 })),
 *   Layer.provide(SqliteQueue.layer({ filename: "/var/lib/aaa/queue.db" })),
 *   Layer.provide(WebhookSecrets.layerConfig(Config.redacted("AAA_CONSUMER_SECRET")))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<Receiver, never, EventQueue.EventQueue | WebhookSecrets.WebhookSecrets | HttpServer.HttpServer> =>
  Layer.scoped(
    Receiver,
    Effect.gen(function* () {
      const receiver = yield* make(options)
      yield* withTracing(options, HttpServer.serveEffect()(receiver.httpApp))
      yield* drainOnClose(receiver, undefined)
      return receiver
    })
  )

const nodeOptions = (options: ServerOptions): Http.ServerOptions => {
  const headersTimeout = millis(options.headersTimeout, "10 seconds", "headersTimeout")
  const requestTimeout = millis(options.requestTimeout, "30 seconds", "requestTimeout")
  const keepAliveTimeout = millis(options.keepAliveTimeout, "65 seconds", "keepAliveTimeout")
  const connectionsCheckingInterval = millis(
    options.connectionsCheckingInterval,
    "1 second",
    "connectionsCheckingInterval"
  )
  for (const [name, value] of Object.entries({
    headersTimeout,
    requestTimeout,
    keepAliveTimeout,
    connectionsCheckingInterval
  })) {
    if (!Number.isFinite(value) || value < 1)
      throw new RangeError(`Receiver: ${name} must be a finite duration of at least 1 ms`)
  }
  if (headersTimeout > requestTimeout) {
    throw new RangeError("Receiver: headersTimeout must not be longer than requestTimeout")
  }
  return {
    headersTimeout: Math.ceil(headersTimeout),
    requestTimeout: Math.ceil(requestTimeout),
    keepAliveTimeout: Math.ceil(keepAliveTimeout),
    connectionsCheckingInterval: Math.ceil(connectionsCheckingInterval)
  }
}

/**
 * The receiver on its own Node HTTP server, listening on `host:port`, with timeouts against slow clients
 * (`headersTimeout`, `requestTimeout`). Provides the `HttpServer` too (its address, e.g. with port 0).
 *
 * When the layer's scope closes: the server stops accepting connections and closes idle ones, requests still
 * arriving on open connections get `503` with `Connection: close`, in-flight appends finish (within
 * `drainTimeout`), then the remaining connections are closed.
 *
 * @example
 * ```ts
 * import { WebhookSecrets } from "@account-activity/crc"
 * import { SqliteQueue } from "@account-activity/queue-sqlite"
 * import { Receiver } from "@account-activity/receiver"
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Config, Layer } from "effect"
 *
 * const ReceiverLive = Receiver.layerServer({ port: 8080, path: "/webhooks/x" }).pipe(
 *   Layer.provide(SqliteQueue.layer({ filename: "/var/lib/aaa/queue.db" })),
 *   Layer.provide(WebhookSecrets.layerConfig(Config.redacted("AAA_CONSUMER_SECRET")))
 * )
 *
 * NodeRuntime.runMain(Layer.launch(ReceiverLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServer = (
  options: ServerOptions = {}
): Layer.Layer<
  Receiver | HttpServer.HttpServer,
  HttpServerError.ServeError,
  EventQueue.EventQueue | WebhookSecrets.WebhookSecrets
> =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      const serverOptions = nodeOptions(options)
      let server: Http.Server | undefined
      let closed: Deferred.Deferred<void> | undefined
      const control: ServerControl = {
        stopAccepting: Effect.sync(() => {
          if (server === undefined || !server.listening) return
          const done = Deferred.unsafeMake<void>(FiberId.none)
          closed = done
          // Stops listening and closes idle keep-alive connections; the callback runs once every connection is gone.
          server.close(() => Deferred.unsafeDone(done, Effect.void))
        }),
        closeConnections: (waitMillis) =>
          Effect.suspend(() => {
            if (server === undefined) return Effect.void
            const current = server
            current.closeIdleConnections()
            if (closed === undefined) return Effect.void
            return Deferred.await(closed).pipe(
              Effect.timeoutOption(Duration.millis(waitMillis)),
              Effect.tap((done) => Effect.sync(() => Option.isNone(done) && current.closeAllConnections()))
            )
          })
      }
      const listen = NodeHttpServer.layerServer(
        () => {
          server = Http.createServer(serverOptions)
          return server
        },
        { port: options.port ?? 8080, host: options.host ?? "0.0.0.0" }
      )
      const serve = Layer.scoped(
        Receiver,
        Effect.gen(function* () {
          const { postNode, service } = yield* makeInternal(options)
          // Deliveries are answered from Node's request event directly; every other request goes to the routes.
          const routes = yield* withTracing(options, NodeHttpServer.makeHandler(service.httpApp))
          const current = server!
          const listener = (message: Http.IncomingMessage, response: Http.ServerResponse) => {
            if (!postNode(message, response)) routes(message, response)
          }
          yield* Effect.acquireRelease(
            Effect.sync(() => current.on("request", listener)),
            () => Effect.sync(() => current.off("request", listener))
          )
          yield* drainOnClose(service, control)
          return service
        })
      )
      return serve.pipe(Layer.provideMerge(listen))
    })
  )

/**
 * {@link layerServer} with its options read from `Config`.
 *
 * @example
 * ```ts
 * import { Receiver } from "@account-activity/receiver"
 * import { Config } from "effect"
 *
 * const ReceiverLive = Receiver.layerConfig({
 *   port: Config.integer("AAA_RECEIVER_PORT").pipe(Config.withDefault(8080)),
 *   path: Config.string("AAA_RECEIVER_PATH").pipe(Config.withDefault("/webhook")),
 *   maxBodyBytes: Config.integer("AAA_RECEIVER_MAX_BODY_BYTES").pipe(Config.withDefault(1024 * 1024))
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<ConfigOptions>
): Layer.Layer<
  Receiver | HttpServer.HttpServer,
  HttpServerError.ServeError | ConfigError.ConfigError,
  EventQueue.EventQueue | WebhookSecrets.WebhookSecrets
> => Layer.unwrapEffect(Effect.map(Config.unwrap(config), layerServer))
