-- GET `path` again and again.
request = function()
  return wrk.format("GET", path)
end
