-- Deletes an event: its own keys here, at once; the keys named after its reservations, waiters and
-- idempotent answers ({event:ID}:res:..., :waiter:..., :idem:...) the service removes afterwards,
-- finding them in the event's slot. With the metadata gone, every other script answers not_found,
-- so nothing new is written for the event meanwhile.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: none
-- Reply (JSON): {"ok": {}} or {"fail": "not_found", "detail": text}
if redis.call('EXISTS', META) == 0 then
  return reply({ fail = 'not_found', detail = 'no such event' })
end
redis.call('UNLINK', META, SEATS, STATS, FREE, EXPIRY, POSITIONS, LAYOUT, CHANGES, WAITLIST, USERS)
return reply({ ok = {} })
