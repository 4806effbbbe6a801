-- RoutingStore.expireGrace: agents whose grace ran out go offline; their offer is withdrawn,
-- their chats go back to the queue, slots held for them are released.
local now = tonumber(ARGV[1])
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'grace', '-inf', now)) do
  redis.call('ZREM', P .. 'grace', id)
  local a = getAgent(id, now)
  if #a.connections == 0 and not isnull(a.graceUntil) and a.graceUntil <= now then
    a.graceUntil = NULL
    if a.status ~= 'offline' then a.since = now end
    a.status = 'offline'; a.reason = NULL
    local withdrawn = a.offer
    if not isnull(withdrawn) then
      local r = getRoute(withdrawn)
      if r then toQueue(r, now); putRoute(r) end
      a.offer = NULL
    end
    local requeued = a.active
    for _, cid in ipairs(requeued) do
      local r = getRoute(cid)
      if r then toQueue(r, now); putRoute(r) end
    end
    a.active = {}
    for _, cid in ipairs(a.reserved) do
      local r = getRoute(cid)
      if r and not isnull(r.transfer) and r.transfer.toAgentId == a.agentId then
        r.transfer = NULL
        redis.call('ZREM', P .. 'transfers', cid)
        putRoute(r)
      end
    end
    a.reserved = {}
    putAgent(a)
    out[#out + 1] = { agent = a, withdrawnOffer = withdrawn, requeued = requeued }
  end
end
return cjson.encode(out)
