-- The decide script: one call per batch. For each entry still pending for
-- this consumer, in one atomic step: count it in the windows of the rate
-- limits it meets, settle its decision, XADD the decision, XACK the entry,
-- and keep what a moderator's verdict on it will be joined to (verdict.lua).
-- An entry is counted exactly when its decision is written, so a crash or
-- a redelivery never counts it twice. An entry no longer pending (another
-- consumer claimed and decided it) is left alone. An entry delivered more
-- than max deliveries times (it keeps failing) goes to the dead-letter
-- stream instead, with its fields, and is acknowledged.
--
-- The argument layout, version LAYOUT below (CMake hands the number to
-- the C side, daemon/decide_proto.c, which builds these arguments):
--
-- KEYS: input stream, output stream, dead-letter stream, then one
--   rate-limit key per check, in the order the checks appear in ARGV.
-- ARGV: 1 layout version, 2 number of rate-limit rules L, 3 number of
--   entries E, 4 number of entries with checks C, 5 number of checks K,
--   6 group, 7 consumer, 8 output maxlen, 9 key expiry slack (ms),
--   10 max deliveries, 11 the hash of the rule set that decided, 12 the
--   join key prefix ('' keeps none), 13 how long a join key lives (ms);
--   then per rate-limit rule (7): name, action, precedence, shadow (0/1),
--   max, per (ms), reason;
--   then per entry (8): stream id, comment id, decision, rules, shadow,
--   reason, the letters of the named rules' own actions (rules then
--   shadow), number of checks n; and if n > 0 (2 + n): the precedence of
--   the decision, final (0/1), and n rule numbers (1-based, into the
--   rate-limit rules above).
-- So #ARGV = 13 + 7 L + 8 E + 2 C + K and #KEYS = 3 + K; anything else
-- is an error reply, before anything is written.
--
-- Precedence numbers come from C (action_precedence): the greater wins.
-- Returns per entry 1 if written as given, {decision, rules, shadow,
-- reason} if written as changed by its rate limits, 2 if dead-lettered,
-- 0 if not pending any more. An entry without checks costs what it did
-- before rate limits existed.
--
-- A window: a sorted set of entry ids scored by their millisecond time.
-- A comment is over the limit when more than max counted comments lie in
-- (t - per, +inf): later ones included, which only a second daemon or a
-- redelivery can have added first. Only the newest max + 1 members are
-- kept: enough to answer exactly, so a key holds O(max) whatever the load.
--
-- A join key (prefix .. comment id), for a comment some rule named: one
-- string, "T E D A R S": the entry's time (ms) and id, the decision, the
-- named rules' action letters, the rules and the shadow rules (each
-- comma-separated, maybe empty; rule names hold no space), written with
-- one SET (verdict.lua adds " V", the verdict). Keys are made here from
-- the comment id, so Redis Cluster is not supported (nor is it elsewhere).

local LAYOUT = 4

if ARGV[1] ~= tostring(LAYOUT) then
  return redis.error_reply('moderatord decide script: argument layout ' ..
    tostring(ARGV[1]) .. ', this script reads layout ' .. LAYOUT ..
    ' (the daemon and the script disagree: rebuild or restart)')
end
local nlimits, nentries = tonumber(ARGV[2]), tonumber(ARGV[3])
local nchecked, nchecks = tonumber(ARGV[4]), tonumber(ARGV[5])
local function bad_layout(what)
  return redis.error_reply('moderatord decide script: layout ' .. LAYOUT ..
    ': ' .. what)
end
if not (nlimits and nentries and nchecked and nchecks) then
  return bad_layout('counts are not numbers')
end
if #ARGV ~= 13 + 7 * nlimits + 8 * nentries + 2 * nchecked + nchecks or
    #KEYS ~= 3 + nchecks then
  return bad_layout(#ARGV .. ' arguments and ' .. #KEYS .. ' keys for ' ..
    nlimits .. ' limits, ' .. nentries .. ' entries, ' .. nchecks ..
    ' checks')
end
-- Walk the entries once before writing anything: each entry's own count
-- must add up too, or a write would read a shifted layout.
do
  local a, seen = 14 + 7 * nlimits, 0
  for _ = 1, nentries do
    local n = tonumber(ARGV[a + 7])
    if not n then return bad_layout('entry at argument ' .. a) end
    a = a + 8
    if n > 0 then a = a + 2 + n; seen = seen + n end
  end
  if a ~= #ARGV + 1 or seen ~= nchecks then
    return bad_layout('entry check counts do not add up')
  end
end

local group, consumer, maxlen = ARGV[6], ARGV[7], ARGV[8]
local slack, maxdel = tonumber(ARGV[9]), tonumber(ARGV[10])
local ruleset, jprefix, jttl = ARGV[11], ARGV[12], tonumber(ARGV[13])
local limits = {}
local a = 14
for d = 1, nlimits do
  limits[d] = { name = ARGV[a], action = ARGV[a + 1],
    prec = tonumber(ARGV[a + 2]), shadow = ARGV[a + 3] == '1',
    max = tonumber(ARGV[a + 4]), per = tonumber(ARGV[a + 5]),
    reason = ARGV[a + 6] }
  a = a + 7
