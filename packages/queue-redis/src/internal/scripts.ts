import { createHash } from "node:crypto"
import type { Redis } from "ioredis"

/**
 * A Lua script run with EVALSHA (falling back to EVAL once when the server does not know it yet). Every
 * key a script touches is passed in KEYS, so a script stays valid where all the keys share a hash slot.
 */
export interface Script {
  readonly name: string
  readonly lua: string
  readonly sha: string
}

const script = (name: string, lua: string): Script => ({
  name,
  lua,
  sha: createHash("sha1").update(lua).digest("hex")
})

/** Runs a script; with `buffers` the bulk replies come back as Buffers (binary bodies), otherwise as strings. */
export const run = async (
  redis: Redis,
  script: Script,
  keys: ReadonlyArray<string>,
  args: ReadonlyArray<string | Buffer | number>,
  buffers = false
): Promise<unknown> => {
  const call = (command: string, first: string) =>
    buffers
      ? redis.callBuffer(command, [first, keys.length, ...keys, ...args])
      : redis.call(command, [first, keys.length, ...keys, ...args])
  try {
    return await call("evalsha", script.sha)
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("NOSCRIPT")) return await call("eval", script.lua)
    throw error
  }
}

/** Helpers shared by the queue scripts. KEYS of every queue script: stream, delayed, schedule, dead, dead index, dead order. */
const prelude = `
local stream, delayed, schedule, dead, dead_index, dead_order = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

local function now_ms()
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function int(n)
  return string.format("%d", n)
end

local function map_of(fields)
  local m = {}
  for i = 1, #fields, 2 do m[fields[i]] = fields[i + 1] end
  return m
end

-- A message id ("<ms>-<seq>") padded so that ids sort by byte order; nil for anything else.
local function pad(id)
  local ms, seq = string.match(id, "^(%d+)%-(%d+)$")
  if not ms or #ms > 20 or #seq > 20 then return nil end
  return string.rep("0", 20 - #ms) .. ms .. "-" .. string.rep("0", 20 - #seq) .. seq
end

-- The fields of a delivery under its message id.
local function delivery(m, id)
  local f = { "id", id, "body", m.body, "headers", m.headers, "receivedAt", m.receivedAt }
  if m.source then
    f[#f + 1] = "source"
    f[#f + 1] = m.source
  end
  return f
end

-- Moves a message to the dead letters. reason: "nack" (err is the nack's error) or "expired" (err is the
-- error before the expired lease, if any); holder: the consumer of the last lease.
local function bury(id, m, attempts, reason, err, holder, now)
  local f = delivery(m, id)
  for _, v in ipairs({ "attempts", int(attempts), "reason", reason, "consumer", holder, "failedAt", int(now) }) do
    f[#f + 1] = v
  end
  if err then
    f[#f + 1] = "error"
    f[#f + 1] = err
  end
  local key = pad(id) or id
  local old = redis.call("HGET", dead_index, key)
  if old then redis.call("XDEL", dead, old) end
  local entry = redis.call("XADD", dead, "*", unpack(f))
  redis.call("HSET", dead_index, key, entry)
  redis.call("ZADD", dead_order, 0, key)
end
`

/**
 * Leases up to ARGV[3] records for consumer ARGV[2] of group ARGV[1]: first the delayed nacks that are due go
 * back on the stream; then the pending records idle for at least the visibility timeout ARGV[4] (a lease that
 * expired) are claimed with XCLAIM (or buried once ARGV[5] deliveries are used up), oldest first; then new
 * records are read with XREADGROUP. XPENDING ... IDLE lists the same records XAUTOCLAIM would claim, and
 * also names their holder, which the dead letter of an expired last attempt records.
 *
 * Returns { entry id, fields, attempts (this delivery included), delivery count } per leased record.
 */
