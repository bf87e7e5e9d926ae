-- wrk script: POSTs one age file with a unique Idempotency-Key per request and counts 201s.
-- Usage: wrk ... -s bench/post.lua URL -- BODY_FILE RUN_ID
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  local f = assert(io.open(args[1], "rb"))
  body = f:read("*a")
  f:close()
  run = args[2]
  n = 0
  created = 0
end
function request()
  n = n + 1
  return wrk.format("POST", "/v1/reports", {
    ["Content-Type"] = "application/octet-stream",
    ["Idempotency-Key"] = string.format("bench-%s-%d-%d", run, tid, n),
  }, body)
end
function response(status, headers, b)
  if status == 201 then created = created + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("created") end
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%d,"created":%d,"errors":%d,"p50_ms":%.2f,"p99_ms":%.2f,"rps":%.1f}\n',
    summary.requests, total, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
