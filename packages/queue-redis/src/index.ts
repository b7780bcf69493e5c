/**
 * `@account-activity/queue-redis`: the scale-out `EventQueue`, `SeenStore`, `Journal` and `Lock` on one Redis
 * server: a Redis Streams consumer group for the queue, keys with a TTL for dedup, Lua scripts for the
 * journal and the lock.
 *
 * @since 0.1.0
 */

/**
 * `RedisQueue.layer({ url, prefix })`: the four services from one Redis server.
 *
 * @since 0.1.0
 */
export * as RedisQueue from "./RedisQueue.js"
