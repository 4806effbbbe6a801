-- RoutingStore.release: a chat ended. An assigned chat's slot goes into wrap-up (the same wrapUp
-- rule as a transfer or reassignment); an offered or waiting chat just frees what it held.
local cid, now = ARGV[1], tonumber(ARGV[2])
local r = getRoute(cid)
if not r then return false end
redis.call('HDEL', P .. 'route', cid)
unlist(r)
redis.call('ZREM', P .. 'offers', cid)
if r.state == 'assigned' and not isnull(r.agentId) then
  dropPending(r)
  local a = getAgent(r.agentId, now)
  a.active = without(a.active, cid)
  wrapUp(a, cid, r.departmentId, now)
  putAgent(a)
else
  detach(r)
end
return cjson.encode(r)
