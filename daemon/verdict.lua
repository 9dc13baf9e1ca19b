-- The verdict script: one call per batch of moderators' verdicts. For
-- each verdict still pending for this consumer, in one atomic step: join
-- it to the decision the decide script kept for its comment, move the
-- counts of every rule that decision named, demote the rules whose
-- verdicts now prove them under their floor, and XACK it. A crash or a
-- redelivery never counts a verdict twice (it is counted exactly when it
-- is acknowledged); a later verdict on the same comment moves the counts
-- from the earlier one instead of adding.
--
-- The argument layout, version LAYOUT below (daemon/verdict_proto.c
-- builds it):
--
-- KEYS: 1 verdict stream, 2 counts hash, 3 demoted hash, 4 totals hash,
--   5 the decision stream (to tell a miss from an unknown comment).
-- ARGV: 1 layout version, 2 group, 3 consumer, 4 join key prefix, 5 the
--   window (ms), 6 max deliveries, 7 number of floors P, 8 number of
--   verdicts V, 9 the prefix of escalate rules' strike records; then per
--   floor (4): rule name, min_precision, min_verdicts, the rule's
--   definition hash; then per verdict (6): stream id, comment id, verdict
--   (approve or remove), decision entry (or ''), why it is malformed (''
--   if it is not), and the strikes its own fields make ("KEY DECAY ...":
--   escalate rules that remove verdicts strike in, keyed by fields the
--   verdict carries, such as the comment's author).
-- So #ARGV = 9 + 4 P + 6 V.
--
-- The counts hash holds NAME|a and NAME|d (agreed, disagreed), and
-- NAME|ba, NAME|bd: the counts when its demotion was last lifted, which
-- demotion does not look behind. The demoted hash holds NAME -> "LEVEL
-- DEF PRECISION VERDICTS" (LEVEL flag or shadow). The totals hash counts
-- verdicts by outcome: approve, remove, changed, unmatched, expired,
-- miss, malformed.
--
-- Returns per verdict: 0 if no longer pending; else {outcome, detail}
-- with outcome counted, same, unmatched, expired, miss or malformed, and
-- for counted the rules' outcomes ("name=a,name=d"); then, as the last
-- element, the demotions made: {"name level precision verdicts", ...}.

local LAYOUT = 2

if ARGV[1] ~= tostring(LAYOUT) then
  return redis.error_reply('moderatord verdict script: argument layout ' ..
    tostring(ARGV[1]) .. ', this script reads layout ' .. LAYOUT)
end
local group, consumer, jprefix = ARGV[2], ARGV[3], ARGV[4]
local window, maxdel = tonumber(ARGV[5]), tonumber(ARGV[6])
local nfloors, nverdicts = tonumber(ARGV[7]), tonumber(ARGV[8])
local sprefix = ARGV[9]
if not (window and maxdel and nfloors and nverdicts) or
    #ARGV ~= 9 + 4 * nfloors + 6 * nverdicts or #KEYS ~= 5 then
  return redis.error_reply('moderatord verdict script: layout ' .. LAYOUT ..
    ': ' .. #ARGV .. ' arguments and ' .. #KEYS .. ' keys')
end

local floors = {}
local a = 10
for _ = 1, nfloors do
  floors[ARGV[a]] = { floor = tonumber(ARGV[a + 1]),
    min = tonumber(ARGV[a + 2]), def = ARGV[a + 3] }
  a = a + 4
end

local counts, demoted, totals = KEYS[2], KEYS[3], KEYS[4]

local function split(list)
  local t = {}
  for name in string.gmatch(list, '[^,]+') do t[#t + 1] = name end
  return t
end

-- The upper end of the 95 % Wilson interval (precision.c has the same).
local function wilson_high(agreed, n)
  local z = 1.959963984540054
  local p, z2 = agreed / n, z * z
  local c = (p + z2 / (2 * n)) / (1 + z2 / n)
  local h = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
  return math.min(1, c + h)
end

local function num(v) return tonumber(v) or 0 end

-- The join key's record as {t, e, d, a, r, s, v} ({} if there is none).
-- decide.lua writes "T E D A R S" (and this script " V"); older daemons
-- wrote a hash of those fields, which a key written then still is.
local function joined(key)
  local s = redis.pcall('GET', key)
  if type(s) == 'table' and s.err then
    local j, kv = { hash = true }, redis.call('HGETALL', key)
    for i = 1, #kv, 2 do j[kv[i]] = kv[i + 1] end
    return j
  end
  if not s then return {} end
  local f, i = {}, 1
  while true do
    local k = string.find(s, ' ', i, true)
    f[#f + 1] = string.sub(s, i, (k or 0) - 1)
    if not k then break end
    i = k + 1
  end
  return { t = f[1], e = f[2], d = f[3], a = f[4], r = f[5] or '',
    s = f[6] or '', v = f[7], raw = table.concat(f, ' ', 1, 6) }
end

-- Keeps verdict v in the join key, for a later verdict to move from.
local function keep(key, j, v)
  if j.hash then
    redis.call('HSET', key, 'v', v)
  else
    redis.call('SET', key, j.raw .. ' ' .. v, 'KEEPTTL')
  end
end

-- A rule written to act (f, r) agrees with remove; one to approve (a),
-- with approve.
local function outcome(letter, verdict)
  if (letter == 'a') == (verdict == 'approve') then return 'a' end
  return 'd'
end

local made = {}

-- Demotes name if its verdicts since its last lift prove it under its
-- floor; letter: the action it was written with.
local function judge(name, letter)
  local f = floors[name]
  if not f then return end
  local c = redis.call('HMGET', counts, name .. '|a', name .. '|d',
    name .. '|ba', name .. '|bd')
  local agreed = math.max(0, num(c[1]) - num(c[3]))
  local disagreed = math.max(0, num(c[2]) - num(c[4]))
  local n = agreed + disagreed
  if n < f.min or wilson_high(agreed, n) >= f.floor then return end
  local was = redis.call('HGET', demoted, name)
  if was and string.match(was, '^%S+ (%S+)') == f.def then return end
  local level = 'shadow'
  if letter == 'r' then level = 'flag' end
  local p = string.format('%.3f', agreed / n)
  redis.call('HSET', demoted, name, level .. ' ' .. f.def .. ' ' .. p ..
    ' ' .. n)
  made[#made + 1] = name .. ' ' .. level .. ' ' .. p .. ' ' .. n
end

-- The strikes of escalate rules a verdict on comment id moves: those its
-- decision gave (the decide script kept "T KEY DECAY ..." for a struck
-- comment) and those of the keys its own fields make (vkeys). An approve
-- verdict takes the comment's strikes back; a remove verdict strikes, at
-- the comment's time t when it is known (else the verdict's), and gives
-- back the decision's strike an earlier approve took. The sets stay
-- bounded and expiring as decide.lua keeps them.
local LADDER_KEEP = 2000	-- ladder.h, decide.lua

local function strikes(id, verdict, vkeys, t)
  local rest = ''
  if sprefix ~= '' then
    local rec = redis.call('GET', sprefix .. id)
    if rec then
      local rt, keys = string.match(rec, '^(%d+) (.*)$')
      if rt then t, rest = tonumber(rt), keys end
    end
  end
  for key, decay in string.gmatch(rest .. ' ' .. vkeys, '(%S+) (%d+)') do
    if verdict == 'approve' then
      redis.call('ZREM', key, id)
    else
      redis.call('ZADD', key, t, id)
      redis.call('ZREMRANGEBYSCORE', key, '-inf', t - tonumber(decay))
      if redis.call('ZCARD', key) > LADDER_KEEP then
        redis.call('ZREMRANGEBYRANK', key, 0, -(LADDER_KEEP + 1))
      end
      if redis.call('PTTL', key) < tonumber(decay) then
        redis.call('PEXPIRE', key, decay)
      end
    end
  end
end

local out = {}
for _ = 1, nverdicts do
  local sid, id, verdict = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local entry, bad, vkeys = ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  a = a + 6
  local p = redis.call('XPENDING', KEYS[1], group, sid, sid, 1, consumer)
  if #p == 0 then
    out[#out + 1] = 0
  else
    if bad == '' and p[1][4] > maxdel then
      bad = 'delivered ' .. p[1][4] .. ' times'
    end
    local t = tonumber(string.match(sid, '^(%d+)')) or 0
    local j = {}
    if bad == '' then
      j = joined(jprefix .. id)
      strikes(id, verdict, vkeys, tonumber(j.t) or t)
    end
    if bad ~= '' then
      redis.call('HINCRBY', totals, 'malformed', 1)
      out[#out + 1] = { 'malformed', bad }
    elseif not j.t then
      local what = 'unmatched'
      if entry ~= '' and verdict == 'remove' then
        local e = redis.call('XRANGE', KEYS[5], entry, entry)
        if e[1] then
          local f = {}
          for i = 1, #e[1][2], 2 do f[e[1][2][i]] = e[1][2][i + 1] end
          if f.id == id and f.decision == 'approve' and f.rules == '' and
              f.shadow == '' then
            what = 'miss'
          end
        end
      end
      redis.call('HINCRBY', totals, what, 1)
      out[#out + 1] = { what, '' }
    elseif t - tonumber(j.t) > window then
      redis.call('HINCRBY', totals, 'expired', 1)
      out[#out + 1] = { 'expired', '' }
    elseif j.v == verdict then
      out[#out + 1] = { 'same', '' }
    else
      local names = split(j.r)
      for _, n in ipairs(split(j.s)) do names[#names + 1] = n end
      local said = {}
      for i, name in ipairs(names) do
        local letter = string.sub(j.a, i, i)
        local o = outcome(letter, verdict)
        redis.call('HINCRBY', counts, name .. '|' .. o, 1)
        if j.v then
          local old = name .. '|' .. outcome(letter, j.v)
          if num(redis.call('HGET', counts, old)) > 0 then
            redis.call('HINCRBY', counts, old, -1)
          end
        end
        said[#said + 1] = name .. '=' .. o
      end
      if j.v then
        redis.call('HINCRBY', totals, j.v, -1)
        redis.call('HINCRBY', totals, 'changed', 1)
      end
      redis.call('HINCRBY', totals, verdict, 1)
      keep(jprefix .. id, j, verdict)
      for i, name in ipairs(names) do judge(name, string.sub(j.a, i, i)) end
      out[#out + 1] = { 'counted', table.concat(said, ',') }
    end
    redis.call('XACK', KEYS[1], group, sid)
  end
end
out[#out + 1] = made
return out
