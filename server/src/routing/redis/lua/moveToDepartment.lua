-- RoutingStore.moveToDepartment (cold transfer): the chat leaves its agent (into wrap-up) or its
-- offer and waits in department ARGV[2] with priority + 1 and its original waiting time.
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
return cjson.encode({ route = r, previous = previous })
