-- stable_hash.lua: the stable hash of holdouts and splits (spec/language.md 6.5), so
-- that a contact lands in the same group and arm here as in journey:
--   hash(parts) = splitmix64_finalise(fnv1a_64(parts joined by the byte 0x1F))
-- Lua 5.4's integers are 64-bit and wrap, and >> is a logical shift, as the spec needs.

local stable_hash = {}

local function fnv1a(parts)
    local h = 0xcbf29ce484222325
    for i = 1, #parts do
        local part = parts[i]
        if i > 1 then h = (h ~ 0x1f) * 0x100000001b3 end
        for k = 1, #part do
            h = (h ~ part:byte(k)) * 0x100000001b3
        end
    end
    return h
end

local function finalise(z)
    z = (z ~ (z >> 30)) * 0xbf58476d1ce4e5b9
    z = (z ~ (z >> 27)) * 0x94d049bb133111eb
    return z ~ (z >> 31)
end

-- The hash as an unsigned 64-bit number, modulo m (Lua's % is signed).
local function unsigned_mod(h, m)
    if h >= 0 then return h % m end
    local r = h - (((h >> 1) // m) << 1) * m
    while math.ult(m - 1, r) do r = r - m end
    return r
end

function stable_hash.hash(...)
    return finalise(fnv1a({ ... }))
end

-- A basis point bucket, 0 to 9999.
function stable_hash.bucket(...)
    return unsigned_mod(finalise(fnv1a({ ... })), 10000)
end

return stable_hash
