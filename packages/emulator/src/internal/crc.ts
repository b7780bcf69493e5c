/**
 * The CRC GET the emulator sends to a webhook URL, as X does: `crc_token` and `nonce` in the query, the
 * `x-twitter-webhooks-signature` over `crc_token=<token>&nonce=<nonce>`, a time limit, and the answer
 * checked against the expected `response_token`.
 *
 * @internal
 */
import { Crc, WebhookSignature } from "@account-activity/crc"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Duration, Effect, Option, type Redacted, Schema } from "effect"

/** How a CRC ended. @internal */
export type Outcome = "Ok" | "HighLatency" | "Non200Response" | "InvalidResponse" | "UrlRequirements"

const decodeAnswer = Schema.decodeUnknownOption(Schema.parseJson(Crc.CrcResponse))

/** Sends one CRC GET and judges the answer; never fails. @internal */
export const check = (options: {
  readonly client: HttpClient.HttpClient
  readonly url: string
  readonly secret: Redacted.Redacted<string>
  readonly token: string
  readonly nonce: string
  readonly timeout: Duration.DurationInput
}): Effect.Effect<Outcome> => {
  const challenge = Crc.challenge({ token: options.token, nonce: options.nonce, secrets: options.secret })
  const [base, fragment] = splitFragment(options.url)
  const target = `${base}${base.includes("?") ? "&" : "?"}${challenge.search}${fragment}`
  return HttpClientRequest.get(target).pipe(
    HttpClientRequest.setHeader(WebhookSignature.headerName, challenge.signature),
    HttpClientRequest.acceptJson,
    options.client.execute,
    Effect.flatMap((response) =>
      response.status !== 200
        ? Effect.succeed<Outcome>("Non200Response")
        : Effect.map(response.text, (body) =>
            Option.match(decodeAnswer(body), {
              onNone: (): Outcome => "InvalidResponse",
              onSome: (answer): Outcome =>
                answer.response_token === challenge.response.response_token ? "Ok" : "InvalidResponse"
            })
          )
    ),
    Effect.timeoutTo({
      duration: options.timeout,
      onSuccess: (outcome): Outcome => outcome,
      onTimeout: (): Outcome => "HighLatency"
    }),
    Effect.catchAll((error) =>
      Effect.succeed<Outcome>(error._tag === "RequestError" ? "UrlRequirements" : "InvalidResponse")
    ),
    // HTTP servers run their handlers uninterruptibly: the time limit must be able to abort the GET
    Effect.interruptible
  )
}

const splitFragment = (url: string): readonly [string, string] => {
  const at = url.indexOf("#")
  return at < 0 ? [url, ""] : [url.slice(0, at), url.slice(at)]
}

/** Clamps a configured timeout. @internal */
export const timeoutOf = (millis: number): Duration.Duration => Duration.millis(Math.max(1, millis))
