-- compare.lua: do two action logs hold the same actions?
--
--   lua5.4 bench/lua/compare.lua JOURNEY_ACTIONS.jsonl LUA_ACTIONS.jsonl
--
-- Compares what each action does, whatever the order of the lines and of the keys in
-- them: its type, contact, journey, time, and the message and outcome of a send, the
-- audience and change of an audience action, the name of an emit. Idempotency keys
-- (journey numbers statements, the peer names them) and payloads (scores printed with
-- every digit, computed with journey's own pow and with the C library's) are not
-- compared. Prints "N actions agree", or the first differences and exit status 1.

local script_dir = arg[0]:match("^(.*)/") or "."
package.path = script_dir .. "/?.lua;" .. package.path

local cjson = require("cjson")

local function read_actions(path)
    local counts, total = {}, 0
    for line in assert(io.lines(path)) do
        local a = cjson.decode(line)
        local what = a.message or a.audience or a.name or ""
        local how = a.outcome or a.change or ""
        local projected = table.concat({ a.type, a.contact, a.journey, a.at, what, how }, " ")
        counts[projected] = (counts[projected] or 0) + 1
        total = total + 1
    end
    return counts, total
end

if #arg ~= 2 then
    io.stderr:write("usage: lua5.4 compare.lua JOURNEY_ACTIONS.jsonl LUA_ACTIONS.jsonl\n")
    os.exit(64)
end
local expected, expected_total = read_actions(arg[1])
local actual, actual_total = read_actions(arg[2])

local differences = {}
for action, count in pairs(expected) do
    local other = actual[action] or 0
    if other < count then differences[#differences + 1] = string.format("only in %s (%d): %s", arg[1], count - other, action) end
end
for action, count in pairs(actual) do
    local other = expected[action] or 0
    if other < count then differences[#differences + 1] = string.format("only in %s (%d): %s", arg[2], count - other, action) end
end
if #differences == 0 then
    print(string.format("%d actions agree", expected_total))
    os.exit(0)
end
table.sort(differences)
print(string.format("the actions differ: %d in %s, %d in %s; %d differences, the first:", expected_total, arg[1],
    actual_total, arg[2], #differences))
for i = 1, math.min(10, #differences) do print("  " .. differences[i]) end
os.exit(1)
