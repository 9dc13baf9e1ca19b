-- The classifier's copy script: what a daemon holding the model up to
-- generation G needs to catch up, read in one atomic step. The changes
-- since G from the log when it still holds them all, else the whole
-- model (at a first copy, or when the log has been trimmed past G, or
-- when the model is older than G: it was deleted and learned again).
--
-- The argument layout, version LAYOUT below:
--
-- KEYS: 1 the words hash, 2 the model hash, 3 the log stream (as in
--   learn.lua).
-- ARGV: 1 layout version, 2 G (0: nothing held), 3 most log entries to
--   return.
--
-- Returns {gen, 'none'}, {gen, 'delta', entries, spam, ham} (entries as
-- XRANGE gives them, oldest first; gen past the last one returned: call
-- again) or {gen, 'full', the words hash as HGETALL gives it, spam, ham}:
-- spam and ham are the model's totals now; a delta's entries carry their
-- own changes to them.

local LAYOUT = 1

if ARGV[1] ~= tostring(LAYOUT) then
  return redis.error_reply('moderatord classifier copy script: argument ' ..
    'layout ' .. tostring(ARGV[1]) .. ', this script reads layout ' .. LAYOUT)
end
local held, most = tonumber(ARGV[2]), tonumber(ARGV[3])
if not (held and most) or #ARGV ~= 3 or #KEYS ~= 3 then
  return redis.error_reply('moderatord classifier copy script: layout ' ..
    LAYOUT .. ': ' .. #ARGV .. ' arguments and ' .. #KEYS .. ' keys')
end
local m = redis.call('HMGET', KEYS[2], 'gen', 'spam', 'ham')
local gen = tonumber(m[1]) or 0
local spam, ham = tonumber(m[2]) or 0, tonumber(m[3]) or 0
if gen == held then return { gen, 'none' } end
if held > 0 and held < gen then
  local e = redis.call('XRANGE', KEYS[3], '(0-' .. held, '+', 'COUNT', most)
  if e[1] and e[1][1] == '0-' .. (held + 1) then
    return { gen, 'delta', e, spam, ham }
  end
end
return { gen, 'full', redis.call('HGETALL', KEYS[1]), spam, ham }
