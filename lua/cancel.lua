-- Cancels a pending hold: its seats are available again. Cancelling a cancelled reservation answers
-- it again; a sold or expired reservation cannot be cancelled.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: reservation id, user id
-- Reply (JSON): {"ok": reservation} or {"fail": "not_found" | "forbidden" | "ended", "detail": text};
--   "events": the domain events emitted (none for a repeated cancel).
local id, user = ARGV[1], ARGV[2]

local layout = load_layout()
local now = now_ms()
local r, refusal = own_reservation(layout, id, user, now)
if not r then
  return refusal
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
