-- wrk: one intake per request, each a different citizen (scripts/bench.sh). The token comes from
-- the environment (DESK_TOKEN). wrk itself counts answers other than 2xx ("Non-2xx or 3xx
-- responses"), which the script reports.
local counter = 0
local token = os.getenv("DESK_TOKEN") or ""

request = function()
  counter = counter + 1
  local body = string.format(
    '{"service":"HD-TTHC","channel":"web","applicant":{"name":"Nguyễn Văn Thử %d","phone":"0912345678",' ..
    '"idNumber":"079190001234"},"description":"Phản ánh số %d: đèn đường hỏng","location":{"address":"12 Lê Lợi, Hải Châu"}}',
    counter, counter)
  return wrk.format("POST", "/api/v1/tickets",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
