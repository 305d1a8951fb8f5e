dofile("bench/common.lua")

function request()
  local s = next_session()
  s.flip = not s.flip
  return wrk.format("POST", "/week", {
    ["Cookie"] = s.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, s.flip and s.a or s.b)
end

function response(status, headers, body)
  local to = headers["location"] or headers["Location"] or ""
  if status ~= 303 or to ~= "/week" then bad = bad + 1 end
end
