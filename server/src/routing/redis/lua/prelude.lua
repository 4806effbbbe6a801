-- Shared by every routing script: the loader (../scripts.ts) puts this file in front of each
-- script before Redis compiles it, so a script runs as one chunk (one atomic step in Redis).
-- These are the routing rules of server/src/routing/eligibility.ts and memoryRoutingStore.ts in
-- Lua; the store contract suite and the differential test (test/server/routing/) hold the two
-- implementations to each other.
--
-- Layout under the prefix P (KEYS[1]):
--   P.dept     hash  departmentId -> DepartmentRouting JSON
--   P.profile  hash  agentId -> AgentProfile JSON
--   P.agent    hash  agentId -> AgentRuntime JSON
--   P.avail    set   agentIds that are available with a console connected (kept by putAgent)
--   P.route    hash  conversationId -> ChatRoute JSON
--   P.queue    zset  conversationId, score -priority*1e14 + waitingSince (queued and offered)
--   P.dq:<d>   zset  the same, for department d only (positions and views)
--   P.g:<key>  zset  queued chats of one group "departmentId|stage|channel|language" (same score)
--   P.groups   set   keys of the non-empty groups
--   P.gof      hash  conversationId -> its group key
--   P.stage    zset  conversationId -> when the queued chat next widens (moves to another group)
--   P.offers   zset  conversationId -> offer deadline
--   P.wrapups  zset  "agentId|conversationId" -> wrap-up end
--   P.transfers zset conversationId -> deadline of its pending warm transfer
--   P.grace    zset  agentId -> end of the reconnect grace
--   P.nodes    zset  nodeId -> last heartbeat
--   P.epoch    string  set when the state was (re)built from the database
--   P.layout   string  version of this layout; setDepartments builds the indexes when it differs
-- Map keys inside JSON are strings (Lua tables with integer keys would encode as arrays).

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
