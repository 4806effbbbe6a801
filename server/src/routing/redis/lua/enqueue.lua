-- RoutingStore.enqueue: ARGV: ChatRequest JSON, now. Returns 1, or 0 when the chat is known.
local req, now = cjson.decode(ARGV[1]), tonumber(ARGV[2])
if redis.call('HEXISTS', P .. 'route', req.conversationId) == 1 then return 0 end
req.state = 'queued'; req.agentId = NULL; req.offerExpiresAt = NULL; req.declined = {}; req.transfer = NULL; req.inCall = false
putRoute(req)
waitAdd(req)
index(req, now)
return 1
