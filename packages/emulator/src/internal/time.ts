/**
 * Timestamps in X's v1.1 form.
 *
 * @internal
 */

/** `2016-06-02T23:54:02Z`: ISO 8601 in UTC, whole seconds. @internal */
export const isoSeconds = (millis: number): string => new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")
