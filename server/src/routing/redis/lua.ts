/**
 * The routing rules in Lua, so that each transition runs atomically inside Redis. They mirror
 * server/src/routing/eligibility.ts and memoryRoutingStore.ts line for line; the store contract
 * suite (test/server/routing/routingStore.test.ts) runs against both and holds them together.
 *
 * Layout under the prefix P (KEYS[1]):
 *   P.dept     hash  departmentId → DepartmentRouting JSON
 *   P.profile  hash  agentId → AgentProfile JSON
 *   P.agent    hash  agentId → AgentRuntime JSON
 *   P.avail    set   agentIds that are available with a console connected (kept by putAgent)
 *   P.route    hash  conversationId → ChatRoute JSON
 *   P.queue    zset  conversationId, score −priority·1e14 + waitingSince (queued and offered)
 *   P.dq:<d>   zset  the same, for department d only (positions and views)
 *   P.g:<key>  zset  queued chats of one group "departmentId|stage|channel|language" (same score)
 *   P.groups   set   keys of the non-empty groups
 *   P.gof      hash  conversationId → its group key
 *   P.stage    zset  conversationId → when the queued chat next widens (moves to another group)
 *   P.offers   zset  conversationId → offer deadline
 *   P.wrapups  zset  "agentId|conversationId" → wrap-up end
 *   P.transfers zset conversationId → deadline of its pending warm transfer
 *   P.grace    zset  agentId → end of the reconnect grace
 *   P.nodes    zset  nodeId → last heartbeat
 *   P.epoch    string  set when the state was (re)built from the database
 *   P.layout   string  version of this layout; setDepartments builds the indexes when it differs
 * Map keys inside JSON are strings (Lua tables with integer keys would encode as arrays).
 */
