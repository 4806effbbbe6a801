-- RoutingStore.markCall: a call starts (ARGV[2] = '1') or ends in an assigned chat; one call per agent.
local cid, inCall = ARGV[1], ARGV[2] == '1'
local function refuse(reason) return cjson.encode({ ok = false, refusal = reason }) end
local r = getRoute(cid)
if not r or r.state ~= 'assigned' or isnull(r.agentId) then return refuse('not_assigned') end
if inCall and r.inCall ~= true and onCall(getAgent(r.agentId), cid) then return refuse('on_call') end
r.inCall = inCall
putRoute(r)
return cjson.encode({ ok = true, route = r })
