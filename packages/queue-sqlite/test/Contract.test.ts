import * as EventQueueSuite from "@account-activity/queue/EventQueueSuite"
import { freshLayer } from "./utils/tempFile.js"

EventQueueSuite.suite("SqliteQueue", freshLayer({ pollInterval: "20 millis" }), {
  clock: "live",
  visibilityTimeout: "200 millis"
})

EventQueueSuite.suite(
  "SqliteQueue without group commit",
  freshLayer({ pollInterval: "20 millis", groupCommit: false }),
  {
    clock: "live",
    visibilityTimeout: "200 millis"
  }
)
