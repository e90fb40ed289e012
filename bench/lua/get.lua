-- GET of the URL given to wrk (GET /health/live, GET /events/ID/seats), as fast as wrk can send it.
-- BENCH_COUNT_STATUSES=0 leaves response() undefined, so wrk does not hand big bodies (a seat map)
-- to Lua; the result then tells 2xx from the rest only.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require "common"
common.install{ count_statuses = os.getenv("BENCH_COUNT_STATUSES") ~= "0" }
