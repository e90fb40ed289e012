-- Shared by every event script: it is put in front of each one when the scripts are loaded.
-- Every event script gets the same KEYS, all under the event's hash tag:
--   KEYS[1] {event:ID}               metadata hash
--   KEYS[2] {event:ID}:seats         seatId -> available | pending:RES | sold:RES
--   KEYS[3] {event:ID}:stats         available, pending, sold (always equal to the seat map)
--   KEYS[4] {event:ID}:free          bitmap, bit i set while seat i (in layout order) is available
--   KEYS[5] {event:ID}:reservations  ids of pending and confirmed reservations
--   KEYS[6] {event:ID}:expiry        pending reservation id -> expires_at (ms)
--   KEYS[7] {event:ID}:positions     seatId -> index, for events made from a list of seat ids
--   KEYS[8] {event:ID}:layout        index -> seatId (list), for events made from a list of seat ids
-- Reservation records live at {event:ID}:res:RES (hash: user, seats, status, created_at, expires_at).
local META, SEATS, STATS, FREE, RESERVATIONS, EXPIRY, POSITIONS, LAYOUT =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]

-- cancelled and expired records hold no seats; they are kept a week for late readers
local ENDED_TTL_SECONDS = 7 * 24 * 3600

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function res_key(id)
  return META .. ':res:' .. id
end

local function split(csv)
  local out = {}
  for s in string.gmatch(csv, '[^,]+') do
    out[#out + 1] = s
  end
  return out
end

-- rows are labelled A..Z, AA, AB, ... (bijective base 26)
local function row_label(n)
  local label = ''
  while n > 0 do
    local r = (n - 1) % 26
    label = string.char(65 + r) .. label
    n = math.floor((n - 1) / 26)
  end
  return label
end

local function row_number(label)
  local n = 0
  for i = 1, #label do
    n = n * 26 + (string.byte(label, i) - 64)
  end
  return n
end

-- the event's layout: grid events compute seat positions, listed events look them up
local function load_layout()
  local m = redis.call('HMGET', META, 'layout', 'rows', 'per_row', 'hold_seconds')
  if not m[1] then
    return nil
  end
  return { kind = m[1], rows = tonumber(m[2]), per_row = tonumber(m[3]), hold_ms = tonumber(m[4]) * 1000 }
end

local function seat_index(layout, id)
  if layout.kind == 'grid' then
    local letters, num = string.match(id, '^(%u+)(%d+)$')
    return (row_number(letters) - 1) * layout.per_row + tonumber(num) - 1
  end
  return tonumber(redis.call('HGET', POSITIONS, id))
end

local function seat_id(layout, index)
  if layout.kind == 'grid' then
    return row_label(math.floor(index / layout.per_row) + 1) .. tostring(index % layout.per_row + 1)
  end
  return redis.call('LINDEX', LAYOUT, index)
end

-- pending -> status ('cancelled' or 'expired'): frees its seats; returns the domain event's data
local function release(layout, id, status, now)
  local key = res_key(id)
  local r = redis.call('HMGET', key, 'status', 'user', 'seats')
  if r[1] ~= 'pending' then
    return nil
  end
  local seats = split(r[3])
  for _, seat in ipairs(seats) do
    if redis.call('HGET', SEATS, seat) == 'pending:' .. id then
      redis.call('HSET', SEATS, seat, 'available')
      redis.call('SETBIT', FREE, seat_index(layout, seat), 1)
    end
  end
  redis.call('HINCRBY', STATS, 'pending', -#seats)
  redis.call('HINCRBY', STATS, 'available', #seats)
  redis.call('HSET', key, 'status', status, 'ended_at', now)
  redis.call('EXPIRE', key, ENDED_TTL_SECONDS)
  redis.call('SREM', RESERVATIONS, id)
  redis.call('ZREM', EXPIRY, id)
  return { reservationId = id, userId = r[2], seats = seats, status = status }
end

-- lazy expiry: every script first releases the holds whose time has passed (a bounded number)
local function release_due(layout, now, limit)
  local released = {}
  for _, id in ipairs(redis.call('ZRANGE', EXPIRY, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit)) do
    local ev = release(layout, id, 'expired', now)
    if ev then
      released[#released + 1] = ev
    else
      redis.call('ZREM', EXPIRY, id)
    end
  end
  return released
end

-- a pending hold whose time has passed counts as released, even before anyone released it
local function expire_if_due(layout, id, now, released)
  local expires_at = tonumber(redis.call('HGET', res_key(id), 'expires_at'))
  if expires_at and expires_at <= now then
    local ev = release(layout, id, 'expired', now)
    if ev then
      released[#released + 1] = ev
    end
    return true
  end
  return false
end

local function reservation(id)
  local r = redis.call('HMGET', res_key(id), 'user', 'seats', 'status', 'created_at', 'expires_at')
  if not r[1] then
    return nil
  end
  return { reservationId = id, userId = r[1], seats = split(r[2]), status = r[3],
           createdAt = tonumber(r[4]), expiresAt = tonumber(r[5]) }
end

local function reply(t, released)
  if released and #released > 0 then
    t.released = released
  end
  return cjson.encode(t)
end