export const lease = script(
  "lease",
  `${prelude}
local group, consumer = ARGV[1], ARGV[2]
local max, vt, max_attempts = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms()

local due = redis.call("ZRANGEBYSCORE", schedule, "-inf", int(now), "LIMIT", 0, 100)
for _, delayed_id in ipairs(due) do
  local e = redis.call("XRANGE", delayed, delayed_id, delayed_id)[1]
  if e then redis.call("XADD", stream, "*", unpack(e[2])) end
  redis.call("XDEL", delayed, delayed_id)
  redis.call("ZREM", schedule, delayed_id)
end

local out = {}
local start = "-"
while #out < max do
  local want = max - #out
  local pending = redis.call("XPENDING", stream, group, "IDLE", vt, start, "+", want)
  for _, p in ipairs(pending) do
    local entry_id, holder, count = p[1], p[2], p[4]
    local claimed = redis.call("XCLAIM", stream, group, consumer, vt, entry_id)[1]
    if claimed then
      local m = map_of(claimed[2])
      local attempts = (tonumber(m.attempts) or 0) + count
      if attempts >= max_attempts then
        bury(m.id or entry_id, m, attempts, "expired", m.error, holder, now)
        redis.call("XACK", stream, group, entry_id)
        redis.call("XDEL", stream, entry_id)
      else
        out[#out + 1] = { entry_id, claimed[2], attempts + 1, count + 1 }
      end
    end
  end
  if #pending < want then break end
  start = "(" .. pending[#pending][1]
end

if #out < max then
  local read = redis.call("XREADGROUP", "GROUP", group, consumer, "COUNT", max - #out, "STREAMS", stream, ">")
  if read and read[1] then
    for _, e in ipairs(read[1][2]) do
      local m = map_of(e[2])
      out[#out + 1] = { e[1], e[2], (tonumber(m.attempts) or 0) + 1, 1 }
    end
  end
end
return out
`
)

/** Acks record ARGV[2] of group ARGV[1] (XACK + XDEL) if its delivery count is still ARGV[3] (the lease is current). */
export const ack = script(
  "ack",
  `${prelude}
local p = redis.call("XPENDING", stream, ARGV[1], ARGV[2], ARGV[2], 1)[1]
if not p or p[4] ~= tonumber(ARGV[3]) then return 0 end
redis.call("XACK", stream, ARGV[1], ARGV[2])
redis.call("XDEL", stream, ARGV[2])
return 1
`
)

/**
 * Nacks record ARGV[2] of group ARGV[1] if its delivery count is still ARGV[3]: with error ARGV[4], after
 * delay ARGV[5] ms, burying it once ARGV[6] deliveries are used up. The record is acked and appended again
 * (to the stream, or to the delayed stream until it is due) with its message id, attempts and error.
 */
export const nack = script(
  "nack",
  `${prelude}
local group, entry_id = ARGV[1], ARGV[2]
local p = redis.call("XPENDING", stream, group, entry_id, entry_id, 1)[1]
if not p or p[4] ~= tonumber(ARGV[3]) then return 0 end
local e = redis.call("XRANGE", stream, entry_id, entry_id)[1]
redis.call("XACK", stream, group, entry_id)
redis.call("XDEL", stream, entry_id)
if not e then return 0 end
local m = map_of(e[2])
local id = m.id or entry_id
local attempts = (tonumber(m.attempts) or 0) + p[4]
local now = now_ms()
if attempts >= tonumber(ARGV[6]) then
  bury(id, m, attempts, "nack", ARGV[4], p[2], now)
  return 1
end
local f = delivery(m, id)
for _, v in ipairs({ "attempts", int(attempts), "error", ARGV[4] }) do f[#f + 1] = v end
local delay = tonumber(ARGV[5])
if delay <= 0 then
  redis.call("XADD", stream, "*", unpack(f))
else
  local delayed_id = redis.call("XADD", delayed, "*", unpack(f))
  redis.call("ZADD", schedule, int(now + delay), delayed_id)
end
return 1
`
)

/**
 * What a waiting consumer needs: { the group's last delivered id, 1 if a lease of at least ARGV[2] ms has
 * expired, when the next delayed nack is due (-1: none), the server's time }.
 */
export const probe = script(
  "probe",
  `${prelude}
local now = now_ms()
local last = "0-0"
local groups = redis.pcall("XINFO", "GROUPS", stream)
if type(groups) == "table" and not groups.err then
  for _, g in ipairs(groups) do
    local m = map_of(g)
    if m.name == ARGV[1] then last = m["last-delivered-id"] end
  end
end
local expired = 0
local pending = redis.pcall("XPENDING", stream, ARGV[1], "IDLE", ARGV[2], "-", "+", 1)
if type(pending) == "table" and not pending.err and #pending > 0 then expired = 1 end
local next_due = redis.call("ZRANGE", schedule, 0, 0, "WITHSCORES")
local due = -1
if next_due[2] then due = tonumber(next_due[2]) end
return { last, expired, due, now }
`
)

