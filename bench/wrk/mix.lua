-- A viral minute: most visitors read the page or the counter, some act.
local n = 0
local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie}

request = function()
  local r = math.random(100)
  if r <= page_share then
    return wrk.format("GET", page_path)
  elseif r <= page_share + stats_share then
    return wrk.format("GET", stats_path)
  end
  n = n + 1
  local email = run_id .. "-" .. tid .. "-" .. n .. "%40bench.example.org"
  return wrk.format("POST", page_path, headers, body .. "&email=" .. email)
end
