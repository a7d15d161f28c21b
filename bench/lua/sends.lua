-- sends.lua: the outcome and effective time of a send (spec/language.md 6.12): quiet
-- hours defer it to the end of the window; on a channel with limits it takes effect
-- no earlier than the channel's previous accepted send; a limit suppresses it when
-- the contact already had N accepted sends in (t - period, t]. Each limit keeps the
-- effective times of the contact's last N accepted sends on its channel.

local clock = require("clock")

local sends = {}

local function in_quiet_hours(quiet, t)
    local time_of_day = clock.time_of_day(t)
    if quiet.from > quiet.to then return time_of_day >= quiet.from or time_of_day < quiet.to end
    return time_of_day >= quiet.from and time_of_day < quiet.to
end

local function add_reason(reason, more)
    if not reason then return more end
    if reason:find(more, 1, true) then return reason end
    return reason .. ", " .. more
end

-- The contact's history for each limit of the channel: { {t1, t2, ..., tN}, ... }.
local function histories(contact, channel, limits)
    local by_channel = contact.sends
    if not by_channel then
        by_channel = {}
        contact.sends = by_channel
    end
    local list = by_channel[channel]
    if not list then
        list = {}
        for i, limit in ipairs(limits) do
            local history = {}
            for k = 1, limit.count do history[k] = 0 end
            list[i] = history
        end
        by_channel[channel] = list
    end
    return list
end

-- Returns outcome ("sent", "deferred" or "suppressed"), effective time, reason (or
-- nil) and whether a limit suppressed it.
function sends.decide(program, contact, message, now)
    local at, reason = now, nil
    local quiet = program.quiet_hours
    if quiet and in_quiet_hours(quiet, at) then
        reason = "quiet hours"
        at = clock.next_time_of_day(at, quiet.to)
    end
    local limits = program.limits[message.channel]
    if not limits then
        return at > now and "deferred" or "sent", at, reason, false
    end
    local list = histories(contact, message.channel, limits)
    for _, history in ipairs(list) do
        for k = 1, #history do
            if history[k] > at then
                at = history[k]
                reason = add_reason(reason, "previous send")
            end
        end
    end
    for i, limit in ipairs(limits) do
        local history, count = list[i], 0
        for k = 1, #history do
            local sent = history[k]
            if sent ~= 0 and sent > at - limit.period and sent <= at then count = count + 1 end
        end
        if count >= limit.count then
            return "suppressed", at, add_reason(reason, limit.text), true
        end
    end
    -- Accepted: it replaces the oldest send of each history.
    for _, history in ipairs(list) do
        local oldest = 1
        for k = 2, #history do
            if history[k] < history[oldest] then oldest = k end
        end
        history[oldest] = at
    end
    return at > now and "deferred" or "sent", at, reason, false
end

return sends
