-- A viral minute: most visitors read the page or the counter, some act.
local n = 0
local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie}
local reader = {["Accept-Language"] = "en-GB,en;q=0.9", ["Sec-Fetch-Site"] = "none", ["Sec-Fetch-Mode"] = "navigate"}

request = function()
  local r = math.random(100)
  if r <= page_share then
    return wrk.format("GET", page_path, reader)
  elseif r <= page_share + stats_share then
    return wrk.format("GET", stats_path, reader)
  end
  n = n + 1
  local email = run_id .. "-" .. tid .. "-" .. n .. "%40bench.example.org"
  return wrk.format("POST", page_path, headers, body .. "&email=" .. email)
end
