-- clock.lua: instants as integer milliseconds since 1970-01-01T00:00:00Z, read from and
-- written as ISO-8601 UTC timestamps, and the next time of day (in UTC: the workload's
-- contacts have no timezone trait, so the journeys' zone is UTC).

local clock = {}

clock.SECOND = 1000
clock.MINUTE = 60 * clock.SECOND
clock.HOUR = 60 * clock.MINUTE
clock.DAY = 24 * clock.HOUR

-- Days since 1970-01-01 of a proleptic Gregorian date.
local function days_from_civil(year, month, day)
    if month <= 2 then year = year - 1 end
    local era = year // 400
    local year_of_era = year - era * 400
    local month_from_march = (month + 9) % 12
    local day_of_year = (153 * month_from_march + 2) // 5 + day - 1
    local day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468
end

-- The first instant of each date seen, by its text ("2026-01-05"): a log has few dates.
local midnights = setmetatable({}, { __index = function(cache, date)
    local year, month, day = date:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
    if not year then return nil end
    local midnight = days_from_civil(math.tointeger(tonumber(year)), math.tointeger(tonumber(month)),
        math.tointeger(tonumber(day))) * clock.DAY
    cache[date] = midnight
    return midnight
end })

-- "2026-01-05T10:00:00.123Z" (the fraction optional, truncated to milliseconds), or nil.
function clock.parse(text)
    local midnight = midnights[text:sub(1, 10)]
    local hour, minute, second, fraction = text:match("^T(%d%d):(%d%d):(%d%d)%.?(%d*)Z$", 11)
    if not midnight or not hour then return nil end
    local ms = 0
    if fraction ~= "" then ms = math.tointeger(tonumber((fraction .. "00"):sub(1, 3))) end
    return midnight + ((tonumber(hour) * 60 + tonumber(minute)) * 60 + tonumber(second)) * clock.SECOND + ms
end

function clock.format(ms)
    return os.date("!%Y-%m-%dT%H:%M:%S", ms // 1000) .. string.format(".%03dZ", ms % 1000)
end

-- The first instant strictly after `now` whose time of day is `offset` ms after midnight.
function clock.next_time_of_day(now, offset)
    local target = now - now % clock.DAY + offset
    if target <= now then target = target + clock.DAY end
    return target
end

-- The time of day of an instant, in ms after midnight.
function clock.time_of_day(now)
    return now % clock.DAY
end

return clock
