import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as UrlParams from "@effect/platform/UrlParams"
import { Effect } from "effect"
import { parseForm } from "./encoding.js"

/** @internal */
export interface RequestParts {
  readonly method: string
  readonly url: URL
  readonly formParams: ReadonlyArray<readonly [string, string]> | undefined
}

const utf8 = new TextDecoder()

/** @internal */
export const isFormContentType = (contentType: string | undefined): boolean =>
  contentType !== undefined &&
  contentType.split(";", 1)[0]!.trim().toLowerCase() === "application/x-www-form-urlencoded"

const fail = (request: HttpClientRequest.HttpClientRequest, description: string) =>
  Effect.fail(new HttpClientError.RequestError({ request, reason: "Encode", description }))

/**
 * What OAuth 1.0a signs in an outgoing request: the method, the final URL (the request's URL with its url
 * params and hash, built exactly as the client will send it) and, for a form body, its parameters.
 *
 * @internal
 */
export const requestParts = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<RequestParts, HttpClientError.RequestError> => {
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  if (url._tag === "Left") return fail(request, `the request URL is not absolute: ${url.left.message}`)
  const contentType =
    request.headers["content-type"] ?? ("contentType" in request.body ? request.body.contentType : undefined)
  if (!isFormContentType(contentType)) {
    return Effect.succeed({ method: request.method, url: url.right, formParams: undefined })
  }
  const body = request.body
  let text: string
  switch (body._tag) {
    case "Empty":
      text = ""
      break
    case "Uint8Array":
      text = utf8.decode(body.body)
      break
    case "Raw":
      if (typeof body.body === "string") {
        text = body.body
        break
      }
      if (body.body instanceof Uint8Array) {
        text = utf8.decode(body.body)
        break
      }
      return fail(request, "a form body must be a string or bytes to be signed with OAuth 1.0a")
    default:
      return fail(
        request,
        "a streamed form body cannot be signed with OAuth 1.0a: buffer it (HttpClientRequest.bodyUrlParams)"
      )
  }
  return Effect.succeed({ method: request.method, url: url.right, formParams: parseForm(text) })
}
