-- Holds seats for a user: the named seats, or `quantity` best-available seats (adjacent seats in one
-- row first, else any). All or nothing. With an idempotency key, a retry gets the first reply again.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: reservation id, user id, idempotency key ('' for none), request fingerprint,
--       quantity (0 when seats are named), seat ids...
-- Reply (JSON): {"ok": reservation, "first": true when the event had no other pending hold}
--   ("replayed": true when it is the stored reply to an earlier call with the same idempotency key)
--   or {"fail": "not_found" | "unknown_seats" | "unavailable" | "insufficient" | "idempotency_mismatch", ...};
--   "released" lists the holds found expired on the way.
local id, user, idem, fingerprint, quantity = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])

local layout = load_layout()
if not layout then
  return reply({ fail = 'not_found', detail = 'no such event' })
end

local idem_key = idem ~= '' and (META .. ':idem:' .. user .. ':' .. idem) or nil
if idem_key then
  local stored = redis.call('GET', idem_key)
  if stored then
    local first = cjson.decode(stored)
    if first.fingerprint ~= fingerprint then
      return reply({ fail = 'idempotency_mismatch',
                     detail = 'this Idempotency-Key was used for a different request' })
    end
    local replayed = cjson.decode(first.reply)
    replayed.replayed = true
    return cjson.encode(replayed)
  end
end

local now = now_ms()
local released = release_due(layout, now, 64)

local function remember(result, first)
  if idem_key then
    redis.call('SET', idem_key, cjson.encode({ fingerprint = fingerprint, reply = reply(result) }), 'EX', 86400)
  end
  result.first = first
  return reply(result, released)
end

local seats = {}
if quantity == 0 then
  local unknown, unavailable, seen = {}, {}, {}
  for i = 6, #ARGV do
    local seat = ARGV[i]
    local state = redis.call('HGET', SEATS, seat)
    if seen[seat] then
      return reply({ fail = 'invalid', detail = 'seat ' .. seat .. ' is named twice' }, released)
    end
    seen[seat] = true
    if not state then
      unknown[#unknown + 1] = seat
    elseif state ~= 'available' then
      local holder = string.match(state, '^pending:(.+)$')
      if not (holder and expire_if_due(layout, holder, now, released)) then
        unavailable[#unavailable + 1] = seat
      end
    end
    seats[#seats + 1] = seat
  end
  if #unknown > 0 then
    -- a request naming seats the event does not have is not worth remembering
    return reply({ fail = 'unknown_seats', detail = 'the event has no such seats', unknown = unknown }, released)
  end
  if #unavailable > 0 then
    return remember({ fail = 'unavailable', detail = 'some seats are taken', unavailable = unavailable })
  end
else
  local available = tonumber(redis.call('HGET', STATS, 'available'))
  if available < quantity then
    return remember({ fail = 'insufficient', detail = 'not enough free seats', available = available })
  end
  -- first a run of `quantity` free seats inside one row, looking at a bounded number of runs
  local row = layout.per_row
  local last = layout.rows * row - 1
  local start = redis.call('BITPOS', FREE, 1, 0, -1, 'BIT')
  local runs = 0
  while start >= 0 and start <= last and runs < 256 do
    local row_end = (math.floor(start / row) + 1) * row - 1
    local gap = redis.call('BITPOS', FREE, 0, start, row_end, 'BIT')
    local run_end = gap == -1 and row_end or gap - 1
    if run_end - start + 1 >= quantity then
      for i = start, start + quantity - 1 do
        seats[#seats + 1] = seat_id(layout, i)
      end
      break
    end
    runs = runs + 1
    if run_end >= last then
      break
    end
    start = redis.call('BITPOS', FREE, 1, run_end + 1, last, 'BIT')
  end
  -- else the first free seats wherever they are
  if #seats == 0 then
    local pos = 0
    while #seats < quantity do
      pos = redis.call('BITPOS', FREE, 1, pos, last, 'BIT')
      seats[#seats + 1] = seat_id(layout, pos)
      pos = pos + 1
    end
  end
end

-- the caller puts the event in the sweeper's index when it had no other pending hold
local first = redis.call('ZCARD', EXPIRY) == 0 or nil
local expires_at = now + layout.hold_ms
for _, seat in ipairs(seats) do
  redis.call('HSET', SEATS, seat, 'pending:' .. id)
  redis.call('SETBIT', FREE, seat_index(layout, seat), 0)
end
redis.call('HINCRBY', STATS, 'available', -#seats)
redis.call('HINCRBY', STATS, 'pending', #seats)
redis.call('HSET', res_key(id), 'user', user, 'seats', table.concat(seats, ','), 'status', 'pending',
  'created_at', now, 'expires_at', expires_at)
redis.call('SADD', RESERVATIONS, id)
redis.call('ZADD', EXPIRY, expires_at, id)

return remember({ ok = reservation(id) }, first)
