/**
 * `@account-activity/cli`: the `aaa` command for the X Account Activity API: webhooks, subscriptions, replay,
 * CRC, delivery decoding, signed requests, diagnosis and a local emulator.
 *
 * @since 0.1.0
 */

/**
 * The `aaa` command tree, `run` (a command line to an exit code) and the exit codes.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"
