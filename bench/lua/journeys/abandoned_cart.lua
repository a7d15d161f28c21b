-- abandoned_cart.lua: bench/journeys/abandoned_cart.journey. A reminder 1 hour after
-- a product is added, bestsellers at 24 hours, a discount sized to the basket at 72
-- hours (and an SMS for those who opted in); an order or an unsubscribe ends it.

local clock = require("clock")

local HOUR, DAY = clock.HOUR, clock.DAY

local abandoned_cart = {}

abandoned_cart.messages = {
    cart_reminder = { channel = "email", template = "cart-reminder-1",
        fields = function(j) return { subject = j:attribute("first_name") .. ", you left something in your cart" } end },
    cart_social = { channel = "email", template = "cart-reminder-2-bestsellers" },
    cart_discount = { channel = "email", template = "cart-reminder-3-discount" },
    cart_sms = { channel = "sms", template = "cart-reminder-3-sms" },
}
abandoned_cart.message_order = { "cart_reminder", "cart_social", "cart_discount", "cart_sms" }

abandoned_cart.journey = {
    name = "abandoned_cart",
    entry = { event = "product_added" },
    reentry_after = 7 * DAY,
    exit_on = { "order_completed", "unsubscribed" },
    goal = { event = "order_completed", within = 7 * DAY, value = function(order) return order.revenue end },
    holdout = 1000,
    run = function(j, item)
        j:wait(HOUR)
        j:in_step("reminder-1h", function()
            j:send("cart_reminder", { product = item.name, url = item.url })
        end)
        j:wait(23 * HOUR)
        j:in_step("reminder-24h", function()
            j:send("cart_social", { product_id = item.product_id, category = item.category })
        end)
        j:wait(48 * HOUR)
        j:in_step("reminder-72h", function()
            local basket = item.price * (item.quantity or 1)
            local percent = basket >= 150 and 15 or 10
            local code = string.format("COMEBACK%d", percent)
            j:send("cart_discount", { code = code, percent = percent, url = item.url })
            if j:attribute("sms_opt_in") then
                j:send("cart_sms", { text = string.format("%s, take %d%% off your cart with code %s",
                    j:attribute("first_name"), percent, code) })
            end
        end)
    end,
}

return abandoned_cart
