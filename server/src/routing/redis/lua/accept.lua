-- RoutingStore.accept: the offered agent takes the chat. Returns the route, or false unless
-- the chat is offered to exactly this agent.
local cid, agentId, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local r = getRoute(cid)
if not r or r.state ~= 'offered' or r.agentId ~= agentId then return false end
local a = getAgent(agentId, now)
a.offer = NULL
a.active[#a.active + 1] = cid
a.idleSince = now
putAgent(a)
r.state = 'assigned'; r.offerExpiresAt = NULL
r.inCall = r.channel == 'voice'
putRoute(r)
unlist(r)
redis.call('ZREM', P .. 'offers', cid)
return cjson.encode(r)
