-- RoutingStore.disconnect: a console connection closed; with none left the grace period starts.
local id, conn, now, graceMs = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local a = getAgent(id, now)
a.connections = without(a.connections, conn)
if #a.connections == 0 then
  a.graceUntil = now + graceMs
  redis.call('ZADD', P .. 'grace', a.graceUntil, tostring(a.agentId))
end
putAgent(a)
return cjson.encode(a)
