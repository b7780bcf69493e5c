/**
 * Errors of the Account Activity REST API, in both directions.
 *
 * - The wire: the v1.1 envelope `{"errors":[{"code","message","label"?}]}` ({@link ErrorEnvelope}) and the
 *   v2 problem object ({@link Problem}).
 * - The catalog: every documented (code, meaning) with its HTTP status, X's exact message and what to do
 *   ({@link Catalog}, {@link body}); and the v2 problem reasons ({@link ProblemCatalog}, {@link problemBody}).
 *   An emulator answers with these bodies.
 * - The tagged errors a client fails with ({@link ApiError}), built from any error response by
 *   {@link fromResponse}. Each keeps the HTTP `status`, X's `code` and X's text (`apiMessage`), and has a
 *   `message` that says what happened and what to do.
 *
 * @since 0.1.0
 */
import { DateTime, Option, Schema } from "effect"
import { type Text, type TextKey, texts } from "./internal/apiErrorText.js"

const preserveUnknownFields = { parseOptions: { onExcessProperty: "preserve" } } as const

// -----------------------------------------------------------------------------
// Wire: v1.1 envelope
// -----------------------------------------------------------------------------

/**
 * One error of a v1.1 envelope: `{"code": 214, "message": "…"}`, with a `label` on some (code 99 has
 * `"authenticity_token_error"`).
 *
 * @since 0.1.0
 * @category wire
 */
export const ErrorDetail = Schema.Struct({
  code: Schema.Int,
  message: Schema.String,
  label: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "ErrorDetail", ...preserveUnknownFields })

/**
 * @since 0.1.0
 * @category wire
 */
export type ErrorDetail = typeof ErrorDetail.Type

/**
 * The v1.1 error body: `{"errors":[{"code":<int>,"message":"<text>"}]}`. The v2 rate-limit answer (code 88)
 * uses it too.
 *
 * @since 0.1.0
 * @category wire
 */
export const ErrorEnvelope = Schema.Struct({ errors: Schema.NonEmptyArray(ErrorDetail) }).annotations({
  identifier: "ErrorEnvelope",
  ...preserveUnknownFields
})

/**
 * @since 0.1.0
 * @category wire
 */
export type ErrorEnvelope = typeof ErrorEnvelope.Type

// -----------------------------------------------------------------------------
// Wire: v2 problem
// -----------------------------------------------------------------------------

/**
 * One entry of a v2 problem's `errors`: for the webhook and account-activity endpoints
 * `{"message": "<Reason>: <Details>"}`; other v2 endpoints put whole problems (`title`, `detail`, `type`,
 * `parameter`, `value`, …) here. Every field is optional.
 *
 * @since 0.1.0
 * @category wire
 */
export const ProblemError = Schema.Struct({
  message: Schema.optionalWith(Schema.String, { exact: true }),
  code: Schema.optionalWith(Schema.Int, { exact: true }),
  title: Schema.optionalWith(Schema.String, { exact: true }),
  detail: Schema.optionalWith(Schema.String, { exact: true }),
  type: Schema.optionalWith(Schema.String, { exact: true }),
  parameter: Schema.optionalWith(Schema.String, { exact: true }),
  value: Schema.optionalWith(Schema.Unknown, { exact: true }),
  resource_id: Schema.optionalWith(Schema.String, { exact: true }),
  resource_type: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "ProblemError", ...preserveUnknownFields })

/**
 * @since 0.1.0
 * @category wire
 */
export type ProblemError = typeof ProblemError.Type

/**
 * A v2 problem object (`application/problem+json`):
 * `{"errors":[{"message":"<Reason>: <Details>"}],"title":"Invalid Request","detail":"…","type":"https://api.twitter.com/2/problems/invalid-request"}`.
 *
 * @since 0.1.0
 * @category wire
 */
export const Problem = Schema.Struct({
  errors: Schema.optionalWith(Schema.Array(ProblemError), { exact: true }),
  title: Schema.String,
  detail: Schema.optionalWith(Schema.String, { exact: true }),
  type: Schema.String,
  status: Schema.optionalWith(Schema.Int, { exact: true }),
  parameter: Schema.optionalWith(Schema.String, { exact: true }),
  value: Schema.optionalWith(Schema.Unknown, { exact: true }),
  resource_id: Schema.optionalWith(Schema.String, { exact: true }),
  resource_type: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "Problem", ...preserveUnknownFields })

/**
 * @since 0.1.0
 * @category wire
 */
export type Problem = typeof Problem.Type

// -----------------------------------------------------------------------------
// Tagged errors
// -----------------------------------------------------------------------------

const ApiFields = {
  /** The HTTP status X answered with. */
  status: Schema.Int,
  /** X's numeric error code (v1.1 envelope), when there was one. */
  code: Schema.optionalWith(Schema.Int, { exact: true }),
  /** X's own text, unchanged (empty when the body had none). */
  apiMessage: Schema.String,
  /** The v2 problem reason (`CrcValidationFailed`) or, when none is named, the problem `type`. */
  problem: Schema.optionalWith(Schema.String, { exact: true })
}

interface ApiFacts {
  readonly status: number
  readonly code?: number | undefined
  readonly apiMessage: string
  readonly problem?: string | undefined
}

const answered = (facts: ApiFacts): string => {
  let said = `HTTP ${facts.status}`
  if (facts.code !== undefined) said += `, code ${facts.code}`
  if (facts.problem !== undefined) said += `, ${facts.problem}`
  if (facts.apiMessage.length > 0) said += `: ${JSON.stringify(facts.apiMessage)}`
  return said
}

const describe = (facts: ApiFacts, text: Text, hint: string = text.hint): string =>
  `${text.summary}. ${hint} (X answered ${answered(facts)})`

