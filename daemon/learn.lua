-- The learn script: teaches the site's classifier a batch of comments,
-- each spam or ham, in one atomic step; moderatorctl learn and the
-- verdict reader both call it. A comment with an id is learned at most
-- once per class: learned again under the same class it changes nothing,
-- under the other class its words move over (a changed verdict). Every
-- change is also appended to a log, so that daemons copy the model by
-- its changes instead of reading it whole (bayes_sync.lua).
--
-- The argument layout, version LAYOUT below:
--
-- KEYS: 1 the words hash, 2 the model hash (spam, ham: comments learned;
--   gen: changes logged), 3 the log stream.
-- ARGV: 1 layout version, 2 the learned-marker key prefix, 3 the
--   markers' lifetime (ms), 4 the log's length kept, 5 number of
--   comments N; then per comment (4): comment id (or '' for none), class
--   (spam or ham), '1' if the model already says so with confidence (then
--   a comment not learned before is left out: train on error), and its
--   words, 8 bytes each (the hashes of bayes_tokens).
-- So #ARGV = 5 + 4 N.
--
-- The words hash holds s.. and h.. followed by a word's 8 bytes: the
-- spam and ham comments learned that had it. A log entry is 0-GEN (its
-- id is the model's generation) with c (class), d (+1 or -1) and w (the
-- words).
--
-- Returns per comment: learned, moved, same or skipped.

local LAYOUT = 1

if ARGV[1] ~= tostring(LAYOUT) then
  return redis.error_reply('moderatord learn script: argument layout ' ..
    tostring(ARGV[1]) .. ', this script reads layout ' .. LAYOUT)
end
local mprefix, ttl, keep, n = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]),
  tonumber(ARGV[5])
if not (ttl and keep and n) or #ARGV ~= 5 + 4 * n or #KEYS ~= 3 then
  return redis.error_reply('moderatord learn script: layout ' .. LAYOUT ..
    ': ' .. #ARGV .. ' arguments and ' .. #KEYS .. ' keys')
end
local words, model, log = KEYS[1], KEYS[2], KEYS[3]
local letter = { spam = 's', ham = 'h' }

-- Moves the counts of every word of w under class by d, and logs it.
-- The words' moves are summed over the batch and written at the end:
-- common words are in most comments, and one HINCRBY for each is what
-- learning costs Redis.
local moves = {}
local function count(class, w, d)
  local l = letter[class]
  for i = 1, #w - 7, 8 do
    local f = l .. string.sub(w, i, i + 7)
    moves[f] = (moves[f] or 0) + d
  end
  if redis.call('HINCRBY', model, class, d) < 0 then
    redis.call('HSET', model, class, 0)
  end
  local gen = redis.call('HINCRBY', model, 'gen', 1)
  redis.call('XADD', log, 'MAXLEN', '~', keep, '0-' .. gen, 'c', class,
    'd', d, 'w', w)
end

-- All checked before anything is written: a refused batch changes nothing.
for a = 6, 5 + 4 * n, 4 do
  if not letter[ARGV[a + 1]] or #ARGV[a + 3] % 8 ~= 0 then
    return redis.error_reply('moderatord learn script: a comment of class ' ..
      tostring(ARGV[a + 1]) .. ' with ' .. #ARGV[a + 3] .. ' bytes of words')
  end
end

local out = {}
local a = 6
for _ = 1, n do
  local id, class, sure, w = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  a = a + 4
  local before = false
  if id ~= '' then before = redis.call('GET', mprefix .. id) end
  if before == class then
    out[#out + 1] = 'same'
  elseif not before and sure == '1' then
    out[#out + 1] = 'skipped'
  else
    if before then
      count(before, w, -1)
      out[#out + 1] = 'moved'
    else
      out[#out + 1] = 'learned'
    end
    count(class, w, 1)
    if id ~= '' then
      redis.call('SET', mprefix .. id, class, 'PX', ttl)
    end
  end
end
for f, d in pairs(moves) do
  if d ~= 0 and redis.call('HINCRBY', words, f, d) <= 0 then
    redis.call('HDEL', words, f)
  end
end
return out
