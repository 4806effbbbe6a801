-- RoutingStore.expireOffers: offers past their deadline go back to the queue, missed by their agent.
local now, excludeMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for _, cid in ipairs(redis.call('ZRANGEBYSCORE', P .. 'offers', '-inf', now)) do
  local r = getRoute(cid)
  redis.call('ZREM', P .. 'offers', cid)
  if r and r.state == 'offered' and not isnull(r.offerExpiresAt) and r.offerExpiresAt <= now then
    local agentId = r.agentId
    local a = getAgent(agentId, now)
    a.offer = NULL
    putAgent(a)
    r.declined[tostring(agentId)] = now + excludeMs
    toQueue(r, now)
    putRoute(r)
    out[#out + 1] = { route = r, agentId = agentId }
  end
end
return cjson.encode(out)