export const PRELUDE = `
local P = KEYS[1]
local NULL = cjson.null
local function isnull(v) return v == nil or v == NULL end
local function jget(key, field)
  local v = redis.call('HGET', P .. key, field)
  if not v then return nil end
  return cjson.decode(v)
end
local function jset(key, field, obj) redis.call('HSET', P .. key, field, cjson.encode(obj)) end
local function arr(t) if type(t) ~= 'table' then return {} end return t end
local function map(t) if type(t) ~= 'table' then return {} end return t end
local function contains(list, x) for _, v in ipairs(list) do if v == x then return true end end return false end
local function without(list, x) local out = {} for _, v in ipairs(list) do if v ~= x then out[#out + 1] = v end end return out end

local function normAgent(a)
  a.connections = arr(a.connections); a.active = arr(a.active); a.wrapUps = arr(a.wrapUps)
  a.reserved = arr(a.reserved); a.lastOfferedAt = map(a.lastOfferedAt)
  return a
end
local function getAgent(id, now)
  local a = jget('agent', tostring(id))
  if not a then
    a = { agentId = tonumber(id), status = 'offline', reason = NULL, since = now or 0, connections = {}, graceUntil = NULL,
          active = {}, offer = NULL, wrapUps = {}, reserved = {}, idleSince = now or 0, lastOfferedAt = {} }
  end
  return normAgent(a)
end
local function putAgent(a)
  jset('agent', tostring(a.agentId), a)
  if a.status == 'available' and #a.connections > 0 then redis.call('SADD', P .. 'avail', tostring(a.agentId))
  else redis.call('SREM', P .. 'avail', tostring(a.agentId)) end
end
local function getProfile(id)
  local p = jget('profile', tostring(id))
  if p then p.memberships = map(p.memberships); p.languages = arr(p.languages) end
  return p
end
local function getRoute(id)
  local r = jget('route', id)
  if r then r.declined = map(r.declined) end
  return r
end
local function putRoute(r) jset('route', r.conversationId, r) end
local function score(r) return -r.priority * 1e14 + r.waitingSince end
-- ends the route's pending transfer, if any, and frees the slot held with the colleague
local function dropPending(r)
  if isnull(r.transfer) then return nil end
  local t = r.transfer
  local raw = redis.call('HGET', P .. 'agent', tostring(t.toAgentId))
  if raw then
    local b = normAgent(cjson.decode(raw))
    b.reserved = without(b.reserved, r.conversationId)
    putAgent(b)
  end
  redis.call('ZREM', P .. 'transfers', r.conversationId)
  r.transfer = NULL
  return t
end
local deptCache = {}
local function deptOf(id)
  local key = tostring(id)
  if deptCache[key] == nil then deptCache[key] = jget('dept', key) or false end
  return deptCache[key] or nil
end
-- mirrors stageOf and nextStageAt in eligibility.ts: bits 1 = L2, 2 = L3, 4 = fallback language
local function stageOf(d, lang, waited)
  local s = 0
  if isnull(d.widenL2AfterMs) or waited >= d.widenL2AfterMs then s = s + 1 end
  if isnull(d.widenL3AfterMs) or waited >= d.widenL3AfterMs then s = s + 2 end
  if not isnull(d.fallbackLanguage) and d.fallbackLanguage ~= lang
     and (isnull(d.fallbackLanguageAfterMs) or waited >= d.fallbackLanguageAfterMs) then s = s + 4 end
  return s
end
local function stageHas(stage, bit) return math.floor(stage / bit) % 2 == 1 end
local function nextStageAt(d, lang, since, now)
  local nextAt = nil
  local function consider(after)
    if isnull(after) then return end
    local at = since + after
    if at > now and (nextAt == nil or at < nextAt) then nextAt = at end
  end
  consider(d.widenL2AfterMs)
  consider(d.widenL3AfterMs)
  if not isnull(d.fallbackLanguage) and d.fallbackLanguage ~= lang then consider(d.fallbackLanguageAfterMs) end
  return nextAt
end
-- files a queued chat under its group at now, and notes when it widens next
local function index(r, now)
  local d = deptOf(r.departmentId)
  local stage = 0
  if d then stage = stageOf(d, r.language, now - r.waitingSince) end
  local key = tostring(r.departmentId) .. '|' .. stage .. '|' .. (r.channel or 'chat') .. '|' .. r.language
  redis.call('ZADD', P .. 'g:' .. key, score(r), r.conversationId)
  redis.call('SADD', P .. 'groups', key)
  redis.call('HSET', P .. 'gof', r.conversationId, key)
  local nextAt = nil
  if d then nextAt = nextStageAt(d, r.language, r.waitingSince, now) end
  if nextAt then redis.call('ZADD', P .. 'stage', nextAt, r.conversationId)
  else redis.call('ZREM', P .. 'stage', r.conversationId) end
end
local function unindex(cid)
  local key = redis.call('HGET', P .. 'gof', cid)
  if key then
    redis.call('ZREM', P .. 'g:' .. key, cid)
    if redis.call('ZCARD', P .. 'g:' .. key) == 0 then redis.call('SREM', P .. 'groups', key) end
    redis.call('HDEL', P .. 'gof', cid)
  end
  redis.call('ZREM', P .. 'stage', cid)
end
local function waitAdd(r)
  redis.call('ZADD', P .. 'queue', score(r), r.conversationId)
  redis.call('ZADD', P .. 'dq:' .. tostring(r.departmentId), score(r), r.conversationId)
end
-- out of the waiting lists and the index, whatever its state (before its department or priority change)
local function unlist(r)
  unindex(r.conversationId)
  redis.call('ZREM', P .. 'queue', r.conversationId)
  redis.call('ZREM', P .. 'dq:' .. tostring(r.departmentId), r.conversationId)
end
local function toQueue(r, now)
  unindex(r.conversationId)
  dropPending(r)
  r.inCall = false
  r.state = 'queued'; r.agentId = NULL; r.offerExpiresAt = NULL
  waitAdd(r)
  index(r, now)
  redis.call('ZREM', P .. 'offers', r.conversationId)
end

local function loadOf(a)
  local n = #a.active + #a.wrapUps + #a.reserved
  if not isnull(a.offer) then n = n + 1 end
  return n
end
local function capacityFor(p, deptId)
  local m = p.memberships[tostring(deptId)]
  if m and not isnull(m.maxChats) then return m.maxChats end
  return p.maxChats
end
local levelBits = { L1 = 0, L2 = 1, L3 = 2 }
-- mirrors qualifiesFor: membership, level and language for every chat of group g
local function qualifiesFor(p, g)
  local m = p.memberships[g.deptId]
  if not m then return false end
  local bit = levelBits[m.level]
  if bit == nil or (bit > 0 and not stageHas(g.stage, bit)) then return false end
  if contains(p.languages, g.language) then return true end
  return stageHas(g.stage, 4) and contains(p.languages, g.d.fallbackLanguage)
end
local function reachable(a) return a.status == 'available' and #a.connections > 0 end
-- is the agent on a call in any chat but except? (one call per agent)
local function onCall(a, except)
  for _, cid in ipairs(a.active) do
    if cid ~= except then
      local other = jget('route', cid)
      if other and other.inCall == true then return true end
    end
  end
  return false
end
-- true when agent a comes before agent b under the department's strategy
local function before(d, a, b)
  if d.strategy == 'least_busy' then
    local la, lb = loadOf(a), loadOf(b)
    if la ~= lb then return la < lb end
    if a.idleSince ~= b.idleSince then return a.idleSince < b.idleSince end
  elseif d.strategy == 'longest_idle' then
    if a.idleSince ~= b.idleSince then return a.idleSince < b.idleSince end
  else
    local ka = a.lastOfferedAt[tostring(d.id)] or 0
    local kb = b.lastOfferedAt[tostring(d.id)] or 0
    if ka ~= kb then return ka < kb end
  end
  return a.agentId < b.agentId
end
-- mirrors transferRefusal in eligibility.ts
local function transferRefusal(p, a, r, force)
  local cid, deptId = r.conversationId, r.departmentId
  if not p or a.status == 'offline' then return 'offline' end
  if a.status == 'away' then return 'away' end
  if #a.connections == 0 then return 'not_connected' end
  if r.inCall == true and onCall(a, cid) then return 'on_call' end
  local held = 0
  if a.offer == cid then held = held + 1 end
  if contains(a.reserved, cid) then held = held + 1 end
  if not force and loadOf(a) - held >= capacityFor(p, deptId) then return 'at_capacity' end
  return nil
end
-- the agent's slot for this chat stays blocked for the department's wrap-up time
local function wrapUp(a, cid, deptId, now)
  local d = jget('dept', tostring(deptId))
  local wrapUpMs = d and d.wrapUpMs or 0
  local kept = {}
  for _, w in ipairs(a.wrapUps) do if w.conversationId ~= cid then kept[#kept + 1] = w end end
  a.wrapUps = kept
  if wrapUpMs > 0 then
    a.wrapUps[#a.wrapUps + 1] = { conversationId = cid, ['until'] = now + wrapUpMs }
    redis.call('ZADD', P .. 'wrapups', now + wrapUpMs, tostring(a.agentId) .. '|' .. cid)
  end
end
local function copy(t) return cjson.decode(cjson.encode(t)) end
-- frees whatever slot the route holds with its agent
local function detach(r)
  r.inCall = false
  dropPending(r)
  if isnull(r.agentId) then return end
  local a = getAgent(r.agentId)
  if a.offer == r.conversationId then a.offer = NULL end
  a.active = without(a.active, r.conversationId)
  putAgent(a)
  redis.call('ZREM', P .. 'offers', r.conversationId)
end
`;

