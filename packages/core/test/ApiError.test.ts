import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, DateTime, Effect, Either, FastCheck, Option, Schema } from "effect"
import * as ApiError from "../src/ApiError.js"
import { assertRoundTrips, fixture, fixtureText } from "./fixtures/rest/support.js"

/** The `reason` (or `resource`) of an error, for comparison with a catalog entry's `error.reason`. */
const reasonOf = (error: ApiError.ApiError): string | undefined =>
  "reason" in error ? error.reason : "resource" in error ? error.resource : undefined

const assertActionable = (error: ApiError.ApiError) => {
  assert.notInclude(error.message, "undefined")
  assert.notInclude(error.message, "[object Object]")
  assert.include(error.message, `HTTP ${error.status}`)
  assert.isAbove(error.message.length, 40)
}

describe("ApiError: documented error bodies decode", () => {
  const bodies = [
    ["v1-webhook-create-403.json", 214, "Too many resources already created."],
    ["v1-subscriptions-401.json", 32, "Could not authenticate you."],
    ["v1-oauth2-token-403.json", 99, "Unable to verify your credentials"],
    ["v1-bearer-401.json", 89, "Invalid or expired token"],
    ["v1-bearer-403.json", 220, "Your credentials do not allow access to this resource"],
    ["v1-rate-limit-429.json", 88, "Rate limit exceeded"]
  ] as const
  for (const [file, code, message] of bodies) {
    it(file, () => {
      const envelope = Schema.decodeUnknownSync(ApiError.ErrorEnvelope)(fixture(file))
      assert.strictEqual(envelope.errors[0].code, code)
      assert.strictEqual(envelope.errors[0].message, message)
    })
  }

  it("keeps the label of code 99", () => {
    const envelope = Schema.decodeUnknownSync(ApiError.ErrorEnvelope)(fixture("v1-oauth2-token-403.json"))
    assert.strictEqual(envelope.errors[0].label, "authenticity_token_error")
  })

  it("the v2 problem example", () => {
    const problem = Schema.decodeUnknownSync(ApiError.Problem)(fixture("v2-problem-400.json"))
    assert.strictEqual(problem.type, "https://api.twitter.com/2/problems/invalid-request")
    assert.strictEqual(problem.title, "Invalid Request")
    assert.strictEqual(problem.detail, "One or more parameters to your request was invalid.")
    assert.deepStrictEqual(problem.errors, [{ message: "<Reason>: <Details>" }])
  })

  it("an envelope needs at least one error with an integer code", () => {
    const decode = Schema.decodeUnknownEither(ApiError.ErrorEnvelope)
    assert.isTrue(Either.isLeft(decode({ errors: [] })))
    assert.isTrue(Either.isLeft(decode({ errors: [{ code: "214", message: "x" }] })))
    assert.isTrue(Either.isLeft(decode({ errors: [{ code: 2.5, message: "x" }] })))
  })
})

