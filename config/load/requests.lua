-- wrk script: cycles through a list of request paths (one per line in the file
-- named by the PATHS environment variable), counts non-2xx responses, and prints
-- throughput and latency percentiles in a form the load script collects.
local paths = {}
local file = assert(io.open(os.getenv("PATHS"), "r"))
for line in file:lines() do
  if line ~= "" then paths[#paths + 1] = line end
end
file:close()

local counter = 0
local errors = 0

function setup(thread)
  thread:set("errors", 0)
end

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

response = function(status, headers, body)
  if status < 200 or status >= 300 then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("throughput_rps %.1f\n", summary.requests / seconds))
  io.write(string.format("p50_ms %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("p95_ms %.2f\n", latency:percentile(95) / 1000))
  io.write(string.format("p99_ms %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("socket_errors %d\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("non_2xx %d\n", summary.errors.status))
end
