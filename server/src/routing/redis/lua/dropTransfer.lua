-- RoutingStore.dropTransfer: ends the pending transfer ARGV[2] of chat ARGV[1] without moving it.
local r = getRoute(ARGV[1])
if not r or isnull(r.transfer) or r.transfer.transferId ~= ARGV[2] then return false end
dropPending(r)
putRoute(r)
return cjson.encode(r)
