-- wrk: the same POST each time, with the token from the environment (DESK_TOKEN) and, when
-- DESK_BODY is set, that JSON body (scripts/bench-instances.sh: a walk-in number issued, a
-- counter's call-next).
local token = os.getenv("DESK_TOKEN") or ""
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
local body = os.getenv("DESK_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
