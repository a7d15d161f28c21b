/* workload_plan.c: the behaviour of the workload's contacts.
 *
 * Every contact signs up (an identify, then "Signed Up"), at a time spread evenly over
 * the first 85% of the period, after a page or two. Then it comes back in sessions,
 * spread over the rest of the period: it may sign in, views pages (the pricing pages
 * among them), browses products, adds one to the cart, starts a checkout, orders. The
 * email service reports on the emails the journeys send: the welcome is opened by
 * half, the next morning's tip by 40% (a third of whom click), cart reminders after an
 * abandoned cart, and a weekly newsletter opens some sessions; 2% unsubscribe. Some
 * abandoned carts are recovered by a later order. Each contact draws from a random
 * stream of its own, so contacts do not depend on each other's draws. */
#include "workload_plan.h"

#include <stdbool.h>

#include "workload_random.h"

const workload_email workload_emails[] = {
    [WORKLOAD_EMAIL_WELCOME] = { "welcome", "Welcome aboard", "onboarding" },
    [WORKLOAD_EMAIL_TIPS] = { "tips-1", "Three things to try first", "onboarding" },
    [WORKLOAD_EMAIL_CART_REMINDER] = { "cart-reminder-1", "You left something in your cart", "abandoned-cart" },
    [WORKLOAD_EMAIL_CART_SOCIAL] = { "cart-reminder-2-bestsellers", "Other shoppers love it", "abandoned-cart" },
    [WORKLOAD_EMAIL_NEWSLETTER] = { "newsletter-weekly", "This week at Northwind", "newsletter" },
};

/* The first four are the weighted choices of a session's page views (page_weights). */
const workload_page workload_pages[WORKLOAD_PAGE_COUNT] = {
    { "/", "Home" },       { "/features", "Features" },         { "/pricing", "Pricing" },
    { "/blog", "Blog" },   { "/pricing/enterprise", "Enterprise" }, { "/docs", "Docs" },
    { "/customers", "Customers" }, { "/about", "About us" },
};
/* Per mille, in the order of workload_pages. */
static const unsigned page_weights[WORKLOAD_PAGE_COUNT] = { 250, 150, 200, 150, 50, 100, 60, 40 };

enum { PAGE_HOME = 0, PAGE_PRICING = 2 };
enum { SECOND = 1000, MINUTE = 60 * SECOND, HOUR = 60 * MINUTE };

typedef struct planner {
    const workload_parameters *parameters;
    workload_random random;
    workload_event *out;
    uint32_t contact, budget, count;
    int64_t end;             /* the first instant after the workload */
    int64_t unsubscribed_at; /* INT64_MAX: never */
} planner;

/* Adds an event if the budget allows and it falls inside the period. */
static bool add(planner *p, int64_t at, workload_kind kind, unsigned detail, uint32_t value)
{
    if (p->count >= p->budget || at < p->parameters->start || at >= p->end) return false;
    p->out[p->count] = (workload_event){ at, p->contact, (uint16_t)p->count, (uint8_t)kind, (uint8_t)detail, value };
    p->count++;
    return true;
}

/* An email's report: delivered, then opened and clicked with the given chances (a
 * click needs an open). Nobody opens mail after unsubscribing. */
static void add_email(planner *p, int64_t sent, unsigned email, double delivered, double opened, int64_t open_delay_max,
                      double clicked)
{
    workload_random *r = &p->random;
    if (workload_chance(r, delivered)) add(p, sent + workload_between(r, 5 * SECOND, MINUTE), WORKLOAD_EMAIL_DELIVERED, email, 0);
    int64_t open = sent + workload_between(r, MINUTE, open_delay_max);
    if (open > p->unsubscribed_at || !workload_chance(r, opened)) return;
    if (add(p, open, WORKLOAD_EMAIL_OPENED, email, 0) && workload_chance(r, clicked))
        add(p, open + workload_between(r, 10 * SECOND, 5 * MINUTE), WORKLOAD_EMAIL_CLICKED, email, 0);
}

