-- Shared by week.lua and submit.lua: sessions from $SESSIONS, per-thread counters of
-- unexpected answers, summed in done().
local threads = {}
sessions = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("SESSIONS")) do
    local cookie, csrf, a, b = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)")
    table.insert(sessions, { cookie = "canteen_session=" .. cookie, a = a, b = b, flip = false })
  end
  n = math.random(#sessions)
  bad = 0
end

function next_session()
  n = n % #sessions + 1
  return sessions[n]
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("unexpected answers: %d of %d\n", total, summary.requests))
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
