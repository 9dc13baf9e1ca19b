-- The decide script: one call per batch. For each entry still pending for
-- this consumer, in one atomic step: count it in the windows of the rate
-- limits it meets, settle its decision, XADD the decision, XACK the entry.
-- An entry is counted exactly when its decision is written, so a crash or
-- a redelivery never counts it twice. An entry no longer pending (another
-- consumer claimed and decided it) is left alone. An entry delivered more
-- than max deliveries times (it keeps failing) goes to the dead-letter
-- stream instead, with its fields, and is acknowledged.
--
-- KEYS: input stream, output stream, dead-letter stream, then one
--   rate-limit key per check, in the order the checks appear below.
-- ARGV: group, consumer, output maxlen, key expiry slack (ms), max
--   deliveries, number of rate-limit rules, then per rule: name, action (0 approve, 1 flag,
--   2 reject), shadow (0/1), max, per (ms), reason, rule order; then per
--   entry: stream id, comment id, decision, rules, shadow, reason, number
--   of checks n, and if n > 0: order of the deciding rule, final (0/1),
--   and n rule numbers (1-based, into the list above).
-- Returns per entry 1 if written as given, {decision, rules, shadow,
-- reason} if written as changed by its rate limits, 2 if dead-lettered,
-- 0 if not pending any more. The common case (no checks, no change) costs what it did before
-- rate limits existed.
--
-- A window: a sorted set of entry ids scored by their millisecond time.
-- A comment is over the limit when more than max counted comments lie in
-- (t - per, +inf): later ones included, which only a second daemon or a
-- redelivery can have added first. Only the newest max + 1 members are
-- kept: enough to answer exactly, so a key holds O(max) whatever the load.

local names = { [0] = 'approve', 'flag', 'reject' }
local rank = { approve = 0, flag = 1, reject = 2 }
local group, consumer, maxlen = ARGV[1], ARGV[2], ARGV[3]
local slack, maxdel = tonumber(ARGV[4]), tonumber(ARGV[5])
local limits = {}
local a = 7
for d = 1, tonumber(ARGV[6]) do
  limits[d] = { name = ARGV[a], action = tonumber(ARGV[a + 1]),
    shadow = ARGV[a + 2] == '1', max = tonumber(ARGV[a + 3]),
    per = tonumber(ARGV[a + 4]), reason = ARGV[a + 5],
    order = tonumber(ARGV[a + 6]) }
  a = a + 7
end

local k = 4	-- the next rate-limit key in KEYS

local function append(list, name)
  if list == '' then return name end
  return list .. ',' .. name
end

-- Counts entry sid at time t under the n checks from ARGV[a], KEYS[k];
-- returns the decision as the exceeded limits leave it, and whether they
-- changed it.
local function count(sid, t, n, decision, rules, shadow, reason)
  local order, final = tonumber(ARGV[a]), ARGV[a + 1] == '1'
  local action, changed = rank[decision], false
  for c = 0, n - 1 do
    local l = limits[tonumber(ARGV[a + 2 + c])]
    local key = KEYS[k + c]
    redis.call('ZADD', key, t, sid)
    local inwindow = redis.call('ZCOUNT', key, '(' .. (t - l.per), '+inf')
    redis.call('ZREMRANGEBYRANK', key, 0, -(l.max + 2))
    redis.call('PEXPIRE', key, l.per + slack)
    if inwindow > l.max then
      if l.shadow then
        shadow, changed = append(shadow, l.name), true
      elseif not final then
        rules, changed = append(rules, l.name), true
        if l.action > action or (l.action == action and l.order < order) then
          action, order, reason = l.action, l.order, l.reason
        end
      end
    end
  end
  return names[action], rules, shadow, reason, changed
end

local out = {}
local nargs = #ARGV
while a <= nargs do
  local sid, id, decision = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local rules, shadow, reason = ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local n = tonumber(ARGV[a + 6])
  local changed = false
  a = a + 7
  local p = redis.call('XPENDING', KEYS[1], group, sid, sid, 1, consumer)
  if #p == 1 and p[1][4] > maxdel then
    local e = redis.call('XRANGE', KEYS[1], sid, sid)
    local dead = { 'dead_entry', sid, 'dead_deliveries', p[1][4],
      'dead_reason', 'delivered ' .. p[1][4] .. ' times, more than ' ..
      maxdel .. '; last decision: ' .. decision .. ' ' .. reason }
    if e[1] then
      -- Lua's unpack has a limit: keep the first 1,000 fields at most.
      for i, v in ipairs(e[1][2]) do
        if i > 2000 then
          dead[#dead + 1] = 'dead_truncated'
          dead[#dead + 1] = '1'
          break
        end
        dead[#dead + 1] = v
      end
    end
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', unpack(dead))
    redis.call('XACK', KEYS[1], group, sid)
    out[#out + 1] = 2
  elseif #p == 1 then
    if n > 0 then
      decision, rules, shadow, reason, changed = count(sid,
        tonumber(string.match(sid, '^(%d+)')), n, decision, rules, shadow,
        reason)
    end
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, '*', 'id', id,
      'decision', decision, 'rules', rules, 'shadow', shadow,
      'reason', reason, 'entry', sid)
    redis.call('XACK', KEYS[1], group, sid)
    if changed then
      out[#out + 1] = { decision, rules, shadow, reason }
    else
      out[#out + 1] = 1
    end
  else
    out[#out + 1] = 0
  end
  if n > 0 then
    a = a + 2 + n
    k = k + n
  end
end
return out
