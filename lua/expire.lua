-- The sweeper's pass over an event: releases the holds whose time has passed. Running it twice is
-- harmless.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: the most holds to release in this call, how long (ms) until an event with waiters is looked at again
-- Reply (JSON): {"next": ms when the sweeper should look again (absent: nothing pending, nobody waiting),
--   "waiting": waitlist length, "available": free seats, "events": the domain events emitted}
local limit, recheck_ms = tonumber(ARGV[1]), tonumber(ARGV[2])

local layout = load_layout()
if not layout then
  return reply({})
end
local now = now_ms()
release_due(layout, now, limit)
local next = tonumber(redis.call('ZRANGE', EXPIRY, 0, 0, 'WITHSCORES')[2])
local waiting = redis.call('ZCARD', WAITLIST)
if waiting > 0 and (not next or next > now + recheck_ms) then
  next = now + recheck_ms
end
return reply({ next = next, waiting = waiting, available = free_seats() })
