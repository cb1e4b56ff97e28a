-- GET `path` as visitors of a viral spike arrive: each through a different share link, with its own
-- ref, a channel, a utm_source and a random click id (fbclid), with a phone browser's headers.
-- `attacker = 1` also varies what costs an attacker nothing: a random region in Accept-Language and
-- a session cookie that names no session (sessionid=x).
local letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

-- Links and headers are drawn before the run, so the client's own CPU (on the same cores as the server)
-- costs what get.lua's one URL costs. A thread's links are all different (its id is in each ref).
local POOL = 50000
local links, languages, cookies = {}, {}, {}
local i = 0

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  for k = 1, POOL do
    links[k] = path .. "?ref=" .. (tid or 0) .. "x" .. k .. rand(4) .. "&via=whatsapp&utm_source=" .. rand(6) .. "&fbclid=IwAR" .. rand(40)
    local a, b = math.random(26), math.random(26)
    languages[k] = "en-" .. letters:sub(a, a) .. letters:sub(b, b) .. ",en;q=0.9"
    cookies[k] = "sessionid=" .. rand(1)
  end
end

local headers = {
  ["Accept-Language"] = "en-GB,en;q=0.9",
  ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
  ["Sec-Fetch-Site"] = "cross-site", ["Sec-Fetch-Mode"] = "navigate", ["Sec-Fetch-Dest"] = "document",
}

request = function()
  i = i % POOL + 1
  if attacker == 1 then
    headers["Accept-Language"] = languages[i]
    headers["Cookie"] = cookies[i]
  end
  return wrk.format("GET", links[i], headers)
end