const script = (body: string) => `${PRELUDE}\n${body}`;

export const LAYOUT = '2';

export const SCRIPTS = {
  // ARGV: now, then departmentId and its JSON, pairwise. Queued chats of departments whose
  // settings changed are filed again; a state without the indexes (written by an earlier
  // version) gets them built once from the queue.
  setDepartments: script(`
local now = tonumber(ARGV[1])
local changed, keep = {}, {}
for i = 2, #ARGV, 2 do
  local id, raw = ARGV[i], ARGV[i + 1]
  keep[id] = true
  if redis.call('HGET', P .. 'dept', id) ~= raw then
    redis.call('HSET', P .. 'dept', id, raw)
    changed[#changed + 1] = id
  end
end
for _, id in ipairs(redis.call('HKEYS', P .. 'dept')) do
  if not keep[id] then
    redis.call('HDEL', P .. 'dept', id)
    changed[#changed + 1] = id
  end
end
deptCache = {}
if redis.call('GET', P .. 'layout') ~= '${LAYOUT}' then
  for _, cid in ipairs(redis.call('ZRANGE', P .. 'queue', 0, -1)) do
    local r = getRoute(cid)
    if r then
      waitAdd(r)
      if r.state == 'queued' then unindex(cid); index(r, now) end
    end
  end
  for _, v in ipairs(redis.call('HVALS', P .. 'agent')) do putAgent(normAgent(cjson.decode(v))) end
  redis.call('SET', P .. 'layout', '${LAYOUT}')
else
  for _, id in ipairs(changed) do
    for _, cid in ipairs(redis.call('ZRANGE', P .. 'dq:' .. id, 0, -1)) do
      local r = getRoute(cid)
      if r and r.state == 'queued' then unindex(cid); index(r, now) end
    end
  end
end
return 1`),

  setStatus: script(`
local id, status, reason, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local a = getAgent(id, now)
local r = reason == '' and NULL or reason
if a.status ~= status or a.reason ~= r then
  if status == 'available' and a.status ~= 'available' then a.idleSince = now end
  a.status = status; a.reason = r; a.since = now
end
putAgent(a)
return cjson.encode(a)`),

  connect: script(`
local id, conn, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local a = getAgent(id, now)
if not contains(a.connections, conn) then a.connections[#a.connections + 1] = conn end
a.graceUntil = NULL
redis.call('ZREM', P .. 'grace', tostring(a.agentId))
putAgent(a)
return cjson.encode(a)`),

  disconnect: script(`
local id, conn, now, graceMs = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local a = getAgent(id, now)
a.connections = without(a.connections, conn)
if #a.connections == 0 then
  a.graceUntil = now + graceMs
  redis.call('ZADD', P .. 'grace', a.graceUntil, tostring(a.agentId))
end
putAgent(a)
return cjson.encode(a)`),

  expireGrace: script(`
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
return cjson.encode(out)`),

  enqueue: script(`
local req, now = cjson.decode(ARGV[1]), tonumber(ARGV[2])
if redis.call('HEXISTS', P .. 'route', req.conversationId) == 1 then return 0 end
req.state = 'queued'; req.agentId = NULL; req.offerExpiresAt = NULL; req.declined = {}; req.transfer = NULL; req.inCall = false
putRoute(req)
waitAdd(req)
index(req, now)
return 1`),

  remove: script(`
local r = getRoute(ARGV[1])
if not r then return false end
unlist(r)
detach(r)
redis.call('HDEL', P .. 'route', r.conversationId)
return cjson.encode(r)`),

  offerBatch: script(`
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
return cjson.encode(out)`),

  accept: script(`
local cid, agentId, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local r = getRoute(cid)
if not r or r.state ~= 'offered' or r.agentId ~= agentId then return false end
local a = getAgent(agentId, now)
a.offer = NULL
a.active[#a.active + 1] = cid
a.idleSince = now
putAgent(a)
r.state = 'assigned'; r.offerExpiresAt = NULL
r.inCall = r.channel == 'voice'
putRoute(r)
unlist(r)
redis.call('ZREM', P .. 'offers', cid)
return cjson.encode(r)`),

  decline: script(`
local cid, agentId, now, excludeMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local r = getRoute(cid)
if not r or r.state ~= 'offered' or r.agentId ~= agentId then return false end
local a = getAgent(agentId, now)
a.offer = NULL
putAgent(a)
r.declined[tostring(agentId)] = now + excludeMs
toQueue(r, now)
putRoute(r)
return cjson.encode(r)`),

  expireOffers: script(`
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
return cjson.encode(out)`),

  release: script(`
local cid, now = ARGV[1], tonumber(ARGV[2])
local r = getRoute(cid)
if not r then return false end
redis.call('HDEL', P .. 'route', cid)
unlist(r)
redis.call('ZREM', P .. 'offers', cid)
if r.state == 'assigned' and not isnull(r.agentId) then
  dropPending(r)
  local a = getAgent(r.agentId, now)
  a.active = without(a.active, cid)
  local d = jget('dept', tostring(r.departmentId))
  local wrapUpMs = d and d.wrapUpMs or 0
  if wrapUpMs > 0 then
    a.wrapUps[#a.wrapUps + 1] = { conversationId = cid, ['until'] = now + wrapUpMs }
    redis.call('ZADD', P .. 'wrapups', now + wrapUpMs, tostring(r.agentId) .. '|' .. cid)
  end
  putAgent(a)
else
  detach(r)
end
return cjson.encode(r)`),

  expireWrapUps: script(`
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
return cjson.encode(freed)`),

  assign: script(`
local req, agentId, now = cjson.decode(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local existing = getRoute(req.conversationId)
if existing then unlist(existing); detach(existing) end
req.state = 'assigned'; req.agentId = agentId; req.offerExpiresAt = NULL; req.declined = {}; req.transfer = NULL; req.inCall = false
putRoute(req)
local a = getAgent(agentId, now)
if not contains(a.active, req.conversationId) then a.active[#a.active + 1] = req.conversationId end
putAgent(a)
return 1`),

  requeue: script(`
local r, now = getRoute(ARGV[1]), tonumber(ARGV[2])
if not r then return false end
detach(r)
toQueue(r, now)
putRoute(r)
return cjson.encode(r)`),

  requestTransfer: script(`
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
return cjson.encode({ ok = true, route = r })`),

  dropTransfer: script(`
local r = getRoute(ARGV[1])
if not r or isnull(r.transfer) or r.transfer.transferId ~= ARGV[2] then return false end
dropPending(r)
putRoute(r)
return cjson.encode(r)`),

  expireTransfers: script(`
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
return cjson.encode(out)`),

  completeTransfer: script(`
local cid, tid, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local r = getRoute(cid)
if not r or isnull(r.transfer) or r.transfer.transferId ~= tid or r.state ~= 'assigned' or r.agentId ~= r.transfer.fromAgentId then return false end
local previous = copy(r)
local t = r.transfer
local from = getAgent(t.fromAgentId, now)
from.active = without(from.active, cid)
wrapUp(from, cid, r.departmentId, now)
putAgent(from)
local to = getAgent(t.toAgentId, now)
to.reserved = without(to.reserved, cid)
if not contains(to.active, cid) then to.active[#to.active + 1] = cid end
to.idleSince = now
putAgent(to)
r.agentId = t.toAgentId
r.transfer = NULL
putRoute(r)
redis.call('ZREM', P .. 'transfers', cid)
return cjson.encode({ route = r, previous = previous })`),

  moveToDepartment: script(`
local cid, deptId, now, excludeMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local r = getRoute(cid)
if not r then return false end
local previous = copy(r)
-- out of the old department's queue before its department and priority change
unlist(r)
dropPending(r)
if not isnull(r.agentId) then
  local a = getAgent(r.agentId, now)
  if r.state == 'assigned' then
    a.active = without(a.active, cid)
    wrapUp(a, cid, r.departmentId, now)
  elseif a.offer == cid then
    a.offer = NULL
  end
  putAgent(a)
  r.declined[tostring(r.agentId)] = now + excludeMs
end
r.departmentId = deptId
r.priority = r.priority + 1
toQueue(r, now)
putRoute(r)
return cjson.encode({ route = r, previous = previous })`),

  reassign: script(`
local cid, toId, now, force = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
local function refuse(reason) return cjson.encode({ ok = false, refusal = reason }) end
local r = getRoute(cid)
if not r then return refuse('not_assigned') end
if r.state == 'assigned' and r.agentId == toId then return refuse('same_agent') end
local raw = redis.call('HGET', P .. 'agent', tostring(toId))
if not raw then return refuse('offline') end
local why = transferRefusal(getProfile(toId), normAgent(cjson.decode(raw)), r, force)
if why then return refuse(why) end
local previous = copy(r)
unlist(r)
detach(r)
r.inCall = previous.inCall == true
if previous.state == 'assigned' and not isnull(previous.agentId) then
  local a = getAgent(previous.agentId, now)
  wrapUp(a, cid, r.departmentId, now)
  putAgent(a)
end
r.state = 'assigned'; r.agentId = toId; r.offerExpiresAt = NULL
putRoute(r)
redis.call('ZREM', P .. 'offers', cid)
local b = getAgent(toId, now)
if not contains(b.active, cid) then b.active[#b.active + 1] = cid end
b.idleSince = now
putAgent(b)
return cjson.encode({ ok = true, route = r, previous = previous })`),

  markCall: script(`
local cid, inCall = ARGV[1], ARGV[2] == '1'
local function refuse(reason) return cjson.encode({ ok = false, refusal = reason }) end
local r = getRoute(cid)
if not r or r.state ~= 'assigned' or isnull(r.agentId) then return refuse('not_assigned') end
if inCall and r.inCall ~= true and onCall(getAgent(r.agentId), cid) then return refuse('on_call') end
r.inCall = inCall
putRoute(r)
return cjson.encode({ ok = true, route = r })`),

  reapDeadNodes: script(`
local now, deadAfterMs, graceMs, self = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local prefixes = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', P .. 'nodes', '-inf', now - deadAfterMs)) do
  if node ~= self then
    redis.call('ZREM', P .. 'nodes', node)
    prefixes[#prefixes + 1] = node .. ':'
  end
end
if #prefixes == 0 then return cjson.encode({}) end
local touched = {}
for _, v in ipairs(redis.call('HVALS', P .. 'agent')) do
  local a = normAgent(cjson.decode(v))
  local kept = {}
  for _, c in ipairs(a.connections) do
    local gone = false
    for _, prefix in ipairs(prefixes) do if string.sub(c, 1, #prefix) == prefix then gone = true end end
    if not gone then kept[#kept + 1] = c end
  end
  if #kept < #a.connections then
    a.connections = kept
    if #kept == 0 then
      a.graceUntil = now + graceMs
      redis.call('ZADD', P .. 'grace', a.graceUntil, tostring(a.agentId))
    end
    putAgent(a)
    touched[#touched + 1] = a.agentId
  end
end
return cjson.encode(touched)`),
} as const;

export type ScriptName = keyof typeof SCRIPTS;
