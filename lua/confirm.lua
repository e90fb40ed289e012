-- Confirms a pending hold: its seats become sold. Confirming a confirmed reservation answers it again;
-- a hold whose time has passed is released as expired and cannot be confirmed. Waiters first in
-- line who now want more seats than are left to sell leave the line (see drop_unservable).
-- KEYS: the event's keys (see lib.lua)
-- ARGV: reservation id, user id
-- Reply (JSON): {"ok": reservation} or {"fail": "not_found" | "forbidden" | "ended" | "event_ended",
--   "detail": text};
--   "events": the domain events emitted (none for a repeated confirm; waitlist.left for a waiter
--   who left the line).
local id, user = ARGV[1], ARGV[2]

local layout = load_layout()
local now = now_ms()
local r, refusal = own_reservation(layout, id, user, now)
if not r then
  return refusal
end
if r.status == 'confirmed' then
  -- a write, so that the caller's WAIT covers the first confirm too when it repeats one
  redis.call('HSET', res_key(id), 'confirm_repeated_at', int(now))
  return reply({ ok = r })
end
if r.status ~= 'pending' then
  return reply({ fail = 'ended', detail = 'the reservation is ' .. r.status, reservationStatus = r.status })
end
if ended(layout, now) then
  return reply(ended_reply())
end

-- only seats held by this reservation, and counted as held, become sold
local states = redis.call('HMGET', SEATS, unpack(r.seats))
for i, seat in ipairs(r.seats) do
  if states[i] ~= 'pending:' .. id then
    drift('seat ' .. seat .. ' of pending reservation ' .. id .. ' is ' .. tostring(states[i]))
  end
end
if tonumber(redis.call('HGET', STATS, 'pending')) < #r.seats then
  drift('fewer seats counted pending than reservation ' .. id .. ' holds')
end
set_seats(layout, r.seats, 'sold:' .. id)
redis.call('HINCRBY', STATS, 'pending', int(-#r.seats))
redis.call('HINCRBY', STATS, 'sold', int(#r.seats))
redis.call('HSET', res_key(id), 'status', 'confirmed', 'confirmed_at', int(now))
redis.call('ZREM', EXPIRY, id)
r.status = 'confirmed'
emit('reservation.confirmed', now, { reservationId = id, userId = user, seats = r.seats })
drop_unservable(now) -- a sale is the only thing that leaves fewer seats to sell
return reply({ ok = r })
