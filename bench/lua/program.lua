-- program.lua: the benchmark's program (bench/journeys/all.journey): the shared
-- declarations and the three journeys, in the order journey runs them.

local common = require("journeys.common")
local onboarding = require("journeys.onboarding")
local abandoned_cart = require("journeys.abandoned_cart")
local scoring = require("journeys.scoring")

local program = {
    events = common.events,
    attributes = common.attributes,
    windows = common.windows,
    limits = common.limits,
    quiet_hours = common.quiet_hours,
    scores = scoring.scores,
    segments = scoring.segments,
    messages = {},
    message_order = {},
    journeys = { onboarding.journey, abandoned_cart.journey, scoring.journey },
    score_by_name = {},
    segment_by_name = {},
}

for _, part in ipairs({ onboarding, abandoned_cart, scoring }) do
    for _, name in ipairs(part.message_order) do
        program.messages[name] = part.messages[name]
        program.message_order[#program.message_order + 1] = name
    end
end
for _, score in ipairs(program.scores) do program.score_by_name[score.name] = score end
for _, segment in ipairs(program.segments) do program.segment_by_name[segment.name] = segment end

return program
