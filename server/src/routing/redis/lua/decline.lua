-- RoutingStore.decline: the offered agent declines; the chat waits again, not offered to this
-- agent until now + excludeMs. Returns the route or false.
local cid, agentId, now, excludeMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local r = getRoute(cid)
if not r or r.state ~= 'offered' or r.agentId ~= agentId then return false end
local a = getAgent(agentId, now)
a.offer = NULL
putAgent(a)
r.declined[tostring(agentId)] = now + excludeMs
toQueue(r, now)
putRoute(r)
return cjson.encode(r)
