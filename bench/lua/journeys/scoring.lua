-- scoring.lua: bench/journeys/scoring.journey. Two decaying scores, segments over them
-- and over pricing-page views in the last 7 days, and a hand-off journey for those who
-- become ready to buy.

local clock = require("clock")
local common = require("journeys.common")

local DAY = clock.DAY

local scoring = {}

scoring.scores = {
    { name = "engagement", kept = 0.5, period = 14 * DAY, rules = {
        { event = "email_opened", delta = 5 },
        { event = "email_clicked", delta = 10 },
        { event = "page_viewed", where = common.is_pricing_page, delta = 15 },
        { event = "order_completed", delta = 50 },
    } },
    { name = "purchase_intent", kept = 0.75, period = 7 * DAY, rules = {
        { event = "product_viewed", delta = 2 },
        { event = "product_added", delta = 10 },
        { event = "checkout_started", delta = 25 },
        { event = "order_completed", delta = -40 },
    } },
}

-- In dependency order: a segment after those it reads.
scoring.segments = {
    { name = "hot", test = function(engine, contact) return engine:score(contact, "engagement") >= 60 end },
    { name = "pricing_curious", test = function(engine, contact) return engine:count(contact, "pricing_views") >= 2 end },
    { name = "ready_to_buy", test = function(engine, contact)
        local segments = contact.segments
        return engine:score(contact, "purchase_intent") >= 40 or (segments.hot and segments.pricing_curious) or false
    end },
}

scoring.messages = {
    consultation = { channel = "email", template = "sales-consultation",
        fields = function(j) return { subject = j:attribute("first_name") .. ", a free 20-minute consultation" } end },
}
scoring.message_order = { "consultation" }

scoring.journey = {
    name = "sales_handoff",
    entry = { segment = "ready_to_buy" },
    reentry_after = 30 * DAY,
    exit_on = { "unsubscribed" },
    goal = { event = "order_completed", within = 14 * DAY, value = function(order) return order.revenue end },
    run = function(j)
        j:audience("add", "ready-to-buy")
        j:emit("crm_update", { stage = "sales-ready", engagement = j:score("engagement"),
            intent = j:score("purchase_intent") })
        j:wait_until(10, 0)
        if j:segment("hot") then
            j:send("consultation")
        end
        j:wait(14 * DAY)
        j:audience("remove", "ready-to-buy")
    end,
}

return scoring
