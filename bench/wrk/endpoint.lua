-- wrk script for one endpoint of the benchmark mix (bench/run.py writes the config and reads the output).
--
-- BENCH_LUA_CONFIG names a Lua file returning a table:
--   method   "GET" | "POST" | "DELETE" ...
--   headers  { name = value, ... }        sent with every request
--   body     string or nil                 sent with every request
--   paths    { "/v2/...", ... }            requests go round robin over these paths
--   variants { { headers = {...}, body = "..." }, ... } or nil
--                                          requests go round robin over these (to paths[1]) instead: a write
--                                          spread over several runners, each with its own token
--   ids_file path or nil                   one id a line; each request consumes one id, substituted for
--            "{id}" in paths[1]; ids are split between wrk threads, so none is used twice
--   threads  number of wrk threads (to split ids)
--   capture  Lua pattern or nil            ids captured from response bodies (e.g. created log ids)
--   capture_to path or nil                 where done() writes the captured ids, one a line
--
-- done() prints one line "BENCHJSON {...}" with counts, latency percentiles, status codes, the
-- X-SQL-Query-Count header statistics and the requests still unanswered when the run ended.

local cfg = dofile(os.getenv("BENCH_LUA_CONFIG"))

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

-- Per-thread state (globals so that done() can read them with thread:get).
statuses = {}
queries_sum, queries_n, queries_min, queries_max = 0, 0, -1, -1
captured = {}
exhausted = 0
sent, answered = 0, 0

local requests = {}
local next_request = 1
local overflow_request = nil

function init(args)
  local n_threads = cfg.threads or 1
  if cfg.ids_file then
    local k = 0
    for line in io.lines(cfg.ids_file) do
      if line ~= "" then
        if k % n_threads == (tid - 1) then
          local path = string.gsub(cfg.paths[1], "{id}", line)
          table.insert(requests, wrk.format(cfg.method, path, cfg.headers, cfg.body))
        end
        k = k + 1
      end
    end
    -- Sent only once the ids are used up (then the thread stops): a cheap request that changes nothing.
    overflow_request = wrk.format("GET", cfg.overflow_path or "/bench/floor/json", cfg.headers)
  elseif cfg.variants then
    -- Each thread starts at its own offset, so that the threads do not send the same runner's writes together.
    local n = #cfg.variants
    for k = 0, n - 1 do
      local v = cfg.variants[((k + tid - 1) % n) + 1]
      table.insert(requests, wrk.format(cfg.method, cfg.paths[1], v.headers, v.body))
    end
  else
    for _, path in ipairs(cfg.paths) do
      table.insert(requests, wrk.format(cfg.method, path, cfg.headers, cfg.body))
    end
  end
end

function request()
  sent = sent + 1
  if cfg.ids_file then
    local r = requests[next_request]
    if r == nil then
      exhausted = exhausted + 1
      wrk.thread:stop()
      return overflow_request
    end
    next_request = next_request + 1
    return r
  end
  local r = requests[next_request]
  next_request = next_request + 1
  if next_request > #requests then next_request = 1 end
  return r
end

function response(status, headers, body)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  local q = headers["X-SQL-Query-Count"] or headers["x-sql-query-count"]
  if q then
    q = tonumber(q)
    queries_sum = queries_sum + q
    queries_n = queries_n + 1
    if queries_min < 0 or q < queries_min then queries_min = q end
    if q > queries_max then queries_max = q end
  end
  if cfg.capture and status < 300 and body then
    local id = string.match(body, cfg.capture)
    if id then table.insert(captured, id) end
  end
end

local function json_string(s)
  return '"' .. string.gsub(tostring(s), '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests_stats)
  local st, qsum, qn, qmin, qmax, ex, unanswered = {}, 0, 0, -1, -1, 0, 0
  local out_ids = {}
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses") or {}) do st[code] = (st[code] or 0) + count end
    qsum = qsum + (t:get("queries_sum") or 0)
    qn = qn + (t:get("queries_n") or 0)
    local tmin, tmax = t:get("queries_min") or -1, t:get("queries_max") or -1
    if tmin >= 0 and (qmin < 0 or tmin < qmin) then qmin = tmin end
    if tmax > qmax then qmax = tmax end
    ex = ex + (t:get("exhausted") or 0)
    unanswered = unanswered + (t:get("sent") or 0) - (t:get("answered") or 0)
    for _, id in ipairs(t:get("captured") or {}) do table.insert(out_ids, id) end
  end
  if cfg.capture_to then
    local f = assert(io.open(cfg.capture_to, "a"))
    for _, id in ipairs(out_ids) do f:write(id, "\n") end
    f:close()
  end
  local parts = {}
  for code, count in pairs(st) do table.insert(parts, json_string(code) .. ":" .. count) end
  local e = summary.errors
  io.write("BENCHJSON {",
    '"duration_us":', summary.duration, ",",
    '"requests":', summary.requests, ",",
    '"bytes":', summary.bytes, ",",
    '"errors":{"connect":', e.connect, ',"read":', e.read, ',"write":', e.write,
    ',"status":', e.status, ',"timeout":', e.timeout, "},",
    '"latency_us":{"min":', latency.min, ',"mean":', latency.mean, ',"max":', latency.max,
    ',"p50":', latency:percentile(50), ',"p90":', latency:percentile(90), ',"p99":', latency:percentile(99), "},",
    '"statuses":{', table.concat(parts, ","), "},",
    '"queries":{"sum":', qsum, ',"n":', qn, ',"min":', qmin, ',"max":', qmax, "},",
    '"captured":', #out_ids, ",",
    '"exhausted":', ex, ",",
    '"unanswered":', unanswered,
    "}\n")
end
