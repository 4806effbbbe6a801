-- RoutingStore.expireTransfers: pending warm transfers past their deadline end; each returned once.
local now = tonumber(ARGV[1])
local out = {}
for _, cid in ipairs(redis.call('ZRANGEBYSCORE', P .. 'transfers', '-inf', now)) do
  redis.call('ZREM', P .. 'transfers', cid)
  local r = getRoute(cid)
  if r and not isnull(r.transfer) and r.transfer.expiresAt <= now then
    local t = dropPending(r)
    putRoute(r)
    out[#out + 1] = { route = r, transfer = t }
  end
end
return cjson.encode(out)
