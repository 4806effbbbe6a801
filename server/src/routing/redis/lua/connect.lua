-- RoutingStore.connect: a console connection opened; ends any grace period. Returns the agent.
local id, conn, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local a = getAgent(id, now)
if not contains(a.connections, conn) then a.connections[#a.connections + 1] = conn end
a.graceUntil = NULL
redis.call('ZREM', P .. 'grace', tostring(a.agentId))
putAgent(a)
return cjson.encode(a)
