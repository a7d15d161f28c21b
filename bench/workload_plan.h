/* workload_plan.h: what each contact of the benchmark's workload does, as compact
 * records that the generator sorts by time and then writes as JSON Lines
 * (workload_json.h). */
#ifndef WORKLOAD_PLAN_H
#define WORKLOAD_PLAN_H
#include <stddef.h>
#include <stdint.h>

enum { WORKLOAD_DAY_MS = 86400000 };

typedef enum workload_kind {
    WORKLOAD_IDENTIFY,         /* traits: first_name, plan, sms_opt_in, ... */
    WORKLOAD_SIGNED_UP,        /* std/b2b "Signed Up" */
    WORKLOAD_SIGNED_IN,        /* std/b2b "Signed In" */
    WORKLOAD_PAGE,             /* a page call: detail is the page */
    WORKLOAD_PRODUCT_VIEWED,   /* value is the product */
    WORKLOAD_PRODUCT_ADDED,    /* value is the product, detail the quantity */
    WORKLOAD_CHECKOUT_STARTED, /* value is the basket in cents */
    WORKLOAD_ORDER_COMPLETED,  /* value is the basket in cents */
    WORKLOAD_EMAIL_DELIVERED,  /* detail is the email (workload_emails) */
    WORKLOAD_EMAIL_OPENED,
    WORKLOAD_EMAIL_CLICKED,
    WORKLOAD_UNSUBSCRIBED,
    WORKLOAD_KIND_COUNT
} workload_kind;

typedef struct workload_event {
    int64_t at;        /* milliseconds since the epoch */
    uint32_t contact;  /* 0 .. contacts-1 */
    uint16_t sequence; /* the contact's events in the order planned: ties at one instant */
    uint8_t kind;      /* workload_kind */
    uint8_t detail;
    uint32_t value;
} workload_event;

/* The emails an email service reports on: the templates of bench/journeys and a
 * newsletter. detail of an email event indexes this table. */
typedef struct workload_email {
    const char *id, *subject, *campaign;
} workload_email;
extern const workload_email workload_emails[];
enum {
    WORKLOAD_EMAIL_WELCOME,
    WORKLOAD_EMAIL_TIPS,
    WORKLOAD_EMAIL_CART_REMINDER,
    WORKLOAD_EMAIL_CART_SOCIAL,
    WORKLOAD_EMAIL_NEWSLETTER,
    WORKLOAD_EMAIL_COUNT
};

/* Pages of the site; detail of a page call indexes this table. */
typedef struct workload_page {
    const char *path, *title;
} workload_page;
extern const workload_page workload_pages[];
enum { WORKLOAD_PAGE_COUNT = 8 };

enum { WORKLOAD_PRODUCT_COUNT = 400 };

/* The price of a product in cents: 5.00 to 299.99, fixed per product. */
uint32_t workload_product_price(uint32_t product);

/* The parameters that fix a workload: the same ones give the same bytes. */
typedef struct workload_parameters {
    uint32_t contacts;
    uint64_t events; /* at least 2 per contact (an identify and a sign-up) */
    uint32_t days;
    uint64_t seed;
    int64_t start; /* the first instant, ms since the epoch */
} workload_parameters;

/* How many events each contact makes: 2 or more, on average events/contacts,
 * exponentially spread (a few very active contacts, many quiet ones), adding up to
 * exactly `events`. budgets has room for `contacts` entries. */
void workload_budgets(const workload_parameters *parameters, uint16_t *budgets);

/* Appends exactly `budget` events of contact `contact` to out (which has room for
 * them), in no particular order, all in [start, start + days). */
void workload_plan_contact(const workload_parameters *parameters, uint32_t contact, uint32_t budget,
                           workload_event *out);

#endif
