-- Confirms a pending hold: its seats become sold. Confirming a confirmed reservation answers it again;
-- a hold whose time has passed is released as expired and cannot be confirmed. Waiters first in
-- line who now want more seats than are left to sell leave the line (see drop_unservable).
-- KEYS: the event's keys (see lib.lua)
-- ARGV: reservation id, user id
-- Reply (JSON): {"ok": reservation} or {"fail": "not_found" | "forbidden" | "ended", "detail": text};
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
  redis.call('HSET', res_key(id), 'confirm_repeated_at', now)
  return reply({ ok = r })
end
if r.status ~= 'pending' then
  return reply({ fail = 'ended', detail = 'the reservation is ' .. r.status, reservationStatus = r.status })
end

set_seats(layout, r.seats, 'sold:' .. id)
redis.call('HINCRBY', STATS, 'pending', -#r.seats)
redis.call('HINCRBY', STATS, 'sold', #r.seats)
redis.call('HSET', res_key(id), 'status', 'confirmed', 'confirmed_at', now)
redis.call('ZREM', EXPIRY, id)
r.status = 'confirmed'
emit('reservation.confirmed', now, { reservationId = id, userId = user, seats = r.seats })
drop_unservable(now) -- a sale is the only thing that leaves fewer seats to sell
return reply({ ok = r })