end

local k = 4	-- the next rate-limit key in KEYS

local function append(list, name)
  if list == '' then return name end
  return list .. ',' .. name
end

-- Counts entry sid at time t under the n checks from ARGV[a], KEYS[k];
-- returns the decision as the exceeded limits leave it (with the letters
-- of the rules' actions, live ones and shadow ones), and whether they
-- changed it.
local function count(sid, t, n, decision, rules, shadow, reason, la, sa)
  local prec, final = tonumber(ARGV[a]), ARGV[a + 1] == '1'
  local changed = false
  for c = 0, n - 1 do
    local l = limits[tonumber(ARGV[a + 2 + c])]
    local key = KEYS[k + c]
    redis.call('ZADD', key, t, sid)
    -- A window of at most max members cannot be over the limit, and one
    -- of at most max + 1 needs no trim: most keys cost ZADD, ZCARD and
    -- PEXPIRE, a new key (a new author, a new text) included.
    local inwindow = redis.call('ZCARD', key)
    if inwindow > l.max then
      if inwindow > l.max + 1 then
        redis.call('ZREMRANGEBYRANK', key, 0, -(l.max + 2))
      end
      inwindow = redis.call('ZCOUNT', key, '(' .. (t - l.per), '+inf')
    end
    redis.call('PEXPIRE', key, l.per + slack)
    if inwindow > l.max then
      if l.shadow then
        shadow, changed = append(shadow, l.name), true
        sa = sa .. string.sub(l.action, 1, 1)
      elseif not final then
        rules, changed = append(rules, l.name), true
        la = la .. string.sub(l.action, 1, 1)
        if l.prec > prec then
          decision, prec, reason = l.action, l.prec, l.reason
        end
      end
    end
  end
  return decision, rules, shadow, reason, changed, la, sa
end

-- How many names a comma-separated list holds.
local function names(list)
  if list == '' then return 0 end
  local _, commas = string.gsub(list, ',', '')
  return commas + 1
end

-- The batch's entries still pending for this consumer, and how often
-- each was delivered: one XPENDING over the batch's id range instead of
-- one an entry. If the range holds more of ours than asked for (others
-- left pending by a failed write), each entry is asked on its own.
local function idkey(sid)
  local ms, seq = string.match(sid, '^(%d+)-(%d+)$')
  return tonumber(ms or 0), tonumber(seq or 0)
end
local pending, lo, hi = nil, nil, nil
do
  local b = a
  for _ = 1, nentries do
    local sid = ARGV[b]
    local ms, seq = idkey(sid)
    if not lo or ms < lo[1] or (ms == lo[1] and seq < lo[2]) then
      lo = { ms, seq, sid }
    end
    if not hi or ms > hi[1] or (ms == hi[1] and seq > hi[2]) then
      hi = { ms, seq, sid }
    end
    local n = tonumber(ARGV[b + 7])
    b = b + 8
    if n > 0 then b = b + 2 + n end
  end
  if lo then
    local want = 2 * nentries + 16
    local p = redis.call('XPENDING', KEYS[1], group, lo[3], hi[3], want,
      consumer)
    if #p < want then
      pending = {}
      for _, e in ipairs(p) do pending[e[1]] = e[4] end
    end
  end
end

local function deliveries(sid)
  if pending then return pending[sid] end
  local p = redis.call('XPENDING', KEYS[1], group, sid, sid, 1, consumer)
  if #p == 1 then return p[1][4] end
  return nil
end

local out = {}
for _ = 1, nentries do
  local sid, id, decision = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local rules, shadow, reason = ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local acts, n = ARGV[a + 6], tonumber(ARGV[a + 7])
  local la = string.sub(acts, 1, names(rules))
  local sa = string.sub(acts, names(rules) + 1)
  local changed = false
  a = a + 8
  local delivered = deliveries(sid)
  if delivered and delivered > maxdel then
    local e = redis.call('XRANGE', KEYS[1], sid, sid)
    local dead = { 'dead_entry', sid, 'dead_deliveries', delivered,
      'dead_reason', 'delivered ' .. delivered .. ' times, more than ' ..
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
  elseif delivered then
    local t = tonumber(string.match(sid, '^(%d+)'))
    if n > 0 then
      decision, rules, shadow, reason, changed, la, sa = count(sid, t, n,
        decision, rules, shadow, reason, la, sa)
    end
    if jprefix ~= '' and id ~= '' and (rules ~= '' or shadow ~= '') then
      redis.call('SET', jprefix .. id, t .. ' ' .. sid .. ' ' .. decision ..
        ' ' .. la .. sa .. ' ' .. rules .. ' ' .. shadow, 'PX', jttl)
    end
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, '*', 'id', id,
      'decision', decision, 'rules', rules, 'shadow', shadow,
      'reason', reason, 'entry', sid, 'ruleset', ruleset)
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
