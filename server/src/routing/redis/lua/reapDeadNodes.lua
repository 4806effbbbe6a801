-- RoutingStore.reapDeadNodes: nodes silent for deadAfterMs lose their agents' connections
-- (grace starts where none is left). A node never declares itself dead. Returns the agents touched.
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
return cjson.encode(touched)
