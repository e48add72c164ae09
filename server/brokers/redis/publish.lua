-- SPDX-License-Identifier: MIT
-- Publishes one event: ids are assigned here, once, in order, for the
-- whole cluster. Embedded in the server at build time (embed-lua.py);
-- lines that start with "--" are left out.
--
-- KEYS: meta, stream, lease, pictures, the picture's key, the
-- Idempotency-Key's record, the records' index.
-- ARGV: name, source, at, proposed epoch, floor, --history, node, lease
-- ms, new-history floor, check picture, picture key prefix, deadline,
-- token, fingerprint, record ms, most records.
--
-- Nothing is done once Redis's clock has passed the deadline (ms; "0":
-- none): the node answered its client by then, so a script that waited in
-- a stalled connection cannot publish behind that answer.
-- With a fingerprint (the request an Idempotency-Key came with), a key
-- already recorded answers its event instead of publishing again, or
-- refuses a different request; the record is written with the event, so
-- a key is recorded exactly when its event is published.
-- A "timer" publish (lease ms > 0) needs the slideshow lease: free, or
-- this node's (renewed). With check picture "1", a picture Redis does not
-- have is asked for. The counter is kept at least at the floor (the
-- newest id the publishing node knows); a history that has no counter yet
-- (new, or flushed) starts from the new-history floor. The picture's key
-- is kept while the stream holds an event naming it; pictures named only
-- by trimmed events go. The entry carries the token, by which the
-- publishing node knows its event when it reads the stream.
-- Returns {code, Redis's clock in ms, ...}: {id, now, epoch} published;
-- {-2, now} too late; {-3, now} the key came with another request; {-4,
-- now, id, epoch, name, source, at} the key's event; {0, now} the lease is
-- another node's; {-1, now} the picture is missing.
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if ARGV[12] ~= '0' and now >= tonumber(ARGV[12]) then return {-2, now} end
if ARGV[14] ~= '' then
  local record = redis.call('HMGET', KEYS[6], 'f', 'i', 'e', 'n', 's', 'a')
  if record[1] then
    if record[1] ~= ARGV[14] then return {-3, now} end
    return {-4, now, tonumber(record[2]), record[3], record[4], record[5], record[6]}
  end
end
if ARGV[8] ~= '0' then
  local holder = redis.call('GET', KEYS[3])
  if holder and holder ~= ARGV[7] then return {0, now} end
  redis.call('SET', KEYS[3], ARGV[7], 'PX', ARGV[8])
end
if ARGV[10] == '1' and redis.call('EXISTS', KEYS[5]) == 0 then return {-1, now} end
local s = tonumber(redis.call('HGET', KEYS[1], 's'))
local floor = tonumber(ARGV[5])
if not s then s = math.max(floor, tonumber(ARGV[9])) elseif s < floor then s = floor end
local id = string.format('%d', s + 1)
redis.call('HSET', KEYS[1], 's', id)
redis.call('HSETNX', KEYS[1], 'e', ARGV[4])
local epoch = redis.call('HGET', KEYS[1], 'e')
local prev = redis.call('HGET', KEYS[1], 'r') or '0'
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[6], id .. '-0', 'name', ARGV[1], 'source', ARGV[2], 'at', ARGV[3],
           'epoch', epoch, 'prev', prev, 'token', ARGV[13])
redis.call('HSET', KEYS[1], 'r', id)
redis.call('PERSIST', KEYS[5])
redis.call('ZADD', KEYS[4], id, ARGV[1])
local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
if oldest then
  local below = '(' .. string.match(oldest[1], '^%d+')
  for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', below)) do
    redis.call('DEL', ARGV[11] .. gone)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', below)
end
if ARGV[14] ~= '' then
  redis.call('HSET', KEYS[6], 'f', ARGV[14], 'i', id, 'e', epoch, 'n', ARGV[1], 's', ARGV[2], 'a', ARGV[3])
  redis.call('PEXPIRE', KEYS[6], ARGV[15])
  redis.call('ZADD', KEYS[7], id, KEYS[6])
  local excess = redis.call('ZCARD', KEYS[7]) - tonumber(ARGV[16])
  if excess > 0 then
    local popped = redis.call('ZPOPMIN', KEYS[7], excess)
    for i = 1, #popped, 2 do redis.call('DEL', popped[i]) end
  end
end
return {tonumber(id), now, epoch}
