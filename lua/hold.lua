-- Holds seats for a user: the named seats, or `quantity` best-available seats (adjacent seats in one
-- row first, else any). All or nothing. With an idempotency key, a retry gets the first reply again.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: reservation id (new for each request, the same when the service repeats it), user id,
--       idempotency key ('' for none), request fingerprint,
--       quantity (0 when seats are named), the most seats a user may hold or buy (0: no cap), seat ids...
-- Reply (JSON): {"ok": reservation, "index": when the sweeper's index may lack the event, the time (ms)
--   by which the sweeper must look at it}
--   or {"fail": "not_found" | "invalid" | "unknown_seats" | "unavailable" | "insufficient"
--   | "idempotency_mismatch" | "event_ended" | "user_limit" (with "limit" and "held"), "detail": text, ...} (unavailable or insufficient also while the first
--   in line fits the free seats: those go to the waitlist first); "replayed": true when it is the
--   stored reply to an earlier call with the same key; "events": the domain events emitted (see lib.lua);
--   "full" when the event is left without a free seat: {"now": Redis' time (ms), "nextExpiry": ms, the
--   first time one of its pending holds runs out (absent when none is pending), "rows", "seatsPerRow"
--   (grid events)}, so that the service can refuse the holds that follow for a moment without calling
--   this script.
local id, user, idem, fingerprint, quantity, cap = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]),
  tonumber(ARGV[6])
local FIRST_SEAT = 7

local layout = load_layout()
if not layout then
  return reply({ fail = 'not_found', detail = 'no such event' })
end

-- the reply; `available` is the count of free seats when the caller knows it
local function answer(t, available)
  if (available or free_seats()) == 0 then
    local first = redis.call('ZRANGE', EXPIRY, '0', '0', 'WITHSCORES')
    t.full = { now = now_ms(), nextExpiry = tonumber(first[2]) }
    if layout.kind == 'grid' then
      t.full.rows, t.full.seatsPerRow = layout.rows, layout.per_row
    end
  end
  return reply(t)
end

-- the same call again (the service repeats a call whose connection broke): its hold, once
if redis.call('EXISTS', res_key(id)) == 1 then
  local r = reservation(id)
  return answer({ ok = r, replayed = true, index = r.expiresAt })
end

local idem_key = idem ~= '' and (META .. ':idem:' .. user .. ':' .. idem) or nil
if idem_key then
  local stored = redis.call('GET', idem_key)
  if stored then
    local first = cjson.decode(stored)
    if first.fingerprint ~= fingerprint then
      return answer({ fail = 'idempotency_mismatch',
                     detail = 'this Idempotency-Key was used for a different request' })
    end
    local replayed = cjson.decode(first.reply)
    replayed.replayed = true
    return cjson.encode(replayed)
  end
end

local WAITLIST_FIRST = 'the free seats go to the waitlist first'
local now = now_ms()
local all_due_released = release_due(layout, now, due_limit(quantity))
if ended(layout, now) then -- not remembered for the idempotency key: nothing to repeat
  return answer(ended_reply())
end
-- the user's cap: not remembered either (a cancel of theirs lifts it)
local capped = over_cap(user, quantity > 0 and quantity or #ARGV - FIRST_SEAT + 1, cap)
if capped then
  return answer(capped)
end

-- the answer, kept for retries with the same idempotency key (without this call's events)
local function remember(result)
  if idem_key then
    redis.call('SET', idem_key, cjson.encode({ fingerprint = fingerprint, reply = cjson.encode(result) }),
      'EX', '86400')
  end
  return result
end

local seats, available
if quantity == 0 then
  seats = {}
  local unknown, unavailable, seen = {}, {}, {}
  for i = FIRST_SEAT, #ARGV do
    local seat = ARGV[i]
    if seen[seat] then
      return answer({ fail = 'invalid', detail = 'seat ' .. seat .. ' is named twice' })
    end
    seen[seat] = true
    seats[#seats + 1] = seat
  end
  local states = redis.call('HMGET', SEATS, unpack(seats))
  for i, seat in ipairs(seats) do
    local state = states[i]
    if not state then
      unknown[#unknown + 1] = seat
    elseif state ~= 'available' then
      -- a hold past its time is already released, unless there were more of them than one call releases
      local holder = not all_due_released and string.match(state, '^pending:(.+)$')
      if not (holder and expire_if_due(layout, holder, now)) then
        unavailable[#unavailable + 1] = seat
      end
    end
  end
  if #unknown > 0 then
    -- a request naming seats the event does not have is not worth remembering
    return answer({ fail = 'unknown_seats', detail = 'the event has no such seats', unknown = unknown })
  end
  if #unavailable > 0 then
    return answer(remember({ fail = 'unavailable', detail = 'some seats are taken', unavailable = unavailable }))
  end
  available = free_seats()
  if owed_to_waitlist(available) then -- passing: not remembered for the idempotency key
    return answer({ fail = 'unavailable', detail = WAITLIST_FIRST, unavailable = seats }, available)
  end
else
  available = free_seats()
  if owed_to_waitlist(available) then -- passing: not remembered for the idempotency key
    return answer({ fail = 'insufficient', detail = WAITLIST_FIRST, available = available }, available)
  end
  seats = pick_seats(layout, quantity, available)
  if not seats then
    return answer(remember({ fail = 'insufficient', detail = 'not enough free seats', available = available }),
      available)
  end
end

local index = unindexed()
local held, left = hold_seats(layout, id, user, seats, available, now)
local result = remember({ ok = held })
result.index = index and held.expiresAt or nil
return answer(result, left)
