import { AuthClient, AuthKind } from "@account-activity/auth"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Emulator, Server } from "../src/index.js"

const EmulatorLive = Server.layer().pipe(
  Layer.provideMerge(Server.layerReplay),
  Layer.provideMerge(Server.layerDeliveries()),
  Layer.provideMerge(Emulator.layer({ seed: "demo" })),
  Layer.provideMerge(NodeHttpClient.layerUndici)
)

it.scoped("the README's first example runs", () =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const baseUrl = yield* Server.url
    const { credentials, owner } = yield* emulator.createApp({ name: "demo" })
    const auth = yield* AuthClient.AuthClient.pipe(
      Effect.provide(AuthClient.layer({ app: credentials, owner, baseUrl }))
    )
    const client = auth.signed(AuthKind.AppOnly)(yield* HttpClient.HttpClient)
    const response = yield* client.execute(HttpClientRequest.get(`${baseUrl}/1.1/account_activity/webhooks.json`))
    assert.strictEqual(response.status, 200)
    assert.deepStrictEqual(yield* response.json, [])
  }).pipe(Effect.provide(EmulatorLive))
)
