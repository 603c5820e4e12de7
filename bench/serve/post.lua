-- wrk: POST the same body on every request; BODY, TYPE and HEADER_LEN come from the environment
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = os.getenv("TYPE") or "application/json"
-- binary tensor data extension: the length of the body's JSON header
if os.getenv("HEADER_LEN") and os.getenv("HEADER_LEN") ~= "" then
  wrk.headers["Inference-Header-Content-Length"] = os.getenv("HEADER_LEN")
end

-- count non-200 answers by status, printed at the end
local statuses = {}
function response(status, headers, body)
  if status ~= 200 then statuses[status] = (statuses[status] or 0) + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("wrk_json {\"requests\":%d,\"seconds\":%.3f,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"errors_connect\":%d,\"errors_read\":%d,\"errors_timeout\":%d,\"non2xx\":%d}\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.timeout, summary.errors.status))
end
