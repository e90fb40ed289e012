-- What one event costs in Redis: MEMORY USAGE (SAMPLES 0: every element counted) over its keys.
-- KEYS: every key lua/lib.lua lists for an event script ({event:ID}, :seats, :stats, :free, :reservations,
--       :expiry, ... ), KEYS[5] being the reservations set
-- Reply: bytes of the event's own keys, bytes of its reservation records ({event:ID}:res:RES of every
--        live reservation), number of those records
local function usage(key)
  return redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') or 0
end

local own = 0
for _, key in ipairs(KEYS) do
  own = own + usage(key)
end
local records, count = 0, 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  records = records + usage(KEYS[1] .. ':res:' .. id)
  count = count + 1
end
return { own, records, count }
