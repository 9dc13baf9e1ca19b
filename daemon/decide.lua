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
-- KEYS: input stream, output stream, dead-letter stream, then the batch's
--   rate-limit windows, each once, those of each limit together in the
--   order of the limits: a short window's field or a long one's key
--   (below). W windows in all.
-- ARGV: 1 layout version, 2 number of rate-limit rules L, 3 number of
--   entries E, 4 number of entries with checks C, 5 number of checks K,
--   6 group, 7 consumer, 8 output maxlen, 9 key expiry slack (ms),
--   10 max deliveries, 11 the hash of the rule set that decided, 12 the
--   join key prefix ('' keeps none), 13 how long a join key lives (ms),
--   14 the prefix of the strike records escalate rules keep for verdicts
--   ('' keeps none);
--   then per rate-limit rule (13): name, action, precedence, shadow
--   (0/1), max, per (ms), reason, where its windows are kept ('' for
--   sorted sets, else the prefix of its period hashes, below), whether it
--   counts distinct values (0/1), how many of the windows are its own,
--   the first period its comments need read (time / per), and for a
--   near_text limit how many of two signatures' 64 values must be equal
--   (else 0), and for an escalate rule its ladder (ladder_spec in
--   ladder.c: "FROM DECAY_MS DECAY STRIKES:ACTION:PRECEDENCE:FOR_MS,...";
--   else '');
--   then per entry (8): stream id, comment id, decision, rules, shadow,
--   reason, the letters of the named rules' own actions (rules then
--   shadow), n; and if n > 0 (2 + n): the precedence of the decision,
--   final (0/1), and n arguments of checks: each the number of a window
--   (1-based, into the windows above; for a near_text limit the number of
--   its first band's, then all 12 bands' as little-endian 32-bit numbers
--   in one string, then the text's signature: 64 little-endian 16-bit
--   values), followed for a distinct limit by the counted value's
--   identity (16 characters).
-- 5 counts K, the arguments of checks of all entries. So #ARGV = 14 +
-- 13 L + 8 E + 2 C + K and #KEYS = 3 + W; anything else is an error
-- reply, before anything is written.
--
-- Precedence numbers come from C (action_precedence): the greater wins.
-- Returns per entry 1 if written as given, {decision, rules, shadow,
-- reason} if written as changed by its rate limits, 2 if dead-lettered,
-- 0 if not pending any more. An entry without checks costs what it did
-- before rate limits existed.
--
-- A window: the millisecond times of the comments counted under one key.
-- A comment is over the limit when more than max counted comments lie in
-- (t - per, +inf): later ones included, which only a second daemon or a
-- redelivery can have added first. Only the newest max + 1 are kept:
-- enough to answer exactly, so a key holds O(max) whatever the load. A
-- comment is counted once because it is counted only while pending for
-- this consumer, and acknowledged in the same step. A limit with distinct
-- counts values (authors, say) instead: a window keeps each value once,
-- at its newest time, and the newest max + 1 values.
--
-- A join key (prefix .. comment id), for a comment some rule named: one
-- string, "T E D A R S": the entry's time (ms) and id, the decision, the
-- named rules' action letters, the rules and the shadow rules (each
-- comma-separated, maybe empty; rule names hold no space), written with
-- one SET (verdict.lua adds " V", the verdict). Keys are made here from
-- the comment id, so Redis Cluster is not supported (nor is it elsewhere).

local LAYOUT = 7
local NTOP, NLIMIT = 14, 13	-- arguments before the limits, a limit

-- Globals are table lookups: the ones used per entry or per check, once.
local call, tonumber, unpack = redis.call, tonumber, unpack
local spack, sunpack = struct.pack, struct.unpack
local floor, sub = math.floor, string.sub

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
if #ARGV ~= NTOP + NLIMIT * nlimits + 8 * nentries + 2 * nchecked +
    nchecks then
  return bad_layout(#ARGV .. ' arguments for ' .. nlimits .. ' limits, ' ..
    nentries .. ' entries, ' .. nchecks .. ' arguments of checks')
