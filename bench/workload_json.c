/* workload_json.c: writes the workload's events in the Segment Spec shape: track calls
 * with the properties of std/b2b, std/ecommerce and std/email (and some they do not
 * declare, as real tracking plans have), identify calls with traits, page calls; each
 * with a context, a timestamp with milliseconds and a unique messageId. */
#include "workload_json.h"

#include <stdarg.h>
#include <stdio.h>

#include "workload_random.h"

static const char *const first_names[] = { "Ada", "Brian", "Clara", "Diego", "Eva", "Finn", "Gina", "Hassan",
                                           "Ivy", "Jan", "Kim", "Luca", "Mia", "Noah", "Olga", "Pablo" };
static const char *const last_names[] = { "Lovelace", "Okafor", "Schmidt", "Garcia", "Nakamura", "Rossi",
                                          "Novak", "Haddad" };
static const char *const categories[] = { "Shoes", "Jackets", "Accessories", "Bags", "Shirts", "Outdoor" };
static const char *const product_words[] = { "Trail", "Storm", "Merino", "Urban", "Summit", "Harbor", "Canyon",
                                             "Polar" };
static const char *const track_names[WORKLOAD_KIND_COUNT] = {
    [WORKLOAD_SIGNED_UP] = "Signed Up",
    [WORKLOAD_SIGNED_IN] = "Signed In",
    [WORKLOAD_PRODUCT_VIEWED] = "Product Viewed",
    [WORKLOAD_PRODUCT_ADDED] = "Product Added",
    [WORKLOAD_CHECKOUT_STARTED] = "Checkout Started",
    [WORKLOAD_ORDER_COMPLETED] = "Order Completed",
    [WORKLOAD_EMAIL_DELIVERED] = "Email Delivered",
    [WORKLOAD_EMAIL_OPENED] = "Email Opened",
    [WORKLOAD_EMAIL_CLICKED] = "Email Link Clicked",
    [WORKLOAD_UNSUBSCRIBED] = "Unsubscribed",
};
static const char *const plans[] = { "free", "pro", "team" };
static const char *const signup_types[] = { "organic", "invited", "paid" };

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

typedef struct line_writer {
    char *out;
    size_t length;
} line_writer;

