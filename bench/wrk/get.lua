-- GET `path` again and again, as a phone browser opening a shared link does: with Fetch Metadata and
-- a language. `script = 1` drops the Fetch Metadata, as curl, scripts and pre-2023 browsers do.
local headers = {
  ["Accept-Language"] = "en-GB,en;q=0.9",
  ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
}
if script ~= 1 then
  headers["Sec-Fetch-Site"] = "none"
  headers["Sec-Fetch-Mode"] = "navigate"
  headers["Sec-Fetch-Dest"] = "document"
end

request = function()
  return wrk.format("GET", path, headers)
end
