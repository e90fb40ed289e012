-- Shared by every event script. The service loads lib.lua and the scripts as one Redis Functions
-- library (boxoffice.redis.LuaLibrary): each script is a function of it, which starts with
-- bind(KEYS), so that these definitions are made once per load, not once per call.
-- Every event script gets the same KEYS, all under the event's hash tag:
--   KEYS[1] {event:ID}               metadata hash
--   KEYS[2] {event:ID}:seats         seatId -> available | pending:RES | sold:RES
--   KEYS[3] {event:ID}:stats         available, pending, sold (always equal to the seat map)
--   KEYS[4] {event:ID}:free          bitmap, bit i set while seat i (in layout order) is available
--   KEYS[5] {event:ID}:expiry        pending reservation id -> expires_at (ms); and END_MARK -> the
--                                    event's end, for an event that has one and is not retired yet
--   KEYS[6] {event:ID}:positions     seatId -> index, for events made from a list of seat ids
--   KEYS[7] {event:ID}:layout        index -> seatId (list), for events made from a list of seat ids
--   KEYS[8] {event:ID}:changes       stream of the event's domain events (the change log), bounded
--   KEYS[9] {event:ID}:waitlist      userId scored by join order
--   KEYS[10] {event:ID}:users        userId -> seats the user holds or bought (for hold.maxSeatsPerUser)
-- Reservation records live at {event:ID}:res:RES (hash: user, seats, status, created_at, expires_at),
-- waitlist entries at {event:ID}:waiter:USER (hash: quantity, joined_at, status, reservation),
-- idempotent answers at {event:ID}:idem:USER:KEY.
local META, SEATS, STATS, FREE, EXPIRY, POSITIONS, LAYOUT, CHANGES, WAITLIST, USERS
local EVENT_ID
-- the domain events of the call so far (see emit)
local emitted

-- every call starts here: the event's keys, and nothing emitted yet (Redis runs one call at a time)
local function bind(keys)
  META, SEATS, STATS, FREE, EXPIRY, POSITIONS, LAYOUT, CHANGES, WAITLIST, USERS =
    keys[1], keys[2], keys[3], keys[4], keys[5], keys[6], keys[7], keys[8], keys[9], keys[10]
  EVENT_ID = string.match(META, '^{event:(.+)}$')
  emitted = {}
end

local CHANGES_KEPT = '10000'
-- the event's end in its expiry index: the lazy expiry passes over it, the sweeper comes for it,
-- the reconciliation finds it; '~' is in no reservation id
local END_MARK = '~end'

-- cancelled and expired records hold no seats; they are kept a week for late readers
local ENDED_TTL_SECONDS = 7 * 24 * 3600

-- numbers passed to redis.call as integer text: Redis would print a Lua number with printf's %.17g,
-- which costs more than the command itself on a hold's path
local function int(n)
  return string.format('%d', n)
end

-- the event's records disagree with each other (a counter, a seat, the free bitmap): the call stops
-- with an error reply before it writes anything that would rest on them, and the service counts and
-- logs it; a state that does not add up never becomes a sale
local function drift(detail)
  error({ err = 'DRIFT event ' .. EVENT_ID .. ': ' .. detail })
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function res_key(id)
  return META .. ':res:' .. id
end

local function waiter_key(user)
  return META .. ':waiter:' .. user
end

