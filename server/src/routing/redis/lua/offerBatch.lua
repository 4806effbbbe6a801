-- RoutingStore.offerBatch: up to ARGV[2] offers in one atomic step, each made as if alone.
-- Mirrors offerBatch in memoryRoutingStore.ts; see docs/routing.md, "How the store finds it".
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
-- chats whose next widening is due move to their next group
for _, cid in ipairs(redis.call('ZRANGEBYSCORE', P .. 'stage', '-inf', now)) do
  local r = getRoute(cid)
  unindex(cid)
  if r and r.state == 'queued' then index(r, now) end
end
local keys = redis.call('SMEMBERS', P .. 'groups')
if #keys == 0 or limit <= 0 then return '[]' end
-- the agents who could take a chat now (present, no pending offer), per department they belong to
local members, profiles = {}, {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'avail')) do
  local raw = redis.call('HGET', P .. 'agent', id)
  local p = getProfile(id)
  if raw and p then
    local a = normAgent(cjson.decode(raw))
    if reachable(a) and isnull(a.offer) then
      profiles[a.agentId] = p
      for deptId, _ in pairs(p.memberships) do
        members[deptId] = members[deptId] or {}
        table.insert(members[deptId], a)
      end
    end
  end
end
local groups = {}
for _, key in ipairs(keys) do
  local deptId, stage, channel, language = string.match(key, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  local d = deptOf(deptId)
  if members[deptId] and d then
    groups[#groups + 1] = { key = key, d = d, deptId = deptId, stage = tonumber(stage), channel = channel, language = language }
  end
end
if #groups == 0 then return '[]' end
local routes = {}
local function routeOf(cid)
  if routes[cid] == nil then routes[cid] = getRoute(cid) or false end
  return routes[cid] or nil
end
local function onCallNow(a)
  for _, cid in ipairs(a.active) do
    local r = routeOf(cid)
    if r and r.inCall == true then return true end
  end
  return false
end
-- mirrors canServeGroup
local function canServe(a, g)
  local p = profiles[a.agentId]
  if not reachable(a) or not isnull(a.offer) then return false end
  if g.channel == 'voice' and onCallNow(a) then return false end
  if loadOf(a) >= capacityFor(p, g.deptId) then return false end
  return qualifiesFor(p, g)
end
-- mirrors compareRoutes: true when x goes before y in queue order
local function routeBefore(x, y)
  if x.priority ~= y.priority then return x.priority > y.priority end
  if x.waitingSince ~= y.waitingSince then return x.waitingSince < y.waitingSince end
  return x.conversationId < y.conversationId
end
local out, touched = {}, {}
while #out < limit do
  -- the first chat in queue order that someone can take: per group, the first chat not declined
  -- by every agent able to serve the group (almost always its head)
  local best, bestFree, bestGroup = nil, nil, nil
  for _, g in ipairs(groups) do
    local able = {}
    for _, a in ipairs(members[g.deptId]) do
      if canServe(a, g) then able[#able + 1] = a end
    end
    local from, stop = 0, #able == 0
    while not stop do
      local ids = redis.call('ZRANGE', P .. 'g:' .. g.key, from, from + 15)
      if #ids == 0 then break end
      for _, cid in ipairs(ids) do
        local r = routeOf(cid)
        if best and not routeBefore(r, best) then stop = true; break end
        local free = {}
        for _, a in ipairs(able) do
          local blockedUntil = r.declined[tostring(a.agentId)]
          if not (blockedUntil and blockedUntil > now) then free[#free + 1] = a end
        end
        if #free > 0 then
          best, bestFree, bestGroup = r, free, g
          stop = true
          break
        end
      end
      from = from + 16
    end
  end
  if not best then break end
  local d = bestGroup.d
  local agent = nil
  for _, a in ipairs(bestFree) do
    if agent == nil or before(d, a, agent) then agent = a end
  end
  local autoAccept = profiles[agent.agentId].autoAccept == true
  local cid = best.conversationId
  local expiresAt = now + d.offerTimeoutMs
  unindex(cid)
  best.agentId = agent.agentId
  agent.lastOfferedAt[tostring(d.id)] = now
  if autoAccept then
    -- taken without asking, as accept would: the agent stays free for more while under capacity
    redis.call('ZREM', P .. 'queue', cid)
    redis.call('ZREM', P .. 'dq:' .. tostring(best.departmentId), cid)
    best.state = 'assigned'; best.offerExpiresAt = NULL
    best.inCall = best.channel == 'voice'
    agent.active[#agent.active + 1] = cid
    agent.idleSince = now
  else
    best.state = 'offered'; best.offerExpiresAt = expiresAt
    redis.call('ZADD', P .. 'offers', expiresAt, cid)
    agent.offer = cid
  end
  putRoute(best)
  touched[tostring(agent.agentId)] = agent
  out[#out + 1] = { route = best, agentId = agent.agentId, expiresAt = expiresAt, autoAccept = autoAccept }
end
for _, a in pairs(touched) do putAgent(a) end
if #out == 0 then return '[]' end
return cjson.encode(out)