describe("ApiError.Catalog", () => {
  it("names every entry by its key", () => {
    for (const [name, entry] of Object.entries(ApiError.Catalog)) assert.strictEqual(entry.name, name)
    for (const [name, entry] of Object.entries(ApiError.ProblemCatalog)) assert.strictEqual(entry.name, name)
  })

  it("covers every documented code", () => {
    const codes = new Set(ApiError.catalog.map((entry) => entry.code))
    for (const code of [
      0, 32, 34, 61, 67, 88, 89, 99, 135, 200, 214, 215, 220, 261, 348, 355, 356, 357, 358, 360, 368
    ]) {
      assert.isTrue(codes.has(code), `code ${code} is missing`)
    }
    assert.lengthOf(ApiError.byCode(214), 6)
    assert.lengthOf(ApiError.byCode(355), 2)
    assert.lengthOf(ApiError.byCode(356), 2)
    assert.lengthOf(ApiError.byCode(88), 2)
    assert.lengthOf(ApiError.byCode(32), 2)
  })

  it("has X's texts character for character", () => {
    assert.strictEqual(ApiError.Catalog.NoAccessToResource.message, "You don\u2019t have access to this resource.")
    assert.strictEqual(
      ApiError.Catalog.WebhookNotFound.message,
      "Webhook does not exist or is associated with a different X application."
    )
    assert.strictEqual(
      ApiError.Catalog.CrcNon200Response.message,
      "Non-200 response code during CRC GET request (i.e. 404, 500, etc)."
    )
    assert.strictEqual(ApiError.Catalog.ReplayDateNotInPast.message, ": [<field_value>] is not in the past.")
    assert.strictEqual(ApiError.Catalog.ReplayParamMissing.message, ": queryParam is required.")
    assert.strictEqual(
      ApiError.Catalog.ReplayRateLimitExceeded.message,
      "Too many requests. Please back off your API request rate."
    )
    assert.strictEqual(ApiError.Catalog.ServiceUnavailable.status, 503)
    assert.strictEqual(ApiError.Catalog.InvalidOrExpiredToken.status, 401)
    assert.strictEqual(ApiError.Catalog.WebhookInvalid.status, 400)
    assert.strictEqual(ApiError.Catalog.TooManyResources.status, 403)
  })

  it("body() is the exact v1.1 envelope", () => {
    assert.deepStrictEqual(ApiError.body(ApiError.Catalog.TooManyResources), fixture("v1-webhook-create-403.json"))
    assert.deepStrictEqual(ApiError.body(ApiError.Catalog.CouldNotAuthenticate), fixture("v1-subscriptions-401.json"))
    assert.deepStrictEqual(ApiError.body(ApiError.Catalog.CredentialsUnverified), fixture("v1-oauth2-token-403.json"))
    assert.deepStrictEqual(ApiError.body(ApiError.Catalog.InvalidOrExpiredToken), fixture("v1-bearer-401.json"))
    assert.deepStrictEqual(ApiError.body(ApiError.Catalog.CredentialsNotAllowed), fixture("v1-bearer-403.json"))
    assert.deepStrictEqual(ApiError.body(ApiError.Catalog.RateLimitExceeded), fixture("v1-rate-limit-429.json"))
    assert.deepStrictEqual(
      ApiError.body(ApiError.Catalog.ReplayDateNotInPast, "to_date: [202406011230] is not in the past."),
      {
        errors: [{ code: 368, message: "to_date: [202406011230] is not in the past." }]
      }
    )
  })

  it("every body() is a valid envelope", () => {
    for (const entry of ApiError.catalog) {
      const encoded = Schema.encodeSync(ApiError.ErrorEnvelope)(ApiError.body(entry))
      assert.deepStrictEqual(
        Schema.decodeUnknownSync(ApiError.ErrorEnvelope)(JSON.parse(JSON.stringify(encoded))),
        ApiError.body(entry)
      )
    }
  })

  it("every entry has a hint that says what to do", () => {
    for (const entry of [...ApiError.catalog, ...ApiError.problemCatalog]) {
      assert.isAbove(entry.hint.length, 20, entry.name)
      assert.notInclude(entry.hint, "undefined")
    }
  })

  it("findEntry tolerates X's variants of a text", () => {
    const find = (code: number, message: string) => Option.map(ApiError.findEntry(code, message), (entry) => entry.name)
    assert.deepStrictEqual(
      find(34, "Webhook does not exist or is associated with a different Twitter application."),
      Option.some("WebhookNotFound")
    )
    assert.deepStrictEqual(
      find(34, "Webhook does not exist or is associated with a different twitter\napplication."),
      Option.some("WebhookNotFound")
    )
    assert.deepStrictEqual(find(88, "Rate limit exceeded."), Option.some("RateLimitExceeded"))
    assert.deepStrictEqual(find(99, "You don't have access to this resource."), Option.some("NoAccessToResource"))
    assert.deepStrictEqual(find(61, "anything"), Option.some("ClientNotPermitted"))
    assert.deepStrictEqual(find(355, "anything"), Option.none())
    assert.deepStrictEqual(find(999, "anything"), Option.none())
  })
})

describe("ApiError.fromResponse: every catalog entry", () => {
  for (const entry of ApiError.catalog) {
    it(`${entry.name} (${entry.code}, HTTP ${entry.status})`, () => {
      for (const body of [ApiError.body(entry), JSON.stringify(ApiError.body(entry))]) {
        const error = ApiError.fromResponse({ status: entry.status, body })
        assert.strictEqual(error._tag, entry.error._tag)
        assert.strictEqual(reasonOf(error), entry.error.reason)
        assert.strictEqual(error.status, entry.status)
        assert.strictEqual(error.code, entry.code)
        assert.strictEqual(error.apiMessage, entry.message)
        assert.include(error.message, entry.hint)
        assert.include(error.message, JSON.stringify(entry.message))
        assertActionable(error)
      }
    })
  }
})

