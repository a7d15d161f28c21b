-- onboarding.lua: bench/journeys/onboarding.journey. A welcome at sign-up; the next
-- morning a demo offer for those who looked at pricing twice, else a tip, with an SMS
-- nudge when the tip goes unclicked for three days; then a thank-you for an order or,
-- after a week without one, a last-call offer in two variants.

local clock = require("clock")

local DAY = clock.DAY

local onboarding = {}

onboarding.messages = {
    welcome = { channel = "email", template = "welcome",
        fields = function(j) return { subject = "Welcome, " .. j:attribute("first_name") .. "!" } end },
    tips = { channel = "email", template = "tips-1" },
    demo = { channel = "email", template = "demo-offer" },
    nudge = { channel = "sms", template = "trial-nudge",
        fields = function(j) return { text = "Hi " .. j:attribute("first_name") .. ", 3 days of trial left" } end },
    thanks = { channel = "email", template = "thanks" },
    offer_a = { channel = "email", template = "offer-10pct" },
    offer_b = { channel = "email", template = "offer-free-shipping" },
}
onboarding.message_order = { "welcome", "tips", "demo", "nudge", "thanks", "offer_a", "offer_b" }

local function clicked_tips(click)
    return click.email_id == "tips-1"
end

local after_the_tips = { { event = "order_completed", key = "order" } }

onboarding.journey = {
    name = "onboarding",
    entry = { event = "signed_up" },
    reentry_after = 90 * DAY,
    exit_on = { "unsubscribed" },
    goal = { event = "order_completed", within = 30 * DAY, value = function(order) return order.revenue end },
    holdout = 1000, -- 10%, in basis points
    run = function(j, signup)
        j:send("welcome", { signup_type = signup.type or "organic" })
        j:wait(DAY)
        j:wait_until(10, 0)
        if j:count("pricing_views") >= 2 then
            j:send("demo")
        else
            j:in_step("tips", function()
                j:send("tips")
                if not j:wait_for("email_clicked", clicked_tips, 3 * DAY) and j:attribute("sms_opt_in") then
                    j:send("nudge")
                end
            end)
        end
        local arm, order = j:select(after_the_tips, 7 * DAY)
        if arm == "order" then
            j:send("thanks", { total = order.revenue })
        elseif j:split("last-call", { 50, 50 }) == 1 then
            j:send("offer_a")
        else
            j:send("offer_b")
        end
    end,
}

return onboarding
