-- RoutingStore.setDepartments. ARGV: now, then departmentId and its JSON, pairwise. Queued chats
-- of departments whose settings changed are filed again; a state without the indexes (written by
-- an earlier version) gets them built once from the queue.

-- Version of the key layout described in prelude.lua; raise it when the indexes change.
local LAYOUT = '2'
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
if redis.call('GET', P .. 'layout') ~= LAYOUT then
  for _, cid in ipairs(redis.call('ZRANGE', P .. 'queue', 0, -1)) do
    local r = getRoute(cid)
    if r then
      waitAdd(r)
      if r.state == 'queued' then unindex(cid); index(r, now) end
    end
  end
  for _, v in ipairs(redis.call('HVALS', P .. 'agent')) do putAgent(normAgent(cjson.decode(v))) end
  redis.call('SET', P .. 'layout', LAYOUT)
else
  for _, id in ipairs(changed) do
    for _, cid in ipairs(redis.call('ZRANGE', P .. 'dq:' .. id, 0, -1)) do
      local r = getRoute(cid)
      if r and r.state == 'queued' then unindex(cid); index(r, now) end
    end
  end
end
return 1