/**
 * The webhook id is unknown, or belongs to another app: v1.1 code 34 with a webhook message, v2
 * `WebhookIdInvalid`.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookNotFound extends Schema.TaggedError<WebhookNotFound>("@account-activity/core/WebhookNotFound")(
  "WebhookNotFound",
  ApiFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts.WebhookNotFound)
  }
}

/**
 * Why a CRC check failed (v1.1 code 214, v2 `CrcValidationFailed` / `UrlValidationFailed`).
 *
 * @since 0.1.0
 * @category errors
 */
export const CrcFailureReason = Schema.Literal(
  "UrlRequirements",
  "InvalidResponse",
  "HighLatency",
  "Non200Response",
  "WebhookInvalid"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type CrcFailureReason = typeof CrcFailureReason.Type

/**
 * X's CRC check of the webhook URL failed (on register, on PUT, before a replay), or the webhook is marked
 * invalid since one did.
 *
 * @since 0.1.0
 * @category errors
 */
export class CrcFailed extends Schema.TaggedError<CrcFailed>("@account-activity/core/CrcFailed")("CrcFailed", {
  reason: CrcFailureReason,
  ...ApiFields
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts[`CrcFailed.${this.reason}`])
  }
}

/**
 * Which limit {@link TooManyResources} hit.
 *
 * @since 0.1.0
 * @category errors
 */
export const LimitedResource = Schema.Literal("webhooks", "subscriptions")

/**
 * @since 0.1.0
 * @category errors
 */
export type LimitedResource = typeof LimitedResource.Type

/**
 * The account is at its webhook limit (v1.1 214 "Too many resources already created.", v2
 * `WebhookLimitExceeded`) or subscription limit (v2 `SubscriptionLimitExceeded`).
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManyResources extends Schema.TaggedError<TooManyResources>("@account-activity/core/TooManyResources")(
  "TooManyResources",
  { resource: LimitedResource, ...ApiFields }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts[`TooManyResources.${this.resource}`])
  }
}

/**
 * A webhook with this URL already exists (v2 `DuplicateUrlFailed`).
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookUrlExists extends Schema.TaggedError<WebhookUrlExists>("@account-activity/core/WebhookUrlExists")(
  "WebhookUrlExists",
  ApiFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts.WebhookUrlExists)
  }
}

/**
 * The app may not manage this user's subscriptions (v1.1 code 348).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotPermitted extends Schema.TaggedError<NotPermitted>("@account-activity/core/NotPermitted")(
  "NotPermitted",
  ApiFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts.NotPermitted)
  }
}

/**
 * The user is already subscribed (v1.1 code 355 "Subscription already exists.", v2
 * `DuplicateSubscriptionFailed`). Usually safe to treat as success.
 *
 * @since 0.1.0
 * @category errors
 */
export class SubscriptionExists extends Schema.TaggedError<SubscriptionExists>(
  "@account-activity/core/SubscriptionExists"
)("SubscriptionExists", ApiFields) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts.SubscriptionExists)
  }
}

/**
 * A replay job is already running for the webhook (v1.1 code 355 "A replay job is already in progress…",
 * v2 `ReplayConflictError`).
 *
 * @since 0.1.0
 * @category errors
 */
export class ReplayInProgress extends Schema.TaggedError<ReplayInProgress>("@account-activity/core/ReplayInProgress")(
  "ReplayInProgress",
  ApiFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts.ReplayInProgress)
  }
}

/**
 * What was wrong with a replay request's dates or parameters: 356 (`FromNotBeforeTo`, `FromTooOld`), 357
 * (`MissingParameter`), 358 (`MalformedParameter`), 360 (`NegativeParameter`), 368 (`NotInPast`); v2
 * `QueryParamInvalid` does not say which (`Invalid`).
 *
 * @since 0.1.0
 * @category errors
 */
