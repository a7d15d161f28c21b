-- common.lua: what the three journeys share (bench/journeys/common.journey): the
-- events read from the log, the contact's attributes, the window of pricing-page
-- views, and the sending rules.

local clock = require("clock")

local common = {}

-- Segment event names to the program's names (std/b2b, std/ecommerce, std/email);
-- page calls are page_viewed.
common.events = {
    ["Signed Up"] = "signed_up",
    ["Signed In"] = "signed_in",
    ["Product Viewed"] = "product_viewed",
    ["Product Added"] = "product_added",
    ["Checkout Started"] = "checkout_started",
    ["Order Completed"] = "order_completed",
    ["Email Delivered"] = "email_delivered",
    ["Email Opened"] = "email_opened",
    ["Email Link Clicked"] = "email_clicked",
    ["Unsubscribed"] = "unsubscribed",
}

common.attributes = {
    first_name = { type = "string" },
    plan = { type = "string" },
    timezone = { type = "string", default = "UTC" },
    sms_opt_in = { type = "boolean", default = false },
}

function common.is_pricing_page(page)
    return page.path ~= nil and page.path:sub(1, 8) == "/pricing"
end

-- count(page_viewed where path ~ "/pricing*" in last 7d)
common.windows = {
    pricing_views = { event = "page_viewed", where = common.is_pricing_page, period = 7 * clock.DAY },
}

common.limits = {
    email = { { count = 3, period = 7 * clock.DAY, text = "limit email 3 per 7d" } },
}

common.quiet_hours = { from = 21 * clock.HOUR, to = 9 * clock.HOUR }

return common
