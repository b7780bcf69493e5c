/**
 * `@account-activity/plugin-log`: The reference plugin of the Account Activity toolkit: one readable line per event, or JSON lines to a file.
 *
 * @since 0.1.0
 */
export {}