export const ReplayDatesReason = Schema.Literal(
  "FromNotBeforeTo",
  "FromTooOld",
  "MissingParameter",
  "MalformedParameter",
  "NegativeParameter",
  "NotInPast",
  "Invalid"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type ReplayDatesReason = typeof ReplayDatesReason.Type

/**
 * X rejected a replay request's parameters (codes 356, 357, 358, 360, 368; v2 `QueryParamInvalid`).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidReplayDates extends Schema.TaggedError<InvalidReplayDates>(
  "@account-activity/core/InvalidReplayDates"
)("InvalidReplayDates", { reason: ReplayDatesReason, ...ApiFields }) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts[`InvalidReplayDates.${this.reason}`])
  }
}

/**
 * Why X refused the credentials: `CouldNotAuthenticate` (32), `WrongAuthMethod` (32 on replay: user context
 * where app-only is required), `InvalidToken` (89), `ClockSkew` (135), `BadAuthData` (215),
 * `CredentialsNotAllowed` (220), `CannotWrite` (261), `CredentialsUnverified` (99 on `oauth2/token`),
 * `ClientNotPermitted` (61), `Forbidden` (200, 99 "You don’t have access to this resource.", v2
 * not-authorized / client-forbidden).
 *
 * @since 0.1.0
 * @category errors
 */
export const UnauthorizedReason = Schema.Literal(
  "CouldNotAuthenticate",
  "WrongAuthMethod",
  "InvalidToken",
  "ClockSkew",
  "BadAuthData",
  "CredentialsNotAllowed",
  "CannotWrite",
  "CredentialsUnverified",
  "ClientNotPermitted",
  "Forbidden"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type UnauthorizedReason = typeof UnauthorizedReason.Type

/**
 * X refused the credentials or the app's access (HTTP 400, 401 or 403 with an auth code).
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@account-activity/core/Unauthorized")(
  "Unauthorized",
  { reason: UnauthorizedReason, ...ApiFields }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts[`Unauthorized.${this.reason}`])
  }
}

/**
 * `RateLimit`: the endpoint's 15-minute window is exhausted (code 88, HTTP 429 or 420). `UsageCapped`: the
 * app's v2 usage cap is reached.
 *
 * @since 0.1.0
 * @category errors
 */
export const RateLimitReason = Schema.Literal("RateLimit", "UsageCapped")

/**
 * @since 0.1.0
 * @category errors
 */
export type RateLimitReason = typeof RateLimitReason.Type

/**
 * Too many requests. `resetAt` comes from the `x-rate-limit-reset` header (epoch seconds) when X sent it;
 * `limit` and `remaining` from `x-rate-limit-limit` and `x-rate-limit-remaining`.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>("@account-activity/core/RateLimited")("RateLimited", {
  reason: RateLimitReason,
  resetAt: Schema.optionalWith(Schema.DateTimeUtcFromSelf, { exact: true }),
  limit: Schema.optionalWith(Schema.NonNegativeInt, { exact: true }),
  remaining: Schema.optionalWith(Schema.NonNegativeInt, { exact: true }),
  ...ApiFields
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const text = texts[`RateLimited.${this.reason}`]
    return this.resetAt === undefined || this.reason === "UsageCapped"
      ? describe(this, text)
      : describe(this, text, `Wait until ${DateTime.formatIso(this.resetAt)}, when the window resets, and retry.`)
  }
}

/**
 * X failed: code 0 (500), code 67 (503), or any 5xx status.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>("@account-activity/core/ServerError")(
  "ServerError",
  ApiFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts.ServerError)
  }
}

/**
 * A plain 404: "Sorry, that page does not exist." (code 34), e.g. removing the subscription of a user who is
 * not subscribed; v2 `SubscriptionNotFound` and `resource-not-found`.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>("@account-activity/core/NotFound")("NotFound", ApiFields) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts.NotFound)
  }
}

/**
 * Any other error response: keeps the status, the code and X's text.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownApiError extends Schema.TaggedError<UnknownApiError>("@account-activity/core/UnknownApiError")(
  "UnknownApiError",
  ApiFields
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describe(this, texts.UnknownApiError)
  }
}

/**
 * Every error the Account Activity REST API can answer with, as a schema (the union of the tagged errors).
 *
 * @since 0.1.0
 * @category errors
 */
export const ApiError = Schema.Union(
  WebhookNotFound,
  CrcFailed,
  TooManyResources,
  WebhookUrlExists,
  NotPermitted,
  SubscriptionExists,
  ReplayInProgress,
  InvalidReplayDates,
  Unauthorized,
  RateLimited,
  ServerError,
  NotFound,
  UnknownApiError
)

/**
 * @since 0.1.0
 * @category errors
 */
export type ApiError =
  | WebhookNotFound
  | CrcFailed
  | TooManyResources
  | WebhookUrlExists
  | NotPermitted
  | SubscriptionExists
  | ReplayInProgress
  | InvalidReplayDates
  | Unauthorized
  | RateLimited
  | ServerError
  | NotFound
  | UnknownApiError

/**
 * @since 0.1.0
 * @category guards
 */
export const isApiError: (u: unknown) => u is ApiError = Schema.is(ApiError)

// -----------------------------------------------------------------------------
// Catalog (v1.1)
// -----------------------------------------------------------------------------

/**
 * Which tagged error (and reason) an error body becomes in {@link fromResponse}.
 *
 * @since 0.1.0
 * @category catalog
 */
export interface ErrorKind {
  readonly _tag: ApiError["_tag"]
  readonly reason?: string
}

/**
 * One documented v1.1 error: the `code`, the HTTP `status` X answers with, X's exact `message` (and `label`),
 * what it means, what to do (`hint`), and the tagged error it becomes.
 *
 * @since 0.1.0
 * @category catalog
 */
export interface CatalogEntry {
  readonly name: string
  readonly code: number
  readonly status: number
  readonly message: string
  readonly label?: string
  readonly meaning: string
  readonly hint: string
  readonly error: ErrorKind
  /** Where X's documentation disagrees with itself about this entry, and what was chosen. */
  readonly conflict?: string
}

const hint = (key: TextKey): string => texts[key].hint

/**
 * The v1.1 error codes of the Account Activity API, one entry per documented (code, meaning), by a stable
 * name. Messages are X's, character for character (note the typographic apostrophe of 99's
 * "You don’t have access to this resource."). The replay messages of 357, 360 and 368 are X's documented
 * templates: an emulator may pass the concrete text to {@link body}.
 *
 * @since 0.1.0
 * @category catalog
 */
export const Catalog = {
  InternalError: {
    name: "InternalError",
    code: 0,
    status: 500,
    message: "Internal server error.",
    meaning: "Internal server error (replay).",
    hint: hint("ServerError"),
    error: { _tag: "ServerError" }
  },
  CouldNotAuthenticate: {
    name: "CouldNotAuthenticate",
    code: 32,
    status: 401,
    message: "Could not authenticate you.",
    meaning:
      "Authentication failed: bad OAuth signature or tokens, a malformed request or URL, or the wrong auth kind " +
      "on subscriptions count and list.",
    hint: hint("Unauthorized.CouldNotAuthenticate"),
    error: { _tag: "Unauthorized", reason: "CouldNotAuthenticate" }
  },
  WrongAuthMethod: {
    name: "WrongAuthMethod",
    code: 32,
    status: 401,
    message: "Invalid authentication method. Please use application-only authentication.",
    meaning: "A replay request authenticated with user context (3-legged OAuth) instead of app-only.",
    hint: hint("Unauthorized.WrongAuthMethod"),
    error: { _tag: "Unauthorized", reason: "WrongAuthMethod" }
  },
  PageNotFound: {
    name: "PageNotFound",
    code: 34,
    status: 404,
    message: "Sorry, that page does not exist.",
    meaning: "Nothing at this path; when unsubscribing a user id, the user is not subscribed.",
    hint: hint("NotFound"),
    error: { _tag: "NotFound" }
  },
  WebhookNotFound: {
    name: "WebhookNotFound",
    code: 34,
    status: 404,
    message: "Webhook does not exist or is associated with a different X application.",
    meaning: "Unknown webhook_id, or a webhook of another application.",
    hint: hint("WebhookNotFound"),
    error: { _tag: "WebhookNotFound" },
    conflict:
      'Older documentation says "…a different Twitter application." (and "twitter application"); the current ' +
      "text is used, and both are recognised."
  },
  ClientNotPermitted: {
    name: "ClientNotPermitted",
    code: 61,
    status: 401,
    message: "Client is not permitted to request this method.",
    meaning: "The client application may not call this method (replay).",
    hint: hint("Unauthorized.ClientNotPermitted"),
    error: { _tag: "Unauthorized", reason: "ClientNotPermitted" }
  },
  ServiceUnavailable: {
    name: "ServiceUnavailable",
    code: 67,
    status: 503,
    message: "X server error. Retry using an exponential backoff pattern.",
    meaning: "One or more services X depends on are unavailable (replay).",
    hint: hint("ServerError"),
    error: { _tag: "ServerError" },
    conflict: 'Older text: "Twitter server error. …"; the current text is used.'
  },
  RateLimitExceeded: {
    name: "RateLimitExceeded",
    code: 88,
    status: 429,
    message: "Rate limit exceeded",
    meaning: "The endpoint's rate-limit window is exhausted (any endpoint, v1.1 and v2).",
    hint: hint("RateLimited.RateLimit"),
    error: { _tag: "RateLimited", reason: "RateLimit" },
    conflict:
      'X\'s 429 body example reads "Rate limit exceeded" (used here), its code table "Rate limit exceeded.", ' +
      "and the replay table has its own text (ReplayRateLimitExceeded)."
  },
  ReplayRateLimitExceeded: {
    name: "ReplayRateLimitExceeded",
    code: 88,
    status: 429,
    message: "Too many requests. Please back off your API request rate.",
    meaning: "More than 5 replay requests in 15 minutes.",
    hint: hint("RateLimited.RateLimit"),
    error: { _tag: "RateLimited", reason: "RateLimit" },
    conflict: 'The replay table\'s text for code 88; elsewhere X writes "Rate limit exceeded".'
  },
  InvalidOrExpiredToken: {
    name: "InvalidOrExpiredToken",
    code: 89,
    status: 401,
    message: "Invalid or expired token",
    meaning: "The Bearer token is invalid or was invalidated.",
    hint: hint("Unauthorized.InvalidToken"),
    error: { _tag: "Unauthorized", reason: "InvalidToken" },
    conflict:
      "The Bearer token guide answers 401 (used here), X's code table 403; both map to the same error. The guide's " +
      'body has no final period, the table\'s text has one ("Invalid or expired token.").'
  },
  CredentialsUnverified: {
    name: "CredentialsUnverified",
    code: 99,
    status: 403,
    message: "Unable to verify your credentials",
    label: "authenticity_token_error",
    meaning: "POST oauth2/token or oauth2/invalidate_token with bad credentials, a bad token, or too many requests.",
    hint: hint("Unauthorized.CredentialsUnverified"),
    error: { _tag: "Unauthorized", reason: "CredentialsUnverified" }
  },
  NoAccessToResource: {
    name: "NoAccessToResource",
    code: 99,
    status: 403,
    message: "You don’t have access to this resource.",
    meaning: "GET webhooks without access to the Account Activity API.",
    hint: hint("Unauthorized.Forbidden"),
    error: { _tag: "Unauthorized", reason: "Forbidden" },
    conflict: "X documents no HTTP status for this text; 403, the status of code 99, is used."
  },
  TimestampOutOfBounds: {
    name: "TimestampOutOfBounds",
    code: 135,
    status: 401,
    message: "Could not authenticate you.",
    meaning: "The OAuth 1.0a timestamp is out of bounds, usually a drifting system clock.",
    hint: hint("Unauthorized.ClockSkew"),
    error: { _tag: "Unauthorized", reason: "ClockSkew" }
  },
  Forbidden: {
    name: "Forbidden",
    code: 200,
    status: 403,
    message: "Forbidden",
    meaning: "No Account Activity API access, or a wrong URI.",
    hint: hint("Unauthorized.Forbidden"),
    error: { _tag: "Unauthorized", reason: "Forbidden" }
  },
  ReplayNotEnabled: {
    name: "ReplayNotEnabled",
    code: 200,
    status: 403,
    message:
      "Account Activity API enterprise account with replay is required. Please confirm you have an enterprise " +
      "account and replay is enabled.",
    meaning: "The client has no enterprise account with Replay enabled.",
    hint: hint("Unauthorized.Forbidden"),
    error: { _tag: "Unauthorized", reason: "Forbidden" }
  },
  CrcUrlRequirements: {
    name: "CrcUrlRequirements",
    code: 214,
    status: 403,
    message: "Webhook URL does not meet the requirements.",
    meaning: "The webhook URL is not acceptable (register, PUT).",
    hint: hint("CrcFailed.UrlRequirements"),
    error: { _tag: "CrcFailed", reason: "UrlRequirements" },
    conflict: "X documents 403 for registration and no status for PUT; 403 is used for both."
  },
  CrcInvalidResponse: {
    name: "CrcInvalidResponse",
    code: 214,
    status: 403,
    message: "Webhook URL does not meet the requirements. Invalid CRC token or json response format.",
    meaning: "The CRC answer had a wrong response_token or was not the expected JSON (register, PUT).",
    hint: hint("CrcFailed.InvalidResponse"),
    error: { _tag: "CrcFailed", reason: "InvalidResponse" }
  },
  CrcHighLatency: {
    name: "CrcHighLatency",
    code: 214,
    status: 403,
    message: "High latency on CRC GET request. Your webhook should respond in less than 3 seconds.",
    meaning: "The CRC answer took 3 seconds or more (register, PUT).",
    hint: hint("CrcFailed.HighLatency"),
    error: { _tag: "CrcFailed", reason: "HighLatency" }
  },
  CrcNon200Response: {
    name: "CrcNon200Response",
    code: 214,
    status: 403,
    message: "Non-200 response code during CRC GET request (i.e. 404, 500, etc).",
    meaning: "The CRC GET answered a status other than 200 (register, PUT).",
    hint: hint("CrcFailed.Non200Response"),
    error: { _tag: "CrcFailed", reason: "Non200Response" }
  },
  TooManyResources: {
    name: "TooManyResources",
    code: 214,
    status: 403,
    message: "Too many resources already created.",
    meaning: "The account's webhook limit is reached (register).",
    hint: hint("TooManyResources.webhooks"),
    error: { _tag: "TooManyResources", reason: "webhooks" }
  },
  WebhookInvalid: {
    name: "WebhookInvalid",
    code: 214,
    status: 400,
    message: "Webhook is marked invalid and requires a CRC check.",
    meaning: "Replay requested for a webhook marked invalid.",
    hint: hint("CrcFailed.WebhookInvalid"),
    error: { _tag: "CrcFailed", reason: "WebhookInvalid" }
  },
  BadAuthenticationData: {
    name: "BadAuthenticationData",
    code: 215,
    status: 400,
    message: "Bad authentication data.",
    meaning: "The request had no or malformed authentication data.",
    hint: hint("Unauthorized.BadAuthData"),
    error: { _tag: "Unauthorized", reason: "BadAuthData" }
  },
  CredentialsNotAllowed: {
    name: "CredentialsNotAllowed",
    code: 220,
    status: 403,
    message: "Your credentials do not allow access to this resource",
    meaning: "A Bearer token on a user-context endpoint.",
    hint: hint("Unauthorized.CredentialsNotAllowed"),
    error: { _tag: "Unauthorized", reason: "CredentialsNotAllowed" },
    conflict: "The Bearer token guide's body has no final period (used here); X's code table has one."
  },
  CannotWrite: {
    name: "CannotWrite",
    code: 261,
    status: 403,
    message: "Your App cannot perform write actions.",
    meaning: "The app lacks write permission, or app-only auth was used to register a webhook.",
    hint: hint("Unauthorized.CannotWrite"),
    error: { _tag: "Unauthorized", reason: "CannotWrite" }
  },
  SubscriptionNotPermitted: {
    name: "SubscriptionNotPermitted",
    code: 348,
    status: 403,
    message: "Client application is not permitted to access this user's webhook subscriptions.",
    meaning: "Adding a subscription for a user this application may not subscribe.",
    hint: hint("NotPermitted"),
    error: { _tag: "NotPermitted" },
    conflict: "X documents no HTTP status for 348; 403 is used."
  },
  SubscriptionExists: {
    name: "SubscriptionExists",
    code: 355,
    status: 409,
    message: "Subscription already exists.",
    meaning: "Adding a subscription that already exists.",
    hint: hint("SubscriptionExists"),
    error: { _tag: "SubscriptionExists" },
    conflict: "Code 355 also means ReplayInProgress; fromResponse tells them apart by the message."
  },
  ReplayInProgress: {
    name: "ReplayInProgress",
    code: 355,
    status: 409,
    message: "A replay job is already in progress for this webhook.",
    meaning: "A replay job for this webhook has not finished yet.",
    hint: hint("ReplayInProgress"),
    error: { _tag: "ReplayInProgress" },
    conflict: "Code 355 also means SubscriptionExists; fromResponse tells them apart by the message."
  },
  ReplayFromNotBeforeTo: {
    name: "ReplayFromNotBeforeTo",
    code: 356,
    status: 400,
    message: "from_date must be before to_date.",
    meaning: "from_date is not before to_date.",
    hint: hint("InvalidReplayDates.FromNotBeforeTo"),
    error: { _tag: "InvalidReplayDates", reason: "FromNotBeforeTo" }
  },
  ReplayFromTooOld: {
    name: "ReplayFromTooOld",
    code: 356,
    status: 400,
    message: "from_date must be within the past 5 days.",
    meaning: "from_date is more than 5 days ago.",
    hint: hint("InvalidReplayDates.FromTooOld"),
    error: { _tag: "InvalidReplayDates", reason: "FromTooOld" }
  },
  ReplayParamMissing: {
    name: "ReplayParamMissing",
    code: 357,
    status: 400,
    message: ": queryParam is required.",
    meaning: "A query parameter is missing.",
    hint: hint("InvalidReplayDates.MissingParameter"),
    error: { _tag: "InvalidReplayDates", reason: "MissingParameter" }
  },
  ReplayParamMalformed: {
    name: "ReplayParamMalformed",
    code: 358,
    status: 400,
    message: "Unable to parse parameter.",
    meaning: "A route or query parameter is malformed.",
    hint: hint("InvalidReplayDates.MalformedParameter"),
    error: { _tag: "InvalidReplayDates", reason: "MalformedParameter" }
  },
  ReplayParamNegative: {
    name: "ReplayParamNegative",
    code: 360,
    status: 400,
    message: "webhook_id: [] is not greater than or equal to 0.",
    meaning: "A route parameter is negative.",
    hint: hint("InvalidReplayDates.NegativeParameter"),
    error: { _tag: "InvalidReplayDates", reason: "NegativeParameter" }
  },
  ReplayDateNotInPast: {
    name: "ReplayDateNotInPast",
    code: 368,
    status: 400,
    message: ": [<field_value>] is not in the past.",
    meaning: "from_date or to_date is not in the past.",
    hint: hint("InvalidReplayDates.NotInPast"),
    error: { _tag: "InvalidReplayDates", reason: "NotInPast" }
  }
} as const satisfies Record<string, CatalogEntry>

/**
 * The stable name of a catalog entry, e.g. `"WebhookNotFound"`.
 *
 * @since 0.1.0
 * @category catalog
 */
export type CatalogName = keyof typeof Catalog

/**
 * Every catalog entry, in code order.
 *
 * @since 0.1.0
 * @category catalog
 */
export const catalog: ReadonlyArray<CatalogEntry> = Object.values(Catalog)

/**
 * The exact v1.1 error body of a catalog entry: `{"errors":[{"code":…,"message":"…"}]}` (with `label` when
 * the entry has one). Pass `message` to send a concrete text instead of a documented template (357, 360,
 * 368).
 *
 * @since 0.1.0
 * @category catalog
 */
export const body = (entry: Pick<CatalogEntry, "code" | "message" | "label">, message?: string): ErrorEnvelope => ({
  errors: [
    entry.label === undefined
      ? { code: entry.code, message: message ?? entry.message }
      : { code: entry.code, message: message ?? entry.message, label: entry.label }
  ]
})

/**
 * The catalog entries of a code (355 has two, 214 six).
 *
 * @since 0.1.0
 * @category catalog
 */
export const byCode = (code: number): ReadonlyArray<CatalogEntry> => catalog.filter((entry) => entry.code === code)

const normalize = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\btwitter\b/g, "x")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/\.$/, "")

