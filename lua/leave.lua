-- Takes a waiting user off the event's waitlist.
-- KEYS: the event's keys (see lib.lua)
-- ARGV: user id
-- Reply (JSON): {"ok": {}} or {"fail": "not_found", "detail": text}; "events" as elsewhere
local user = ARGV[1]

if redis.call('ZREM', WAITLIST, user) == 0 then
  return reply({ fail = 'not_found', detail = 'the user is not waiting for this event' })
end
redis.call('DEL', waiter_key(user))
emit('waitlist.left', now_ms(), { userId = user })
return reply({ ok = {} })