static unsigned pick_page(workload_random *r)
{
    unsigned roll = (unsigned)workload_below(r, 1000), page = 0;
    while (page + 1 < WORKLOAD_PAGE_COUNT && roll >= page_weights[page]) roll -= page_weights[page++];
    return page;
}

uint32_t workload_product_price(uint32_t product)
{
    return 500 + (uint32_t)(workload_mix(product + 1) % 29500);
}

/* A next step in a session: 5 s to 2 min later. */
static int64_t step(planner *p, int64_t at) { return at + workload_between(&p->random, 5 * SECOND, 2 * MINUTE); }

/* One visit: pages, maybe products, a cart, a checkout and an order. Returns the time
 * of its last step. */
static int64_t plan_session(planner *p, int64_t at)
{
    workload_random *r = &p->random;
    if (at < p->unsubscribed_at && workload_chance(r, 0.15)) {
        add(p, at, WORKLOAD_EMAIL_OPENED, WORKLOAD_EMAIL_NEWSLETTER, 0);
        if (workload_chance(r, 0.5)) add(p, at = step(p, at), WORKLOAD_EMAIL_CLICKED, WORKLOAD_EMAIL_NEWSLETTER, 0);
        at = step(p, at);
    }
    if (workload_chance(r, 0.3)) {
        add(p, at, WORKLOAD_SIGNED_IN, 0, 0);
        at = step(p, at);
    }
    if (workload_chance(r, 0.03)) { /* an upgrade to a paid plan */
        add(p, at, WORKLOAD_IDENTIFY, 1 + (unsigned)workload_below(r, 2), 0);
        at = step(p, at);
    }
    for (int pages = 1 + (int)workload_below(r, 3); pages > 0; pages--) {
        add(p, at, WORKLOAD_PAGE, pick_page(r), 0);
        at = step(p, at);
    }
    if (!workload_chance(r, 0.55)) return at;
    uint32_t product = 0;
    for (int views = 1 + (int)workload_below(r, 3); views > 0; views--) {
        product = (uint32_t)workload_below(r, WORKLOAD_PRODUCT_COUNT);
        add(p, at, WORKLOAD_PRODUCT_VIEWED, 0, product);
        at = step(p, at);
    }
    if (!workload_chance(r, 0.3)) return at;
    unsigned quantity = workload_chance(r, 0.75) ? 1 : 2 + (unsigned)workload_below(r, 2);
    add(p, at, WORKLOAD_PRODUCT_ADDED, quantity, product);
    uint32_t basket = workload_product_price(product) * quantity;
    at = step(p, at);
    if (workload_chance(r, 0.35)) {
        add(p, at, WORKLOAD_CHECKOUT_STARTED, 0, basket);
        at = step(p, at);
        if (workload_chance(r, 0.65)) {
            add(p, at, WORKLOAD_ORDER_COMPLETED, 0, basket);
            return step(p, at);
        }
    }
    /* Abandoned: the reminders of the next hours, and sometimes an order later. */
    int64_t reminder = at + HOUR;
    add_email(p, reminder, WORKLOAD_EMAIL_CART_REMINDER, 0.9, 0.3, 6 * HOUR, 0.3);
    add_email(p, reminder + 23 * HOUR, WORKLOAD_EMAIL_CART_SOCIAL, 0.8, 0.2, 12 * HOUR, 0.2);
    if (workload_chance(r, 0.12))
        add(p, at + workload_between(r, 2 * HOUR, 4 * WORKLOAD_DAY_MS), WORKLOAD_ORDER_COMPLETED, 0, basket);
    return at;
}

/* The first 10:00 UTC strictly after t (when onboarding sends its tip). */
static int64_t next_ten_o_clock(int64_t t)
{
    int64_t day = t / WORKLOAD_DAY_MS, target = day * WORKLOAD_DAY_MS + 10 * HOUR;
    return target > t ? target : target + WORKLOAD_DAY_MS;
}