/**
 * The catalog entry of a code and message. The message is compared without regard to case, spacing, a final
 * period, the apostrophe's shape, or "Twitter" for "X". A code with a single entry finds it whatever the
 * message; a code with several (32, 34, 88, 99, 200, 214, 355, 356) needs one of their texts.
 *
 * @since 0.1.0
 * @category catalog
 */
export const findEntry = (code: number, message: string): Option.Option<CatalogEntry> => {
  const wanted = normalize(message)
  return Option.fromNullable(
    catalog.find((entry) => entry.code === code && normalize(entry.message) === wanted) ??
      (byCode(code).length === 1 ? byCode(code)[0] : undefined)
  )
}

// -----------------------------------------------------------------------------
// Catalog (v2 problems)
// -----------------------------------------------------------------------------

/**
 * A v2 failure reason as X names it in `errors[].message` (`"<Reason>: <Details>"`).
 *
 * @since 0.1.0
 * @category catalog
 */
export type ProblemReason =
  | "CrcValidationFailed"
  | "UrlValidationFailed"
  | "DuplicateUrlFailed"
  | "WebhookLimitExceeded"
  | "WebhookIdInvalid"
  | "DuplicateSubscriptionFailed"
  | "SubscriptionLimitExceeded"
  | "SubscriptionNotFound"
  | "QueryParamInvalid"
  | "ReplayConflictError"