describe("ApiError.fromResponse: v1.1", () => {
  const from = (status: number, code: number, message: string, headers?: Record<string, string>) =>
    ApiError.fromResponse({ status, body: { errors: [{ code, message }] }, headers })

  it("tells the 214 messages apart", () => {
    const cases = [
      ["Webhook URL does not meet the requirements.", "CrcFailed", "UrlRequirements"],
      [
        "Webhook URL does not meet the requirements. Invalid CRC token or json response format.",
        "CrcFailed",
        "InvalidResponse"
      ],
      [
        "High latency on CRC GET request. Your webhook should respond in less than 3 seconds.",
        "CrcFailed",
        "HighLatency"
      ],
      ["Non-200 response code during CRC GET request (i.e. 404, 500, etc).", "CrcFailed", "Non200Response"],
      ["Webhook is marked invalid and requires a CRC check.", "CrcFailed", "WebhookInvalid"],
      ["Too many resources already created.", "TooManyResources", "webhooks"]
    ] as const
    for (const [message, tag, reason] of cases) {
      const error = from(403, 214, message)
      assert.strictEqual(error._tag, tag, message)
      assert.strictEqual(reasonOf(error), reason, message)
      assert.strictEqual(error.code, 214)
    }
  })

  it("keeps an unknown 214 text as UnknownApiError", () => {
    const error = from(403, 214, "Owner must allow dms from anyone.")
    assert.strictEqual(error._tag, "UnknownApiError")
    assert.strictEqual(error.apiMessage, "Owner must allow dms from anyone.")
  })

  it("tells the two meanings of 355 apart", () => {
    const subscription = from(409, 355, "Subscription already exists.")
    const replay = from(409, 355, "A replay job is already in progress for this webhook.")
    assert.strictEqual(subscription._tag, "SubscriptionExists")
    assert.strictEqual(replay._tag, "ReplayInProgress")
    assert.strictEqual(subscription.code, 355)
    assert.strictEqual(replay.code, 355)
    assert.notStrictEqual(subscription.message, replay.message)
  })

  it("tells the two meanings of 32 apart", () => {
    const wrong = from(401, 32, "Invalid authentication method. Please use application-only authentication.")
    assert.isTrue(wrong._tag === "Unauthorized" && wrong.reason === "WrongAuthMethod")
    const plain = from(401, 32, "Could not authenticate you.")
    assert.isTrue(plain._tag === "Unauthorized" && plain.reason === "CouldNotAuthenticate")
  })

  it("maps 34 with the older Twitter text to WebhookNotFound, and a plain 404 to NotFound", () => {
    assert.strictEqual(
      from(404, 34, "Webhook does not exist or is associated with a different Twitter application.")._tag,
      "WebhookNotFound"
    )
    assert.strictEqual(from(404, 34, "Sorry, that page does not exist.")._tag, "NotFound")
    const empty = ApiError.fromResponse({ status: 404, body: "" })
    assert.strictEqual(empty._tag, "NotFound")
    assert.isUndefined(empty.code)
    assertActionable(empty)
  })

  it("maps 89 under either documented status", () => {
    for (const status of [401, 403]) {
      const error = from(status, 89, "Invalid or expired token")
      assert.isTrue(error._tag === "Unauthorized" && error.reason === "InvalidToken")
      assert.strictEqual(error.status, status)
    }
  })

  it("reads the reset time of a 429 from x-rate-limit-reset", () => {
    const error = ApiError.fromResponse({
      status: 429,
      body: fixtureText("v1-rate-limit-429.json"),
      headers: { "X-Rate-Limit-Reset": "1717245000", "x-rate-limit-limit": "15", "x-rate-limit-remaining": "0" }
    })
    assert.strictEqual(error._tag, "RateLimited")
    if (error._tag !== "RateLimited") return
    assert.deepStrictEqual(error.resetAt, DateTime.unsafeMake(1_717_245_000_000))
    assert.strictEqual(error.limit, 15)
    assert.strictEqual(error.remaining, 0)
    assert.strictEqual(error.code, 88)
    assert.include(error.message, "2024-06-01T12:30:00.000Z")
    assertActionable(error)
  })

  it("a 429 without headers has no reset time", () => {
    const error = from(429, 88, "Too many requests. Please back off your API request rate.")
    assert.isTrue(error._tag === "RateLimited" && error.resetAt === undefined)
    assertActionable(error)
  })

  it("ignores a malformed reset header", () => {
    const error = from(429, 88, "Rate limit exceeded", { "x-rate-limit-reset": "soon" })
    assert.isTrue(error._tag === "RateLimited" && error.resetAt === undefined)
  })

  it("treats 420 as a rate limit", () => {
    assert.strictEqual(ApiError.fromResponse({ status: 420, body: "Enhance Your Calm" })._tag, "RateLimited")
  })

  it("maps a non-JSON 502 to ServerError with the page's text", () => {
    const error = ApiError.fromResponse({
      status: 502,
      body: "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1></body>\n</html>"
    })
    assert.strictEqual(error._tag, "ServerError")
    assert.strictEqual(error.status, 502)
    assert.isUndefined(error.code)
    assert.strictEqual(error.apiMessage, "502 Bad Gateway Bad Gateway")
    assertActionable(error)
  })

  it("reads a body given as bytes", () => {
    const bytes = new TextEncoder().encode(JSON.stringify(ApiError.body(ApiError.Catalog.ReplayInProgress)))
    assert.strictEqual(ApiError.fromResponse({ status: 409, body: bytes })._tag, "ReplayInProgress")
  })

  it("keeps code and message of an unknown code", () => {
    const error = from(400, 4242, "Something new went wrong.")
    assert.strictEqual(error._tag, "UnknownApiError")
    assert.strictEqual(error.code, 4242)
    assert.strictEqual(error.status, 400)
    assert.strictEqual(error.apiMessage, "Something new went wrong.")
    assert.include(error.message, "code 4242")
    assert.include(error.message, "Something new went wrong.")
    assertActionable(error)
  })

  it("maps an unknown code under 5xx to ServerError, keeping the code", () => {
    const error = from(503, 130, "Over capacity")
    assert.strictEqual(error._tag, "ServerError")
    assert.strictEqual(error.code, 130)
  })

  it("maps the first error of several", () => {
    const error = ApiError.fromResponse({
      status: 403,
      body: { errors: [ApiError.body(ApiError.Catalog.CannotWrite).errors[0], { code: 32, message: "x" }] }
    })
    assert.isTrue(error._tag === "Unauthorized" && error.reason === "CannotWrite")
  })

  it("maps statuses alone when the body says nothing", () => {
    const cases = [
      [401, "Unauthorized", "CouldNotAuthenticate"],
      [403, "Unauthorized", "Forbidden"],
      [404, "NotFound", undefined],
      [500, "ServerError", undefined],
      [503, "ServerError", undefined],
      [400, "UnknownApiError", undefined],
      [409, "UnknownApiError", undefined]
    ] as const
    for (const [status, tag, reason] of cases) {
      for (const body of [undefined, "", "{}", { unexpected: true }, "{not json"]) {
        const error = ApiError.fromResponse({ status, body })
        assert.strictEqual(error._tag, tag, `${status} ${JSON.stringify(body)}`)
        assert.strictEqual(reasonOf(error), reason)
        assertActionable(error)
      }
    }
  })
})

