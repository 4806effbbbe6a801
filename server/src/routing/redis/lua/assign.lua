-- RoutingStore.assign: puts a chat straight with an agent (restore after a restart, supervisor).
-- ARGV: ChatRequest JSON, agentId, now.
local req, agentId, now = cjson.decode(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local existing = getRoute(req.conversationId)
if existing then unlist(existing); detach(existing) end
req.state = 'assigned'; req.agentId = agentId; req.offerExpiresAt = NULL; req.declined = {}; req.transfer = NULL; req.inCall = false
putRoute(req)
local a = getAgent(agentId, now)
if not contains(a.active, req.conversationId) then a.active[#a.active + 1] = req.conversationId end
putAgent(a)
return 1
