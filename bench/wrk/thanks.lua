-- GET the thank-you page as a supporter sees it after acting: with their signed referral cookie.
local headers = {
  ["Accept-Language"] = "en-GB,en;q=0.9",
  ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
  ["Sec-Fetch-Site"] = "same-origin", ["Sec-Fetch-Mode"] = "navigate", ["Sec-Fetch-Dest"] = "document",
  ["Cookie"] = acted_cookie,
}

request = function()
  return wrk.format("GET", path, headers)
end
