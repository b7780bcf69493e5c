/**
 * The 11 v1.1 Enterprise endpoints of the Account Activity API, as data: method, path, the auth kind each
 * one needs, the status it answers on success, its documented rate limit, and whether the client may send
 * it again after a server error or a lost answer.
 *
 * | endpoint | method and path | auth | retried on 5xx |
 * |---|---|---|---|
 * | `registerWebhook` | `POST /1.1/account_activity/webhooks.json?url=…` | `AppOwner` | no |
 * | `listWebhooks` | `GET /1.1/account_activity/webhooks.json` | `AppOnly` | yes |
 * | `validateWebhook` | `PUT /1.1/account_activity/webhooks/:webhook_id.json` | `AppOwner` | yes |
 * | `deleteWebhook` | `DELETE /1.1/account_activity/webhooks/:webhook_id.json` | `AppOwner` | yes |
 * | `subscribe` | `POST …/webhooks/:webhook_id/subscriptions/all.json` | `User` | no |
 * | `checkSubscription` | `GET …/webhooks/:webhook_id/subscriptions/all.json` | `User` | yes |
 * | `unsubscribe` (deprecated) | `DELETE …/webhooks/:webhook_id/subscriptions/all.json` | `User` | yes |
 * | `subscriptionsCount` | `GET /1.1/account_activity/subscriptions/count.json` | `AppOnly` | yes |
 * | `listSubscriptions` | `GET …/webhooks/:webhook_id/subscriptions/all/list.json` | `AppOnly` | yes |
 * | `deleteSubscription` | `DELETE …/webhooks/:webhook_id/subscriptions/:user_id/all.json` | `AppOnly` | yes |
 * | `replay` | `POST /1.1/account_activity/replay/webhooks/:webhook_id/subscriptions/all.json` | `AppOnly` | no |
 *
 * @since 0.1.0
 */

/**
 * The name of an endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export type Name =
  | "registerWebhook"
  | "listWebhooks"
  | "validateWebhook"
  | "deleteWebhook"
  | "subscribe"
  | "checkSubscription"
  | "unsubscribe"
  | "subscriptionsCount"
  | "listSubscriptions"
  | "deleteSubscription"
  | "replay"

/**
 * Which credentials an endpoint needs (see `AuthKind` in `@account-activity/auth`): the app owner's
 * tokens, the subscribing user's tokens, or the app-only Bearer token.
 *
 * @since 0.1.0
 * @category models
 */
export type Auth = "AppOwner" | "User" | "AppOnly"

/**
 * @since 0.1.0
 * @category models
 */
export type Method = "GET" | "POST" | "PUT" | "DELETE"

/**
 * One endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoint {
  readonly name: Name
  readonly method: Method
  /** The path template, with `:webhook_id` and `:user_id` placeholders. */
  readonly path: string
  readonly auth: Auth
  /** The status X answers on success. */
  readonly success: 200 | 202 | 204
  /** Requests per 15-minute window, as X documents it (per app for `AppOnly`, per user token otherwise). */
  readonly limit: number
  /**
   * Whether sending the request twice has the effect of sending it once, so that a server error or a lost
   * answer may be retried. `false` for `POST` register (a retry creates a second webhook), subscribe and
   * replay.
   */
  readonly idempotent: boolean
}

const endpoint = <const N extends Name>(
  name: N,
  method: Method,
  path: string,
  auth: Auth,
  success: Endpoint["success"],
  limit: number
): Endpoint & { readonly name: N } => ({ name, method, path, auth, success, limit, idempotent: method !== "POST" })

/**
 * Every endpoint by name.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const Endpoints: { readonly [N in Name]: Endpoint & { readonly name: N } } = {
  registerWebhook: endpoint("registerWebhook", "POST", "/1.1/account_activity/webhooks.json", "AppOwner", 200, 15),
  listWebhooks: endpoint("listWebhooks", "GET", "/1.1/account_activity/webhooks.json", "AppOnly", 200, 15),
  validateWebhook: endpoint(
    "validateWebhook",
    "PUT",
    "/1.1/account_activity/webhooks/:webhook_id.json",
    "AppOwner",
    204,
    15
  ),
  deleteWebhook: endpoint(
    "deleteWebhook",
    "DELETE",
    "/1.1/account_activity/webhooks/:webhook_id.json",
    "AppOwner",
    204,
    15
  ),
  subscribe: endpoint(
    "subscribe",
    "POST",
    "/1.1/account_activity/webhooks/:webhook_id/subscriptions/all.json",
    "User",
    204,
    500
  ),
  checkSubscription: endpoint(
    "checkSubscription",
    "GET",
    "/1.1/account_activity/webhooks/:webhook_id/subscriptions/all.json",
    "User",
    204,
    500
  ),
  unsubscribe: endpoint(
    "unsubscribe",
    "DELETE",
    "/1.1/account_activity/webhooks/:webhook_id/subscriptions/all.json",
    "User",
    204,
    500
  ),
  subscriptionsCount: endpoint(
    "subscriptionsCount",
    "GET",
    "/1.1/account_activity/subscriptions/count.json",
    "AppOnly",
    200,
    15
  ),
  listSubscriptions: endpoint(
    "listSubscriptions",
    "GET",
    "/1.1/account_activity/webhooks/:webhook_id/subscriptions/all/list.json",
    "AppOnly",
    200,
    50
  ),
  deleteSubscription: endpoint(
    "deleteSubscription",
    "DELETE",
    "/1.1/account_activity/webhooks/:webhook_id/subscriptions/:user_id/all.json",
    "AppOnly",
    204,
    500
  ),
  replay: endpoint(
    "replay",
    "POST",
    "/1.1/account_activity/replay/webhooks/:webhook_id/subscriptions/all.json",
    "AppOnly",
    202,
    5
  )
}

/**
 * Every endpoint, in the order of X's reference.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const all: ReadonlyArray<Endpoint> = Object.values(Endpoints)

/**
 * The path of an endpoint with its placeholders filled in (each value percent-encoded).
 *
 * @example
 * ```ts
 * import { Endpoint } from "@account-activity/client"
 *
 * Endpoint.path(Endpoint.Endpoints.deleteSubscription, { webhook_id: "1", user_id: "2" })
 * // "/1.1/account_activity/webhooks/1/subscriptions/2/all.json"
 * ```
 *
 * @since 0.1.0
 * @category endpoints
 */
export const path = (
  endpoint: Pick<Endpoint, "path">,
  params: { readonly webhook_id?: string | undefined; readonly user_id?: string | undefined } = {}
): string =>
  endpoint.path.replace(/:(webhook_id|user_id)/g, (placeholder, name: "webhook_id" | "user_id") => {
    const value = params[name]
    if (value === undefined) throw new Error(`Endpoint.path: ${placeholder} needs a value`)
    return encodeURIComponent(value)
  })
