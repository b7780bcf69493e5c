import * as CoordinationSuite from "@account-activity/queue/CoordinationSuite"
import * as EventQueueSuite from "@account-activity/queue/EventQueueSuite"
import { describeRedis, freshLayer } from "./utils/redis.js"

describeRedis("contract", () => {
  EventQueueSuite.suite("RedisQueue", freshLayer(), { clock: "live", visibilityTimeout: "200 millis" })
  CoordinationSuite.suite("RedisQueue", freshLayer(), { clock: "live" })
})
