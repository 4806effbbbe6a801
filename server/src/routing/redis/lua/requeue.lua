-- RoutingStore.requeue: an assigned or offered chat goes back to the queue.
local r, now = getRoute(ARGV[1]), tonumber(ARGV[2])
if not r then return false end
detach(r)
toQueue(r, now)
putRoute(r)
return cjson.encode(r)
