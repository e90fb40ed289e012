-- POST /events/ID/reservations, one hold a request, on grid events made by bench/run.sh.
--
-- Environment:
--   BENCH_LUA_DIR   folder of common.lua
--   BENCH_EVENTS    comma-separated event ids (a pool: a thread moves to the next one when its share
--                   of the current one is used up)
--   BENCH_ROWS, BENCH_PER_ROW   the events' grid (every event of the pool has the same)
--   BENCH_THREADS   wrk's -t (each thread takes its own share of every event)
--   BENCH_MODE      seats    : name BENCH_QTY adjacent seats, drawn at random WITHOUT replacement from
--                              this thread's share, so no two requests ask for the same seat: every
--                              request should get 201 while the pool lasts (a big event, users
--                              picking seats on the map)
--                   quantity : {"quantity": BENCH_QTY} (best available), at most this thread's share
--                              of holds per event: every request should get 201 while the pool lasts
--                   random   : name BENCH_QTY adjacent seats at random in the first event, with
--                              replacement: a flash sale, most requests get 409 once the seats are gone
--   BENCH_QTY       seats per hold (default 1); must divide BENCH_PER_ROW
--   BENCH_DELAY_MS  a pause before each request of a connection (default none: as fast as it goes)
--   BENCH_NAMING    grid (default): seats named as the service names a grid (A1, A2, ...); thin: as the
--                   thin reference's seat maps (S000000000000, ...), in the same layout order
--   BENCH_TOKENS    a file of bearer tokens, one a line: each request carries one (a user each, in
--                   turn) instead of a userId in its body (for a service with auth.jwt)
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require "common"
common.install{ count_statuses = true }

local events, rows, per_row, nthreads, mode, qty, host
local groups        -- seat groups (of qty adjacent seats) per event
local share         -- groups this thread may take per event
local ev = 1        -- current event (1-based) of this thread
local order, next_i -- seats mode: this thread's groups of the current event, shuffled
local n = 0         -- requests sent by this thread
local seat_name     -- 0-based layout index -> seat id
local tokens        -- bearer tokens, when the service authenticates

local function shuffle_share()
  order = {}
  for g = tid, groups - 1, nthreads do
    order[#order + 1] = g
  end
  for i = #order, 2, -1 do
    local j = math.random(i)
    order[i], order[j] = order[j], order[i]
  end
  next_i = 1
end

init = function(args)
  events = common.split(common.env("BENCH_EVENTS"))
  rows = tonumber(common.env("BENCH_ROWS"))
  per_row = tonumber(common.env("BENCH_PER_ROW"))
  nthreads = tonumber(common.env("BENCH_THREADS"))
  mode = common.env("BENCH_MODE")
  qty = tonumber(common.env("BENCH_QTY", "1"))
  if per_row % qty ~= 0 then
    error("BENCH_QTY must divide BENCH_PER_ROW")
  end
  host = wrk.headers["Host"] or (wrk.host .. ":" .. wrk.port)
  if common.env("BENCH_NAMING", "grid") == "thin" then
    seat_name = common.thin_seat_id
  else
    seat_name = function(i) return common.seat_id(i, per_row) end
  end
  local file = os.getenv("BENCH_TOKENS")
  if file and file ~= "" then
    tokens = {}
    for line in io.lines(file) do
      tokens[#tokens + 1] = line
    end
  end
  groups = rows * per_row / qty
  share = math.floor(groups / nthreads)
  math.randomseed(os.time() + 7919 * tid)
  if mode == "seats" then
    shuffle_share()
  elseif mode ~= "quantity" and mode ~= "random" then
    error("BENCH_MODE must be seats, quantity or random")
  end
end

local function seats_body(first_index)
  local parts = {}
  for k = 0, qty - 1 do
    parts[#parts + 1] = '"' .. seat_name(first_index + k) .. '"'
  end
  return table.concat(parts, ",")
end

-- the body's start and the extra header lines of a request: a userId, or a bearer token
local function who()
  if tokens then
    return "{", "Authorization: Bearer " .. tokens[(tid * 7919 + n) % #tokens + 1] .. "\r\n"
  end
  return '{"userId":"b' .. tid .. "x" .. n .. '",', nil
end

request = function()
  n = n + 1
  local open, extra = who()
  local body, event
  if mode == "seats" then
    if next_i > #order then
      -- this thread's share of the event is held: go on with the next one (when the pool is used
      -- up, start over: those requests get 409 and show up in the status counts)
      ev = ev % #events + 1
      shuffle_share()
    end
    event = events[ev]
    body = open .. '"seats":[' .. seats_body(order[next_i] * qty) .. ']}'
    next_i = next_i + 1
  elseif mode == "quantity" then
    event = events[(math.floor((n - 1) / share)) % #events + 1]
    body = open .. '"quantity":' .. qty .. '}'
  else
    event = events[1]
    body = open .. '"seats":[' .. seats_body(math.random(0, groups - 1) * qty) .. ']}'
  end
  return common.post(host, "/events/" .. event .. "/reservations", body, extra)
end

-- wrk calls delay() before each request when the script defines it
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pause then
  delay = function()
    return pause
  end
end
