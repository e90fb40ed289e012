-- Creates an event with every seat available.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: id, name, venue, price, hold_seconds, layout ('grid' | 'list'), rows, per_row,
--       ends_at (ms, '' for none), seat ids... (list only)
-- Reply (JSON): {"ok": {"createdAt": ms, "totalSeats": n}, "index": ends_at when there is one: the time by
--   which the sweeper must look at the event} or {"fail": "exists" | "invalid" (a seat named twice)};
--   "events" as elsewhere
local id, name, venue, price, hold_seconds, kind = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local rows, per_row, ends_at = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local FIRST_SEAT = 10

if redis.call('EXISTS', META) == 1 then
  return reply({ fail = 'exists', detail = 'event ' .. id .. ' already exists' })
end
-- a seat named twice would be counted twice but stored once: refused before anything is written
if kind == 'list' then
  local seen = {}
  for i = FIRST_SEAT, #ARGV do
    if seen[ARGV[i]] then
      return reply({ fail = 'invalid', detail = 'seat ' .. ARGV[i] .. ' is named twice' })
    end
    seen[ARGV[i]] = true
  end
end

local BATCH = 1000
local total = 0
local batch = {}
local function flush()
  if #batch > 0 then
    redis.call('HSET', SEATS, unpack(batch))
    batch = {}
  end
end
local function add_seat(seat)
  batch[#batch + 1] = seat
  batch[#batch + 1] = 'available'
  total = total + 1
  if #batch >= 2 * BATCH then
    flush()
  end
end

if kind == 'grid' then
  for r = 1, rows do
    local label = row_label(r)
    for s = 1, per_row do
      add_seat(label .. s)
    end
  end
  flush()
else
  local positions = {}
  for i = FIRST_SEAT, #ARGV do
    add_seat(ARGV[i])
    positions[#positions + 1] = ARGV[i]
    positions[#positions + 1] = i - FIRST_SEAT
    if #positions >= 2 * BATCH then
      redis.call('HSET', POSITIONS, unpack(positions))
      positions = {}
    end
  end
  flush()
  if #positions > 0 then
    redis.call('HSET', POSITIONS, unpack(positions))
  end
  for i = FIRST_SEAT, #ARGV, BATCH do
    redis.call('RPUSH', LAYOUT, unpack(ARGV, i, math.min(i + BATCH - 1, #ARGV)))
  end
  rows, per_row = 1, total
end

-- every bit of the free map set: whole bytes at once, then the remainder bit by bit
local full_bytes = math.floor(total / 8)
if full_bytes > 0 then
  redis.call('SETRANGE', FREE, 0, string.rep('\255', full_bytes))
end
for i = full_bytes * 8, total - 1 do
  redis.call('SETBIT', FREE, i, 1)
end

local now = now_ms()
redis.call('HSET', META, 'id', id, 'name', name, 'venue', venue, 'price', price, 'hold_seconds', hold_seconds,
  'total_seats', int(total), 'created_at', int(now), 'layout', kind, 'rows', int(rows), 'per_row', int(per_row))
redis.call('HSET', STATS, 'available', int(total), 'pending', '0', 'sold', '0')
local created = { name = name, venue = venue, totalSeats = total }
if ends_at then
  redis.call('HSET', META, 'ends_at', int(ends_at))
  redis.call('ZADD', EXPIRY, int(ends_at), END_MARK)
  created.endsAt = ends_at
end
emit('event.created', now, created)
return reply({ ok = { createdAt = now, totalSeats = total }, index = ends_at })
