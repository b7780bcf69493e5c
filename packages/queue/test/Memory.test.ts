import { Layer } from "effect"
import * as EventQueueSuite from "../src/EventQueueSuite.js"
import * as MemoryQueue from "../src/MemoryQueue.js"
import * as MemorySeenStore from "../src/MemorySeenStore.js"

EventQueueSuite.suite("MemoryQueue (TestClock)", Layer.merge(MemoryQueue.layer(), MemorySeenStore.layer()), {
  clock: "test"
})

EventQueueSuite.suite("MemoryQueue (live clock)", Layer.merge(MemoryQueue.layer(), MemorySeenStore.layer()), {
  clock: "live",
  visibilityTimeout: "100 millis"
})
