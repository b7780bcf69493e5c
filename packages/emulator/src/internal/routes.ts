/**
 * The paths of the 11 v1.1 endpoints and the auth kind each takes.
 *
 * @internal
 */
import type { Endpoint } from "../EmulatorConfig.js"

/** Which credentials an endpoint documents. @internal */
export type Kind = "owner" | "subscriber" | "app"

interface Route {
  readonly method: string
  readonly pattern: RegExp
  readonly endpoint: Endpoint
  readonly kind: Kind
}

const ID = "([^/]+)"
const base = "^/1\\.1/account_activity"

const routes: ReadonlyArray<Route> = [
  { method: "POST", pattern: new RegExp(`${base}/webhooks\\.json$`), endpoint: "registerWebhook", kind: "owner" },
  { method: "GET", pattern: new RegExp(`${base}/webhooks\\.json$`), endpoint: "listWebhooks", kind: "app" },
  { method: "PUT", pattern: new RegExp(`${base}/webhooks/${ID}\\.json$`), endpoint: "validateWebhook", kind: "owner" },
  { method: "DELETE", pattern: new RegExp(`${base}/webhooks/${ID}\\.json$`), endpoint: "deleteWebhook", kind: "owner" },
  {
    method: "POST",
    pattern: new RegExp(`${base}/webhooks/${ID}/subscriptions/all\\.json$`),
    endpoint: "subscribe",
    kind: "subscriber"
  },
  {
    method: "GET",
    pattern: new RegExp(`${base}/webhooks/${ID}/subscriptions/all\\.json$`),
    endpoint: "checkSubscription",
    kind: "subscriber"
  },
  {
    method: "GET",
    pattern: new RegExp(`${base}/subscriptions/count\\.json$`),
    endpoint: "countSubscriptions",
    kind: "app"
  },
  {
    method: "GET",
    pattern: new RegExp(`${base}/webhooks/${ID}/subscriptions/all/list\\.json$`),
    endpoint: "listSubscriptions",
    kind: "app"
  },
  {
    method: "DELETE",
    pattern: new RegExp(`${base}/webhooks/${ID}/subscriptions/all\\.json$`),
    endpoint: "unsubscribe",
    kind: "subscriber"
  },
  {
    method: "DELETE",
    pattern: new RegExp(`${base}/webhooks/${ID}/subscriptions/${ID}/all\\.json$`),
    endpoint: "unsubscribeUser",
    kind: "app"
  },
  {
    method: "POST",
    pattern: new RegExp(`${base}/replay/webhooks/${ID}/subscriptions/all\\.json$`),
    endpoint: "replay",
    kind: "app"
  }
]

/** A matched endpoint with its decoded path parameters. @internal */
export interface Match {
  readonly endpoint: Endpoint
  readonly kind: Kind
  readonly params: ReadonlyArray<string>
}

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** The endpoint at `method` `pathname`, if any. @internal */
export const match = (method: string, pathname: string): Match | undefined => {
  for (const route of routes) {
    if (route.method !== method) continue
    const found = route.pattern.exec(pathname)
    if (found !== null) return { endpoint: route.endpoint, kind: route.kind, params: found.slice(1).map(decode) }
  }
  return undefined
}
