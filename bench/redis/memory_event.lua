-- What one event costs in Redis: MEMORY USAGE (SAMPLES 0: every element counted) over its keys.
-- KEYS: every key lua/lib.lua lists for an event script ({event:ID}, :seats, :stats, :free, :expiry,
--       ... ), KEYS[5] being the expiry index
-- Reply: bytes of the event's own keys, bytes of its live reservation records ({event:ID}:res:RES of
--        every pending reservation and of every owner of a sold seat), number of those records
local function usage(key)
  return redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') or 0
end

local own = 0
for _, key in ipairs(KEYS) do
  own = own + usage(key)
end
local live = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[5], '0', '-1')) do
  if id ~= '~end' then
    live[id] = true
  end
end
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do
  if string.sub(v, 1, 5) == 'sold:' then
    live[string.sub(v, 6)] = true
  end
end
local records, count = 0, 0
for id in pairs(live) do
  records = records + usage(KEYS[1] .. ':res:' .. id)
  count = count + 1
end
return { own, records, count }
