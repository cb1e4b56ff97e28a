-- POST `body` plus a unique email to `path`, with the CSRF cookie and token a visitor would hold.
local n = 0
local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie}

request = function()
  n = n + 1
  local email = run_id .. "-" .. tid .. "-" .. n .. "%40bench.example.org"
  return wrk.format("POST", path, headers, body .. "&email=" .. email)
end
