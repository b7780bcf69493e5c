import { Layer } from "effect"
import * as CoordinationSuite from "../src/CoordinationSuite.js"
import * as MemoryJournal from "../src/MemoryJournal.js"
import * as MemoryLock from "../src/MemoryLock.js"

CoordinationSuite.suite("Memory (TestClock)", Layer.merge(MemoryJournal.layer, MemoryLock.layer), { clock: "test" })
CoordinationSuite.suite("Memory (live clock)", Layer.merge(MemoryJournal.layer, MemoryLock.layer), { clock: "live" })
