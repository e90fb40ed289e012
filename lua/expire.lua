-- Releases the event's holds whose time has passed (the sweeper's pass; running it twice is harmless).
-- KEYS: the event's keys (see lib.lua)
-- ARGV: the most holds to release in this call
-- Reply (JSON): {"next": ms of the next pending expiry, absent when none} with "released" as elsewhere
local limit = tonumber(ARGV[1])

local layout = load_layout()
if not layout then
  return reply({})
end
local released = release_due(layout, now_ms(), limit)
local next = redis.call('ZRANGE', EXPIRY, 0, 0, 'WITHSCORES')
return reply({ next = tonumber(next[2]) }, released)
