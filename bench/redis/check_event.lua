-- The invariant check of one event, run by bench/run.sh between measurements (read only).
-- KEYS: {event:ID} {event:ID}:seats {event:ID}:stats {event:ID}:free {event:ID}:expiry
-- Reply: total_seats, seats in the map, available / held / sold / other values in the map,
--        stats available / pending / sold, bits set in the free map, live reservations (the pending
--        ones of the expiry index and the owners of sold seats), seats they claim, claims that the map
--        does not back (seat not 'pending:RES' / 'sold:RES'), live reservations whose status is
--        neither pending nor confirmed
local META, SEATS, STATS, FREE, EXPIRY = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

local total = tonumber(redis.call('HGET', META, 'total_seats') or '-1')
local values = redis.call('HVALS', SEATS)
local available, held, sold, other = 0, 0, 0, 0
local live = {}
for _, v in ipairs(values) do
  if v == 'available' then
    available = available + 1
  elseif string.sub(v, 1, 8) == 'pending:' then
    held = held + 1
  elseif string.sub(v, 1, 5) == 'sold:' then
    sold = sold + 1
    live[string.sub(v, 6)] = true
  else
    other = other + 1
  end
end
for _, id in ipairs(redis.call('ZRANGE', EXPIRY, '0', '-1')) do
  if id ~= '~end' then
    live[id] = true
  end
end
local stats = redis.call('HMGET', STATS, 'available', 'pending', 'sold')
local bits = redis.call('BITCOUNT', FREE)

local count, claimed, unbacked, bad_status = 0, 0, 0, 0
for id in pairs(live) do
  count = count + 1
  local r = redis.call('HMGET', META .. ':res:' .. id, 'status', 'seats')
  local prefix
  if r[1] == 'pending' then
    prefix = 'pending:'
  elseif r[1] == 'confirmed' then
    prefix = 'sold:'
  else
    bad_status = bad_status + 1
  end
  if prefix then
    for seat in string.gmatch(r[2] or '', '[^,]+') do
      claimed = claimed + 1
      if redis.call('HGET', SEATS, seat) ~= prefix .. id then
        unbacked = unbacked + 1
      end
    end
  end
end

return { total, #values, available, held, sold, other,
         tonumber(stats[1] or '-1'), tonumber(stats[2] or '-1'), tonumber(stats[3] or '-1'),
         bits, count, claimed, unbacked, bad_status }
