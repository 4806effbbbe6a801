-- RoutingStore.requestTransfer (warm transfer asked): holds a slot of the colleague for the chat.
-- ARGV: TransferAsk JSON. Returns { ok = true, route } or { ok = false, refusal }.
local ask = cjson.decode(ARGV[1])
local function refuse(reason) return cjson.encode({ ok = false, refusal = reason }) end
local r = getRoute(ask.conversationId)
if not r or r.state ~= 'assigned' or r.agentId ~= ask.fromAgentId then return refuse('not_assigned') end
if ask.toAgentId == ask.fromAgentId then return refuse('same_agent') end
if not isnull(r.transfer) then return refuse('pending') end
local raw = redis.call('HGET', P .. 'agent', tostring(ask.toAgentId))
if not raw then return refuse('offline') end
local b = normAgent(cjson.decode(raw))
local why = transferRefusal(getProfile(ask.toAgentId), b, r, ask.force)
if why then return refuse(why) end
b.reserved[#b.reserved + 1] = r.conversationId
putAgent(b)
r.transfer = { transferId = ask.transferId, fromAgentId = ask.fromAgentId, toAgentId = ask.toAgentId, expiresAt = ask.expiresAt }
putRoute(r)
redis.call('ZADD', P .. 'transfers', ask.expiresAt, r.conversationId)
return cjson.encode({ ok = true, route = r })
