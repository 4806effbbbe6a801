-- RoutingStore.remove: forgets a chat (ended or became a ticket); frees its slot without wrap-up.
local r = getRoute(ARGV[1])
if not r then return false end
unlist(r)
detach(r)
redis.call('HDEL', P .. 'route', r.conversationId)
return cjson.encode(r)
