-- wrk: the bare server's insert (scripts/bench.sh), a body of the size of a small intake.
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", "/items", {["Content-Type"] = "application/json"},
    string.format('{"name":"item %d","note":"%s"}', counter, string.rep("x", 100)))
end
