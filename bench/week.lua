dofile("bench/common.lua")

function request()
  local s = next_session()
  return wrk.format("GET", "/week", { ["Cookie"] = s.cookie })
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
