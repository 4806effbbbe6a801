-- RoutingStore.expireWrapUps: drops ended wrap-ups; returns the agents that gained capacity.
local now = tonumber(ARGV[1])
local freed, seen = {}, {}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', P .. 'wrapups', '-inf', now)) do
  redis.call('ZREM', P .. 'wrapups', member)
  local agentId = string.match(member, '^([^|]+)|')
  local a = getAgent(agentId, now)
  local kept = {}
  for _, w in ipairs(a.wrapUps) do if w['until'] > now then kept[#kept + 1] = w end end
  if #kept < #a.wrapUps then
    a.wrapUps = kept
    putAgent(a)
    if not seen[agentId] then seen[agentId] = true; freed[#freed + 1] = tonumber(agentId) end
  end
end
return cjson.encode(freed)