/**
 * One v2 problem: the reason, the HTTP status, the problem `type`, `title` and `detail`, example details,
 * what to do, and the tagged error it becomes.
 *
 * @since 0.1.0
 * @category catalog
 */
export interface ProblemEntry {
  readonly name: ProblemReason
  readonly status: number
  readonly type: string
  readonly title: string
  readonly detail: string
  readonly details: string
  readonly hint: string
  readonly error: ErrorKind
}

const invalidRequest = {
  status: 400,
  type: "https://api.twitter.com/2/problems/invalid-request",
  title: "Invalid Request",
  detail: "One or more parameters to your request was invalid."
} as const

/**
 * The v2 failure reasons of `/2/webhooks` and `/2/account_activity`. X documents one body shape, a 400
 * `invalid-request` problem with `"<Reason>: <Details>"` in `errors[].message`; every reason uses it (X
 * documents no status for the replay reasons). The `details` texts are examples, not X's wording, except
 * `ReplayConflictError`'s.
 *
 * @since 0.1.0
 * @category catalog
 */
export const ProblemCatalog = {
  CrcValidationFailed: {
    name: "CrcValidationFailed",
    ...invalidRequest,
    details: "The webhook did not respond correctly to the CRC check.",
    hint: hint("CrcFailed.InvalidResponse"),
    error: { _tag: "CrcFailed", reason: "InvalidResponse" }
  },
  UrlValidationFailed: {
    name: "UrlValidationFailed",
    ...invalidRequest,
    details: "The webhook URL does not meet the requirements.",
    hint: hint("CrcFailed.UrlRequirements"),
    error: { _tag: "CrcFailed", reason: "UrlRequirements" }
  },
  DuplicateUrlFailed: {
    name: "DuplicateUrlFailed",
    ...invalidRequest,
    details: "A webhook with this URL already exists.",
    hint: hint("WebhookUrlExists"),
    error: { _tag: "WebhookUrlExists" }
  },
  WebhookLimitExceeded: {
    name: "WebhookLimitExceeded",
    ...invalidRequest,
    details: "The maximum number of webhooks has been reached.",
    hint: hint("TooManyResources.webhooks"),
    error: { _tag: "TooManyResources", reason: "webhooks" }
  },
  WebhookIdInvalid: {
    name: "WebhookIdInvalid",
    ...invalidRequest,
    details: "The webhook id does not exist or belongs to another application.",
    hint: hint("WebhookNotFound"),
    error: { _tag: "WebhookNotFound" }
  },
  DuplicateSubscriptionFailed: {
    name: "DuplicateSubscriptionFailed",
    ...invalidRequest,
    details: "The user is already subscribed to this webhook.",
    hint: hint("SubscriptionExists"),
    error: { _tag: "SubscriptionExists" }
  },
  SubscriptionLimitExceeded: {
    name: "SubscriptionLimitExceeded",
    ...invalidRequest,
    details: "The maximum number of subscriptions has been reached.",
    hint: hint("TooManyResources.subscriptions"),
    error: { _tag: "TooManyResources", reason: "subscriptions" }
  },
  SubscriptionNotFound: {
    name: "SubscriptionNotFound",
    ...invalidRequest,
    details: "The user is not subscribed to this webhook.",
    hint: hint("NotFound"),
    error: { _tag: "NotFound" }
  },
  QueryParamInvalid: {
    name: "QueryParamInvalid",
    ...invalidRequest,
    details: "from_date must be before to_date.",
    hint: hint("InvalidReplayDates.Invalid"),
    error: { _tag: "InvalidReplayDates", reason: "Invalid" }
  },
  ReplayConflictError: {
    name: "ReplayConflictError",
    ...invalidRequest,
    details: "A replay job is already in progress for the specified webhook",
    hint: hint("ReplayInProgress"),
    error: { _tag: "ReplayInProgress" }
  }
} as const satisfies { readonly [K in ProblemReason]: ProblemEntry & { readonly name: K } }

