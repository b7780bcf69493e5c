/**
 * Sets up a running emulator for a person or a script: one app, its Bearer token and some users, and the
 * credentials of all of them as one plain JSON object (the file `aaa-emulator --credentials` and
 * `aaa emulator --credentials` write). Secrets appear in plain text here on purpose: they are the
 * emulator's own throwaway values, printed so a person can paste them.
 *
 * @since 0.1.0
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import type * as HttpServer from "@effect/platform/HttpServer"
import { Effect, Redacted } from "effect"
import * as Emulator from "./Emulator.js"
import * as Server from "./Server.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface CredentialsFile {
  readonly baseUrl: string
  readonly appId: string
  readonly consumerKey: string
  readonly consumerSecret: string
  readonly accessToken: string
  readonly accessTokenSecret: string
  readonly bearerToken: string
  readonly users: ReadonlyArray<{
    readonly id: string
    readonly screenName: string
    readonly accessToken: string
    readonly accessTokenSecret: string
  }>
}

/**
 * Creates an app named `appName` with `users` users in the emulator of the context and answers their
 * credentials.
 *
 * @since 0.1.0
 * @category constructors
 */
export const demo = (options: {
  readonly appName: string
  readonly users: number
}): Effect.Effect<CredentialsFile, Emulator.EmulatorError, Emulator.Emulator | HttpServer.HttpServer> =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const baseUrl = yield* Server.url
    const created = yield* emulator.createApp({ name: options.appName })
    const bearerToken = yield* emulator.issueBearerToken(created.app.id)
    const people = yield* Effect.forEach(
      Array.from({ length: options.users }, (_, index) => index),
      () => emulator.createUser({ appId: created.app.id })
    )
    return {
      baseUrl,
      appId: created.app.id,
      consumerKey: created.credentials.consumerKey,
      consumerSecret: Redacted.value(created.credentials.consumerSecret),
      accessToken: created.owner.accessToken,
      accessTokenSecret: Redacted.value(created.owner.accessTokenSecret),
      bearerToken: Redacted.value(bearerToken),
      users: people.map(({ tokens, user }) => ({
        id: user.id,
        screenName: user.screenName,
        accessToken: tokens.accessToken,
        accessTokenSecret: Redacted.value(tokens.accessTokenSecret)
      }))
    }
  })

/**
 * Writes the credentials as JSON, readable by the owner only (mode 0600).
 *
 * @since 0.1.0
 * @category files
 */
export const writeFile = (
  path: string,
  file: CredentialsFile
): Effect.Effect<void, PlatformError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.writeFileString(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
  )
