/**
 * What each API error means and what to do about it, shared by the tagged errors' messages and the
 * catalog's hints so the two never drift apart.
 *
 * @internal
 */
export interface Text {
  readonly summary: string
  readonly hint: string
}

const text = (summary: string, hint: string): Text => ({ summary, hint })

/** @internal */
export const texts = {
  WebhookNotFound: text(
    "The webhook does not exist or belongs to a different X app",
    "List this app's webhooks (GET account_activity/webhooks.json or GET /2/webhooks) and use one of their ids, " +
      "or register the webhook again; check that the credentials are those of the app that owns it."
  ),
  "CrcFailed.UrlRequirements": text(
    "The webhook URL does not meet X's requirements",
    "Use a public https:// URL without a port, with a valid TLS certificate, that answers X's CRC GET with 200 " +
      "in less than 3 seconds."
  ),
  "CrcFailed.InvalidResponse": text(
    "The webhook answered X's CRC check with a wrong token or body",
    'Answer GET ?crc_token=… with 200 and the JSON {"response_token":"sha256=<base64 HMAC-SHA256 of crc_token>"}, ' +
      "keyed with this app's consumer secret (not a token secret)."
  ),
  "CrcFailed.HighLatency": text(
    "The webhook answered X's CRC check too slowly",
    "Answer the CRC GET in less than 3 seconds: avoid cold starts and compute the token without any I/O."
  ),
  "CrcFailed.Non200Response": text(
    "The webhook answered X's CRC check with a status other than 200",
    "Make GET <webhook url>?crc_token=… return 200 (no redirect, 404 or 500): check the path, the routing and " +
      "any authentication in front of the receiver."
  ),
  "CrcFailed.WebhookInvalid": text(
    "The webhook is marked invalid since it failed a CRC check",
    "Fix the receiver's CRC answer, then trigger a new check with PUT account_activity/webhooks/:webhook_id.json " +
      "(PUT /2/webhooks/:webhook_id in v2) to mark it valid again."
  ),
  "TooManyResources.webhooks": text(
    "The account already has as many webhooks as its plan allows",
    "Delete a webhook it no longer uses or ask X for a higher limit; the webhook limit counts every app of the " +
      "account together."
  ),
  "TooManyResources.subscriptions": text(
    "The account already has as many subscriptions as its plan allows",
    "Remove subscriptions of users you no longer need (see GET subscriptions/count) or ask X for a higher limit."
  ),
  WebhookUrlExists: text(
    "A webhook with this URL is already registered",
    "Use the existing webhook (GET /2/webhooks), or delete it before registering the URL again."
  ),
  NotPermitted: text(
    "This app is not permitted to manage this user's webhook subscriptions",
    "Subscribe with the user's own access token, obtained through this app's 3-legged OAuth flow with the " +
      '"Read, write, and direct messages" permission, and check that the app has Account Activity API access.'
  ),
  SubscriptionExists: text(
    "The user is already subscribed to this webhook",
    "Nothing to fix: the subscription is active, treat it as done."
  ),
  ReplayInProgress: text(
    "A replay job is already running for this webhook",
    "Wait for its replay_job_status event (Complete or Incomplete) before requesting another job."
  ),
  "InvalidReplayDates.FromNotBeforeTo": text(
    "from_date is not before to_date",
    "Send a from_date earlier than to_date, both as yyyymmddhhmm in UTC."
  ),
  "InvalidReplayDates.FromTooOld": text(
    "from_date lies outside the replay window",
    "Replay goes back at most 5 days (24 hours for v2 webhook replay): move from_date inside the window."
  ),
  "InvalidReplayDates.MissingParameter": text(
    "A replay query parameter is missing",
    "Send both from_date and to_date, as yyyymmddhhmm in UTC, in the query string."
  ),
  "InvalidReplayDates.MalformedParameter": text(
    "A replay route or query parameter could not be parsed",
    "Send from_date and to_date as 12 digits (yyyymmddhhmm, UTC) and the webhook id as digits."
  ),
  "InvalidReplayDates.NegativeParameter": text(
    "The webhook id in the replay route is not a valid id",
    "Use the numeric id of one of this app's webhooks."
  ),
  "InvalidReplayDates.NotInPast": text(
    "from_date or to_date is not in the past",
    "Use a from_date at least 31 minutes and a to_date at least 10 minutes before now (UTC), and check the " +
      "system clock."
  ),
  "InvalidReplayDates.Invalid": text(
    "X rejected the replay dates",
    "Send from_date before to_date, both as yyyymmddhhmm in UTC, inside the replay window, from_date at least " +
      "31 minutes and to_date at least 10 minutes before now."
  ),
  "Unauthorized.CouldNotAuthenticate": text(
    "X could not authenticate the request",
    "Check the consumer key and secret and the access token and secret, that the request URL (host and path) " +
      "is the one that was signed, and that the endpoint gets the auth kind it needs (Bearer for count and list)."
  ),
  "Unauthorized.WrongAuthMethod": text(
    "This endpoint needs application-only authentication",
    "Call it with the app's Bearer token (OAuth 2.0 app-only), not with user-context OAuth 1.0a."
  ),
  "Unauthorized.InvalidToken": text(
    "The Bearer token is invalid or has expired",
    "Drop the cached token, fetch a new one with POST oauth2/token, and retry."
  ),
  "Unauthorized.ClockSkew": text(
    "The OAuth timestamp is out of bounds: the system clock is off",
    "Synchronise the system clock (NTP): OAuth 1.0a timestamps must be close to X's time."
  ),
  "Unauthorized.BadAuthData": text(
    "The request carried no or malformed authentication data",
    "Send an Authorization header: OAuth 1.0a for user-context endpoints, Bearer for app-only ones."
  ),
  "Unauthorized.CredentialsNotAllowed": text(
    "These credentials cannot be used on this endpoint",
    "Use the auth kind the endpoint requires: OAuth 1.0a user context (the app owner's or the subscribing " +
      "user's tokens) where a user acts, the Bearer token where the app acts."
  ),
  "Unauthorized.CannotWrite": text(
    "The app cannot perform write actions",
    'Give the app the "Read, write, and direct messages" permission, regenerate its access tokens, and ' +
      "register webhooks with OAuth 1.0a user context (the app owner's tokens), not the Bearer token."
  ),
  "Unauthorized.CredentialsUnverified": text(
    "X could not verify the app's credentials",
    "Check the consumer key and secret of the token request, and cache the Bearer token instead of requesting " +
      "it again and again."
  ),
  "Unauthorized.ClientNotPermitted": text(
    "This app is not permitted to call this method",
    "Check that the app has Account Activity API (Enterprise) access and that these are its credentials."
  ),
  "Unauthorized.Forbidden": text(
    "The app has no access to this resource",
    "Check that the app is enabled for the Account Activity API (with Replay, for replay requests) and that the " +
      "request URL is right."
  ),
  "RateLimited.RateLimit": text(
    "The rate limit of this endpoint is exhausted",
    "Wait for the rate-limit window to reset before retrying, and spread requests out."
  ),
  "RateLimited.UsageCapped": text(
    "The app's usage cap is reached",
    "Wait for the cap period to reset or raise the plan's cap; retrying sooner does not help."
  ),
  ServerError: text(
    "X failed with a server error or a service it depends on is unavailable",
    "Retry with exponential backoff."
  ),
  NotFound: text(
    "X found nothing at this path",
    "Check the ids in the path; when unsubscribing, this usually means the user is not subscribed to that webhook."
  ),
  UnknownApiError: text(
    "X rejected the request with an error this version does not know",
    "Read X's message that follows and check the code in X's developer documentation."
  )
} as const satisfies Record<string, Text>

/** @internal */
export type TextKey = keyof typeof texts
