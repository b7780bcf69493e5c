/**
 * `@account-activity/cli`: The aaa command for the X Account Activity API: webhooks, subscriptions, replay, CRC, decode and signed requests.
 *
 * @since 0.1.0
 */
export {}
