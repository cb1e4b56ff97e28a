-- Shared by every scenario: count 3xx answers (acknowledged actions) and statuses, print one JSON line.
acknowledged = 0
statuses = {}
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status == 303 then acknowledged = acknowledged + 1 end
  if on_response then on_response(status, headers) end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local acked, seen = 0, {}
  for _, thread in ipairs(threads) do
    acked = acked + thread:get("acknowledged")
    local st = thread:get("statuses")
    for code, n in pairs(st) do seen[code] = (seen[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(seen) do table.insert(parts, string.format('"%d": %d', code, n)) end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "acknowledged": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), acked,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, table.concat(parts, ", ")))
end