void workload_plan_contact(const workload_parameters *parameters, uint32_t contact, uint32_t budget,
                           workload_event *out)
{
    planner p = { parameters, workload_random_for(parameters->seed, contact), out, contact, budget, 0,
                  parameters->start + (int64_t)parameters->days * WORKLOAD_DAY_MS, INT64_MAX };
    workload_random *r = &p.random;
    int64_t span = p.end - parameters->start;
    int64_t signup = parameters->start + (int64_t)workload_below(r, (uint64_t)(span / 100 * 85));

    /* Signing up: identify (plan and SMS consent) and "Signed Up"; always fits. */
    unsigned plan = workload_chance(r, 0.2) ? 1 + (unsigned)workload_below(r, 2) : 0;
    unsigned sms_opt_in = workload_chance(r, 0.3) ? 4 : 0;
    add(&p, signup, WORKLOAD_IDENTIFY, plan | sms_opt_in, 0);
    add(&p, signup + workload_between(r, SECOND, 5 * SECOND), WORKLOAD_SIGNED_UP, 0, 0);
    if (workload_chance(r, 0.02) && budget >= 4) {
        p.unsubscribed_at = signup + HOUR + (int64_t)workload_below(r, (uint64_t)(p.end - signup - HOUR));
        add(&p, p.unsubscribed_at, WORKLOAD_UNSUBSCRIBED, WORKLOAD_EMAIL_NEWSLETTER, 0);
    }
    /* The pages seen before signing up, under the same id. */
    int before = (int)workload_below(r, 3);
    for (int i = before; i > 0; i--)
        add(&p, signup - i * workload_between(r, 30 * SECOND, 5 * MINUTE), WORKLOAD_PAGE,
            i == 1 ? PAGE_PRICING : PAGE_HOME, 0);
    add_email(&p, signup + 10 * SECOND, WORKLOAD_EMAIL_WELCOME, 0.95, 0.5, 8 * HOUR, 0.2);
    add_email(&p, next_ten_o_clock(signup + WORKLOAD_DAY_MS), WORKLOAD_EMAIL_TIPS, 0.9, 0.4, 2 * WORKLOAD_DAY_MS,
              0.35);

    /* Sessions until the budget is spent, about 5 events each, spread over what is left
     * of the period; squeezed together when the period runs out. */
    int64_t at = signup;
    while (p.count < budget) {
        uint32_t before_session = p.count;
        double sessions = (double)(budget - p.count) / 5 + 1;
        int64_t gap = (int64_t)workload_exponential(r, (double)(p.end - at) / (sessions + 1)) + MINUTE;
        if (at + gap >= p.end - HOUR) gap = (p.end - at) / (int64_t)(budget - p.count + 2) + 1;
        at = plan_session(&p, at + gap);
        if (p.count == before_session) /* the period is over: a last page view fits */
            add(&p, p.end - 1 - (int64_t)workload_below(r, (uint64_t)(p.end - signup)), WORKLOAD_PAGE, PAGE_HOME, 0);
    }
}

void workload_budgets(const workload_parameters *parameters, uint16_t *budgets)
{
    workload_random r = workload_random_for(parameters->seed, UINT64_MAX);
    double extra = (double)parameters->events / parameters->contacts - 2;
    uint64_t total = 0;
    for (uint32_t c = 0; c < parameters->contacts; c++) {
        double draw = extra > 0 ? workload_exponential(&r, extra) + 0.5 : 0;
        uint32_t budget = 2 + (draw > 5000 ? 5000 : (uint32_t)draw);
        budgets[c] = (uint16_t)budget;
        total += budget;
    }
    /* Adjust at random contacts until the total is exact. */
    while (total < parameters->events) {
        uint32_t c = (uint32_t)workload_below(&r, parameters->contacts);
        if (budgets[c] < UINT16_MAX) {
            budgets[c]++;
            total++;
        }
    }
    while (total > parameters->events) {
        uint32_t c = (uint32_t)workload_below(&r, parameters->contacts);
        if (budgets[c] > 2) {
            budgets[c]--;
            total--;
        }
    }
}
