/**
 * Which credentials a request is signed with. Each Account Activity endpoint needs exactly one:
 *
 * | endpoint (v1.1) | kind |
 * |---|---|
 * | `POST`, `PUT`, `DELETE account_activity/webhooks…` | `AppOwner` |
 * | `POST`, `GET`, (deprecated) `DELETE …/webhooks/:id/subscriptions/all.json` | `User(tokens)` |
 * | `GET webhooks`, `GET subscriptions/count`, `GET …/subscriptions/all/list`, `DELETE …/subscriptions/:user_id/all.json`, replay | `AppOnly` |
 *
 * @since 0.1.0
 */
import { Data } from "effect"
import type * as Credentials from "./Credentials.js"

/**
 * OAuth 1.0a user context with the app's consumer key and secret and the app owner's access token and
 * secret (webhook registration, CRC trigger, webhook deletion).
 *
 * @since 0.1.0
 * @category models
 */
export interface AppOwner {
  readonly _tag: "AppOwner"
}

/**
 * OAuth 1.0a user context with the app's consumer key and secret and a subscribing user's access token
 * and secret (subscribe, check a subscription, deprecated self-unsubscribe).
 *
 * @since 0.1.0
 * @category models
 */
export interface User {
  readonly _tag: "User"
  readonly tokens: Credentials.UserTokens
}

/**
 * OAuth 2.0 app-only: `Authorization: Bearer <token>` (list webhooks, count and list subscriptions,
 * unsubscribe by user id, replay).
 *
 * @since 0.1.0
 * @category models
 */
export interface AppOnly {
  readonly _tag: "AppOnly"
}

/**
 * @since 0.1.0
 * @category models
 */
export type AuthKind = AppOwner | User | AppOnly

/**
 * @since 0.1.0
 * @category constructors
 */
export const AppOwner: AuthKind = Data.struct({ _tag: "AppOwner" as const })

/**
 * @since 0.1.0
 * @category constructors
 */
export const User = (tokens: Credentials.UserTokens): AuthKind => Data.struct({ _tag: "User" as const, tokens })

/**
 * @since 0.1.0
 * @category constructors
 */
export const AppOnly: AuthKind = Data.struct({ _tag: "AppOnly" as const })
