/**
 * `aaa crc --token <t>`: the answer a webhook gives X's CRC, computed with the consumer secret.
 *
 * @internal
 */
import { Crc } from "@account-activity/crc"
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { printJson } from "./output.js"
import * as Settings from "./settings.js"

/** `aaa crc`. @internal */
export const command = Command.make(
  "crc",
  {
    json: Settings.json,
    consumerSecret: Settings.apiOptions.consumerSecret,
    token: Options.text("token").pipe(
      Options.withAlias("t"),
      Options.withDescription("The crc_token X sent (the value of the query parameter, URL-decoded).")
    )
  },
  (flags) =>
    Settings.withSettings(flags.json, (current) =>
      Effect.gen(function* () {
        const secret = Option.getOrElse(flags.consumerSecret, () => Option.getOrUndefined(current.consumerSecret))
        if (secret === undefined) return yield* Settings.require("crc", current, ["ConsumerSecret"])
        const token = yield* Crc.responseToken(flags.token, secret)
        yield* printJson({ response_token: token })
      })
    )
).pipe(
  Command.withDescription(
    'Print the JSON a webhook answers to a CRC GET ?crc_token=<t>: {"response_token":"sha256=<base64 HMAC-SHA256(consumer secret, token)>"}.'
  )
)