describe("ApiError.fromResponse: v2 problems", () => {
  for (const entry of ApiError.problemCatalog) {
    it(`${entry.name}`, () => {
      const error = ApiError.fromResponse({ status: entry.status, body: ApiError.problemBody(entry) })
      assert.strictEqual(error._tag, entry.error._tag)
      assert.strictEqual(reasonOf(error), entry.error.reason)
      assert.strictEqual(error.problem, entry.name)
      assert.strictEqual(error.apiMessage, `${entry.name}: ${entry.details}`)
      assert.isUndefined(error.code)
      assert.include(error.message, entry.hint)
      assertActionable(error)
    })
  }

  it("reads the CRC failure from the details", () => {
    const crc = ApiError.ProblemCatalog.CrcValidationFailed
    const reason = (details: string) =>
      reasonOf(ApiError.fromResponse({ status: 400, body: ApiError.problemBody(crc, details) }))
    assert.strictEqual(reason("Webhook timed out responding to the CRC request"), "HighLatency")
    assert.strictEqual(reason("Received status code 404 from the webhook"), "Non200Response")
    assert.strictEqual(reason("Response token did not match"), "InvalidResponse")
  })

  it("finds the reason in a problem given as text", () => {
    const body = JSON.stringify(ApiError.problemBody(ApiError.ProblemCatalog.ReplayConflictError))
    assert.strictEqual(ApiError.fromResponse({ status: 409, body })._tag, "ReplayInProgress")
  })

  it("keeps the documented example, which names no known reason", () => {
    const error = ApiError.fromResponse({ status: 400, body: fixture("v2-problem-400.json") })
    assert.strictEqual(error._tag, "UnknownApiError")
    assert.strictEqual(error.apiMessage, "<Reason>: <Details>")
    assert.strictEqual(error.problem, "https://api.twitter.com/2/problems/invalid-request")
    assertActionable(error)
  })

  it("maps by problem type", () => {
    const problem = (type: string, title: string, status?: number) => ({
      title,
      detail: title,
      type,
      ...(status === undefined ? {} : { status })
    })
    const cases = [
      [problem("https://api.x.com/2/problems/usage-capped", "Usage cap exceeded"), 429, "RateLimited", "UsageCapped"],
      [
        problem("https://api.x.com/2/problems/rate-limit-exceeded", "Too Many Requests"),
        429,
        "RateLimited",
        "RateLimit"
      ],
      [problem("https://api.x.com/2/problems/resource-not-found", "Not Found Error"), 404, "NotFound", undefined],
      [problem("https://api.x.com/2/problems/client-forbidden", "Client Forbidden"), 403, "Unauthorized", "Forbidden"],
      [
        problem("https://api.x.com/2/problems/not-authorized-for-resource", "Not Authorized"),
        403,
        "Unauthorized",
        "Forbidden"
      ],
      [problem("about:blank", "Unauthorized", 401), 401, "Unauthorized", "CouldNotAuthenticate"],
      [problem("about:blank", "Service Unavailable", 503), 503, "ServerError", undefined]
    ] as const
    for (const [body, status, tag, reason] of cases) {
      const error = ApiError.fromResponse({ status, body })
      assert.strictEqual(error._tag, tag, body.type)
      assert.strictEqual(reasonOf(error), reason, body.type)
      assertActionable(error)
    }
  })

  it("reads the reset time of an about:blank 429", () => {
    const error = ApiError.fromResponse({
      status: 429,
      body: { title: "Too Many Requests", detail: "Too Many Requests", type: "about:blank", status: 429 },
      headers: { "x-rate-limit-reset": "1717245000" }
    })
    assert.isTrue(error._tag === "RateLimited" && error.reason === "RateLimit")
    assert.deepStrictEqual(
      error._tag === "RateLimited" ? error.resetAt : undefined,
      DateTime.unsafeMake(1_717_245_000_000)
    )
  })

  it("maps the v2 429 envelope (code 88)", () => {
    const error = ApiError.fromResponse({ status: 429, body: fixture("v1-rate-limit-429.json") })
    assert.isTrue(error._tag === "RateLimited" && error.code === 88)
  })
})