end
do
  local w = 0
  for d = 1, nlimits do
    w = w + (tonumber(ARGV[NTOP + NLIMIT * (d - 1) + 10]) or 0)
  end
  if #KEYS ~= 3 + w then
    return bad_layout(#KEYS .. ' keys for ' .. w .. ' windows')
  end
end
local group, consumer, maxlen = ARGV[6], ARGV[7], ARGV[8]
local slack, maxdel = tonumber(ARGV[9]), tonumber(ARGV[10])
local ruleset, jprefix, jttl = ARGV[11], ARGV[12], tonumber(ARGV[13])
local sprefix = ARGV[14]
local limits = {}
local a = NTOP + 1
for d = 1, nlimits do
  limits[d] = { name = ARGV[a], action = ARGV[a + 1],
    prec = tonumber(ARGV[a + 2]), shadow = ARGV[a + 3] == '1',
    max = tonumber(ARGV[a + 4]), per = tonumber(ARGV[a + 5]),
    reason = ARGV[a + 6], hashes = ARGV[a + 7],
    distinct = ARGV[a + 8] == '1', nwindows = tonumber(ARGV[a + 9]) or 0,
    first = tonumber(ARGV[a + 10]) or 0, near = tonumber(ARGV[a + 11]) }
  if limits[d].hashes == '' then limits[d].hashes = nil end
  if limits[d].near == 0 then limits[d].near = nil end
  if ARGV[a + 12] ~= '' then
    local from, decay, text, steps = string.match(ARGV[a + 12],
      '^(%a*) (%d+) (%S+) (%S+)$')
    if not steps then
      return bad_layout('limit ' .. d .. ' has no ladder')
    end
    local ladder = { from = from, decay = tonumber(decay), text = text,
      steps = {} }
    for n, act, prec, ms in string.gmatch(steps,
        '(%d+):(%a+):(%d+):(%d+)') do
      ladder.steps[#ladder.steps + 1] = { strikes = tonumber(n),
        action = act, prec = tonumber(prec), ms = tonumber(ms) }
    end
    limits[d].ladder = ladder
  end
  a = a + NLIMIT
end

-- A near_text limit's check: its bands' windows, packed (one string is
-- far cheaper for Redis to hand over than 12), then the signature.
-- (NEARDUP_BANDS and NEARDUP_K in neardup.h; RATELIMIT_NEAR_KEEP.)
local BANDS, SIGLEN, NEAR_KEEP = 12, 128, 64
local SIGFMT = '<' .. string.rep('H', 64)
local BANDFMT = '<' .. string.rep('I4', BANDS)

-- The arguments of one check of limit l: its window, a near_text limit's
-- bands and signature, a distinct limit's identity.
local function check_width(l)
  return (l.near and 3 or 1) + (l.distinct and 1 or 0)
end

local function append(list, name)
  if list == '' then return name end
  return list .. ',' .. name
end

-- Short windows (limits with max up to RATELIMIT_SHORT_MAX: most) are kept
-- in period hashes: one hash for each period of the limit's length (per),
-- numbered by time / per, whose fields are the windows' keys. A field
-- holds the newest max + 1 times of its key, ascending, each a
-- little-endian 64-bit integer, and sits in the period of its newest
-- time; the same key in an older period is a stale copy, never read. So a
-- batch reads each limit's windows with one HMGET a period (the one before
-- its first comment's and every later one) and writes them with one HSET a
-- period, where a key of its own per window would cost a SET, an expiry
-- and its later deletion for every comment.
-- A limit's ledger (a sorted set beside its hashes) scores each period by
-- when it was last written, on Redis's clock. A period is live for per +
-- slack after its last write, as a window key of its own would be (every
-- newest time in it is older than that write), then it is UNLINKed (freed
-- in the background, however large it grew); its hash and the ledger also
-- expire twice that after the last write, for when the comments stop.
-- A long window (max above) is a sorted set of its own, as unpacking
-- 10,001 times a batch would cost more than a ZADD. A short window's KEYS
-- element is its field; a long one's, its key.

-- Windows by number (KEYS[3 + w]): its limit; a short one's string (false
-- if empty) and the period it is written to once counted in.
local limitof, short, dirty = {}, {}, {}
do
  local w = 0
  for _, l in ipairs(limits) do
    l.from = w + 1		-- its windows: from .. from + nwindows - 1
    for _ = 1, l.nwindows do
      w = w + 1
      limitof[w] = l
    end
  end