-- the domain events of this call: appended to the change log here, published by the service. An
-- entry's fields are flat, as the service reads them back (boxoffice.store.Changes): type, time (ms),
-- then the event's own, a list as comma-separated ids, a count or a time (ms) as integer text; the
-- reply carries the same, the entry's id first
local function emit(kind, now, fields)
  local flat = { 'type', kind, 'time', int(now) }
  for name, value in pairs(fields) do
    flat[#flat + 1] = name
    if type(value) == 'table' then
      flat[#flat + 1] = table.concat(value, ',')
    elseif type(value) == 'number' then
      flat[#flat + 1] = int(value)
    else
      flat[#flat + 1] = value
    end
  end
  local id = redis.call('XADD', CHANGES, 'MAXLEN', '~', CHANGES_KEPT, '*', unpack(flat))
  table.insert(flat, 1, id)
  emitted[#emitted + 1] = flat
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
  local m = redis.call('HMGET', META, 'layout', 'rows', 'per_row', 'hold_seconds', 'ends_at')
  if not m[1] then
    return nil
  end
  return { kind = m[1], rows = tonumber(m[2]), per_row = tonumber(m[3]), hold_ms = tonumber(m[4]) * 1000,
           ends_at = tonumber(m[5]) }
end

-- past the event's end its sale is closed: no hold, confirm, waitlist join or promotion
local function ended(layout, now)
  return layout.ends_at ~= nil and now >= layout.ends_at
end

local function ended_reply()
  return { fail = 'event_ended', detail = 'the event has ended: its sale is closed' }
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

-- puts seats in one state, in one HSET, and when free_bit is given ('1' free, '0' taken) sets their bits
-- of the free bitmap with one BITFIELD (4 arguments a seat: a hold has at most hold.maxSeatsPerHold
-- <= 1000 seats, well under the about 8,000 values unpack() can pass)
local function set_seats(layout, seats, state, free_bit)
  local pairs_, bits = {}, {}
  for _, seat in ipairs(seats) do
    pairs_[#pairs_ + 1] = seat
    pairs_[#pairs_ + 1] = state
    if free_bit then
      bits[#bits + 1] = 'SET'
      bits[#bits + 1] = 'u1'
      bits[#bits + 1] = int(seat_index(layout, seat))
      bits[#bits + 1] = free_bit
    end
  end
  redis.call('HSET', SEATS, unpack(pairs_))
  if free_bit then
    redis.call('BITFIELD', FREE, unpack(bits))
  end
end

-- the seats a user holds or bought on the event, counted for hold.maxSeatsPerUser: a hold adds its
-- seats, a release takes them off, a sale keeps them
local function user_seats(user)
  return tonumber(redis.call('HGET', USERS, user)) or 0
end

local function count_user_seats(user, delta)
  if redis.call('HINCRBY', USERS, user, int(delta)) <= 0 then
    redis.call('HDEL', USERS, user)
  end
end

-- the refusal when `wanted` more seats would take the user past the cap (0: no cap), else nil
local function over_cap(user, wanted, cap)
  if not cap or cap == 0 then
    return nil
  end
  local held = user_seats(user)
  if held + wanted <= cap then
    return nil
  end
  return { fail = 'user_limit', detail = 'at most ' .. cap .. ' seats per user for this event',
           limit = cap, held = held }
end

-- pending -> status ('cancelled' or 'expired'): frees its seats; nil when it was not pending. Every
-- seat of a pending reservation is pending for it, and counted as pending: anything else is drift.
local function release(layout, id, status, now)
  local key = res_key(id)
  local r = redis.call('HMGET', key, 'status', 'user', 'seats')
  if r[1] ~= 'pending' then
    return nil
  end
  local seats = split(r[3])
  local states = redis.call('HMGET', SEATS, unpack(seats))
  for i, seat in ipairs(seats) do
    if states[i] ~= 'pending:' .. id then
      drift('seat ' .. seat .. ' of pending reservation ' .. id .. ' is ' .. tostring(states[i]))
    end
  end
  if tonumber(redis.call('HGET', STATS, 'pending')) < #seats then
    drift('fewer seats counted pending than reservation ' .. id .. ' holds')
  end
  set_seats(layout, seats, 'available', '1')
  redis.call('HINCRBY', STATS, 'pending', int(-#seats))
  redis.call('HINCRBY', STATS, 'available', int(#seats))
  count_user_seats(r[2], -#seats)
  redis.call('HSET', key, 'status', status, 'ended_at', int(now))
  redis.call('EXPIRE', key, int(ENDED_TTL_SECONDS))
  redis.call('ZREM', EXPIRY, id)
  emit('reservation.' .. status, now, { reservationId = id, userId = r[2], seats = seats })
  return true
end

-- lazy expiry: every script first releases the holds whose time has passed (a bounded number);
-- true when that was all of them, so no pending hold left is past its time
local function release_due(layout, now, limit)
  local due = redis.call('ZRANGE', EXPIRY, '-inf', int(now), 'BYSCORE', 'LIMIT', '0', int(limit))
  for _, id in ipairs(due) do
    if id ~= END_MARK and not release(layout, id, 'expired', now) then
      redis.call('ZREM', EXPIRY, id)
    end
  end
  return #due < limit
end

-- a pending hold whose time has passed counts as released, even before anyone released it
local function expire_if_due(layout, id, now)
  local expires_at = tonumber(redis.call('HGET', res_key(id), 'expires_at'))
  if expires_at and expires_at <= now then
    release(layout, id, 'expired', now)
    return true
  end
  return false
end

-- how many due holds a call that needs `quantity` free seats releases first: each frees a seat or
-- more, so as many as it asks (at most 1000, the bound of hold.maxSeatsPerHold), and at least 64
local function due_limit(quantity)
  return math.max(64, math.min(quantity, 1000))
end

-- whether the sweeper's index may have dropped the event: nothing pending, nobody waiting (Redis
-- deletes an emptied sorted set)
local function unindexed()
  return redis.call('EXISTS', EXPIRY, WAITLIST) == 0
end

local function free_seats()
  return tonumber(redis.call('HGET', STATS, 'available'))
end

-- seats not sold: all a waiter may ever get (a sale is final)
local function unsold_seats()
  return tonumber(redis.call('HGET', META, 'total_seats')) - tonumber(redis.call('HGET', STATS, 'sold'))
end

-- the first user in line and how many seats they wait for; nil when nobody waits
local function first_in_line()
  local head = redis.call('ZRANGE', WAITLIST, '0', '0')[1]
  if not head then
    return nil, 0
  end
  return head, tonumber(redis.call('HGET', waiter_key(head), 'quantity'))
end

-- the first in line who want more seats than are left to sell leave the line, as sold_out, so that
-- they do not block it; up to 64 a call (each leaving is published, and the promotion it starts
-- goes on); how many left
local function drop_unservable(now)
  local dropped, unsold = 0, nil
  while dropped < 64 do
    local head, quantity = first_in_line()
    if not head then
      break
    end
    unsold = unsold or unsold_seats()
    if quantity <= unsold then
      break
    end
    redis.call('ZREM', WAITLIST, head)
    redis.call('HSET', waiter_key(head), 'status', 'sold_out', 'left_at', int(now))
    redis.call('EXPIRE', waiter_key(head), int(ENDED_TTL_SECONDS))
    emit('waitlist.left', now, { userId = head, quantity = quantity, reason = 'sold_out' })
    dropped = dropped + 1
  end
  return dropped
end

-- seats that come back are offered to the waitlist first: while the first in line fits the free
-- seats, nobody else may hold any (the promotion verticle, or the sweeper, promotes them in a moment)
local function owed_to_waitlist(available)
  local head, quantity = first_in_line()
  return head ~= nil and available >= quantity
end

-- best-available seats: a run of `quantity` free seats inside one row (looking at a bounded number
-- of runs), else the first free seats wherever they are; nil when fewer than `quantity` of the
-- `available` seats are free. The free bitmap must have as many free seats as the count says, and
-- each seat it marks free must be available in the seat map: anything else is drift.
local function pick_seats(layout, quantity, available)
  if available < quantity then
    return nil
  end
  local seats = {}
  local row = layout.per_row
  local last = layout.rows * row - 1
  local start = redis.call('BITPOS', FREE, '1', '0', '-1', 'BIT')
  local runs = 0
  while start >= 0 and start <= last and runs < 256 do
    local row_end = (math.floor(start / row) + 1) * row - 1
    local gap = redis.call('BITPOS', FREE, '0', int(start), int(row_end), 'BIT')
    local run_end = gap == -1 and row_end or gap - 1
    if run_end - start + 1 >= quantity then
      for i = start, start + quantity - 1 do
        seats[#seats + 1] = seat_id(layout, i)
      end
      break
    end
    runs = runs + 1
    if run_end >= last then
      break
    end
    start = redis.call('BITPOS', FREE, '1', int(run_end + 1), int(last), 'BIT')
  end
  local pos = 0
  while #seats < quantity do
    pos = redis.call('BITPOS', FREE, '1', int(pos), int(last), 'BIT')
    if pos < 0 then
      drift(available .. ' seats counted available, fewer marked free')
    end
    seats[#seats + 1] = seat_id(layout, pos)
    pos = pos + 1
  end
  local states = redis.call('HMGET', SEATS, unpack(seats))
  for i, seat in ipairs(seats) do
    if states[i] ~= 'available' then
      drift('seat ' .. seat .. ' is marked free but is ' .. tostring(states[i]))
    end
  end
  return seats
end

-- a new pending hold on free seats, `available` the count of free seats; the reservation it made,
-- and the seats left available
local function hold_seats(layout, id, user, seats, available, now)
  if available < #seats then
    drift(#seats .. ' available seats to hold, ' .. available .. ' counted available')
  end
  local expires_at = now + layout.hold_ms
  local expires = int(expires_at)
  set_seats(layout, seats, 'pending:' .. id, '0')
  local left = redis.call('HINCRBY', STATS, 'available', int(-#seats))
  redis.call('HINCRBY', STATS, 'pending', int(#seats))
  count_user_seats(user, #seats)
  redis.call('HSET', res_key(id), 'user', user, 'seats', table.concat(seats, ','), 'status', 'pending',
    'created_at', int(now), 'expires_at', expires)
  redis.call('ZADD', EXPIRY, expires, id)
  emit('reservation.created', now, { reservationId = id, userId = user, seats = seats })
  return { reservationId = id, userId = user, seats = seats, status = 'pending', createdAt = now,
           expiresAt = expires_at }, left
end

-- every reply carries the domain events the call emitted
local function reply(t)
  if #emitted > 0 then
    t.events = emitted
  end
  return cjson.encode(t)
end

local function reservation(id)
  local r = redis.call('HMGET', res_key(id), 'user', 'seats', 'status', 'created_at', 'expires_at')
  if not r[1] then
    return nil
  end
  return { reservationId = id, userId = r[1], seats = split(r[2]), status = r[3],
           createdAt = tonumber(r[4]), expiresAt = tonumber(r[5]) }
end


-- the user's own reservation, a hold past its time already released as expired; or nil and the
-- reply that refuses the call
local function own_reservation(layout, id, user, now)
  local r = layout and reservation(id)
  if not r then
    return nil, reply({ fail = 'not_found', detail = 'no such reservation' })
  end
  if r.userId ~= user then
    return nil, reply({ fail = 'forbidden', detail = 'the reservation belongs to another user' })
  end
  if r.status == 'pending' and expire_if_due(layout, id, now) then
    r.status = 'expired'
  end
  return r
end
