-- Shared by the wrk scripts of bench/: thread ids, status counting and a one-line result.
--
-- A script does:   package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
--                  local common = require "common"
--                  common.install{ count_statuses = true }
-- and defines request() (and init()) itself when it needs them.
--
-- done() prints one line that bench/run.sh parses:
--   RESULT requests=N seconds=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. connect_errors=..
--          read_errors=.. write_errors=.. timeouts=.. non2xx=.. codes=201:N,409:M
-- wrk counts every status outside 200-399 as a "status error" (non2xx); with count_statuses each
-- status is counted by itself, without it only 2xx-3xx (requests - non2xx) and non2xx are known.
local M = {}

local threads = {}

function M.env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then
    if default == nil then
      error("environment variable " .. name .. " is required")
    end
    return default
  end
  return v
end

function M.split(csv)
  local out = {}
  for s in string.gmatch(csv, "[^,]+") do
    out[#out + 1] = s
  end
  return out
end

-- rows are labelled A..Z, AA, AB, ... (bijective base 26), as the service labels them
function M.row_label(n)
  local label = ""
  while n > 0 do
    local r = (n - 1) % 26
    label = string.char(65 + r) .. label
    n = math.floor((n - 1) / 26)
  end
  return label
end

-- the seat at 0-based layout index i of a grid with per_row seats a row
function M.seat_id(i, per_row)
  return M.row_label(math.floor(i / per_row) + 1) .. tostring(i % per_row + 1)
end

-- the seat at 0-based index i of the thin reference's seat maps (../shared/thin-reference): S%012d
function M.thin_seat_id(i)
  return string.format("S%012d", i)
end

-- a raw HTTP/1.1 POST with a JSON body (cheaper than wrk.format's header loop); extra: more header
-- lines, each ending in \r\n
function M.post(host, path, body, extra)
  return "POST " .. path .. " HTTP/1.1\r\nHost: " .. host .. "\r\nContent-Type: application/json\r\n"
    .. (extra or "") .. "Content-Length: " .. #body .. "\r\n\r\n" .. body
end

function M.install(opts)
  opts = opts or {}
  local count = opts.count_statuses ~= false

  setup = function(thread)
    thread:set("tid", #threads)
    threads[#threads + 1] = thread
  end

  if count then
    codes = {}
    response = function(status, headers, body)
      codes[status] = (codes[status] or 0) + 1
    end
  end

  done = function(summary, latency, requests)
    local all = {}
    if count then
      for _, t in ipairs(threads) do
        local c = t:get("codes")
        if c then
          for status, n in pairs(c) do
            all[status] = (all[status] or 0) + n
          end
        end
      end
    else
      all["2xx"] = summary.requests - summary.errors.status
      if summary.errors.status > 0 then
        all["non2xx"] = summary.errors.status
      end
    end
    local keys = {}
    for k in pairs(all) do
      keys[#keys + 1] = tostring(k)
    end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do
      parts[#parts + 1] = k .. ":" .. (all[tonumber(k)] or all[k])
    end
    local seconds = summary.duration / 1e6
    local function ms(us)
      return string.format("%.3f", us / 1000)
    end
    io.write(string.format(
      "RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s "
        .. "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d non2xx=%d codes=%s\n",
      summary.requests, seconds, summary.requests / seconds,
      ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
      summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
      summary.errors.status, table.concat(parts, ",")))
  end
end

return M
