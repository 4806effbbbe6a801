-- RoutingStore.setStatus: the chosen status; becoming available restarts the idle clock.
-- ARGV: agentId, status, reason ('' for none), now.
local id, status, reason, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local a = getAgent(id, now)
local r = reason == '' and NULL or reason
if a.status ~= status or a.reason ~= r then
  if status == 'available' and a.status ~= 'available' then a.idleSince = now end
  a.status = status; a.reason = r; a.since = now
end
putAgent(a)
return cjson.encode(a)