static void put(line_writer *w, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void put(line_writer *w, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int written = vsnprintf(w->out + w->length, WORKLOAD_LINE_MAX - w->length, format, arguments);
    va_end(arguments);
    if (written > 0) w->length += (size_t)written;
    if (w->length >= WORKLOAD_LINE_MAX) w->length = WORKLOAD_LINE_MAX - 1; /* cannot happen: lines are short */
}

/* "2026-01-05T10:00:00.123Z" from milliseconds since the epoch, which are positive
 * here (days to civil date, proleptic Gregorian). */
static void format_timestamp(int64_t ms, char out[64])
{
    int64_t days = ms / WORKLOAD_DAY_MS, in_day = ms % WORKLOAD_DAY_MS;
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    snprintf(out, 64, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", (unsigned)year, (unsigned)month, (unsigned)day,
             (unsigned)(in_day / 3600000), (unsigned)(in_day / 60000 % 60), (unsigned)(in_day / 1000 % 60),
             (unsigned)(in_day % 1000));
}

static uint64_t contact_hash(uint32_t contact) { return workload_mix((uint64_t)contact + 0x5bd1e995u); }

static void put_money(line_writer *w, const char *name, uint32_t cents)
{
    put(w, "\"%s\":%u.%02u", name, cents / 100, cents % 100);
}

static void put_product(line_writer *w, uint32_t product)
{
    put(w,
        "\"product_id\":\"p-%04u\",\"sku\":\"NW-%04u\",\"category\":\"%s\",\"name\":\"%s %s %u\","
        "\"brand\":\"Northwind\",",
        product, product, categories[product % COUNT(categories)], product_words[product / 7 % COUNT(product_words)],
        categories[product % COUNT(categories)], product);
    put_money(w, "price", workload_product_price(product));
    put(w, ",\"currency\":\"USD\",\"url\":\"https://shop.example.com/p/%04u\",\"image_url\":"
           "\"https://cdn.example.com/p/%04u.jpg\"",
        product, product);
}

static void put_email(line_writer *w, unsigned email)
{
    const workload_email *e = &workload_emails[email];
    put(w, "\"email_id\":\"%s\",\"email_subject\":\"%s\",\"campaign_id\":\"%s\",\"campaign_name\":\"%s\"", e->id,
        e->subject, e->campaign, e->campaign);
}

/* The properties of a track call, between the braces. */
static void put_track_properties(line_writer *w, const workload_event *e, uint64_t id)
{
    const char *first = first_names[id % COUNT(first_names)];
    uint32_t basket = e->value, shipping = basket >= 5000 ? 0 : 499, tax = basket / 10;
    switch ((workload_kind)e->kind) {
    case WORKLOAD_SIGNED_UP:
        put(w, "\"type\":\"%s\",\"first_name\":\"%s\",\"last_name\":\"%s\",\"email\":\"usr_%016llx@example.com\","
               "\"username\":\"%s%04u\"",
            signup_types[id / 16 % COUNT(signup_types)], first, last_names[id / 8 % COUNT(last_names)],
            (unsigned long long)id, first, (unsigned)(id % 10000));
        break;
    case WORKLOAD_SIGNED_IN:
        put(w, "\"username\":\"%s%04u\"", first, (unsigned)(id % 10000));
        break;
    case WORKLOAD_PRODUCT_VIEWED:
        put_product(w, e->value);
        put(w, ",\"position\":%u", (unsigned)(e->sequence % 12 + 1));
        break;
    case WORKLOAD_PRODUCT_ADDED:
        put(w, "\"cart_id\":\"cart-%08x\",", (unsigned)(id >> 32));
        put_product(w, e->value);
        put(w, ",\"quantity\":%u", e->detail);
        break;
    case WORKLOAD_CHECKOUT_STARTED:
        put(w, "\"order_id\":\"o-%08x-%u\",", (unsigned)(id >> 32), e->sequence);
        put_money(w, "value", basket);
        put(w, ",");
        put_money(w, "revenue", basket);
        put(w, ",");
        put_money(w, "shipping", shipping);
        put(w, ",");
        put_money(w, "tax", tax);
        put(w, ",\"currency\":\"USD\"");
        break;
    case WORKLOAD_ORDER_COMPLETED:
        put(w, "\"checkout_id\":\"ck-%08x-%u\",\"order_id\":\"o-%08x-%u\",", (unsigned)(id >> 32), e->sequence,
            (unsigned)(id >> 32), e->sequence);
        put_money(w, "total", basket + shipping + tax);
        put(w, ",");
        put_money(w, "revenue", basket);
        put(w, ",");
        put_money(w, "shipping", shipping);
        put(w, ",");
        put_money(w, "tax", tax);
        put(w, ",\"discount\":0,\"currency\":\"USD\"");
        break;
    case WORKLOAD_EMAIL_DELIVERED:
        put_email(w, e->detail);
        break;
    case WORKLOAD_EMAIL_OPENED:
        put_email(w, e->detail);
        break;
    case WORKLOAD_EMAIL_CLICKED:
        put_email(w, e->detail);
        put(w, ",\"link_id\":\"cta\",\"link_url\":\"https://www.example.com/start?utm_campaign=%s\"",
            workload_emails[e->detail].campaign);
        break;
    case WORKLOAD_UNSUBSCRIBED:
        put_email(w, e->detail);
        put(w, ",\"list_id\":\"newsletter\",\"list_name\":\"Weekly newsletter\"");
        break;
    default:
        break;
    }
}

size_t workload_json_line(const workload_parameters *parameters, const workload_event *event, uint64_t line,
                          char *out)
{
    line_writer w = { out, 0 };
    uint64_t id = contact_hash(event->contact);
    char timestamp[64];
    format_timestamp(event->at, timestamp);

    if (event->kind == WORKLOAD_IDENTIFY) {
        put(&w, "{\"type\":\"identify\",\"userId\":\"usr_%016llx\",\"traits\":{", (unsigned long long)id);
        if (event->sequence == 0) /* at sign-up: who they are; later calls change the plan only */
            put(&w, "\"first_name\":\"%s\",\"last_name\":\"%s\",\"email\":\"usr_%016llx@example.com\","
                    "\"sms_opt_in\":%s,",
                first_names[id % COUNT(first_names)], last_names[id / 8 % COUNT(last_names)],
                (unsigned long long)id, event->detail & 4 ? "true" : "false");
        put(&w, "\"plan\":\"%s\"}", plans[(event->detail & 3) % COUNT(plans)]);
    } else if (event->kind == WORKLOAD_PAGE) {
        const workload_page *page = &workload_pages[event->detail % WORKLOAD_PAGE_COUNT];
        put(&w,
            "{\"type\":\"page\",\"userId\":\"usr_%016llx\",\"name\":\"%s\",\"properties\":{\"path\":\"%s\","
            "\"url\":\"https://www.example.com%s\",\"title\":\"%s | Northwind\",\"referrer\":\"%s\"}",
            (unsigned long long)id, page->title, page->path, page->path, page->title,
            event->sequence % 3 ? "" : "https://www.google.com/");
    } else {
        put(&w, "{\"type\":\"track\",\"event\":\"%s\",\"userId\":\"usr_%016llx\",\"properties\":{",
            track_names[event->kind % WORKLOAD_KIND_COUNT], (unsigned long long)id);
        put_track_properties(&w, event, id);
        put(&w, "}");
    }
    put(&w,
        ",\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"4.1.0\"},\"ip\":\"203.0.113.%u\","
        "\"locale\":\"en-US\"},\"timestamp\":\"%s\",\"messageId\":\"ajs-next-%016llx\"}\n",
        (unsigned)(id % 254 + 1), timestamp, (unsigned long long)workload_mix(parameters->seed * 0x9e3779b97f4a7c15ull + line));
    return w.length;
}