end

-- Walk the entries once before writing anything: each entry's own count
-- must add up, every check name windows of its limit and carry its
-- signature and value, or a write would read a shifted layout.
do
  local b, seen = NTOP + 1 + NLIMIT * nlimits, 0
  for _ = 1, nentries do
    local n = tonumber(ARGV[b + 7])
    if not n then return bad_layout('entry at argument ' .. b) end
    b = b + 8
    if n > 0 then
      local c, last = b + 2, b + 1 + n
      if last > #ARGV then
        return bad_layout('entry check counts do not add up')
      end
      while c <= last do
        local l = limitof[tonumber(ARGV[c])]
        local width = l and check_width(l)
        if not l or c + width - 1 > last then
          return bad_layout('argument ' .. c .. ' names no window')
        end
        if l.near then
          local ok = #ARGV[c + 1] == 4 * BANDS
          if ok then
            local ws = { sunpack(BANDFMT, ARGV[c + 1]) }
            for i = 1, BANDS do ok = ok and limitof[ws[i]] == l end
          end
          if not ok then
            return bad_layout('argument ' .. c + 1 .. ' names no bands')
          end
          if #ARGV[c + 2] ~= SIGLEN then
            return bad_layout('argument ' .. c + 2 .. ' is no signature')
          end
        end
        c = c + width
      end
      b = last + 1
      seen = seen + n
    end
  end
  if b ~= #ARGV + 1 or seen ~= nchecks then
    return bad_layout('entry check counts do not add up')
  end
end

local clock		-- Redis's time (ms), once a batch

-- A stream id's two numbers.
local function idkey(sid)
  local ms, seq = string.match(sid, '^(%d+)-(%d+)$')
  return tonumber(ms or 0), tonumber(seq or 0)
end

local function period(l, t) return floor(t / l.per) end
local WIDE = string.rep('~', 65)	-- hash-max-listpack-value is 64

local function redis_ms()
  if not clock then
    local t = call('TIME')
    clock = tonumber(t[1]) * 1000 + floor(tonumber(t[2]) / 1000)
  end
  return clock
end

-- A short window is a string of entries, ascending by time: each a
-- little-endian 64-bit time, and for a distinct limit the value's identity
-- after it (24 bytes an entry, else 8).
local function entry_width(l) return l.distinct and 24 or 8 end