describe("ApiError: tagged errors", () => {
  it("fail an Effect and are caught by tag", () =>
    Effect.runPromise(
      Effect.fail(
        ApiError.fromResponse({ status: 409, body: ApiError.body(ApiError.Catalog.SubscriptionExists) })
      ).pipe(
        Effect.catchTag("SubscriptionExists", (error) => Effect.succeed(error.code)),
        Effect.map((code) => assert.strictEqual(code, 355))
      )
    ))

  it("are Errors with a stable name", () => {
    const error = ApiError.fromResponse({ status: 404, body: ApiError.body(ApiError.Catalog.WebhookNotFound) })
    assert.instanceOf(error, Error)
    assert.instanceOf(error, ApiError.WebhookNotFound)
    assert.isTrue(ApiError.isApiError(error))
    assert.isFalse(ApiError.isApiError(new Error("x")))
  })

  it("messages never contain undefined, whatever the fields", () => {
    FastCheck.assert(
      FastCheck.property(Arbitrary.make(ApiError.ApiError), (error) => {
        assertActionable(error)
      }),
      { numRuns: 500 }
    )
  })
})

describe("ApiError: every wire schema round-trips", () => {
  it("ErrorDetail", () => assertRoundTrips(ApiError.ErrorDetail))
  it("ErrorEnvelope", () => assertRoundTrips(ApiError.ErrorEnvelope))
  it("ProblemError", () => assertRoundTrips(ApiError.ProblemError, { json: false }))
  it("Problem", () => assertRoundTrips(ApiError.Problem, { json: false }))
  it("ApiError", () =>
    assertRoundTrips(ApiError.ApiError as Schema.Schema<ApiError.ApiError, unknown>, { json: false }))
})
