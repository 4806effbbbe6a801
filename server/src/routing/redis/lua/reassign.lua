-- RoutingStore.reassign: a supervisor puts a waiting, offered or served chat with an agent.
-- ARGV: conversationId, toAgentId, now, force ('1'). Returns { ok, route, previous } or a refusal.
local cid, toId, now, force = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
local function refuse(reason) return cjson.encode({ ok = false, refusal = reason }) end
local r = getRoute(cid)
if not r then return refuse('not_assigned') end
if r.state == 'assigned' and r.agentId == toId then return refuse('same_agent') end
local raw = redis.call('HGET', P .. 'agent', tostring(toId))
if not raw then return refuse('offline') end
local why = transferRefusal(getProfile(toId), normAgent(cjson.decode(raw)), r, force)
if why then return refuse(why) end
local previous = copy(r)
unlist(r)
detach(r)
r.inCall = previous.inCall == true
if previous.state == 'assigned' and not isnull(previous.agentId) then
  local a = getAgent(previous.agentId, now)
  wrapUp(a, cid, r.departmentId, now)
  putAgent(a)
end
r.state = 'assigned'; r.agentId = toId; r.offerExpiresAt = NULL
putRoute(r)
redis.call('ZREM', P .. 'offers', cid)
local b = getAgent(toId, now)
if not contains(b.active, cid) then b.active[#b.active + 1] = cid end
b.idleSince = now
putAgent(b)
return cjson.encode({ ok = true, route = r, previous = previous })
