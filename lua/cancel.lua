-- Cancels a pending hold: its seats are available again. Cancelling a cancelled reservation answers
-- it again; a sold or expired reservation cannot be cancelled.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: reservation id, user id
-- Reply (JSON): {"ok": reservation, "changed": true when this call cancelled it}
--   or {"fail": "not_found" | "forbidden" | "ended", ...}; "released" lists holds found expired.
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
local released = {}
if r.status == 'pending' and expire_if_due(layout, id, now, released) then
  r.status = 'expired'
end
if r.status == 'cancelled' then
  return reply({ ok = r }, released)
end
if r.status ~= 'pending' then
  return reply({ fail = 'ended', detail = 'the reservation is ' .. r.status, reservationStatus = r.status }, released)
end

release(layout, id, 'cancelled', now)
r.status = 'cancelled'
return reply({ ok = r, changed = true }, released)
