/**
 * The client's own error: everything that goes wrong without X answering with an error of its own. An
 * error answer of X is one of core's tagged `ApiError`s instead.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * What went wrong:
 *
 * - `RequestFailed`: no answer (connection refused, DNS, TLS, reset);
 * - `Timeout`: no answer within the configured `timeout`;
 * - `InvalidRequest`: the request could not be built or signed (a malformed `baseUrl`, `AppOwner`
 *   credentials missing from the options);
 * - `UnreadableResponse`: the answer's body could not be read;
 * - `UnexpectedResponse`: X answered success, but the body is not what the endpoint documents;
 * - `BearerTokenUnavailable`: the app-only Bearer token could not be fetched (`POST /oauth2/token` did not
 *   answer, or answered something other than a token).
 *
 * @since 0.1.0
 * @category errors
 */
export const Reason = Schema.Literal(
  "RequestFailed",
  "Timeout",
  "InvalidRequest",
  "UnreadableResponse",
  "UnexpectedResponse",
  "BearerTokenUnavailable"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type Reason = typeof Reason.Type

/**
 * A request of the client that got no usable answer. `endpoint` names the endpoint (see `Endpoint`),
 * `method` and `path` the request (never its query or headers), `status` the answer's status when there was
 * one, `detail` what the underlying layer said. Holds no secret.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("@account-activity/client/TransportError")(
  "TransportError",
  {
    reason: Reason,
    endpoint: Schema.String,
    method: Schema.String,
    path: Schema.String,
    status: Schema.optionalWith(Schema.Int, { exact: true }),
    detail: Schema.optionalWith(Schema.String, { exact: true })
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const request = `${this.method} ${this.path}${this.status === undefined ? "" : ` (HTTP ${this.status})`}`
    const detail = this.detail === undefined || this.detail === "" ? "" : ` [${this.detail}]`
    return `${summaries[this.reason]}: ${request}${detail}. ${hints[this.reason]}`
  }
}

const summaries: { readonly [R in Reason]: string } = {
  RequestFailed: "The request got no answer",
  Timeout: "The request got no answer in time",
  InvalidRequest: "The request could not be built or signed",
  UnreadableResponse: "The answer's body could not be read",
  UnexpectedResponse: "X answered success with a body this client does not understand",
  BearerTokenUnavailable: "The app-only Bearer token could not be obtained"
}

const hints: { readonly [R in Reason]: string } = {
  RequestFailed:
    "Check the network and the client's baseUrl (https://api.x.com, or http://127.0.0.1:<port> for the emulator); " +
    "GET, PUT and DELETE were already retried, POST register, subscribe and replay never are: check their effect " +
    "(list webhooks, check the subscription) before sending them again.",
  Timeout:
    "Raise the client's timeout option or check the network; as for a lost answer, a POST may have taken effect: " +
    "check before sending it again.",
  InvalidRequest:
    "Check the baseUrl, and give the client the credentials this endpoint needs (the app owner's access token and " +
    "secret in `owner` for registering, validating and deleting webhooks).",
  UnreadableResponse: "The connection was probably cut while the answer was read: retry the call.",
  UnexpectedResponse:
    "Check that baseUrl points at the X API (or the emulator) and not at a proxy or another service; the detail " +
    "says which field differs.",
  BearerTokenUnavailable:
    "Check the consumer key and secret, the network, and that baseUrl points at the X API; or configure a static " +
    "bearerToken."
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isTransportError = (u: unknown): u is TransportError => u instanceof TransportError
