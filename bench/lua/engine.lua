-- engine.lua: runs a program's journeys over a stream of events, one coroutine per
-- contact per journey, the way a team would build it in Lua: a table per contact, a
-- coroutine that yields at every wait, a binary heap of timers. It follows the order of
-- work of spec/language.md 6.3, so that its actions match `journey sim`'s:
--   before an event at T, the timers due at or before T fire (due time, then creation);
--   then attributes (identify), scores, windowed counts, segments (and who joined),
--   goals and exits, waiting coroutines, entries; journeys in declaration order.

local Heap = require("heap")
local clock = require("clock")
local sends = require("sends")
local stable_hash = require("stable_hash")

local Engine = {}
Engine.__index = Engine

-- A contact's place in one journey, and the `j` its coroutine runs with.
local Journey = {}
Journey.__index = Journey

local BUCKETS = 12 -- a windowed count keeps 12 buckets of window/12 (6.8)

-- null: the value the JSON reader gives for null (cjson.null).
function Engine.new(program, write_action, null)
    local self = setmetatable({
        program = program,
        write_action = write_action, -- function(action) or nil
        null = null,
        contacts = {},
        timers = Heap.new(),
        timer_sequence = 0,
        clock = nil,
        stats = { events = 0, undeclared = 0, contacts = 0, actions = 0, timers_fired = 0, runtime_errors = 0 },
        journey_stats = {},
        message_stats = {},
        first_error = nil,
        rules_by_event = {},
        windows_by_event = {},
    }, Engine)
    for _, journey in ipairs(program.journeys) do
        self.journey_stats[journey.name] = {
            entered = 0, holdout = 0, completed = 0, exited = 0, errors = 0,
            goals_treated = 0, value_treated = 0.0, goals_holdout = 0, value_holdout = 0.0,
        }
    end
    for _, name in ipairs(program.message_order) do
        self.message_stats[name] = { sent = 0, deferred = 0, by_limit = 0, by_quiet_hours = 0 }
    end
    -- Score rules and windows by event, in declaration order.
    for _, score in ipairs(program.scores) do
        for _, rule in ipairs(score.rules) do
            local list = self.rules_by_event[rule.event] or {}
            list[#list + 1] = { score = score, where = rule.where, delta = rule.delta }
            self.rules_by_event[rule.event] = list
        end
    end
    for name, window in pairs(program.windows) do
        local list = self.windows_by_event[window.event] or {}
        list[#list + 1] = { name = name, where = window.where, width = window.period // BUCKETS }
        self.windows_by_event[window.event] = list
    end
    return self
end

-- ---- contact state ----------------------------------------------------------------

function Engine:contact(id)
    local contact = self.contacts[id]
    if not contact then
        contact = { id = id, attributes = {}, scores = {}, windows = {}, segments = {}, journeys = {} }
        self.contacts[id] = contact
        self.stats.contacts = self.stats.contacts + 1
    end
    return contact
end

-- An attribute's value, its default, or a run-time error when it has neither.
function Engine:attribute(contact, name)
    local value = contact.attributes[name]
    if value == nil then value = self.program.attributes[name].default end
    if value == nil then error("attribute '" .. name .. "' has no value", 0) end
    return value
end

-- A score decayed to now: value * kept ^ (elapsed / period).
function Engine:score(contact, name)
    local state = contact.scores[name]
    if not state then return 0 end
    local score = self.program.score_by_name[name]
    if not score.kept or state.value == 0 or self.clock <= state.updated then return state.value end
    return state.value * score.kept ^ ((self.clock - state.updated) / score.period)
end

-- A windowed count now: the counts of the bucket of now and the 11 before it.
function Engine:count(contact, name)
    local window = contact.windows[name]
    if not window then return 0 end
    local width = self.program.windows[name].period // BUCKETS
    local bucket = self.clock // width
    local total = 0
    for b = math.max(bucket - BUCKETS + 1, window.newest - BUCKETS + 1), math.min(bucket, window.newest) do
        total = total + window[b % BUCKETS + 1]
    end
    return total
end

local function window_add(window, bucket)
    if bucket > window.newest then
        for b = window.newest + 1, math.min(bucket, window.newest + BUCKETS) do window[b % BUCKETS + 1] = 0 end
        window.newest = bucket
    end
    if bucket > window.newest - BUCKETS then
        local slot = bucket % BUCKETS + 1
        if window[slot] < 65535 then window[slot] = window[slot] + 1 end
    end
end

-- Whether the contact is in the segment now (a journey's `if hot`).
function Engine:segment(contact, name)
    return self.program.segment_by_name[name].test(self, contact)
end

-- Recomputes every segment (in dependency order) and returns the set joined, or nil.
function Engine:update_segments(contact)
    local joined
    local memberships = contact.segments
    for _, segment in ipairs(self.program.segments) do
        local was, now = memberships[segment.name], segment.test(self, contact)
        memberships[segment.name] = now
        if now and not was then
            joined = joined or {}
            joined[segment.name] = true
        end
    end
    return joined
end

-- ---- timers and coroutines -------------------------------------------------------

function Engine:schedule(due, state)
    self.timer_sequence = self.timer_sequence + 1
    self.timers:push({ due = due, seq = self.timer_sequence, state = state, token = state.token })
end

function Engine:runtime_error(state, message)
    self.stats.runtime_errors = self.stats.runtime_errors + 1
    if not self.first_error then
        self.first_error = string.format("contact %s at %s in journey %s: %s", state.contact.id,
            clock.format(self.clock), state.journey.name, tostring(message))
    end
end

-- Runs the coroutine until its next wait or its end. Every resumption takes a new
-- token, so the timers of the waits it leaves are stale.
function Engine:resume(state, ...)
    state.token = state.token + 1
    local ok, kind, argument = coroutine.resume(state.co, ...)
    local stats = self.journey_stats[state.journey.name]
    if not ok then -- a run-time error ends the coroutine; its actions stand
        self:runtime_error(state, kind)
        stats.errors = stats.errors + 1
        state.status, state.co, state.waiting = "done", nil, nil
    elseif coroutine.status(state.co) == "dead" then
        stats.completed = stats.completed + 1
        state.status, state.co, state.waiting = "done", nil, nil
    elseif kind == "timer" then
        state.waiting = nil
        self:schedule(argument, state)
    else -- "wait": an event or a select, perhaps with a timeout
        state.waiting = argument
        if argument.due then self:schedule(argument.due, state) end
    end
end

-- Fires the timers due at or before `until`, then moves the clock there.
function Engine:advance(until_time)
    local timers = self.timers
    local timer = timers:peek()
    while timer and timer.due <= until_time do
        timers:pop()
        local state = timer.state
        if state.token == timer.token and state.status == "running" then
            self.clock = timer.due
            self.stats.timers_fired = self.stats.timers_fired + 1
            if state.waiting then
                state.waiting = nil
                self:resume(state, nil) -- the wait for an event timed out
            else
                self:resume(state)
            end
        end
        timer = timers:peek()
    end
    if not self.clock or until_time > self.clock then self.clock = until_time end
end

-- ---- journeys --------------------------------------------------------------------

-- A control contact is in the journey until its goal window closes (6.4).
function Engine:close_holdout(journey, state)
    if state.status == "holdout" and self.clock - state.entered_at >= journey.goal.within then
        state.status = "done"
        local stats = self.journey_stats[journey.name]
        stats.completed = stats.completed + 1
    end
end

local function may_enter(journey, state, now)
    if not state then return true end
    if state.status ~= "done" then return false end
    if journey.reentry == "always" then return true end
    if journey.reentry_after then return now - state.entered_at >= journey.reentry_after end
    return false
end

function Engine:enter(contact, journey, state, event)
    if not state then
        state = setmetatable({ engine = self, contact = contact, journey = journey, entries = 0, token = 0 }, Journey)
        contact.journeys[journey.name] = state
    end
    local stats = self.journey_stats[journey.name]
    state.entries = state.entries + 1
    state.entered_at = self.clock
    state.goal_reached = false
    state.occurrence = 0
    state.step = nil
    stats.entered = stats.entered + 1
    state.control = journey.holdout ~= nil and stable_hash.bucket(contact.id, journey.name) < journey.holdout
    if state.control then
        stats.holdout = stats.holdout + 1
        if journey.goal then
            state.status = "holdout"
        else
            state.status = "done"
            stats.completed = stats.completed + 1
        end
        return
    end
    state.status = "running"
    state.co = coroutine.create(journey.run)
    self:resume(state, state, event)
end

-- Step 5: the goal, then the exits, of each journey.
function Engine:goals_and_exits(contact, name, fields)
    local now = self.clock
    for _, journey in ipairs(self.program.journeys) do
        local state = contact.journeys[journey.name]
        if state then
            local goal, stats = journey.goal, self.journey_stats[journey.name]
            if state.status == "holdout" then self:close_holdout(journey, state) end
            if goal and goal.event == name and not state.goal_reached and now - state.entered_at < goal.within then
                local value = goal.value and goal.value(fields) or 0
                state.goal_reached = true
                if state.control then
                    stats.goals_holdout = stats.goals_holdout + 1
                    stats.value_holdout = stats.value_holdout + value
                    if state.status == "holdout" then
                        state.status = "done"
                        stats.completed = stats.completed + 1
                    end
                else
                    stats.goals_treated = stats.goals_treated + 1
                    stats.value_treated = stats.value_treated + value
                end
            end
            if state.status == "running" or state.status == "holdout" then
                for _, exit_event in ipairs(journey.exit_on) do
                    if exit_event == name then
                        state.status, state.co, state.waiting = "done", nil, nil
                        stats.exited = stats.exited + 1
                        break
                    end
                end
            end
        end
    end
end

-- Step 6: coroutines waiting for this event resume.
function Engine:resume_waiting(contact, name, fields)
    for _, journey in ipairs(self.program.journeys) do
        local state = contact.journeys[journey.name]
        local waiting = state and state.status == "running" and state.waiting
        if waiting then
            if waiting.kind == "event" then
                if waiting.event == name and (not waiting.where or waiting.where(fields)) then
                    state.waiting = nil
                    self:resume(state, fields)
                end
            else
                for _, arm in ipairs(waiting.arms) do
                    if arm.event == name and (not arm.where or arm.where(fields)) then
                        state.waiting = nil
                        self:resume(state, arm.key, fields)
                        break
                    end
                end
            end
        end
    end
end

-- Step 7: entries of the journeys the contact is not in.
function Engine:entries(contact, name, fields, joined)
    for _, journey in ipairs(self.program.journeys) do
        local state = contact.journeys[journey.name]
        if state and state.status == "holdout" then self:close_holdout(journey, state) end
        if may_enter(journey, state, self.clock) then
            local entry = journey.entry
            if (entry.event and entry.event == name) or (entry.segment and joined and joined[entry.segment]) then
                self:enter(contact, journey, state, fields)
            end
        end
    end
end

-- Applies one event: kind "identify" (fields are the traits) or "track" (name is the
-- program's event, fields its properties).
function Engine:post(kind, name, contact_id, at, fields)
    self:advance(at)
    local contact = self:contact(contact_id)
    self.stats.events = self.stats.events + 1
    if kind == "identify" then
        for attribute, declaration in pairs(self.program.attributes) do
            local value = fields[attribute]
            if value == self.null then -- a null trait unsets the attribute
                contact.attributes[attribute] = nil
            elseif value ~= nil and type(value) == declaration.type then
                contact.attributes[attribute] = value
            end
        end
        name = nil
    else
        local rules = self.rules_by_event[name]
        if rules then
            for _, rule in ipairs(rules) do
                if not rule.where or rule.where(fields) then
                    local score_name = rule.score.name
                    local state = contact.scores[score_name]
                    local value = self:score(contact, score_name) + rule.delta
                    if state then
                        state.value, state.updated = value, self.clock
                    else
                        contact.scores[score_name] = { value = value, updated = self.clock }
                    end
                end
            end
        end
        local windows = self.windows_by_event[name]
        if windows then
            for _, window in ipairs(windows) do
                if not window.where or window.where(fields) then
                    local bucket = self.clock // window.width
                    local counts = contact.windows[window.name]
                    if not counts then
                        counts = { newest = bucket, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
                        contact.windows[window.name] = counts
                    end
                    window_add(counts, bucket)
                end
            end
        end
    end
    local joined = self:update_segments(contact)
    if name then
        self:goals_and_exits(contact, name, fields)
        self:resume_waiting(contact, name, fields)
    end
    self:entries(contact, name, fields, joined)
end

-- An event the program does not declare: skipped, and counted.
function Engine:skip()
    self.stats.undeclared = self.stats.undeclared + 1
end

-- Closes the control windows that ended by the clock and counts who is still active.
function Engine:finish()
    local active = {}
    for _, journey in ipairs(self.program.journeys) do active[journey.name] = 0 end
    for _, contact in pairs(self.contacts) do
        for _, journey in ipairs(self.program.journeys) do
            local state = contact.journeys[journey.name]
            if state then
                if state.status == "holdout" then self:close_holdout(journey, state) end
                if state.status ~= "done" then active[journey.name] = active[journey.name] + 1 end
            end
        end
    end
    return active
end

-- ---- what a journey's coroutine can do (j:...) ------------------------------------

function Journey:now()
    return self.engine.clock
end

function Journey:attribute(name)
    return self.engine:attribute(self.contact, name)
end

function Journey:score(name)
    return self.engine:score(self.contact, name)
end

function Journey:count(window)
    return self.engine:count(self.contact, window)
end

function Journey:segment(name)
    return self.engine:segment(self.contact, name)
end

function Journey:wait(duration)
    if duration <= 0 then return end
    coroutine.yield("timer", self.engine.clock + duration)
end

-- The next hour:minute in the contact's zone (UTC: see clock.lua).
function Journey:wait_until(hour, minute)
    coroutine.yield("timer", clock.next_time_of_day(self.engine.clock, (hour * 60 + minute) * clock.MINUTE))
end

-- Returns the event, or nil when `within` passed first.
function Journey:wait_for(event, where, within)
    if within and within <= 0 then return nil end
    return coroutine.yield("wait", { kind = "event", event = event, where = where,
        due = within and self.engine.clock + within })
end

-- arms: { { event = ..., where = ..., key = ... }, ... }; returns the key of the arm
-- that won and its event, or nil when `after` passed first.
function Journey:select(arms, after)
    if after and after <= 0 then return nil end
    return coroutine.yield("wait", { kind = "select", arms = arms, due = after and self.engine.clock + after })
end

-- The arm (1, 2, ...) of split `name` for this contact; shares in percent.
function Journey:split(name, shares)
    local bucket = stable_hash.bucket(self.contact.id, self.journey.name, name)
    local covered = 0
    for arm = 1, #shares - 1 do
        covered = covered + math.floor(shares[arm] * 100 + 0.5)
        if bucket < covered then return arm end
    end
    return #shares
end

function Journey:in_step(label, body)
    local outer = self.step
    self.step = label
    body()
    self.step = outer
end

-- Records an action with its idempotency key (journey, entry, what, occurrence, contact).
function Journey:act(action, what)
    local engine = self.engine
    action.key = string.format("%s:%d:%s:%d:%s", self.journey.name, self.entries, what, self.occurrence, self.contact.id)
    action.contact = self.contact.id
    action.journey = self.journey.name
    action.step = self.step
    self.occurrence = self.occurrence + 1
    engine.stats.actions = engine.stats.actions + 1
    if engine.write_action then engine.write_action(action) end
end

function Journey:send(name, with)
    local engine = self.engine
    local message = engine.program.messages[name]
    local payload = {}
    if with then for key, value in pairs(with) do payload[key] = value end end
    if message.fields then
        for key, value in pairs(message.fields(self)) do
            if payload[key] == nil then payload[key] = value end
        end
    end
    local outcome, at, reason, by_limit = sends.decide(engine.program, self.contact, message, engine.clock)
    local stats = engine.message_stats[name]
    if outcome == "sent" then
        stats.sent = stats.sent + 1
    elseif outcome == "deferred" then
        stats.deferred = stats.deferred + 1
    elseif by_limit then
        stats.by_limit = stats.by_limit + 1
    else
        stats.by_quiet_hours = stats.by_quiet_hours + 1
    end
    self:act({ type = "send", at = at, message = name, template = message.template, channel = message.channel,
        outcome = outcome, reason = reason, payload = payload }, name)
end

function Journey:audience(change, name)
    self:act({ type = "audience", at = self.engine.clock, audience = name, change = change }, name)
end

function Journey:emit(name, payload)
    self:act({ type = "emit", at = self.engine.clock, name = name, payload = payload }, name)
end

return Engine
