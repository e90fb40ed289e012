-- Cancels a pending hold: its seats are available again. Cancelling a cancelled reservation answers
-- it again; a sold or expired reservation cannot be cancelled.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: reservation id, user id
-- Reply (JSON): {"ok": reservation} or {"fail": "not_found" | "forbidden" | "ended", "detail": text};
--   "events": the domain events emitted (none for a repeated cancel).
local id, user = ARGV[1], ARGV[2]

local layout = load_layout()
local r = layout and reservation(id)
if not r then
  return reply({ fail = 'not_found', detail = 'no such reservation' })
end
if r.userId ~= user then
  return reply({ fail = 'forbidden', detail = 'the reservation belongs to another user' })
end

local now = now_ms()
if r.status == 'pending' and expire_if_due(layout, id, now) then
  r.status = 'expired'
end
if r.status == 'cancelled' then
  return reply({ ok = r })
end
if r.status ~= 'pending' then
  return reply({ fail = 'ended', detail = 'the reservation is ' .. r.status, reservationStatus = r.status })
end

release(layout, id, 'cancelled', now)
r.status = 'cancelled'
return reply({ ok = r })