/**
 * Every v2 problem entry.
 *
 * @since 0.1.0
 * @category catalog
 */
export const problemCatalog: ReadonlyArray<ProblemEntry> = Object.values(ProblemCatalog)

/**
 * The v2 problem body of an entry:
 * `{"errors":[{"message":"<Reason>: <details>"}],"title":…,"detail":…,"type":…}`.
 *
 * @since 0.1.0
 * @category catalog
 */
export const problemBody = (entry: ProblemEntry, details: string = entry.details): Problem => ({
  errors: [{ message: `${entry.name}: ${details}` }],
  title: entry.title,
  detail: entry.detail,
  type: entry.type
})

// -----------------------------------------------------------------------------
// fromResponse
// -----------------------------------------------------------------------------

/**
 * An HTTP error response: the status, the body (parsed JSON, or the raw text or bytes), and the headers
 * (any case).
 *
 * @since 0.1.0
 * @category mapping
 */
export interface ResponseLike {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string | ReadonlyArray<string> | undefined>> | undefined
}

const header = (headers: ResponseLike["headers"], name: string): string | undefined => {
  if (headers === undefined) return undefined
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) {
      const value = headers[key]
      return typeof value === "string" ? value : value?.[0]
    }
  }
  return undefined
}

const headerInt = (headers: ResponseLike["headers"], name: string): number | undefined => {
  const value = header(headers, name)?.trim()
  return value !== undefined && /^[0-9]{1,15}$/.test(value) ? Number(value) : undefined
}