/** The fields of up to ARGV[1] dead letters, oldest message first. */
export const deadList = script(
  "deadList",
  `${prelude}
local limit = tonumber(ARGV[1])
local out = {}
if limit < 1 then return out end
for _, key in ipairs(redis.call("ZRANGE", dead_order, 0, limit - 1)) do
  local entry = redis.call("HGET", dead_index, key)
  local e = entry and redis.call("XRANGE", dead, entry, entry)[1]
  if e then out[#out + 1] = e[2] end
end
return out
`
)

/** Puts the dead letters ARGV[1..] back on the stream (attempts reset) and returns how many. */
export const redrive = script(
  "redrive",
  `${prelude}
local n = 0
for i = 1, #ARGV do
  local key = pad(ARGV[i])
  local entry = key and redis.call("HGET", dead_index, key)
  if entry then
    local e = redis.call("XRANGE", dead, entry, entry)[1]
    if e then
      local m = map_of(e[2])
      redis.call("XADD", stream, "*", unpack(delivery(m, m.id or ARGV[i])))
      n = n + 1
    end
    redis.call("XDEL", dead, entry)
    redis.call("HDEL", dead_index, key)
    redis.call("ZREM", dead_order, key)
  end
end
return n
`
)

/** Deletes the dead letters ARGV[1..] and returns how many. */
export const discard = script(
  "discard",
  `${prelude}
local n = 0
for i = 1, #ARGV do
  local key = pad(ARGV[i])
  local entry = key and redis.call("HGET", dead_index, key)
  if entry then
    n = n + redis.call("XDEL", dead, entry)
    redis.call("HDEL", dead_index, key)
    redis.call("ZREM", dead_order, key)
  end
end
return n
`
)

/**
 * Journal helpers. KEYS: the spans of one kind (a sorted set: member "<from>:<key>", score = to) and the
 * newest span per key (a hash: key -> member). Spans ending before ARGV[5] are dropped, 100 at a time.
 */
const journalPrelude = `
local spans, newest = KEYS[1], KEYS[2]

local function prune(cutoff)
  for _, member in ipairs(redis.call("ZRANGEBYSCORE", spans, "-inf", "(" .. cutoff, "LIMIT", 0, 100)) do
    redis.call("ZREM", spans, member)
    local key = string.match(member, "^[^:]*:(.*)$")
    if key and redis.call("HGET", newest, key) == member then redis.call("HDEL", newest, key) end
  end
end
`

/** Extends the newest span of key ARGV[1] to ARGV[2] within tolerance ARGV[3], or starts span ARGV[4]. */
export const journalExtend = script(
  "journalExtend",
  `${journalPrelude}
local key, at, tolerance = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local member = redis.call("HGET", newest, key)
local to = member and redis.call("ZSCORE", spans, member)
to = to and tonumber(to)
if to and to <= at and at - to <= tolerance then
  if to < at then redis.call("ZADD", spans, ARGV[2], member) end
elseif not to or to < at then
  redis.call("ZADD", spans, "GT", ARGV[2], ARGV[4])
  redis.call("HSET", newest, key, ARGV[4])
end
prune(ARGV[5])
return 1
`
)

/** Records span ARGV[4] (key ARGV[1], from ARGV[2], to ARGV[3]). */
export const journalRecord = script(
  "journalRecord",
  `${journalPrelude}
redis.call("ZADD", spans, "GT", ARGV[3], ARGV[4])
local current = redis.call("HGET", newest, ARGV[1])
local to = current and redis.call("ZSCORE", spans, current)
if not to or tonumber(to) <= tonumber(ARGV[3]) then redis.call("HSET", newest, ARGV[1], ARGV[4]) end
prune(ARGV[5])
return 1
`
)

/** Takes lock KEYS[1] for owner ARGV[1] for ARGV[2] ms when free (SET NX PX) or renews it when ARGV[1] holds it. */
export const lockAcquire = script(
  "lockAcquire",
  `
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return 1 end
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return 1
end
return 0
`
)

/** Frees lock KEYS[1] if owner ARGV[1] holds it. */
export const lockRelease = script(
  "lockRelease",
  `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0
`
)
