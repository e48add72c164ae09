-- SPDX-License-Identifier: MIT
-- Publishes one event: ids are assigned here, once, in order, for the
-- whole cluster. Embedded in the server at build time (embed-lua.py);
-- lines that start with "--" are left out.
--
-- KEYS: meta, stream, lease, pictures, the picture's key, a moved
-- picture's old key.
-- ARGV: name, source, at, proposed epoch, floor, --history, node, lease
-- ms, new-history floor, check picture, picture key prefix, type, from,
-- album, privacy ("10": private, from not), payload.
-- A picture's bytes follow its events: a "removed" one's go, a "moved"
-- one's are renamed; an album's events touch none.
-- A "timer" publish (lease ms > 0) needs the slideshow lease: free, or
-- this node's (renewed); else nothing is published ({0, ""}). With check
-- picture "1", a picture Redis does not have is asked for ({-1, ""}).
-- The counter is kept at least at the floor (the newest id the publishing
-- node knows); a history that has no counter yet (new, or flushed) starts
-- from the new-history floor. The picture's key is kept while the stream
-- holds an event naming it; pictures named only by trimmed events go.
-- Returns {id, epoch}.
if ARGV[8] ~= '0' then
  local holder = redis.call('GET', KEYS[3])
  if holder and holder ~= ARGV[7] then return {0, ''} end
  redis.call('SET', KEYS[3], ARGV[7], 'PX', ARGV[8])
end
if ARGV[10] == '1' and redis.call('EXISTS', KEYS[5]) == 0 then return {-1, ''} end
local s = tonumber(redis.call('HGET', KEYS[1], 's'))
local floor = tonumber(ARGV[5])
if not s then s = math.max(floor, tonumber(ARGV[9])) elseif s < floor then s = floor end
local id = string.format('%d', s + 1)
redis.call('HSET', KEYS[1], 's', id)
redis.call('HSETNX', KEYS[1], 'e', ARGV[4])
local epoch = redis.call('HGET', KEYS[1], 'e')
local prev = redis.call('HGET', KEYS[1], 'r') or '0'
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[6], id .. '-0', 'name', ARGV[1], 'source', ARGV[2], 'at', ARGV[3], 'epoch', epoch, 'prev', prev,
           'type', ARGV[12], 'from', ARGV[13], 'album', ARGV[14], 'privacy', ARGV[15], 'payload', ARGV[16], 'node', ARGV[7])
redis.call('HSET', KEYS[1], 'r', id)
if ARGV[12] == 'removed' then
  redis.call('DEL', KEYS[5])
  redis.call('ZREM', KEYS[4], ARGV[1])
elseif ARGV[12] == 'moved' then
  if redis.call('EXISTS', KEYS[6]) == 1 then redis.call('RENAME', KEYS[6], KEYS[5]) end
  redis.call('ZREM', KEYS[4], ARGV[13])
end
if ARGV[12] == 'published' or ARGV[12] == 'changed' or ARGV[12] == 'moved' then
  redis.call('PERSIST', KEYS[5])
  redis.call('ZADD', KEYS[4], id, ARGV[1])
end
local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
if oldest then
  local below = '(' .. string.match(oldest[1], '^%d+')
  for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', below)) do
    redis.call('DEL', ARGV[11] .. gone)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', below)
end
return {tonumber(id), epoch}
