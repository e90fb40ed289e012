-- Puts a user on the event's waitlist, in join order, when fewer than `quantity` seats are free.
-- A user waiting already, or holding the seats of a promotion, gets the current entry back.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: user id, quantity, the most seats a user may hold or buy (0: no cap)
-- Reply (JSON): {"ok": entry, "created": true when this call added it, "index": the time (ms) by which
--   the sweeper must look at the event, when its index may lack it} or {"fail": "not_found" | "seats_available", "detail": text, "available": n}
--   or {"fail": "insufficient", "detail": text, "unsold": n} when fewer seats than that are left to sell,
--   or {"fail": "event_ended", ...} past the event's end, or {"fail": "user_limit", "limit": n, "held": n}
--   when the seats waited for would take the user past the cap;
--   entry: {userId, quantity, position, status, joinedAt}; "events" as elsewhere
local user, quantity, cap = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])

local layout = load_layout()
if not layout then
  return reply({ fail = 'not_found', detail = 'no such event' })
end
local now = now_ms()
release_due(layout, now, due_limit(quantity))
if ended(layout, now) then
  return reply(ended_reply())
end

local function entry()
  local w = redis.call('HMGET', waiter_key(user), 'quantity', 'joined_at', 'status', 'reservation')
  local rank = redis.call('ZRANK', WAITLIST, user)
  return { userId = user, quantity = tonumber(w[1]), joinedAt = tonumber(w[2]), status = w[3],
           reservationId = w[4] or nil, position = rank and rank + 1 or nil }
end

local current = redis.call('HMGET', waiter_key(user), 'status', 'reservation')
if current[1] == 'waiting' or (current[1] == 'promoted'
    and redis.call('HGET', res_key(current[2]), 'status') == 'pending') then
  return reply({ ok = entry() })
end

local capped = over_cap(user, quantity, cap)
if capped then
  return reply(capped)
end
local available = free_seats()
if available >= quantity then
  return reply({ fail = 'seats_available', detail = 'enough seats are free: hold them instead',
                 available = available })
end
local unsold = unsold_seats()
if quantity > unsold then -- a wait that could never end
  return reply({ fail = 'insufficient', detail = 'the event has only ' .. unsold .. ' seats left to sell',
                 unsold = unsold })
end

local index = unindexed() and now or nil
local order = redis.call('HINCRBY', META, 'waitlist_joins', 1)
redis.call('ZADD', WAITLIST, order, user)
redis.call('DEL', waiter_key(user))
redis.call('HSET', waiter_key(user), 'quantity', quantity, 'joined_at', now, 'status', 'waiting')
emit('waitlist.joined', now, { userId = user, quantity = quantity })
return reply({ ok = entry(), created = true, index = index })
