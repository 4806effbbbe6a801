-- RoutingStore.completeTransfer: the colleague accepted a warm transfer; their held slot becomes
-- the chat, the requester's slot goes into wrap-up. Returns { route, previous } or false.
local cid, tid, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local r = getRoute(cid)
if not r or isnull(r.transfer) or r.transfer.transferId ~= tid or r.state ~= 'assigned' or r.agentId ~= r.transfer.fromAgentId then return false end
local previous = copy(r)
local t = r.transfer
local from = getAgent(t.fromAgentId, now)
from.active = without(from.active, cid)
wrapUp(from, cid, r.departmentId, now)
putAgent(from)
local to = getAgent(t.toAgentId, now)
to.reserved = without(to.reserved, cid)
if not contains(to.active, cid) then to.active[#to.active + 1] = cid end
to.idleSince = now
putAgent(to)
r.agentId = t.toAgentId
r.transfer = NULL
putRoute(r)
redis.call('ZREM', P .. 'transfers', cid)
return cjson.encode({ route = r, previous = previous })
