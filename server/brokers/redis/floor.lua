-- SPDX-License-Identifier: MIT
-- Holds the counter's floor. Embedded in the server at build time
-- (embed-lua.py); lines that start with "--" are left out.
--
-- KEYS: meta. ARGV: floor, proposed epoch. The counter is raised to the
-- floor (a history flushed under running nodes gets its ids back); an
-- empty Redis gets an epoch. Returns the epoch.
local s = tonumber(redis.call('HGET', KEYS[1], 's'))
local floor = tonumber(ARGV[1])
if floor > 0 and (not s or s < floor) then redis.call('HSET', KEYS[1], 's', ARGV[1]) end
redis.call('HSETNX', KEYS[1], 'e', ARGV[2])
return redis.call('HGET', KEYS[1], 'e')
