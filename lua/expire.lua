-- The sweeper's pass over an event: releases the holds whose time has passed. Past the event's end it
-- retires the event instead, a bounded step a call: every pending hold ends as expired, every waiter
-- leaves the line (reason "ended"), then the change log is cut down to the entry that says the event
-- ended (event.ended), and the event leaves the sweeper's index. Confirmed reservations and sold
-- seats stay; ended records expire on their own (a week). Running it twice is harmless.
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

if ended(layout, now) then
  local steps = 0
  for _, id in ipairs(redis.call('ZRANGE', EXPIRY, '0', int(limit))) do
    if id ~= END_MARK then
      if not release(layout, id, 'expired', now) then
        redis.call('ZREM', EXPIRY, id)
      end
      steps = steps + 1
    end
  end
  if steps == 0 then
    for _, user in ipairs(redis.call('ZRANGE', WAITLIST, '0', int(limit - 1))) do
      local quantity = tonumber(redis.call('HGET', waiter_key(user), 'quantity'))
      redis.call('ZREM', WAITLIST, user)
      redis.call('HSET', waiter_key(user), 'status', 'ended', 'left_at', int(now))
      redis.call('EXPIRE', waiter_key(user), int(ENDED_TTL_SECONDS))
      emit('waitlist.left', now, { userId = user, quantity = quantity, reason = 'ended' })
      steps = steps + 1
    end
  end
  if steps > 0 then
    return reply({ next = now }) -- more to retire: the sweeper comes back at once
  end
  if redis.call('ZREM', EXPIRY, END_MARK) == 1 then
    redis.call('XTRIM', CHANGES, 'MAXLEN', '0')
    redis.call('HSET', META, 'retired_at', int(now))
    emit('event.ended', now, {})
  end
  return reply({ waiting = 0, available = free_seats() })
end

release_due(layout, now, limit)
local next = tonumber(redis.call('ZRANGE', EXPIRY, 0, 0, 'WITHSCORES')[2])
local waiting = redis.call('ZCARD', WAITLIST)
if waiting > 0 and (not next or next > now + recheck_ms) then
  next = now + recheck_ms
end
return reply({ next = next, waiting = waiting, available = free_seats() })
