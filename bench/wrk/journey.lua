-- The spike as it arrives: each visitor opens a share link of their own (ref, via, utm_source, a click
-- id); `act_share` % of them act (the POST carries the share link in its Referer, as a browser without
-- JavaScript sends it, and no attribution fields) and follow the 303 to the thank-you page with the
-- referral cookie the 303 set.
local browser = {
  ["Accept-Language"] = "en-GB,en;q=0.9",
  ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
}
local queue = {}
local n = 0
local acted = acted_cookie

-- Drawn before the run (see share.lua): the client's CPU is the server's too.
local POOL = 50000
local links = {}
local i = 0

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  for k = 1, POOL do
    links[k] = page_path .. "?ref=" .. (tid or 0) .. "x" .. k .. rand(4) .. "&via=whatsapp&utm_source=journey&fbclid=IwAR" .. rand(30)
  end
end

local function with(extra)
  local h = {}
  for k, v in pairs(browser) do h[k] = v end
  for k, v in pairs(extra) do h[k] = v end
  return h
end

request = function()
  if #queue > 0 then
    return table.remove(queue, 1)()
  end
  i = i % POOL + 1
  local link = links[i]
  if math.random(100) <= act_share then
    table.insert(queue, function()
      n = n + 1
      local email = run_id .. "-" .. tid .. "-" .. n .. "%40bench.example.org"
      -- The form's token and cookie, as the page's form holds them (bench/run.py visitor_form).
      local h = with({["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie,
                      ["Referer"] = base .. link, ["Sec-Fetch-Site"] = "same-origin"})
      return wrk.format("POST", page_path, h, body .. "&email=" .. email)
    end)
    table.insert(queue, function()
      return wrk.format("GET", thanks_path, with({["Cookie"] = acted, ["Sec-Fetch-Site"] = "same-origin"}))
    end)
  end
  return wrk.format("GET", link, with({["Sec-Fetch-Site"] = "cross-site"}))
end

-- report.lua calls this for every answer: keep the referral cookie the latest 303 set.
on_response = function(status, headers)
  if status == 303 then
    for name, value in pairs(headers) do
      if name:lower() == "set-cookie" then
        local found = value:match("(acted%-%d+=[^;]+)")
        if found then acted = found end
      end
    end
  end
end
