-- run.lua: the Lua peer of journey's benchmark (bench/README.md).
--
--   lua5.4 bench/lua/run.lua EVENTS.jsonl [-o ACTIONS.jsonl] [--quiet]
--
-- Runs the three reference journeys over a Segment-shaped JSON Lines log, one
-- coroutine per contact per journey, writes the actions as JSON Lines (to
-- ACTIONS.jsonl, or nowhere) and prints a summary on stderr in the shape of
-- `journey sim`'s, then the Lua heap at the end ("lua heap: N bytes"). Exit status: 0
-- done, 1 the log could not be read, 64 usage.

local script_dir = arg[0]:match("^(.*)/") or "."
package.path = script_dir .. "/?.lua;" .. package.path

local cjson = require("cjson")
local clock = require("clock")
local Engine = require("engine")
local program = require("program")

local function usage(message)
    io.stderr:write("run.lua: ", message, "\nUsage: lua5.4 run.lua EVENTS.jsonl [-o ACTIONS.jsonl] [--quiet]\n")
    os.exit(64)
end

local events_path, actions_path, quiet
local i = 1
while i <= #arg do
    local option = arg[i]
    if option == "-o" then
        actions_path = arg[i + 1] or usage("-o needs a file")
        i = i + 1
    elseif option == "--quiet" then
        quiet = true
    elseif option:sub(1, 1) == "-" then
        usage("unknown option " .. option)
    elseif events_path then
        usage("one events file only")
    else
        events_path = option
    end
    i = i + 1
end
if not events_path then usage("no events file") end

local input, problem = io.open(events_path, "r")
if not input then
    io.stderr:write("run.lua: ", problem, "\n")
    os.exit(1)
end

local write_action
if actions_path then
    local output = assert(io.open(actions_path, "w"))
    output:setvbuf("full", 1 << 20)
    write_action = function(action)
        action.at = clock.format(action.at)
        output:write(cjson.encode(action), "\n")
    end
end

local engine = Engine.new(program, write_action, cjson.null)
local events = program.events
local bad_lines = 0
for line in input:lines() do
    local ok, event = pcall(cjson.decode, line)
    local at = ok and type(event) == "table" and type(event.timestamp) == "string" and clock.parse(event.timestamp)
    local contact = at and (event.userId or event.anonymousId)
    if not contact then
        bad_lines = bad_lines + 1
    elseif event.type == "identify" then
        engine:post("identify", nil, contact, at, event.traits or {})
    elseif event.type == "page" then
        engine:post("track", "page_viewed", contact, at, event.properties or {})
    else
        local name = events[event.event]
        if name then
            engine:post("track", name, contact, at, event.properties or {})
        else
            engine:skip()
        end
    end
end
input:close()
if actions_path then io.output():flush() end

local active = engine:finish()
if not quiet then
    local stats, out = engine.stats, io.stderr
    out:write(string.format("simulated to %s: %d events, %d contacts, %d actions\n", clock.format(engine.clock or 0),
        stats.events, stats.contacts, stats.actions))
    if bad_lines > 0 or stats.undeclared > 0 then
        out:write(string.format("input: %d bad lines, %d undeclared events skipped\n", bad_lines, stats.undeclared))
    end
    for _, journey in ipairs(program.journeys) do
        local s = engine.journey_stats[journey.name]
        out:write(string.format("journey %s: %d entered (%d holdout), %d active, %d completed, %d exited, %d errors; " ..
            "goals %d treated (value %.2f), %d holdout (value %.2f)\n", journey.name, s.entered, s.holdout,
            active[journey.name], s.completed, s.exited, s.errors, s.goals_treated, s.value_treated, s.goals_holdout,
            s.value_holdout))
    end
    for _, name in ipairs(program.message_order) do
        local s = engine.message_stats[name]
        if s.sent + s.deferred + s.by_limit + s.by_quiet_hours > 0 then
            out:write(string.format("message %s (%s): %d sent, %d deferred, %d suppressed by limits, %d by quiet hours\n",
                name, program.messages[name].channel, s.sent, s.deferred, s.by_limit, s.by_quiet_hours))
        end
    end
    if stats.runtime_errors > 0 then
        out:write(string.format("%d run-time errors; the first:\n  %s\n", stats.runtime_errors, engine.first_error))
    end
end
collectgarbage("collect")
io.stderr:write(string.format("lua heap: %d bytes\n", math.floor(collectgarbage("count") * 1024)))