const readBody = (body: unknown): { readonly json: unknown; readonly text: string } => {
  const text = body instanceof Uint8Array ? new TextDecoder().decode(body) : body
  if (typeof text !== "string") return { json: text, text: "" }
  const trimmed = text.trim()
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return { json: JSON.parse(trimmed), text }
    } catch {
      // not JSON after all: keep the text
    }
  }
  return { json: undefined, text }
}

const snippet = (text: string): string => {
  const plain = text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain
}

interface Facts {
  readonly status: number
  readonly code?: number
  readonly apiMessage: string
  readonly problem?: string
}

const facts = (status: number, apiMessage: string, code?: number, problem?: string): Facts => ({
  status,
  apiMessage,
  ...(code === undefined ? {} : { code }),
  ...(problem === undefined ? {} : { problem })
})

const rateLimited = (base: Facts, reason: RateLimitReason, headers: ResponseLike["headers"]): RateLimited => {
  const reset = headerInt(headers, "x-rate-limit-reset")
  const limit = headerInt(headers, "x-rate-limit-limit")
  const remaining = headerInt(headers, "x-rate-limit-remaining")
  return new RateLimited({
    ...base,
    reason,
    ...(reset === undefined ? {} : { resetAt: DateTime.unsafeMake(reset * 1000) }),
    ...(limit === undefined ? {} : { limit }),
    ...(remaining === undefined ? {} : { remaining })
  })
}

/** What the status alone says, when the body names nothing this version knows. */
const fromStatus = (base: Facts, headers: ResponseLike["headers"]): ApiError => {
  const status = base.status
  if (status === 429 || status === 420) return rateLimited(base, "RateLimit", headers)
  if (status >= 500) return new ServerError(base)
  if (base.code !== undefined) return new UnknownApiError(base)
  if (status === 404) return new NotFound(base)
  if (status === 401) return new Unauthorized({ ...base, reason: "CouldNotAuthenticate" })
  if (status === 403) return new Unauthorized({ ...base, reason: "Forbidden" })
  return new UnknownApiError(base)
}

const unauthorized = (base: Facts, reason: UnauthorizedReason) => new Unauthorized({ ...base, reason })
const crcFailed = (base: Facts, reason: CrcFailureReason) => new CrcFailed({ ...base, reason })
const replayDates = (base: Facts, reason: ReplayDatesReason) => new InvalidReplayDates({ ...base, reason })