-- Puts entry e (time t, identity id or nil) into window w in order; the
-- window and its newest time. A value already in w keeps its newest time.
local function short_insert(w, width, e, t, id)
  if id then
    for pos = 1, #w - width + 1, width do
      if sub(w, pos + 8, pos + 23) == id then
        if sunpack('<i8', w, pos) >= t then
          return w, sunpack('<i8', w, #w - width + 1)
        end
        w = sub(w, 1, pos - 1) .. sub(w, pos + width)
        break
      end
    end
  end
  if #w == 0 then return e, t end
  local newest = sunpack('<i8', w, #w - width + 1)
  if newest <= t then return w .. e, t end
  for pos = #w - 2 * width + 1, 1, -width do
    if sunpack('<i8', w, pos) <= t then
      return sub(w, 1, pos + width - 1) .. e .. sub(w, pos + width), newest
    end
  end
  return e .. w, newest
end

-- Counts time t (packed: tp; of value id, for a distinct limit) in short
-- window number window of limit l; is it over the limit, more than max
-- counted comments (values) in (t - per, +inf)? The window holds the
-- newest max + 1, ascending: it is when it is full and its oldest is in.
local function short_over(l, window, t, tp, id)
  local width = entry_width(l)
  local w = short[window]
  if type(w) ~= 'string' or #w % width ~= 0 then w = '' end
  local newest
  w, newest = short_insert(w, width, id and tp .. id or tp, t, id)
  local keep = width * (l.max + 1)
  if #w > keep then w = sub(w, #w - keep + 1) end
  short[window] = w
  dirty[window] = period(l, newest)	-- where it is written
  return #w == keep and sunpack('<i8', w, 1) > t - l.per
end

-- The live periods of limit l from period lo on, newest first (at most
-- 16: older ones could only hold stale copies); those past their life go
-- to l.due.
local function live_periods(l, lo)
  local live, got = {}, call('ZRANGE', l.hashes .. 'periods', 0, -1,
    'WITHSCORES')
  l.due, l.known = {}, {}
  for i = #got - 1, 1, -2 do
    local p = tonumber(got[i])
    l.known[p] = true
    if tonumber(got[i + 1]) + l.per + slack <= redis_ms() then
      l.due[#l.due + 1] = p
    elseif p >= lo and #live < 16 then
      live[#live + 1] = p
    end
  end
  table.sort(live, function(x, y) return x > y end)
  return live
end

-- Reads the batch's short windows, limit by limit: the newest period
-- holding a window has it.
local function short_read()
  for _, l in ipairs(limits) do
    if l.hashes and l.nwindows > 0 then
      local from, to = l.from, l.from + l.nwindows - 1
      for _, p in ipairs(live_periods(l, l.first - 1)) do
        for i = from, to, 1000 do
          local last = math.min(i + 999, to)
          local got = call('HMGET', l.hashes .. p, unpack(KEYS, 3 + i,
            3 + last))
          for j = i, last do
            if not short[j] then short[j] = got[j - i + 1] end
          end
        end
      end
    end
  end
end

-- Writes back the windows counted, each into the period of its newest
-- time; notes the periods written in the ledger, and drops the due ones.
local function short_write()
  for _, l in ipairs(limits) do
    if l.hashes and l.nwindows > 0 then
      local keep, byperiod, ledger = 2 * (l.per + slack), {}, {}
      local function put(p, field, value)
        local list = byperiod[p]
        if not list then list = {}; byperiod[p] = list end
        list[#list + 1] = field
        list[#list + 1] = value
      end
      for w = l.from, l.from + l.nwindows - 1 do
        if dirty[w] then put(dirty[w], KEYS[3 + w], short[w]) end
      end
      for _, m in ipairs(l.made or {}) do put(m[1], m[2], m[3]) end
      for p, list in pairs(byperiod) do
        local hash = l.hashes .. p
        if not l.known[p] then
          -- A value too long for a listpack: the hash is a hash table
          -- from its first field, where a small one would be a list
          -- searched end to end for every field asked (twice the cost of
          -- all the rest).
          list[#list + 1] = '~'
          list[#list + 1] = WIDE
        end
        for i = 1, #list, 2000 do
          call('HSET', hash, unpack(list, i, math.min(i + 1999, #list)))
        end
        call('PEXPIRE', hash, keep)
        ledger[#ledger + 1] = redis_ms()
        ledger[#ledger + 1] = p
      end
      local key = l.hashes .. 'periods'
      for _, p in ipairs(l.due) do
        if not byperiod[p] then
          call('UNLINK', l.hashes .. p)
          call('ZREM', key, p)
        end
      end
      if #ledger > 0 then
        call('ZADD', key, unpack(ledger))
        call('PEXPIRE', key, keep)
      end
    end
  end
end

-- A near_text limit's windows are band buckets: a comment is in each of
-- its signature's 12 bands, and two texts alike enough share one or more
-- (neardup.h). A bucket holds the newest NEAR_KEEP comments that fell in
-- it, ascending by time, each 16 bytes: its time, then the stream id's
-- sequence, or for a distinct limit the first 8 characters of the value's
-- identity (a value kept once, at its newest). Those 16 bytes name the
-- comment's record, a field 'c' .. entry in the period of its time: its
-- signature, identity and comment id. Comments found in the buckets
-- within (t - per, +inf) are compared value by value, and count if at
-- least l.near of the 64 are equal.
local records = {}	-- records read or made this batch: by hash, field

-- The name of l's hash of period p, made once.
local function hash_of(l, p)
  local names = l.names
  if not names then names = {}; l.names = names end
  local h = names[p]
  if not h then h = l.hashes .. p; names[p] = h end
  return h
end

-- The record named ref: the batch's copies of its period's records, its
-- field, its hash.
local function near_record(l, ref)
  local hash = hash_of(l, period(l, sunpack('<i8', ref)))
  local byfield = records[hash]
  if not byfield then byfield = {}; records[hash] = byfield end
  return byfield, 'c' .. ref, hash
end

-- Reads the records of refs not read yet: one HMGET a period.
local function near_fetch(l, refs)
  local want = {}
  for _, ref in ipairs(refs) do
    local byfield, field, hash = near_record(l, ref)
    if byfield[field] == nil then
      byfield[field] = false
      local list = want[hash]
      if not list then list = {}; want[hash] = list end
      list[#list + 1] = field
    end
  end
  for hash, fields in pairs(want) do
    local byfield = records[hash]
    for i = 1, #fields, 1000 do
      local last = math.min(i + 999, #fields)
      local got = call('HMGET', hash, unpack(fields, i, last))
      for j = i, last do byfield[fields[j]] = got[j - i + 1] end
    end
  end
end

-- Reads, once a batch, the records every bucket read points at (more
-- than the window of each comment needs, but in one HMGET a period).
local function near_prefetch()
  for _, l in ipairs(limits) do
    if l.near and l.nwindows > 0 then
      local refs = {}
      for w = l.from, l.from + l.nwindows - 1 do
        local s = short[w]
        if type(s) == 'string' then
          for pos = 1, #s - 15, 16 do refs[#refs + 1] = sub(s, pos, pos + 15) end
        end
      end
      near_fetch(l, refs)
    end
  end
end

-- Puts entry e (time t) into bucket s in order; for a distinct limit an
-- entry of the same value (bytes 9 to 16) keeps the newer of the two.
local function near_insert(s, e, t, distinct)
  if distinct then
    local key = sub(e, 9, 16)
    for pos = 1, #s - 15, 16 do
      if sub(s, pos + 8, pos + 15) == key then
        if sunpack('<i8', s, pos) >= t then return s end
        s = sub(s, 1, pos - 1) .. sub(s, pos + 16)
        break
      end
    end
  end
  if s == '' then return e end
  local pos = #s - 15
  if sunpack('<i8', s, pos) <= t then
    s = s .. e		-- the newest: most often
  else
    while pos >= 1 and sunpack('<i8', s, pos) > t do pos = pos - 16 end
    s = sub(s, 1, pos + 15) .. e .. sub(s, pos + 16)
  end
  if #s > 16 * NEAR_KEEP then s = sub(s, #s - 16 * NEAR_KEEP + 1) end
  return s
end

-- Counts entry (time t, packed tp, stream id sequence seq, comment id cid)
-- under the near_text check at ARGV[c]; is it over the limit?
local function near_over(l, c, t, tp, seq, cid)
  local sig = ARGV[c + 2]
  local id = l.distinct and ARGV[c + 3] or nil
  local ref = tp .. (id and sub(id, 1, 8) or spack('<i8', seq))
  local found, refs, since = {}, {}, t - l.per
  local ws = { sunpack(BANDFMT, ARGV[c + 1]) }
  for b = 1, BANDS do
    local w = ws[b]
    local s = short[w]
    if type(s) ~= 'string' or #s % 16 ~= 0 then s = '' end
    for pos = 1, #s - 15, 16 do
      local r = sub(s, pos, pos + 15)
      if r ~= ref and not found[r] and sunpack('<i8', s, pos) > since then
        found[r] = true
        refs[#refs + 1] = r
      end
    end
    s = near_insert(s, ref, t, id)
    short[w] = s
    dirty[w] = period(l, sunpack('<i8', s, #s - 15))
  end
  local byfield, field = near_record(l, ref)
  byfield[field] = sig .. (id or '') .. sub(cid, 1, 100)
  l.made = l.made or {}
  l.made[#l.made + 1] = { period(l, t), field, byfield[field] }
  if #refs == 0 then return 1 > l.max end
  near_fetch(l, refs)
  local v, n, ids = { sunpack(SIGFMT, sig) }, 1, {}
  if id then ids[id] = true end
  for _, r in ipairs(refs) do
    local byfield, f = near_record(l, r)
    local rec = byfield[f]
    if rec and #rec >= SIGLEN then
      local u, same = { sunpack(SIGFMT, rec) }, 0
      for i = 1, 64 do
        if u[i] == v[i] then same = same + 1 end
      end
      if same >= l.near then
        local rid = id and sub(rec, SIGLEN + 1, SIGLEN + 16)
        if not rid then
          n = n + 1
        elseif not ids[rid] then
          ids[rid], n = true, n + 1
        end
      end
    end
  end
  return n > l.max
end

-- The same for a long window: a sorted set of entry ids (a distinct
-- limit's values) scored by time.
local function long_over(key, l, t, member)
  if l.distinct then
    call('ZADD', key, 'GT', t, member)	-- a value keeps its newest time
  else
    call('ZADD', key, t, member)
  end
  -- A window of at most max members cannot be over the limit, and one
  -- of at most max + 1 needs no trim.
  local inwindow = call('ZCARD', key)
  if inwindow > l.max then
    if inwindow > l.max + 1 then
      call('ZREMRANGEBYRANK', key, 0, -(l.max + 2))
    end
    inwindow = call('ZCOUNT', key, '(' .. (t - l.per), '+inf')
  end
  call('PEXPIRE', key, l.per + slack)
  return inwindow > l.max
end

-- An escalate rule's window is a sorted set of the key's strikes: comment
-- ids scored by their entries' times, the newest LADDER_KEEP (ladder.h)
-- at most. The step that applies to a comment at t: the one with the
-- most strikes reached in (t - decay, +inf) whose for, if it has one, has
-- not run out since the newest strike (ladder_step_at in ladder.c), and
-- how many strikes there are.
local LADDER_KEEP = 2000

local function ladder_step(l, key, t)
  local lad = l.ladder
  local n = call('ZCOUNT', key, '(' .. (t - lad.decay), '+inf')
  if n == 0 then return nil, 0 end
  local last = tonumber(call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
  for i = #lad.steps, 1, -1 do
    local st = lad.steps[i]
    if n >= st.strikes and (st.ms == 0 or t < last + st.ms) then
      return st, n
    end
  end
  return nil, n
end

-- A strike for the comment member at t under key; strikes older than the
-- decay go.
local function strike(l, key, t, member)
  call('ZADD', key, t, member)
  call('ZREMRANGEBYSCORE', key, '-inf', t - l.ladder.decay)
  if call('ZCARD', key) > LADDER_KEEP then
    call('ZREMRANGEBYRANK', key, 0, -(LADDER_KEEP + 1))
  end
  call('PEXPIRE', key, l.ladder.decay + slack)
end

-- Counts entry sid at time t under its checks (n arguments from ARGV[a]);
-- returns the decision as the exceeded limits and the ladder's steps leave
-- it (with the letters of the rules' actions, live ones and shadow ones),
-- and whether they changed it. Ladders come last: a strike is what the
-- other rules and limits decided, never a ladder's own step; a struck
-- comment with an id keeps where it was struck, for an approve verdict to
-- take back ("T KEY DECAY ...", the strike record; verdict.lua).
local function count(sid, cid, t, n, decision, rules, shadow, reason, la, sa)
  local prec, final = tonumber(ARGV[a]), ARGV[a + 1] == '1'
  local changed, tp = false, spack('<i8', t)
  local c, last = a + 2, a + 1 + n
  local ladders = {}
  -- Limit l (or its step, of action act) held the comment.
  local function held(l, act, aprec, why)
    if l.shadow then
      shadow, changed = append(shadow, l.name), true
      sa = sa .. sub(act, 1, 1)
    elseif not final then
      rules, changed = append(rules, l.name), true
      la = la .. sub(act, 1, 1)
      if aprec > prec then
        decision, prec, reason = act, aprec, why
      end
    end
  end
  while c <= last do
    local w = tonumber(ARGV[c])
    local l = limitof[w]
    local width = check_width(l)
    local id = l.distinct and ARGV[c + width - 1] or nil
    local over = false
    if l.ladder then
      ladders[#ladders + 1] = w
    elseif l.near then
      local _, seq = idkey(sid)
      over = near_over(l, c, t, tp, seq, cid)
    elseif l.hashes then
      over = short_over(l, w, t, tp, id)
    else
      over = long_over(KEYS[3 + w], l, t, id or sid)
    end
    c = c + width
    if over then held(l, l.action, l.prec, l.reason) end
  end
  local struck, record = sub(decision, 1, 1), {}
  for _, w in ipairs(ladders) do
    local l, key = limitof[w], KEYS[3 + w]
    local st, strikes = ladder_step(l, key, t)
    if st then
      held(l, st.action, st.prec, l.reason .. ': ' .. strikes ..
        ' strikes in ' .. l.ladder.text)
    end
    if (struck == 'r' or struck == 'f') and
        string.find(l.ladder.from, struck, 1, true) then
      strike(l, key, t, cid ~= '' and cid or sid)
      record[#record + 1] = key .. ' ' .. l.ladder.decay
    end
  end
  if sprefix ~= '' and cid ~= '' and #record > 0 then
    call('SET', sprefix .. cid, t .. ' ' .. table.concat(record, ' '),
      'PX', jttl)
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
  short_read()
  near_prefetch()
  if lo then
    local want = 2 * nentries + 16
    local p = call('XPENDING', KEYS[1], group, lo[3], hi[3], want,
      consumer)
    if #p < want then
      pending = {}
      for _, e in ipairs(p) do pending[e[1]] = e[4] end
    end
  end
end

local function deliveries(sid)
  if pending then return pending[sid] end
  local p = call('XPENDING', KEYS[1], group, sid, sid, 1, consumer)
  if #p == 1 then return p[1][4] end
  return nil
end

local out = {}
for _ = 1, nentries do
  local sid, id, decision = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local rules, shadow, reason = ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local acts, n = ARGV[a + 6], tonumber(ARGV[a + 7])
  local nr = names(rules)
  local la, sa = sub(acts, 1, nr), sub(acts, nr + 1)
  local changed = false
  a = a + 8
  local delivered = deliveries(sid)
  if pending then pending[sid] = nil end	-- an id given twice counts once
  if delivered and delivered > maxdel then
    local e = call('XRANGE', KEYS[1], sid, sid)
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
    call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', unpack(dead))
    call('XACK', KEYS[1], group, sid)
    out[#out + 1] = 2
  elseif delivered then
    local t = tonumber(string.match(sid, '^(%d+)'))
    if n > 0 then
      decision, rules, shadow, reason, changed, la, sa = count(sid, id, t,
        n, decision, rules, shadow, reason, la, sa)
    end
    if jprefix ~= '' and id ~= '' and (rules ~= '' or shadow ~= '') then
      call('SET', jprefix .. id, t .. ' ' .. sid .. ' ' .. decision ..
        ' ' .. la .. sa .. ' ' .. rules .. ' ' .. shadow, 'PX', jttl)
    end
    call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, '*', 'id', id,
      'decision', decision, 'rules', rules, 'shadow', shadow,
      'reason', reason, 'entry', sid, 'ruleset', ruleset)
    call('XACK', KEYS[1], group, sid)
    if changed then
      out[#out + 1] = { decision, rules, shadow, reason }
    else
      out[#out + 1] = 1
    end
  else
    out[#out + 1] = 0
  end
  if n > 0 then a = a + 2 + n end
end
short_write()
return out
