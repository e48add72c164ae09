-- SPDX-License-Identifier: MIT
-- wrk: every request a size nobody asked for before (200 to 327 a side,
-- 16384 of them), in the path pattern PATTERN (%W and %H), threads
-- interleaved so no two ask the same.
local pattern = os.getenv("PATTERN")
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  n = 0
  stride = 8
end

function request()
  local k = n * stride + id
  n = n + 1
  local w = 200 + k % 128
  local h = 200 + math.floor(k / 128) % 128
  local path = pattern:gsub("%%W", tostring(w)):gsub("%%H", tostring(h))
  return wrk.format("GET", path)
end