const fromCode = (base: Facts & { readonly code: number }, headers: ResponseLike["headers"]): ApiError => {
  const text = normalize(base.apiMessage)
  switch (base.code) {
    case 0:
    case 67:
      return new ServerError(base)
    case 32:
      return unauthorized(
        base,
        text.includes("application-only") || text.includes("invalid authentication method")
          ? "WrongAuthMethod"
          : "CouldNotAuthenticate"
      )
    case 34:
      return text.includes("webhook") ? new WebhookNotFound(base) : new NotFound(base)
    case 61:
      return unauthorized(base, "ClientNotPermitted")
    case 88:
      return rateLimited(base, "RateLimit", headers)
    case 89:
      return unauthorized(base, "InvalidToken")
    case 99:
      return unauthorized(base, text.includes("have access") ? "Forbidden" : "CredentialsUnverified")
    case 135:
      return unauthorized(base, "ClockSkew")
    case 200:
      return unauthorized(base, "Forbidden")
    case 214:
      if (text.includes("too many resources")) return new TooManyResources({ ...base, resource: "webhooks" })
      if (text.includes("invalid crc token") || text.includes("json response format"))
        return crcFailed(base, "InvalidResponse")
      if (text.includes("latency")) return crcFailed(base, "HighLatency")
      if (text.includes("non-200")) return crcFailed(base, "Non200Response")
      if (text.includes("marked invalid") || text.includes("requires a crc")) return crcFailed(base, "WebhookInvalid")
      if (text.includes("does not meet the requirements")) return crcFailed(base, "UrlRequirements")
      return fromStatus(base, headers)
    case 215:
      return unauthorized(base, "BadAuthData")
    case 220:
      return unauthorized(base, "CredentialsNotAllowed")
    case 261:
      return unauthorized(base, "CannotWrite")
    case 348:
      return new NotPermitted(base)
    case 355:
      if (text.includes("replay")) return new ReplayInProgress(base)
      if (text.includes("subscription")) return new SubscriptionExists(base)
      return fromStatus(base, headers)
    case 356:
      return replayDates(
        base,
        text.includes("before to_date") ? "FromNotBeforeTo" : text.includes("past 5 days") ? "FromTooOld" : "Invalid"
      )
    case 357:
      return replayDates(base, "MissingParameter")
    case 358:
      return replayDates(base, "MalformedParameter")
    case 360:
      return replayDates(base, "NegativeParameter")
    case 368:
      return replayDates(base, "NotInPast")
    default:
      return fromStatus(base, headers)
  }
}

const problemReasons = Object.keys(ProblemCatalog) as ReadonlyArray<ProblemReason>

const fromProblem = (status: number, problem: Problem, headers: ResponseLike["headers"]): ApiError => {
  const messages = (problem.errors ?? []).flatMap((error) => [error.message, error.title, error.detail])
  const said = [...messages, problem.title, problem.detail].filter((text): text is string => text !== undefined)
  const reason = problemReasons.find((name) => said.some((text) => new RegExp(`\\b${name}\\b`).test(text)))
  const apiMessage = said[0] ?? ""
  const typeName = problem.type.replace(/\/+$/, "").split("/").pop() ?? problem.type
  if (reason !== undefined) {
    const base = facts(status, apiMessage, undefined, reason)
    const text = said.join(" ").toLowerCase()
    switch (reason) {
      case "CrcValidationFailed":
        return crcFailed(
          base,
          text.includes("latency") || text.includes("timed out") || text.includes("timeout")
            ? "HighLatency"
            : text.includes("non-200") || text.includes("status code")
              ? "Non200Response"
              : "InvalidResponse"
        )
      case "UrlValidationFailed":
        return crcFailed(base, "UrlRequirements")
      case "DuplicateUrlFailed":
        return new WebhookUrlExists(base)
      case "WebhookLimitExceeded":
        return new TooManyResources({ ...base, resource: "webhooks" })
      case "SubscriptionLimitExceeded":
        return new TooManyResources({ ...base, resource: "subscriptions" })
      case "WebhookIdInvalid":
        return new WebhookNotFound(base)
      case "DuplicateSubscriptionFailed":
        return new SubscriptionExists(base)
      case "SubscriptionNotFound":
        return new NotFound(base)
      case "QueryParamInvalid":
        return replayDates(base, "Invalid")
      case "ReplayConflictError":
        return new ReplayInProgress(base)
    }
  }
  const base = facts(status, apiMessage, undefined, problem.type === "about:blank" ? undefined : problem.type)
  switch (typeName) {
    case "usage-capped":
      return rateLimited(base, "UsageCapped", headers)
    case "rate-limit-exceeded":
      return rateLimited(base, "RateLimit", headers)
    case "resource-not-found":
      return new NotFound(base)
    case "not-authorized-for-resource":
    case "client-forbidden":
      return unauthorized(base, "Forbidden")
    case "unsupported-authentication":
      return unauthorized(base, "WrongAuthMethod")
    default:
      return fromStatus(base, headers)
  }
}

const decodeEnvelope = Schema.decodeUnknownOption(ErrorEnvelope)
const decodeProblem = Schema.decodeUnknownOption(Problem)

/**
 * Maps any error response of the Account Activity API (v1.1 or v2) to its tagged error. Pure.
 *
 * - A v2 problem maps by the reason it names (`CrcValidationFailed`, `WebhookIdInvalid`, …), else by its
 *   `type` (`usage-capped`, `rate-limit-exceeded`, `resource-not-found`, …), else by status.
 * - A v1.1 envelope maps by the first error's code; code 214 is told apart by its message (which CRC
 *   failure, or `TooManyResources`), and code 355 too (`SubscriptionExists` or `ReplayInProgress`).
 * - An unknown code keeps code and message in an `UnknownApiError`, unless the status is 429 (rate limit)
 *   or 5xx (server error). A body that is not JSON maps by status, with its text (tags stripped) as the
 *   message.
 * - A rate limit reads `x-rate-limit-reset` (epoch seconds) into `resetAt`.
 *
 * @since 0.1.0
 * @category mapping
 */
export const fromResponse = (response: ResponseLike): ApiError => {
  const { status, headers } = response
  const { json, text } = readBody(response.body)
  const problem = decodeProblem(json)
  if (Option.isSome(problem)) return fromProblem(status, problem.value, headers)
  const envelope = decodeEnvelope(json)
  if (Option.isSome(envelope)) {
    const [first] = envelope.value.errors
    return fromCode({ status, code: first.code, apiMessage: first.message }, headers)
  }
  return fromStatus(facts(status, snippet(text)), headers)
}
