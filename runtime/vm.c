/* vm.c: the journey VM: contacts, the interpreter, and the order of work for each
 * event and timer (spec/language.md, "Semantics").
 *
 * A contact is one fixed-size record (attributes, scores, aggregates, segment bits,
 * limit history, and one journey_state per journey with its frame slots); a suspended
 * coroutine is its journey_state: a position, what it waits for, and its slots. There
 * is no C stack per coroutine and no heap block per contact. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "natives.h"
#include "timezone.h"
#include "numbers.h"
#include "vm.h"

enum { DEFAULT_BUDGET = 10000 };
#define MAX_WAIT (INT64_C(3660) * 86400000) /* the longest `wait D`, in ms (6.6) */

/* ---- small helpers ------------------------------------------------------------------ */


static void *vm_alloc(jr_vm *vm, void *pointer, size_t size)
{
    void *memory = vm->allocator.realloc(vm->allocator.user, pointer, size);
    if (!memory && size) vm->out_of_memory = true;
    return memory;
}

jr_value jr_missing(char type)
{
    switch (type) {
    case 'n': return jr_from_number(NAN);
    case 't': case 'd': return (jr_value)JR_MISSING_INTEGER;
    case 'b': return JR_MISSING_BOOL;
    default: return JR_MISSING_STRING;
    }
}

bool jr_is_missing(char type, jr_value value)
{
    switch (type) {
    case 'n': return isnan(jr_as_number(value));
    case 't': case 'd': return (int64_t)value == JR_MISSING_INTEGER;
    case 'b': return value == JR_MISSING_BOOL;
    default: return value == JR_MISSING_STRING;
    }
}

static const char *program_string(const jr_vm *vm, uint32_t index)
{
    return index < vm->program->string_count ? vm->program->strings[index].bytes : "";
}

static const char *contact_id(const jr_vm *vm, uint32_t contact)
{
    uint32_t length;
    return jr_strings_get(&vm->strings, ((contact_header *)jr_contact_record(vm, contact))->id, &length);
}

/* 64-bit FNV-1a over parts joined by 0x1F, then the splitmix64 finaliser: the stable
 * bucket (0..9999) of a contact for a holdout or a split (spec/language.md). */
static uint32_t stable_bucket(const char *contact, const char *journey, const char *split)
{
    uint64_t hash = 14695981039346656037ull;
    const char *parts[3] = { contact, journey, split };
    for (int i = 0; i < 3 && parts[i]; i++) {
        if (i) hash = (hash ^ 0x1F) * 1099511628211ull;
        for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) hash = (hash ^ *p) * 1099511628211ull;
    }
    hash ^= hash >> 30;
    hash *= 0xbf58476d1ce4e5b9ull;
    hash ^= hash >> 27;
    hash *= 0x94d049bb133111ebull;
    hash ^= hash >> 31;
    return (uint32_t)(hash % 10000);
}

/* ---- run-time errors ---------------------------------------------------------------- */

static void line_of(const jr_vm *vm, uint32_t function, uint32_t pc, uint32_t *file, uint32_t *line)
{
    const jr_FUNCTIONS_record *f = &JR_TABLE(vm->program, FUNCTIONS)[function];
    *file = JR_NONE;
    *line = 0;
    for (uint32_t i = 0; i < f->line_count; i++) {
        const jr_LINES_record *entry = &JR_TABLE(vm->program, LINES)[f->first_line + i];
        if (entry->word > pc) break;
        *file = entry->file;
        *line = entry->line;
    }
}

void jr_vm_describe_error(const jr_vm *vm, const recorded_error *recorded, jr_runtime_error *error)
{
    error->contact_id = contact_id(vm, recorded->contact);
    error->journey = recorded->journey != JR_NONE ? program_string(vm, JR_TABLE(vm->program, JOURNEYS)[recorded->journey].name)
                                                  : NULL;
    error->file = recorded->file != JR_NONE ? program_string(vm, recorded->file) : NULL;
    error->line = recorded->line;
    error->at = recorded->at;
    error->message = recorded->message;
}

/* Room for one more kept error: the list grows from 16 to JR_MAX_RECORDED_ERRORS. */
static bool errors_reserve(jr_vm *vm)
{
    if (vm->error_count < vm->error_capacity) return true;
    uint32_t capacity = vm->error_capacity ? vm->error_capacity * 2 : 16;
    if (capacity > JR_MAX_RECORDED_ERRORS) capacity = JR_MAX_RECORDED_ERRORS;
    recorded_error *grown = vm_alloc(vm, vm->errors, sizeof *grown * capacity);
    if (!grown) return false;
    vm->errors = grown;
    vm->error_capacity = capacity;
    return true;
}

/* Counts a run-time error, keeps the first JR_MAX_RECORDED_ERRORS, and tells the
 * host's jr_config.on_error of every one. */
static void record_error(jr_vm *vm, uint32_t contact, uint32_t journey, uint32_t function, uint32_t pc,
                         const char *format, ...)
{
    vm->stats.runtime_errors++;
    bool keep = vm->error_count < JR_MAX_RECORDED_ERRORS;
    if (!keep && !vm->config.on_error) return;
    recorded_error entry = { .contact = contact, .journey = journey, .at = vm->clock };
    line_of(vm, function, pc, &entry.file, &entry.line);
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(entry.message, sizeof entry.message, format, arguments);
    va_end(arguments);
    if (keep && errors_reserve(vm)) vm->errors[vm->error_count++] = entry;
    if (vm->config.on_error) {
        jr_runtime_error told;
        jr_vm_describe_error(vm, &entry, &told);
        vm->config.on_error(vm->config.error_user, &told);
    }
}

/* ---- text building (keys and JSON payloads) ------------------------------------------- */

static void text_reserve(jr_vm *vm, size_t more)
{
    if (vm->text_used + more + 1 <= vm->text_capacity) return;
    size_t capacity = vm->text_capacity ? vm->text_capacity : 1024;
    while (capacity < vm->text_used + more + 1) capacity *= 2;
    char *grown = vm_alloc(vm, vm->text, capacity);
    if (!grown) return;
    vm->text = grown;
    vm->text_capacity = capacity;
}

static void text_append(jr_vm *vm, const char *bytes, size_t length)
{
    text_reserve(vm, length);
    if (vm->text_used + length + 1 > vm->text_capacity) return;
    memcpy(vm->text + vm->text_used, bytes, length);
    vm->text_used += length;
    vm->text[vm->text_used] = '\0';
}

static void text_format(jr_vm *vm, const char *format, ...)
{
    char buffer[128];
    va_list arguments;
    va_start(arguments, format);
    int length = vsnprintf(buffer, sizeof buffer, format, arguments);
    va_end(arguments);
    if (length > 0) text_append(vm, buffer, (size_t)length < sizeof buffer ? (size_t)length : sizeof buffer - 1);
}

/* A number as ECMAScript's Number.prototype.toString writes it (spec/language.md 3.8):
 * the fewest significant digits that read back as the same double, `-0` as 0, plain
 * notation from 1e-6 up to 1e21, exponent notation (1e+21, 1.5e-7) outside. */
static int format_number(double number, char *out, size_t size)
{
    if (number == 0) return snprintf(out, size, "0");
    if (!isfinite(number)) return snprintf(out, size, "%s", isnan(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity");
    /* The shortest digits, without the C library's locale (numbers.h). */
    char digits[JR_NUMBER_DIGITS_MAX + 1];
    int point; /* the value is 0.DIGITS x 10^point */
    int count = jr_number_shortest_digits(number, digits, &point);
    digits[count] = '\0';
    char text[48];
    int length = 0;
    if (number < 0) text[length++] = '-';
    if (count <= point && point <= 21) { /* 1500, 1e+20 written out */
        for (int i = 0; i < point; i++) text[length++] = i < count ? digits[i] : '0';
    } else if (0 < point && point <= 21) { /* 1.5 */
        for (int i = 0; i < count; i++) {
            if (i == point) text[length++] = '.';
            text[length++] = digits[i];
        }
    } else if (-6 < point && point <= 0) { /* 0.0015 */
        text[length++] = '0';
        text[length++] = '.';
        for (int i = point; i < 0; i++) text[length++] = '0';
        for (int i = 0; i < count; i++) text[length++] = digits[i];
    } else { /* 1.5e-7, 1e+21 */
        text[length++] = digits[0];
        if (count > 1) text[length++] = '.';
        for (int i = 1; i < count; i++) text[length++] = digits[i];
        length += snprintf(text + length, sizeof text - (size_t)length, "e%+d", point - 1);
    }
    text[length] = '\0';
    return snprintf(out, size, "%s", text);
}

static int format_duration(int64_t ms, char *out, size_t size)
{
    if (ms == 0) return snprintf(out, size, "0s");
    int length = 0;
    uint64_t magnitude = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    if (ms < 0) length += snprintf(out + length, size - (size_t)length, "-");
    static const struct { uint64_t ms; char unit; } units[] = { { 86400000, 'd' }, { 3600000, 'h' }, { 60000, 'm' } };
    for (size_t i = 0; i < 3 && (size_t)length < size; i++) {
        if (magnitude >= units[i].ms) {
            length += snprintf(out + length, size - (size_t)length, "%llu%c",
                               (unsigned long long)(magnitude / units[i].ms), units[i].unit);
            magnitude %= units[i].ms;
        }
    }
    /* Seconds, with up to three decimals for milliseconds (1.5s, 0.25s; spec 3.8). */
    if (magnitude && (size_t)length < size) {
        char fraction[5] = "";
        if (magnitude % 1000) {
            snprintf(fraction, sizeof fraction, ".%03u", (unsigned)(magnitude % 1000));
            for (int i = 3; fraction[i] == '0'; i--) fraction[i] = '\0';
        }
        length += snprintf(out + length, size - (size_t)length, "%llu%ss", (unsigned long long)(magnitude / 1000), fraction);
    }
    return length;
}

static void text_json_string(jr_vm *vm, const char *bytes, uint32_t length)
{
    text_append(vm, "\"", 1);
    for (uint32_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == '"' || c == '\\') {
            char escaped[2] = { '\\', (char)c };
            text_append(vm, escaped, 2);
        } else if (c < 0x20) {
            text_format(vm, "\\u%04x", c);
        } else {
            text_append(vm, (const char *)&bytes[i], 1);
        }
    }
    text_append(vm, "\"", 1);
}

static void text_json_value(jr_vm *vm, char type, jr_value value)
{
    char buffer[64];
    if (jr_is_missing(type, value)) {
        text_append(vm, "null", 4);
        return;
    }
    switch (type) {
    case 'n': text_append(vm, buffer, (size_t)format_number(jr_as_number(value), buffer, sizeof buffer)); break;
    case 'b': text_append(vm, value ? "true" : "false", value ? 4 : 5); break;
    case 't': {
        char stamp[25];
        jr_format_timestamp((int64_t)value, stamp);
        text_json_string(vm, stamp, (uint32_t)strlen(stamp));
        break;
    }
    case 'd': {
        int length = format_duration((int64_t)value, buffer, sizeof buffer);
        text_json_string(vm, buffer, (uint32_t)length);
        break;
    }
    default: {
        uint32_t length;
        const char *bytes = jr_strings_get(&vm->strings, (uint32_t)value, &length);
        text_json_string(vm, bytes, length);
    }
    }
}

/* Converts a value to a scratch string (interpolation). */
static uint32_t to_string(jr_vm *vm, char type, jr_value value)
{
    char buffer[64];
    int length;
    switch (type) {
    case 'n': length = format_number(jr_as_number(value), buffer, sizeof buffer); break;
    case 'b': length = snprintf(buffer, sizeof buffer, "%s", value ? "true" : "false"); break;
    case 't': jr_format_timestamp((int64_t)value, buffer); length = (int)strlen(buffer); break;
    case 'd': length = format_duration((int64_t)value, buffer, sizeof buffer); break;
    default: return (uint32_t)value;
    }
    return jr_strings_scratch(&vm->strings, buffer, (uint32_t)length);
}

/* ---- glob matching ------------------------------------------------------------------- */

/* '*' matches any run of characters, '?' one character (UTF-8), '\' quotes the next. */
static bool glob_match(const char *text, uint32_t text_length, const char *pattern, uint32_t pattern_length)
{
    uint32_t t = 0, p = 0, star_p = UINT32_MAX, star_t = 0;
    while (t < text_length) {
        if (p < pattern_length && pattern[p] == '*') {
            star_p = p++;
            star_t = t;
            continue;
        }
        if (p < pattern_length) {
            char wanted = pattern[p];
            uint32_t consumed = 1;
            if (wanted == '\\' && p + 1 < pattern_length) {
                wanted = pattern[p + 1];
                consumed = 2;
            }
            if (wanted == '?' && consumed == 1) {
                t++;
                while (t < text_length && ((unsigned char)text[t] & 0xC0) == 0x80) t++;
                p++;
                continue;
            }
            if (text[t] == wanted) {
                t++;
                p += consumed;
                continue;
            }
        }
        if (star_p == UINT32_MAX) return false;
        p = star_p + 1;
        t = ++star_t;
    }
    while (p < pattern_length && pattern[p] == '*') p++;
    return p == pattern_length;
}

/* ---- contacts ------------------------------------------------------------------------ */

static bool contacts_rehash(jr_vm *vm)
{
    uint32_t count = vm->contact_bucket_count ? vm->contact_bucket_count * 2 : 1024;
    uint32_t *buckets = vm_alloc(vm, NULL, sizeof *buckets * count);
    if (!buckets) return false;
    memset(buckets, 0, sizeof *buckets * count);
    for (uint32_t c = 0; c < vm->contact_count; c++) {
        uint32_t length;
        const char *id = jr_strings_get(&vm->strings, ((contact_header *)jr_contact_record(vm, c))->id, &length);
        uint32_t slot = jr_hash_bytes(id, length) & (count - 1);
        while (buckets[slot]) slot = (slot + 1) & (count - 1);
        buckets[slot] = c + 1;
    }
    vm_alloc(vm, vm->contact_buckets, 0);
    vm->contact_buckets = buckets;
    vm->contact_bucket_count = count;
    return true;
}

/* An attribute's default value, or missing when it has none. */
static jr_value attribute_default(jr_vm *vm, uint32_t attribute)
{
    const jr_program *p = vm->program;
    const jr_ATTRIBUTES_record *a = &JR_TABLE(p, ATTRIBUTES)[attribute];
    switch (a->default_kind) {
    case JR_DEFAULT_NUMBER: return jr_from_number(p->numbers[a->default_value]);
    case JR_DEFAULT_STRING:
        return jr_strings_intern(&vm->strings, p->strings[a->default_value].bytes, p->strings[a->default_value].length);
    case JR_DEFAULT_BOOL: return a->default_value;
    case JR_DEFAULT_INTEGER: return (jr_value)p->integers[a->default_value];
    default: return jr_missing((char)a->type);
    }
}

static void init_contact(jr_vm *vm, uint8_t *record, uint32_t id)
{
    memset(record, 0, vm->record_size);
    ((contact_header *)record)->id = id;
    ((contact_header *)record)->last_event = INT64_MIN;
    jr_value *attributes = (jr_value *)(record + vm->attributes_offset);
    for (uint32_t i = 0; i < JR_COUNT(vm->program, ATTRIBUTES); i++) attributes[i] = attribute_default(vm, i);
}

uint32_t jr_vm_lookup_contact(const jr_vm *vm, const char *bytes, uint32_t length, uint32_t *empty_slot)
{
    if (vm->contact_bucket_count == 0) return JR_NONE;
    uint32_t mask = vm->contact_bucket_count - 1;
    uint32_t slot = jr_hash_bytes(bytes, length) & mask;
    for (; vm->contact_buckets[slot]; slot = (slot + 1) & mask) {
        uint32_t contact = vm->contact_buckets[slot] - 1;
        uint32_t id_length;
        const char *id = jr_strings_get(&vm->strings, ((contact_header *)jr_contact_record(vm, contact))->id, &id_length);
        if (id_length == length && memcmp(id, bytes, length) == 0) return contact;
    }
    if (empty_slot) *empty_slot = slot;
    return JR_NONE;
}

/* The contact with this id, created on first sight; JR_NONE when out of memory. */
static uint32_t find_contact(jr_vm *vm, const char *bytes, uint32_t length)
{
    if ((vm->contact_count + 1) * 2 > vm->contact_bucket_count && !contacts_rehash(vm)) return JR_NONE;
    uint32_t slot;
    uint32_t found = jr_vm_lookup_contact(vm, bytes, length, &slot);
    if (found != JR_NONE) return found;
    if (vm->contact_count == vm->contact_capacity) {
        uint32_t capacity = vm->contact_capacity ? vm->contact_capacity * 2 : 1024;
        uint8_t *records = vm_alloc(vm, vm->records, vm->record_size * capacity);
        if (!records) return JR_NONE;
        vm->records = records;
        vm->contact_capacity = capacity;
    }
    uint32_t id = jr_strings_intern(&vm->strings, bytes, length);
    if (id == JR_MISSING_STRING && length) return JR_NONE;
    uint32_t contact = vm->contact_count++;
    init_contact(vm, jr_contact_record(vm, contact), id);
    vm->contact_buckets[slot] = contact + 1;
    vm->stats.contacts++;
    return contact;
}

const jr_zone *jr_vm_contact_zone(jr_vm *vm, uint32_t contact)
{
    if (vm->timezone_attribute == JR_NONE) return jr_zone_utc();
    jr_value value = ((jr_value *)(jr_contact_record(vm, contact) + vm->attributes_offset))[vm->timezone_attribute];
    if (value == JR_MISSING_STRING) return jr_zone_utc();
    uint32_t length;
    const char *name = jr_strings_get(&vm->strings, (uint32_t)value, &length);
    const jr_zone *zone = vm->zones ? jr_zone_find(vm->zones, name, length) : NULL;
    return zone ? zone : jr_zone_utc();
}

/* ---- scores and aggregates ----------------------------------------------------------- */

/* base^exponent for 0 < base < 1 and exponent >= 0, computed with + - * / and exact
 * operations only (floor, frexp, ldexp), never the C library's pow, exp or log, so that
 * every machine gets the same bits (spec/language.md 6.7). Whole periods multiply by
 * repeated squaring (0.5^n is exact); the fraction f is exp(f * ln(base)) by series. */
static double fixed_pow(double base, double exponent)
{
    static const double ln2_high = 6.93147180369123816490e-01, ln2_low = 1.90821492927058770002e-10;
    double whole = floor(exponent), fraction = exponent - whole, result = 1, square = base;
    for (double n = whole; n >= 1 && result != 0; n = floor(n / 2)) {
        if (n - 2 * floor(n / 2) == 1) result *= square;
        square *= square;
    }
    if (fraction == 0 || result == 0) return result;
    /* ln(base) = k ln 2 + ln(m), m in [sqrt(1/2), sqrt(2)): ln(m) = 2 atanh(s). */
    int k;
    double m = frexp(base, &k);
    if (m < 0.70710678118654752440) {
        m *= 2;
        k--;
    }
    double s = (m - 1) / (m + 1), s2 = s * s, series = 0;
    for (int i = 12; i >= 1; i--) series = s2 * (1.0 / (2 * i + 1) + series);
    double y = fraction * (k * ln2_high + (k * ln2_low + (2 * s + 2 * s * series))); /* <= 0 */
    /* exp(y) = 2^j exp(r), |r| <= ln(2)/2, exp(r) - 1 by Horner's rule. */
    double j = floor(y / (ln2_high + ln2_low) + 0.5);
    double r = (y - j * ln2_high) - j * ln2_low, expm1 = 0;
    for (int i = 20; i >= 1; i--) expm1 = r / i * (1 + expm1);
    return result * (j < -2000 ? 0 : ldexp(1 + expm1, (int)j));
}

double jr_vm_score_now(const jr_vm *vm, uint32_t contact, uint32_t score)
{
    const jr_SCORES_record *s = &JR_TABLE(vm->program, SCORES)[score];
    const score_state *state = (const score_state *)(jr_contact_record(vm, contact) + vm->scores_offset) + score;
    if (s->decay_percent == JR_NONE || state->value == 0 || vm->clock <= state->updated) return state->value;
    double kept = 1 - vm->program->numbers[s->decay_percent];
    double periods = (double)(vm->clock - state->updated) / (double)vm->program->integers[s->decay_period];
    return state->value * fixed_pow(kept, periods);
}

static size_t aggregate_size(const jr_AGGREGATES_record *a)
{
    if (a->window == JR_NONE) return sizeof(aggregate_total);
    return a->kind == JR_AGGREGATE_COUNT ? sizeof(count_window) : sizeof(aggregate_window);
}

static int bucket_slot(int64_t bucket) { return (int)(((bucket % JR_BUCKETS) + JR_BUCKETS) % JR_BUCKETS); }

/* The bucket of instant t in a window of `window` ms: floor(12 t / window), exactly
 * (spec/language.md 6.8), also when the window is not a multiple of 12 ms. */
static int64_t window_bucket(int64_t t, int64_t window)
{
    int64_t scaled = t * JR_BUCKETS; /* |t| < 2^53 ms (6.2), so this cannot overflow */
    int64_t bucket = scaled / window;
    return bucket - (scaled % window < 0);
}

/* Drops buckets that fell out of the window by `now`. */
static void window_rotate(aggregate_window *w, int64_t bucket)
{
    if (bucket <= w->newest) return;
    int64_t shift = bucket - w->newest;
    for (int64_t b = w->newest + 1; b <= bucket && b - w->newest <= JR_BUCKETS; b++) {
        int index = (int)(((b % JR_BUCKETS) + JR_BUCKETS) % JR_BUCKETS);
        w->values[index] = 0;
        w->counts[index] = 0;
    }
    (void)shift;
    w->newest = bucket;
}

static void aggregate_add(jr_vm *vm, uint32_t contact, uint32_t index, double amount)
{
    const jr_AGGREGATES_record *a = &JR_TABLE(vm->program, AGGREGATES)[index];
    uint8_t *at = jr_contact_record(vm, contact) + vm->aggregate_offsets[index];
    bool extreme = a->kind == JR_AGGREGATE_MIN || a->kind == JR_AGGREGATE_MAX;
    if (a->window == JR_NONE) {
        aggregate_total *t = (aggregate_total *)at;
        if (extreme && t->count)
            t->value = a->kind == JR_AGGREGATE_MIN ? fmin(t->value, amount) : fmax(t->value, amount);
        else if (extreme) t->value = amount;
        else t->value += a->kind == JR_AGGREGATE_COUNT ? 1 : amount;
        t->count++;
        return;
    }
    int64_t bucket = window_bucket(vm->clock, vm->program->integers[a->window]);
    if (a->kind == JR_AGGREGATE_COUNT) {
        count_window *c = (count_window *)at;
        bool first_use = c->newest == 0;
        for (int i = 0; i < JR_BUCKETS && first_use; i++) first_use = c->counts[i] == 0;
        if (first_use) c->newest = bucket;
        if (bucket > c->newest) {
            for (int64_t b = c->newest + 1; b <= bucket && b - c->newest <= JR_BUCKETS; b++)
                c->counts[bucket_slot(b)] = 0;
            c->newest = bucket;
        }
        if (bucket > c->newest - JR_BUCKETS && c->counts[bucket_slot(bucket)] < UINT16_MAX)
            c->counts[bucket_slot(bucket)]++;
        return;
    }
    aggregate_window *w = (aggregate_window *)at;
    if (w->newest == 0 && w->counts[0] == 0) w->newest = bucket; /* first use */
    window_rotate(w, bucket);
    int slot = (int)(((bucket % JR_BUCKETS) + JR_BUCKETS) % JR_BUCKETS);
    if (extreme && w->counts[slot])
        w->values[slot] = a->kind == JR_AGGREGATE_MIN ? fmin(w->values[slot], amount) : fmax(w->values[slot], amount);
    else if (extreme) w->values[slot] = amount;
    else w->values[slot] += a->kind == JR_AGGREGATE_COUNT ? 1 : amount;
    w->counts[slot]++;
}

/* The aggregate's value now; NaN (missing) for min, max and avg of nothing. */
static double aggregate_value(jr_vm *vm, uint32_t contact, uint32_t index)
{
    const jr_AGGREGATES_record *a = &JR_TABLE(vm->program, AGGREGATES)[index];
    const uint8_t *at = jr_contact_record(vm, contact) + vm->aggregate_offsets[index];
    double value = 0, sum = 0;
    uint64_t count = 0;
    bool any = false;
    if (a->window == JR_NONE) {
        const aggregate_total *t = (const aggregate_total *)at;
        value = sum = t->value;
        count = t->count;
        any = count > 0;
    } else if (a->kind == JR_AGGREGATE_COUNT) {
        const count_window *c = (const count_window *)at;
        int64_t bucket = window_bucket(vm->clock, vm->program->integers[a->window]);
        for (int64_t b = bucket - (JR_BUCKETS - 1); b <= bucket; b++)
            if (b <= c->newest && b > c->newest - JR_BUCKETS) sum += c->counts[bucket_slot(b)];
        return sum;
    } else {
        const aggregate_window *w = (const aggregate_window *)at;
        int64_t bucket = window_bucket(vm->clock, vm->program->integers[a->window]);
        for (int64_t b = bucket - (JR_BUCKETS - 1); b <= bucket; b++) {
            if (b > w->newest || b <= w->newest - JR_BUCKETS) continue;
            int slot = (int)(((b % JR_BUCKETS) + JR_BUCKETS) % JR_BUCKETS);
            if (!w->counts[slot]) continue;
            if (!any) value = w->values[slot];
            else if (a->kind == JR_AGGREGATE_MIN) value = fmin(value, w->values[slot]);
            else if (a->kind == JR_AGGREGATE_MAX) value = fmax(value, w->values[slot]);
            sum += w->values[slot];
            count += w->counts[slot];
            any = true;
        }
    }
    switch (a->kind) {
    case JR_AGGREGATE_COUNT: return a->window == JR_NONE ? (double)count : sum;
    case JR_AGGREGATE_SUM: return sum;
    case JR_AGGREGATE_AVG: return any ? sum / (double)count : NAN;
    default: return any ? value : NAN;
    }
}

/* ---- the interpreter ----------------------------------------------------------------- */

typedef enum outcome { RETURNED, SUSPENDED, ENDED, FAILED } outcome;

typedef struct frame {
    uint32_t contact;
    uint32_t journey;     /* JR_NONE outside journeys */
    journey_state *state; /* NULL outside journeys */
    uint32_t function;
    jr_value *stack;
    uint32_t blame;       /* the journey a run-time error is counted against */
    const uint8_t *segments; /* memberships a segment name reads; NULL: evaluated now */
} frame;

static outcome journey_send(jr_vm *vm, frame *f, uint32_t message);
static void emit_simple_action(jr_vm *vm, frame *f, jr_action_kind kind, const char *name, bool add,
                               char type, jr_value value, bool with_payload);
static bool queue_track(jr_vm *vm, frame *f, uint32_t event);
static void schedule(jr_vm *vm, uint32_t contact, uint32_t journey, journey_state *state, int64_t due);
static void reach_node(jr_vm *vm, journey_state *state, uint32_t node);
static void path_add(jr_vm *vm, journey_state *state, uint32_t node);

#define FAIL_AT(...)                                                                      \
    do {                                                                                  \
        record_error(vm, f->contact, f->blame, f->function, pc - 1, __VA_ARGS__);         \
        return FAILED;                                                                    \
    } while (0)

static const char *attribute_name(const jr_vm *vm, uint32_t index)
{
    return program_string(vm, JR_TABLE(vm->program, ATTRIBUTES)[index].name);
}

/* Runs f->function from pc until it returns, suspends, ends or fails. resume_bool, when
 * 0 or 1, is pushed first (the result of a WAIT_FOR being resumed). */
static outcome execute(jr_vm *vm, frame *f, uint32_t pc, int resume_bool, jr_value *result)
{
    const jr_program *p = vm->program;
    const jr_FUNCTIONS_record *function = &JR_TABLE(p, FUNCTIONS)[f->function];
    const uint32_t *code = p->code + function->first_word;
    jr_value *stack = f->stack;
    uint32_t depth = 0;
    uint32_t budget = vm->config.instruction_budget ? vm->config.instruction_budget : DEFAULT_BUDGET;
    uint8_t *record = jr_contact_record(vm, f->contact);
    jr_value *attributes = (jr_value *)(record + vm->attributes_offset);
    if (resume_bool >= 0) stack[depth++] = (jr_value)resume_bool;

    for (;;) {
        if (budget-- == 0) {
            record_error(vm, f->contact, f->blame, f->function, pc,
                         "instruction budget of %u exceeded: a loop runs too long without waiting",
                         vm->config.instruction_budget ? vm->config.instruction_budget : DEFAULT_BUDGET);
            return FAILED;
        }
        uint32_t word = code[pc++];
        uint32_t u = jr_decode_u(word), a = jr_decode_a(word), b = jr_decode_b(word);
        switch (jr_decode_op(word)) {
        /* push constant U */
        case JR_OP_PUSH_NUMBER: stack[depth++] = jr_from_number(p->numbers[u]); break;
        case JR_OP_PUSH_STRING:
            stack[depth++] = jr_strings_scratch(&vm->strings, p->strings[u].bytes, p->strings[u].length);
            break;
        case JR_OP_PUSH_DURATION: stack[depth++] = (jr_value)p->integers[u]; break;
        case JR_OP_PUSH_TRUE: stack[depth++] = 1; break;
        case JR_OP_PUSH_FALSE: stack[depth++] = 0; break;
        case JR_OP_PUSH_NOW: stack[depth++] = (jr_value)vm->clock; break;
        case JR_OP_PUSH_CONTACT_ID: stack[depth++] = ((contact_header *)record)->id; break;
        /* loads: missing is an error unless A */
        case JR_OP_LOAD_ATTRIBUTE: {
            jr_value value = attributes[b];
            if (!a && jr_is_missing((char)JR_TABLE(p, ATTRIBUTES)[b].type, value))
                FAIL_AT("attribute '%s' has no value (write %s ?? default)", attribute_name(vm, b), attribute_name(vm, b));
            stack[depth++] = value;
            break;
        }
        case JR_OP_LOAD_SCORE: stack[depth++] = jr_from_number(jr_vm_score_now(vm, f->contact, u)); break;
        case JR_OP_LOAD_SEGMENT: {
            /* Score and aggregate conditions read the memberships of the last event, a
             * segment's condition those computed before it; journeys evaluate now (6.9). */
            const uint8_t *bits = f->segments ? f->segments : jr_vm_segments_now(vm, f->contact);
            stack[depth++] = (bits[u / 8] >> (u % 8)) & 1;
            break;
        }
        case JR_OP_LOAD_AGGREGATE: {
            double value = aggregate_value(vm, f->contact, b);
            if (!a && isnan(value)) FAIL_AT("an aggregate of no events has no value (write ... ?? default)");
            stack[depth++] = jr_from_number(value);
            break;
        }
        case JR_OP_LOAD_FIELD: {
            const jr_EVENTS_record *event = &JR_TABLE(p, EVENTS)[function->event];
            jr_value value = vm->event_fields[b];
            if (!a && jr_is_missing((char)JR_TABLE(p, FIELDS)[event->first_field + b].type, value))
                FAIL_AT("the event has no '%s' (write ... ?? default)",
                        program_string(vm, JR_TABLE(p, FIELDS)[event->first_field + b].name));
            stack[depth++] = value;
            break;
        }
        case JR_OP_LOAD_LOCAL: {
            jr_value value = f->state->slots[b];
            char type = (char)JR_TABLE(p, SLOTS)[JR_TABLE(p, JOURNEYS)[f->journey].first_slot + b].type;
            if (!a && jr_is_missing(type, value)) FAIL_AT("a value read here is missing (write ... ?? default)");
            stack[depth++] = value;
            break;
        }
        case JR_OP_STORE_LOCAL: {
            jr_value value = stack[--depth];
            char type = (char)JR_TABLE(p, SLOTS)[JR_TABLE(p, JOURNEYS)[f->journey].first_slot + u].type;
            f->state->slots[u] = type == 's' ? jr_strings_keep(&vm->strings, (uint32_t)value) : value;
            break;
        }
        case JR_OP_SET_ATTRIBUTE: {
            jr_value value = stack[--depth];
            char type = (char)JR_TABLE(p, ATTRIBUTES)[u].type;
            if (type == 's') value = jr_strings_keep(&vm->strings, (uint32_t)value);
            attributes[u] = value;
            emit_simple_action(vm, f, JR_ACTION_SET, attribute_name(vm, u), false, type, value, false);
            break;
        }
        case JR_OP_JUMP_IF_PRESENT:
            if (!jr_is_missing((char)a, stack[depth - 1])) pc = b;
            else depth--;
            break;
        /* arithmetic */
        case JR_OP_ADD_NUMBERS: case JR_OP_SUBTRACT_NUMBERS: case JR_OP_MULTIPLY_NUMBERS: case JR_OP_DIVIDE_NUMBERS: {
            double right = jr_as_number(stack[--depth]), left = jr_as_number(stack[depth - 1]), value;
            switch (jr_decode_op(word)) {
            case JR_OP_ADD_NUMBERS: value = left + right; break;
            case JR_OP_SUBTRACT_NUMBERS: value = left - right; break;
            case JR_OP_MULTIPLY_NUMBERS: value = left * right; break;
            default:
                if (right == 0) FAIL_AT("division by zero");
                value = left / right;
            }
            if (!isfinite(value)) FAIL_AT("arithmetic overflow: the result is not a finite number");
            stack[depth - 1] = jr_from_number(value);
            break;
        }
        case JR_OP_NEGATE_NUMBER: stack[depth - 1] = jr_from_number(-jr_as_number(stack[depth - 1])); break;
        case JR_OP_CONCATENATE: {
            uint32_t left_length, right_length, handle;
            uint32_t right = (uint32_t)stack[--depth], left = (uint32_t)stack[depth - 1];
            jr_strings_get(&vm->strings, left, &left_length);
            jr_strings_get(&vm->strings, right, &right_length);
            if ((uint64_t)left_length + right_length > 16u * 1024 * 1024) FAIL_AT("string longer than 16 MiB");
            char *out = jr_strings_scratch_reserve(&vm->strings, left_length + right_length, &handle);
            if (!out) FAIL_AT("out of memory");
            /* Fetch again: reserving may have moved the scratch buffer. */
            const char *left_bytes = jr_strings_get(&vm->strings, left, &left_length);
            memcpy(out, left_bytes, left_length);
            const char *right_bytes = jr_strings_get(&vm->strings, right, &right_length);
            memcpy(out + left_length, right_bytes, right_length);
            stack[depth - 1] = handle;
            break;
        }
        case JR_OP_ADD_DURATION: case JR_OP_SUBTRACT_DURATION: case JR_OP_ADD_DURATIONS: case JR_OP_SUBTRACT_DURATIONS: {
            int64_t right = (int64_t)stack[--depth], left = (int64_t)stack[depth - 1], value;
            bool subtract = jr_decode_op(word) == JR_OP_SUBTRACT_DURATION || jr_decode_op(word) == JR_OP_SUBTRACT_DURATIONS;
            if (subtract ? __builtin_sub_overflow(left, right, &value) : __builtin_add_overflow(left, right, &value))
                FAIL_AT("time arithmetic overflow");
            stack[depth - 1] = (jr_value)value;
            break;
        }
        case JR_OP_SUBTRACT_TIMES: {
            int64_t right = (int64_t)stack[--depth], left = (int64_t)stack[depth - 1], value;
            if (__builtin_sub_overflow(left, right, &value)) FAIL_AT("time arithmetic overflow");
            stack[depth - 1] = (jr_value)value;
            break;
        }
        case JR_OP_SCALE_DURATION: case JR_OP_DIVIDE_DURATION: {
            double factor = jr_as_number(stack[--depth]);
            double duration = (double)(int64_t)stack[depth - 1];
            if (jr_decode_op(word) == JR_OP_DIVIDE_DURATION && factor == 0) FAIL_AT("division by zero");
            double value = jr_decode_op(word) == JR_OP_SCALE_DURATION ? duration * factor : duration / factor;
            if (!(fabs(value) < 9.2e18)) FAIL_AT("duration out of range");
            stack[depth - 1] = (jr_value)(int64_t)llround(value);
            break;
        }
        case JR_OP_DURATION_RATIO: {
            int64_t right = (int64_t)stack[--depth], left = (int64_t)stack[depth - 1];
            if (right == 0) FAIL_AT("division by a zero duration");
            stack[depth - 1] = jr_from_number((double)left / (double)right);
            break;
        }
        case JR_OP_NEGATE_DURATION: {
            int64_t value = (int64_t)stack[depth - 1];
            if (value == INT64_MIN) FAIL_AT("duration out of range");
            stack[depth - 1] = (jr_value)-value;
            break;
        }
        /* comparisons with relation U */
        case JR_OP_COMPARE_NUMBERS: case JR_OP_COMPARE_STRINGS: case JR_OP_COMPARE_TIMES:
        case JR_OP_COMPARE_DURATIONS: case JR_OP_COMPARE_BOOLS: {
            jr_value right = stack[--depth], left = stack[depth - 1];
            int order;
            if (jr_decode_op(word) == JR_OP_COMPARE_NUMBERS) {
                double x = jr_as_number(left), y = jr_as_number(right);
                order = x < y ? -1 : x > y;
            } else if (jr_decode_op(word) == JR_OP_COMPARE_STRINGS) {
                uint32_t x_length, y_length;
                const char *x = jr_strings_get(&vm->strings, (uint32_t)left, &x_length);
                const char *y = jr_strings_get(&vm->strings, (uint32_t)right, &y_length);
                order = memcmp(x, y, x_length < y_length ? x_length : y_length);
                if (order == 0) order = x_length < y_length ? -1 : x_length > y_length;
            } else if (jr_decode_op(word) == JR_OP_COMPARE_BOOLS) {
                order = left != right;
            } else {
                order = (int64_t)left < (int64_t)right ? -1 : (int64_t)left > (int64_t)right;
            }
            bool holds;
            switch (u) {
            case JR_RELATION_EQUAL: holds = order == 0; break;
            case JR_RELATION_NOT_EQUAL: holds = order != 0; break;
            case JR_RELATION_LESS: holds = order < 0; break;
            case JR_RELATION_LESS_EQUAL: holds = order <= 0; break;
            case JR_RELATION_GREATER: holds = order > 0; break;
            default: holds = order >= 0;
            }
            stack[depth - 1] = holds;
            break;
        }
        case JR_OP_MATCH_GLOB: {
            uint32_t text_length, pattern_length;
            const char *pattern = jr_strings_get(&vm->strings, (uint32_t)stack[--depth], &pattern_length);
            const char *text = jr_strings_get(&vm->strings, (uint32_t)stack[depth - 1], &text_length);
            stack[depth - 1] = glob_match(text, text_length, pattern, pattern_length);
            break;
        }
        case JR_OP_NOT: stack[depth - 1] = !stack[depth - 1]; break;
        case JR_OP_IS_IN: {
            depth -= b;
            jr_value value = stack[depth - 1];
            bool found = false;
            for (uint32_t i = 0; i < b && !found; i++) {
                jr_value candidate = stack[depth + i];
                if ((char)a == 's') {
                    uint32_t x_length, y_length;
                    const char *x = jr_strings_get(&vm->strings, (uint32_t)value, &x_length);
                    const char *y = jr_strings_get(&vm->strings, (uint32_t)candidate, &y_length);
                    found = x_length == y_length && memcmp(x, y, x_length) == 0;
                } else if ((char)a == 'n') {
                    found = jr_as_number(value) == jr_as_number(candidate);
                } else {
                    found = value == candidate;
                }
            }
            stack[depth - 1] = found;
            break;
        }
        case JR_OP_TO_STRING: stack[depth - 1] = to_string(vm, (char)u, stack[depth - 1]); break;
        case JR_OP_CALL_BUILTIN: {
            const char *problem = jr_call_builtin(vm, f->contact, u, stack, &depth);
            if (problem) FAIL_AT("%s", problem);
            break;
        }
        case JR_OP_CALL_EXTERN: {
            char problem[200]; /* record_error keeps what fits */
            if (!jr_call_extern(vm, u, stack, &depth, problem, sizeof problem)) FAIL_AT("%s", problem);
            break;
        }
        /* stack and control */
        case JR_OP_POP: depth--; break;
        case JR_OP_SWAP: {
            jr_value top = stack[depth - 1];
            stack[depth - 1] = stack[depth - 2];
            stack[depth - 2] = top;
            break;
        }
        case JR_OP_JUMP: pc = u; break;
        case JR_OP_JUMP_IF_FALSE:
            if (!stack[--depth]) pc = u;
            break;
        case JR_OP_JUMP_IF_FALSE_KEEP:
            if (!stack[depth - 1]) pc = u;
            else depth--;
            break;
        case JR_OP_JUMP_IF_TRUE_KEEP:
            if (stack[depth - 1]) pc = u;
            else depth--;
            break;
        case JR_OP_RETURN:
            *result = stack[depth - 1];
            return RETURNED;
        /* journey effects */
        case JR_OP_PAYLOAD_ADD: {
            if (vm->payload_count == vm->payload_capacity) {
                uint32_t capacity = vm->payload_capacity ? vm->payload_capacity * 2 : 16;
                jr_payload_entry *grown = vm_alloc(vm, vm->payload, sizeof *grown * capacity);
                if (!grown) FAIL_AT("out of memory");
                vm->payload = grown;
                vm->payload_capacity = capacity;
            }
            vm->payload[vm->payload_count++] = (jr_payload_entry){ b, (char)a, stack[--depth] };
            break;
        }
        case JR_OP_SEND:
            f->state->pc = pc;
            if (journey_send(vm, f, u) == FAILED) return FAILED;
            vm->payload_count = 0;
            break;
        case JR_OP_EMIT:
            emit_simple_action(vm, f, JR_ACTION_EMIT, program_string(vm, u), false, 0, 0, true);
            vm->payload_count = 0;
            break;
        case JR_OP_TRACK:
            /* The 17th track of one event or timer is an error and produces nothing (6.13). */
            if (vm->pending_count >= JR_MAX_TRACK_CHAIN)
                FAIL_AT("more than %d tracked events chained from one event", JR_MAX_TRACK_CHAIN);
            emit_simple_action(vm, f, JR_ACTION_TRACK, program_string(vm, JR_TABLE(p, EVENTS)[u].external_name),
                               false, 0, 0, true);
            queue_track(vm, f, u);
            vm->payload_count = 0;
            break;
        case JR_OP_AUDIENCE:
            emit_simple_action(vm, f, JR_ACTION_AUDIENCE, program_string(vm, b), a == 1, 0, 0, false);
            break;
        case JR_OP_NODE: reach_node(vm, f->state, u); break;
        /* suspension */
        case JR_OP_WAIT: case JR_OP_WAIT_UNTIL: case JR_OP_WAIT_UNTIL_CLOCK: {
            int64_t due;
            if (jr_decode_op(word) == JR_OP_WAIT) {
                int64_t duration = (int64_t)stack[--depth];
                if (duration <= 0) break;
                if (duration > MAX_WAIT) FAIL_AT("wait too long: more than 3660 days");
                due = vm->clock + duration;
            } else if (jr_decode_op(word) == JR_OP_WAIT_UNTIL) {
                due = (int64_t)stack[--depth];
            } else {
                /* The next such time strictly after now, so a loop around it waits a day. */
                due = jr_zone_next_time_of_day(jr_vm_contact_zone(vm, f->contact), vm->clock + 1, u);
            }
            if (due <= vm->clock) break; /* at or after now: go on at once */
            f->state->pc = pc;
            f->state->wait = WAIT_TIMER;
            schedule(vm, f->contact, f->journey, f->state, due);
            return SUSPENDED;
        }
        case JR_OP_WAIT_FOR: case JR_OP_SELECT: {
            bool is_select = jr_decode_op(word) == JR_OP_SELECT;
            bool has_timeout = is_select ? JR_TABLE(p, SELECTS)[u].has_after : JR_TABLE(p, WAITS)[u].has_timeout;
            f->state->pc = pc;
            f->state->wait = is_select ? WAIT_SELECT : WAIT_EVENT;
            f->state->wait_index = u;
            f->state->wait_started = vm->clock;
            f->state->generation++; /* no timer from an earlier wait may fire into this one */
            if (has_timeout) {
                int64_t duration = (int64_t)stack[--depth], due;
                /* A timeout of zero or less is immediate, in this resumption (6.6): no
                 * timer due now, which would let a loop spin without the clock moving. */
                if (duration <= 0 && !is_select) {
                    f->state->wait = WAIT_NONE;
                    stack[depth++] = 0;
                    break;
                }
                if (duration <= 0) {
                    f->state->wait = WAIT_NONE;
                    pc = JR_TABLE(p, SELECTS)[u].after_target;
                    break;
                }
                if (__builtin_add_overflow(vm->clock, duration, &due)) FAIL_AT("wait too long");
                schedule(vm, f->contact, f->journey, f->state, due);
            }
            return SUSPENDED;
        }
        case JR_OP_SPLIT: {
            const jr_SPLITS_record *split = &JR_TABLE(p, SPLITS)[u];
            uint32_t bucket = stable_bucket(contact_id(vm, f->contact),
                                            program_string(vm, JR_TABLE(p, JOURNEYS)[f->journey].name),
                                            program_string(vm, split->name));
            uint32_t cumulative = 0;
            for (uint32_t i = 0; i < split->arm_count; i++) {
                const jr_SPLIT_ARMS_record *arm = &JR_TABLE(p, SPLIT_ARMS)[split->first_arm + i];
                cumulative += arm->basis_points;
                if (bucket < cumulative || i + 1 == split->arm_count) {
                    pc = arm->target;
                    break;
                }
            }
            break;
        }
        case JR_OP_EXIT: case JR_OP_HALT: return ENDED;
        default: FAIL_AT("invalid instruction"); /* unreachable after verification */
        }
    }
}

/* Runs an expression function; returns false (and counts a run-time error) if it fails.
 * segments: the memberships segment names read (NULL: evaluated now). */
static bool evaluate(jr_vm *vm, uint32_t function, uint32_t contact, uint32_t journey, journey_state *state,
                     jr_value *stack, jr_value *result, const uint8_t *segments)
{
    frame f = { contact, journey, state, function, stack, journey, segments };
    return execute(vm, &f, 0, -1, result) == RETURNED;
}

static bool evaluate_condition(jr_vm *vm, uint32_t function, uint32_t contact, uint32_t journey, journey_state *state,
                               const uint8_t *segments)
{
    if (function == JR_NONE) return true;
    jr_value result = 0;
    return evaluate(vm, function, contact, journey, state, vm->stack, &result, segments) && result == 1;
}

/* An entry condition; its errors are counted against the journey (it reads no locals). */
static bool entry_where(jr_vm *vm, uint32_t function, uint32_t contact, uint32_t journey)
{
    if (function == JR_NONE) return true;
    frame f = { contact, JR_NONE, NULL, function, vm->stack, journey, NULL };
    jr_value result = 0;
    return execute(vm, &f, 0, -1, &result) == RETURNED && result == 1;
}

/* Evaluates every segment's condition into bits, in dependency order, so that a
 * segment reads the memberships just computed of the segments it refers to. A
 * condition that fails is false (the error is counted). */
static void segments_compute(jr_vm *vm, uint32_t contact, uint8_t *bits, jr_value *stack)
{
    const jr_program *p = vm->program;
    for (uint32_t k = 0; k < JR_COUNT(p, SEGMENTS); k++) {
        uint32_t i = vm->segment_order[k];
        jr_value result = 0;
        bool member = evaluate(vm, JR_TABLE(p, SEGMENTS)[i].function, contact, JR_NONE, NULL, stack, &result, bits) &&
                      result == 1;
        if (member) bits[i / 8] |= (uint8_t)(1u << (i % 8));
        else bits[i / 8] &= (uint8_t)~(1u << (i % 8));
    }
}

/* The memberships at this moment, for segment names read by journeys (spec/language.md
 * 6.9: a resumed journey sees decayed scores and current windows). Uses the third part
 * of the stack: journeys use the first, message payloads the second. */
const uint8_t *jr_vm_segments_now(jr_vm *vm, uint32_t contact)
{
    segments_compute(vm, contact, vm->segment_live, vm->stack + 2 * (size_t)vm->program->max_stack);
    return vm->segment_live;
}

/* ---- actions --------------------------------------------------------------------------- */

static void schedule(jr_vm *vm, uint32_t contact, uint32_t journey, journey_state *state, int64_t due)
{
    state->generation++;
    if (!jr_timers_push(&vm->timers, due, contact, journey, state->generation)) vm->out_of_memory = true;
}

/* Writes the key into vm->text and returns its offset: journey, entry, the statement's
 * node within the journey, the action's sequence number in the entry, contact. */
static size_t build_key(jr_vm *vm, frame *f)
{
    size_t offset = vm->text_used;
    const jr_JOURNEYS_record *journey = &JR_TABLE(vm->program, JOURNEYS)[f->journey];
    uint32_t node = f->state->node ? f->state->node - 1 - journey->first_node : 0;
    text_format(vm, "%s:%u:%u:%u:", program_string(vm, journey->name), f->state->entries, node, f->state->sequence++);
    const char *id = contact_id(vm, f->contact);
    text_append(vm, id, strlen(id));
    text_append(vm, "", 1); /* keep the NUL inside the used part */
    return offset;
}

static void payload_json(jr_vm *vm, size_t *offset)
{
    *offset = vm->text_used;
    text_append(vm, "{", 1);
    for (uint32_t i = 0; i < vm->payload_count; i++) {
        if (i) text_append(vm, ",", 1);
        const jr_text *key = &vm->program->strings[vm->payload[i].key];
        text_json_string(vm, key->bytes, key->length);
        text_append(vm, ":", 1);
        text_json_value(vm, vm->payload[i].type, vm->payload[i].value);
    }
    text_append(vm, "}", 1);
    text_append(vm, "", 1);
}

static void deliver(jr_vm *vm, jr_action *action, size_t key, size_t payload)
{
    if (vm->out_of_memory) return;
    action->key = vm->text + key;
    action->payload_json = vm->text + payload;
    vm->stats.actions++;
    if (vm->config.on_action) vm->config.on_action(vm->config.action_user, action);
}

/* The label of the step the coroutine's latest statement is in, or NULL. */
static const char *step_label(const jr_vm *vm, const journey_state *state)
{
    if (!state || state->node == 0) return NULL;
    uint32_t step = JR_TABLE(vm->program, NODES)[state->node - 1].step;
    return step == JR_NONE ? NULL : program_string(vm, JR_TABLE(vm->program, NODES)[step].label);
}

static void emit_simple_action(jr_vm *vm, frame *f, jr_action_kind kind, const char *name, bool add,
                               char type, jr_value value, bool with_payload)
{
    vm->text_used = 0;
    size_t key = build_key(vm, f);
    size_t payload;
    if (with_payload) {
        payload_json(vm, &payload);
    } else {
        payload = vm->text_used;
        if (kind == JR_ACTION_SET) {
            text_append(vm, "{\"value\":", 9);
            text_json_value(vm, type, value);
            text_append(vm, "}", 1);
        } else {
            text_append(vm, "{}", 2);
        }
        text_append(vm, "", 1);
    }
    jr_action action = { 0 };
    action.kind = kind;
    action.contact_id = contact_id(vm, f->contact);
    action.journey = program_string(vm, JR_TABLE(vm->program, JOURNEYS)[f->journey].name);
    action.step = step_label(vm, f->state);
    action.at = vm->clock;
    action.name = name;
    action.add = add;
    deliver(vm, &action, key, payload);
}

/* ---- sends: quiet hours and limits ----------------------------------------------------- */

typedef struct send_decision {
    jr_send_outcome outcome;
    int64_t at;
    char reason[96];
    bool by_limit;
} send_decision;

static int64_t *limit_history(jr_vm *vm, uint32_t contact, uint32_t limit)
{
    return (int64_t *)(jr_contact_record(vm, contact) + vm->limit_offsets[limit]);
}

/* How many sends the limit counts in (at - period, at]. */
static uint32_t sends_in_window(jr_vm *vm, uint32_t contact, uint32_t limit, int64_t at, int64_t *oldest)
{
    const jr_LIMITS_record *l = &JR_TABLE(vm->program, LIMITS)[limit];
    int64_t period = vm->program->integers[l->period];
    int64_t *history = limit_history(vm, contact, limit);
    uint32_t count = 0;
    *oldest = INT64_MAX;
    for (uint32_t i = 0; i < l->count; i++) {
        int64_t sent = history[i];
        if (sent == 0 || sent <= at - period || sent > at) continue;
        count++;
        if (sent < *oldest) *oldest = sent;
    }
    return count;
}

static void remember_send(jr_vm *vm, uint32_t contact, uint32_t channel, int64_t at)
{
    for (uint32_t i = 0; i < JR_COUNT(vm->program, LIMITS); i++) {
        const jr_LIMITS_record *l = &JR_TABLE(vm->program, LIMITS)[i];
        if (l->channel != channel) continue;
        int64_t *history = limit_history(vm, contact, i);
        /* Replace the oldest entry. */
        uint32_t oldest = 0;
        for (uint32_t k = 1; k < l->count; k++)
            if (history[k] < history[oldest]) oldest = k;
        history[oldest] = at;
    }
}

/* Adds a reason to a decision's list ("quiet hours, limit email 2 per 1d"), once. */
static void add_reason(send_decision *decision, const char *reason)
{
    if (strstr(decision->reason, reason)) return;
    size_t used = strlen(decision->reason);
    snprintf(decision->reason + used, sizeof decision->reason - used, "%s%s", used ? ", " : "", reason);
}

/* The quiet window containing t among those that apply to the channel: the windows
 * declared `for` it, or else the global one (spec/language.md 6.12); NULL if none. */
static const jr_QUIET_HOURS_record *quiet_window_at(const jr_vm *vm, const jr_zone *zone, uint32_t channel, int64_t t)
{
    const jr_program *p = vm->program;
    uint32_t applies = JR_NONE;
    for (uint32_t i = 0; i < JR_COUNT(p, QUIET_HOURS); i++)
        if (JR_TABLE(p, QUIET_HOURS)[i].channel == channel) applies = channel;
    for (uint32_t i = 0; i < JR_COUNT(p, QUIET_HOURS); i++) {
        const jr_QUIET_HOURS_record *q = &JR_TABLE(p, QUIET_HOURS)[i];
        if (q->channel == applies && jr_zone_in_window(zone, t, q->from, q->to)) return q;
    }
    return NULL;
}

/* The first instant at or after t outside every quiet window of the channel. */
static int64_t after_quiet_hours(const jr_vm *vm, const jr_zone *zone, uint32_t channel, int64_t t)
{
    const jr_QUIET_HOURS_record *q;
    for (int round = 0; round < 64 && (q = quiet_window_at(vm, zone, channel, t)); round++)
        t = jr_zone_window_end(zone, t, q->from, q->to);
    return t;
}

/* The outcome and effective time of a send (spec/language.md 6.12): quiet hours, then
 * after the channel's previous accepted send, then the limits (a deferral by a limit
 * applies quiet hours again, always deferring), until every rule allows the time. */
static send_decision decide_send(jr_vm *vm, uint32_t contact, uint32_t message)
{
    const jr_program *p = vm->program;
    const jr_MESSAGES_record *m = &JR_TABLE(p, MESSAGES)[message];
    send_decision decision = { JR_SEND_SENT, vm->clock, "", false };
    if (m->transactional) return decision;
    const jr_zone *zone = JR_COUNT(p, QUIET_HOURS) ? jr_vm_contact_zone(vm, contact) : NULL;
    const jr_QUIET_HOURS_record *quiet = quiet_window_at(vm, zone, m->channel, decision.at);
    if (quiet) {
        add_reason(&decision, "quiet hours");
        if (quiet->policy == JR_POLICY_SUPPRESS) {
            decision.outcome = JR_SEND_SUPPRESSED;
            return decision;
        }
        decision.at = after_quiet_hours(vm, zone, m->channel, decision.at);
    }
    /* Sends on a channel take effect in the order made: the latest accepted send on it
     * is the newest entry of any of its limits' histories (without a limit, quiet hours
     * alone never reorder sends). */
    for (uint32_t i = 0; i < JR_COUNT(p, LIMITS); i++) {
        const jr_LIMITS_record *l = &JR_TABLE(p, LIMITS)[i];
        if (l->channel != m->channel) continue;
        const int64_t *history = limit_history(vm, contact, i);
        for (uint32_t k = 0; k < l->count; k++)
            if (history[k] > decision.at) {
                decision.at = history[k];
                add_reason(&decision, "previous send");
            }
    }
    for (int round = 0; round < 1024; round++) {
        bool moved = false;
        for (uint32_t i = 0; i < JR_COUNT(p, LIMITS); i++) {
            const jr_LIMITS_record *l = &JR_TABLE(p, LIMITS)[i];
            if (l->channel != m->channel) continue;
            int64_t oldest;
            if (sends_in_window(vm, contact, i, decision.at, &oldest) < l->count) continue;
            int64_t period = p->integers[l->period];
            char period_text[32], reason[64];
            format_duration(period, period_text, sizeof period_text);
            snprintf(reason, sizeof reason, "limit %s %u per %s", program_string(vm, JR_TABLE(p, CHANNELS)[l->channel].name),
                     l->count, period_text);
            add_reason(&decision, reason);
            decision.by_limit = true;
            if (l->policy != JR_POLICY_DEFER) {
                decision.outcome = JR_SEND_SUPPRESSED;
                return decision;
            }
            decision.at = oldest + period; /* when the oldest send leaves the window */
            moved = true;
        }
        if (!moved) break;
        int64_t later = after_quiet_hours(vm, zone, m->channel, decision.at);
        if (later != decision.at) add_reason(&decision, "quiet hours");
        decision.at = later;
    }
    if (decision.at > vm->clock) decision.outcome = JR_SEND_DEFERRED;
    return decision;
}

static outcome journey_send(jr_vm *vm, frame *f, uint32_t message)
{
    const jr_program *p = vm->program;
    const jr_MESSAGES_record *m = &JR_TABLE(p, MESSAGES)[message];
    message_counters *counters = &vm->message_counters[message];
    /* The payload: the `with` entries in the order written, then the message's own
     * fields (evaluated now, for this contact) that `with` did not replace. */
    uint32_t with_count = vm->payload_count;
    jr_value *nested = vm->stack + p->max_stack;
    for (uint32_t i = 0; i < m->field_count; i++) {
        const jr_MESSAGE_FIELDS_record *field = &JR_TABLE(p, MESSAGE_FIELDS)[m->first_field + i];
        bool replaced = false;
        for (uint32_t k = 0; k < with_count; k++)
            if (vm->payload[k].key == field->key) replaced = true;
        if (replaced) continue;
        jr_value value;
        frame inner = { f->contact, JR_NONE, NULL, field->function, nested, f->journey, NULL };
        if (execute(vm, &inner, 0, -1, &value) != RETURNED) return FAILED;
        if (vm->payload_count == vm->payload_capacity) {
            uint32_t capacity = vm->payload_capacity ? vm->payload_capacity * 2 : 16;
            jr_payload_entry *grown = vm_alloc(vm, vm->payload, sizeof *grown * capacity);
            if (!grown) return FAILED;
            vm->payload = grown;
            vm->payload_capacity = capacity;
        }
        vm->payload[vm->payload_count++] =
            (jr_payload_entry){ field->key, (char)JR_TABLE(p, FUNCTIONS)[field->function].result, value };
    }
    send_decision decision = decide_send(vm, f->contact, message);
    /* Transactional sends are not counted by limits (6.12). */
    if (decision.outcome != JR_SEND_SUPPRESSED && !m->transactional) remember_send(vm, f->contact, m->channel, decision.at);
    node_counters *node = f->state->node ? &vm->node_counters[f->state->node - 1] : NULL;
    switch (decision.outcome) {
    case JR_SEND_SENT: counters->sent++; if (node) node->sent++; break;
    case JR_SEND_DEFERRED: counters->deferred++; if (node) node->deferred++; break;
    case JR_SEND_SUPPRESSED:
        if (decision.by_limit) counters->suppressed_by_limit++;
        else counters->suppressed_by_quiet_hours++;
        if (node) node->suppressed++;
        break;
    }
    /* What is delivered may win the goal's credit. */
    if (decision.outcome != JR_SEND_SUPPRESSED && f->state->node) path_add(vm, f->state, f->state->node - 1);
    vm->text_used = 0;
    size_t key = build_key(vm, f);
    size_t payload;
    payload_json(vm, &payload);
    jr_action action = { 0 };
    action.kind = JR_ACTION_SEND;
    action.contact_id = contact_id(vm, f->contact);
    action.journey = program_string(vm, JR_TABLE(p, JOURNEYS)[f->journey].name);
    action.step = step_label(vm, f->state);
    action.at = decision.at;
    action.message = program_string(vm, m->name);
    action.template_name = program_string(vm, m->template_name);
    action.channel = program_string(vm, JR_TABLE(p, CHANNELS)[m->channel].name);
    action.outcome = decision.outcome;
    action.reason = decision.reason[0] ? decision.reason : NULL;
    deliver(vm, &action, key, payload);
    return RETURNED;
}

/* A synthetic event from `track`, applied after the current one. Its field values
 * follow the JR_MAX_TRACK_CHAIN records in vm->pending_tracks, 256 per event. */
typedef struct pending_track {
    uint32_t contact;
    uint32_t event;
} pending_track;


static jr_value *pending_fields(jr_vm *vm, uint32_t index)
{
    return (jr_value *)((uint8_t *)vm->pending_tracks + sizeof(pending_track) * JR_MAX_TRACK_CHAIN) +
           (size_t)index * vm->max_event_fields;
}

static bool queue_track(jr_vm *vm, frame *f, uint32_t event)
{
    if (vm->pending_count >= JR_MAX_TRACK_CHAIN) return false;
    const jr_EVENTS_record *e = &JR_TABLE(vm->program, EVENTS)[event];
    ((pending_track *)vm->pending_tracks)[vm->pending_count] = (pending_track){ f->contact, event };
    /* The payload becomes the event's fields, by name; strings are kept past this event. */
    jr_value *fields = pending_fields(vm, vm->pending_count);
    uint32_t field_count = e->field_count;
    for (uint32_t i = 0; i < field_count; i++)
        fields[i] = jr_missing((char)JR_TABLE(vm->program, FIELDS)[e->first_field + i].type);
    for (uint32_t k = 0; k < vm->payload_count; k++) {
        for (uint32_t i = 0; i < field_count; i++) {
            const jr_FIELDS_record *field = &JR_TABLE(vm->program, FIELDS)[e->first_field + i];
            if (strcmp(program_string(vm, field->name), program_string(vm, vm->payload[k].key)) != 0) continue;
            if ((char)field->type == vm->payload[k].type)
                fields[i] = field->type == 's' ? jr_strings_keep(&vm->strings, (uint32_t)vm->payload[k].value)
                                               : vm->payload[k].value;
            break;
        }
    }
    vm->pending_count++;
    return true;
}

/* ---- journey nodes: what reports count ----------------------------------------------------- */

/* NODE: the coroutine reached node `node`. A statement becomes where the contact is;
 * an arm is only counted (and, with attribution, a split arm joins the entry's path). */
static void reach_node(jr_vm *vm, journey_state *state, uint32_t node)
{
    node_counters *counters = &vm->node_counters[node];
    counters->entered++;
    uint32_t kind = JR_TABLE(vm->program, NODES)[node].kind;
    if (jr_node_kind_is_arm(kind)) {
        if (kind == JR_NODE_ARM) path_add(vm, state, node);
        return;
    }
    if (state->node) vm->node_counters[state->node - 1].here--;
    counters->here++;
    state->node = node + 1;
}

/* Appends a node to the entry's path (with attribution). When memory runs out the path
 * stops growing: attribution undercounts, nothing else is affected. */
static void path_add(jr_vm *vm, journey_state *state, uint32_t node)
{
    if (!vm->config.attribution) return;
    if (vm->path_count == vm->path_capacity) {
        if (vm->path_capacity >= UINT32_MAX / 2) return;
        uint32_t capacity = vm->path_capacity ? vm->path_capacity * 2 : 1024;
        path_entry *grown = vm_alloc(vm, vm->paths, sizeof *grown * capacity);
        if (!grown) return;
        vm->paths = grown;
        vm->path_capacity = capacity;
    }
    vm->paths[vm->path_count] = (path_entry){ state->path, node };
    state->path = ++vm->path_count;
}

/* A treated contact reached the goal: count it at its latest node and, with attribution,
 * credit the sends of its entry (last-touch: the latest; linear: equal shares) and the
 * split arms it took (once each). */
/* Adds a term to a floating-point figure and tells the host of it (jr_vm_on_figure),
 * so that a host running one log on several VMs can add the terms in one VM's order. */
static void add_to_figure(jr_vm *vm, double *sum, jr_figure figure, uint32_t index, uint32_t contact, double term)
{
    *sum += term;
    if (vm->on_figure) vm->on_figure(vm->figure_user, figure, index, contact, term);
}

static void credit_goal(jr_vm *vm, uint32_t contact, const journey_state *state, double value)
{
    if (state->node) {
        node_counters *at = &vm->node_counters[state->node - 1];
        at->goals++;
        add_to_figure(vm, &at->goal_value, JR_FIGURE_NODE_GOAL_VALUE, state->node - 1, contact, value);
    }
    if (!vm->config.attribution) return;
    uint32_t serial = ++vm->mark_serial;
    uint32_t sends = 0, last_send = JR_NONE;
    for (uint32_t at = state->path; at; at = vm->paths[at - 1].previous) {
        uint32_t node = vm->paths[at - 1].node;
        if (JR_TABLE(vm->program, NODES)[node].kind == JR_NODE_SEND) {
            if (last_send == JR_NONE) last_send = node;
            sends++;
        } else if (vm->node_marks[node] != serial) {
            vm->node_marks[node] = serial;
            vm->node_counters[node].converted++;
            add_to_figure(vm, &vm->node_counters[node].converted_value, JR_FIGURE_NODE_CONVERTED_VALUE, node, contact,
                          value);
        }
    }
    if (!sends) return;
    node_counters *last = &vm->node_counters[last_send];
    add_to_figure(vm, &last->last_touch, JR_FIGURE_NODE_LAST_TOUCH, last_send, contact, 1);
    add_to_figure(vm, &last->last_touch_value, JR_FIGURE_NODE_LAST_TOUCH_VALUE, last_send, contact, value);
    for (uint32_t at = state->path; at; at = vm->paths[at - 1].previous) {
        uint32_t index = vm->paths[at - 1].node;
        node_counters *node = &vm->node_counters[index];
        if (JR_TABLE(vm->program, NODES)[index].kind != JR_NODE_SEND) continue;
        add_to_figure(vm, &node->linear, JR_FIGURE_NODE_LINEAR, index, contact, 1.0 / sends);
        add_to_figure(vm, &node->linear_value, JR_FIGURE_NODE_LINEAR_VALUE, index, contact, value / sends);
    }
}

/* Time to goal in a histogram of quarter octaves of seconds (spec/report.md). */
static void time_to_goal_add(jr_vm *vm, uint32_t journey, uint32_t contact, bool control, int64_t milliseconds)
{
    journey_counters *counters = &vm->journey_counters[journey];
    double seconds = milliseconds > 0 ? (double)milliseconds / 1000.0 : 0;
    int bucket = (int)floor(4.0 * log2(seconds + 1.0));
    if (bucket < 0) bucket = 0;
    if (bucket >= JR_GOAL_TIME_BUCKETS) bucket = JR_GOAL_TIME_BUCKETS - 1;
    add_to_figure(vm, &counters->time_to_goal_sum[control],
                  control ? JR_FIGURE_TIME_TO_GOAL_SUM_HOLDOUT : JR_FIGURE_TIME_TO_GOAL_SUM_TREATED, journey, contact,
                  (double)(milliseconds > 0 ? milliseconds : 0));
    counters->time_to_goal[control][bucket]++;
}

/* ---- journeys ---------------------------------------------------------------------------- */

typedef enum ending { ENDING_COMPLETED, ENDING_EXITED, ENDING_FAILED } ending;

/* exit_clause: with ENDING_EXITED, which `exit on` clause of the journey ended it. The
 * coroutine's latest node stays in state->node, for goals reached after the end. */
static void end_journey(jr_vm *vm, uint32_t journey, journey_state *state, ending how, uint32_t exit_clause)
{
    journey_counters *counters = &vm->journey_counters[journey];
    if (state->status == JOURNEY_RUNNING || state->status == JOURNEY_HOLDOUT) {
        counters->active--;
        if (how == ENDING_FAILED) counters->errors++;
        else if (how == ENDING_COMPLETED) counters->completed++;
        else {
            counters->exited++;
            vm->exit_counters[JR_TABLE(vm->program, JOURNEYS)[journey].first_exit + exit_clause]++;
        }
    }
    if (state->status == JOURNEY_RUNNING && state->node) {
        uint32_t node = state->node - 1;
        node_counters *at = &vm->node_counters[node];
        at->here--;
        if (how == ENDING_FAILED) at->errors++;
        if (how == ENDING_EXITED) {
            at->exited++;
            vm->node_exits[vm->node_exit_base[node] + exit_clause]++;
        }
    }
    state->status = JOURNEY_DONE;
    state->wait = WAIT_NONE;
    state->generation++; /* any pending timer is stale now */
}

/* Runs a journey's coroutine from its saved position. */
static void run_journey(jr_vm *vm, uint32_t contact, uint32_t journey, int resume_bool)
{
    journey_state *state = jr_journey_state(vm, contact, journey);
    frame f = { contact, journey, state, JR_TABLE(vm->program, JOURNEYS)[journey].function, vm->stack, journey, NULL };
    state->wait = WAIT_NONE;
    vm->payload_count = 0;
    jr_value unused;
    outcome how = execute(vm, &f, state->pc, resume_bool, &unused);
    vm->payload_count = 0;
    if (how == ENDED) end_journey(vm, journey, state, ENDING_COMPLETED, JR_NONE);
    else if (how == FAILED) end_journey(vm, journey, state, ENDING_FAILED, JR_NONE);
}

/* Copies the fields a binding needs from the event being applied into frame slots;
 * strings are interned, since the event's own live only until it is applied. */
static void bind(jr_vm *vm, uint32_t journey, journey_state *state, uint32_t first_copy, uint32_t copy_count)
{
    const jr_program *p = vm->program;
    const jr_JOURNEYS_record *j = &JR_TABLE(p, JOURNEYS)[journey];
    for (uint32_t i = 0; i < copy_count; i++) {
        const jr_COPIES_record *copy = &JR_TABLE(p, COPIES)[first_copy + i];
        jr_value value = vm->event_fields[copy->field];
        if (JR_TABLE(p, SLOTS)[j->first_slot + copy->slot].type == 's')
            value = jr_strings_keep(&vm->strings, (uint32_t)value);
        state->slots[copy->slot] = value;
    }
}

static void enter_journey(jr_vm *vm, uint32_t contact, uint32_t journey, const jr_ENTRIES_record *entry)
{
    const jr_program *p = vm->program;
    const jr_JOURNEYS_record *j = &JR_TABLE(p, JOURNEYS)[journey];
    journey_state *state = jr_journey_state(vm, contact, journey);
    journey_counters *counters = &vm->journey_counters[journey];
    state->entries++;
    state->entered_at = vm->clock;
    state->goal_reached = 0;
    state->sequence = 0;
    state->node = 0;
    state->path = 0;
    state->pc = 0;
    state->wait = WAIT_NONE;
    state->generation++;
    counters->entered++;
    counters->active++;
    /* The entry binding, also for a control contact: its goal and exit conditions read it. */
    for (uint32_t i = 0; i < j->slot_count; i++)
        state->slots[i] = jr_missing((char)JR_TABLE(p, SLOTS)[j->first_slot + i].type);
    if (entry && entry->kind == JR_ENTRY_EVENT) {
        bind(vm, journey, state, entry->first_copy, entry->copy_count);
    }
    if (j->holdout && stable_bucket(contact_id(vm, contact), program_string(vm, j->name), NULL) < j->holdout) {
        /* A control contact is in the journey until its goal window closes; without a
         * goal it leaves at once, counted as entered and completed (6.4). */
        counters->holdout++;
        state->status = JOURNEY_HOLDOUT;
        if (j->goal_event == JR_NONE) {
            end_journey(vm, journey, state, ENDING_COMPLETED, JR_NONE);
            return;
        }
        state->wait = WAIT_TIMER;
        schedule(vm, contact, journey, state, vm->clock + p->integers[j->goal_within]);
        return;
    }
    state->status = JOURNEY_RUNNING;
    run_journey(vm, contact, journey, -1);
}

static bool may_enter(const jr_vm *vm, uint32_t journey, const journey_state *state)
{
    const jr_JOURNEYS_record *j = &JR_TABLE(vm->program, JOURNEYS)[journey];
    switch (state->status) {
    case JOURNEY_NEVER: return true;
    case JOURNEY_DONE:
        if (j->reentry == JR_REENTRY_ALWAYS) return true;
        if (j->reentry == JR_REENTRY_AFTER)
            return vm->clock - state->entered_at >= vm->program->integers[j->reentry_after];
        return false;
    default: return false; /* running, or in the holdout */
    }
}

/* ---- applying an event ------------------------------------------------------------------ */

static void segments_update(jr_vm *vm, uint32_t contact)
{
    const jr_program *p = vm->program;
    uint8_t *bits = jr_contact_record(vm, contact) + vm->segments_offset;
    uint32_t count = JR_COUNT(p, SEGMENTS);
    memcpy(vm->segment_before, bits, (count + 7) / 8);
    segments_compute(vm, contact, bits, vm->stack);
}

static bool segment_joined(const jr_vm *vm, uint32_t contact, uint32_t segment)
{
    const uint8_t *bits = jr_contact_record(vm, contact) + vm->segments_offset;
    bool now = (bits[segment / 8] >> (segment % 8)) & 1;
    bool before = (vm->segment_before[segment / 8] >> (segment % 8)) & 1;
    return now && !before;
}

/* Steps 2 to 7 of spec/language.md for one event whose fields are in vm->event_fields.
 * event_index is JR_NONE for an identify call. */
static void apply(jr_vm *vm, uint32_t contact, uint32_t event_index)
{
    const jr_program *p = vm->program;
    uint8_t *record = jr_contact_record(vm, contact);
    const uint8_t *segments = record + vm->segments_offset; /* as of before this event */
    if (event_index != JR_NONE) {
        /* scores */
        for (uint32_t s = 0; s < JR_COUNT(p, SCORES); s++) {
            const jr_SCORES_record *score = &JR_TABLE(p, SCORES)[s];
            for (uint32_t r = 0; r < score->rule_count; r++) {
                const jr_SCORE_RULES_record *rule = &JR_TABLE(p, SCORE_RULES)[score->first_rule + r];
                if (rule->event != event_index || !evaluate_condition(vm, rule->where_function, contact, JR_NONE, NULL, segments))
                    continue;
                score_state *state = (score_state *)(record + vm->scores_offset) + s;
                state->value = jr_vm_score_now(vm, contact, s) + p->numbers[rule->delta];
                state->updated = vm->clock;
            }
        }
        /* windowed aggregates */
        for (uint32_t i = 0; i < JR_COUNT(p, AGGREGATES); i++) {
            const jr_AGGREGATES_record *a = &JR_TABLE(p, AGGREGATES)[i];
            if (a->event != event_index || !evaluate_condition(vm, a->where_function, contact, JR_NONE, NULL, segments))
                continue;
            double amount = 1;
            if (a->field != JR_NONE) {
                amount = jr_as_number(vm->event_fields[a->field]);
                if (isnan(amount)) continue; /* the field is absent */
            }
            aggregate_add(vm, contact, i, amount);
        }
    }
    segments_update(vm, contact);

    uint32_t journeys = JR_COUNT(p, JOURNEYS);
    if (event_index != JR_NONE) {
        /* goals, then exits (spec/language.md 6.3 step 5) */
        for (uint32_t j = 0; j < journeys; j++) {
            const jr_JOURNEYS_record *journey = &JR_TABLE(p, JOURNEYS)[j];
            journey_state *state = jr_journey_state(vm, contact, j);
            /* The goal window of the latest entry is [entry time, entry time + D). */
            if (journey->goal_event == event_index && state->status != JOURNEY_NEVER && !state->goal_reached &&
                vm->clock - state->entered_at < p->integers[journey->goal_within] &&
                evaluate_condition(vm, journey->goal_where, contact, j, state, NULL)) {
                double value = 0;
                if (journey->goal_value != JR_NONE) {
                    jr_value result;
                    if (evaluate(vm, journey->goal_value, contact, j, state, vm->stack, &result, NULL))
                        value = jr_as_number(result);
                }
                state->goal_reached = 1;
                journey_counters *counters = &vm->journey_counters[j];
                bool control = state->status == JOURNEY_HOLDOUT ||
                               (state->status == JOURNEY_DONE && journey->holdout &&
                                stable_bucket(contact_id(vm, contact), program_string(vm, journey->name), NULL) <
                                    journey->holdout);
                if (control) {
                    counters->goals_holdout++;
                    add_to_figure(vm, &counters->goal_value_holdout, JR_FIGURE_GOAL_VALUE_HOLDOUT, j, contact, value);
                } else {
                    counters->goals_treated++;
                    add_to_figure(vm, &counters->goal_value_treated, JR_FIGURE_GOAL_VALUE_TREATED, j, contact, value);
                    credit_goal(vm, contact, state, value);
                }
                time_to_goal_add(vm, j, contact, control, vm->clock - state->entered_at);
                /* A control contact is in the journey until its goal window closes (6.4). */
                if (state->status == JOURNEY_HOLDOUT) end_journey(vm, j, state, ENDING_COMPLETED, JR_NONE);
            }
            if (state->status == JOURNEY_RUNNING || state->status == JOURNEY_HOLDOUT) {
                for (uint32_t e = 0; e < journey->exit_count; e++) {
                    const jr_EXITS_record *exit_record = &JR_TABLE(p, EXITS)[journey->first_exit + e];
                    if (exit_record->event == event_index &&
                        evaluate_condition(vm, exit_record->where_function, contact, j, state, NULL)) {
                        end_journey(vm, j, state, ENDING_EXITED, e);
                        break;
                    }
                }
            }
        }
        /* coroutines waiting for this event */
        for (uint32_t j = 0; j < journeys; j++) {
            journey_state *state = jr_journey_state(vm, contact, j);
            if (state->status != JOURNEY_RUNNING) continue;
            if (state->wait == WAIT_EVENT) {
                const jr_WAITS_record *w = &JR_TABLE(p, WAITS)[state->wait_index];
                if (w->event != event_index || !evaluate_condition(vm, w->where_function, contact, j, state, NULL)) continue;
                bind(vm, j, state, w->first_copy, w->copy_count);
                state->generation++; /* the timeout, if any, is void */
                run_journey(vm, contact, j, 1);
            } else if (state->wait == WAIT_SELECT) {
                const jr_SELECTS_record *select = &JR_TABLE(p, SELECTS)[state->wait_index];
                for (uint32_t a = 0; a < select->arm_count; a++) {
                    const jr_SELECT_ARMS_record *arm = &JR_TABLE(p, SELECT_ARMS)[select->first_arm + a];
                    if (arm->event != event_index || !evaluate_condition(vm, arm->where_function, contact, j, state, NULL))
                        continue;
                    bind(vm, j, state, arm->first_copy, arm->copy_count);
                    state->generation++;
                    state->pc = arm->target;
                    run_journey(vm, contact, j, -1);
                    break;
                }
            }
        }
    }
    /* entries */
    for (uint32_t j = 0; j < journeys; j++) {
        const jr_JOURNEYS_record *journey = &JR_TABLE(p, JOURNEYS)[j];
        journey_state *state = jr_journey_state(vm, contact, j);
        if (!may_enter(vm, j, state)) continue;
        for (uint32_t e = 0; e < journey->entry_count; e++) {
            const jr_ENTRIES_record *entry = &JR_TABLE(p, ENTRIES)[journey->first_entry + e];
            bool fires = entry->kind == JR_ENTRY_SEGMENT
                             ? segment_joined(vm, contact, entry->target)
                             : entry->target == event_index && entry_where(vm, entry->where_function, contact, j);
            if (!fires) continue;
            enter_journey(vm, contact, j, entry);
            break;
        }
    }
}

/* Applies queued track events, each like any event (they may queue more, up to the limit). */
static void apply_tracks(jr_vm *vm)
{
    const jr_program *p = vm->program;
    for (uint32_t i = 0; i < vm->pending_count; i++) {
        pending_track *pending = &((pending_track *)vm->pending_tracks)[i];
        const jr_EVENTS_record *e = &JR_TABLE(p, EVENTS)[pending->event];
        jr_value *fields = pending_fields(vm, i);
        for (uint32_t f = 0; f < e->field_count; f++) vm->event_fields[f] = fields[f];
        apply(vm, pending->contact, pending->event);
    }
    vm->pending_count = 0;
}

/* Fires one timer. */
static void fire(jr_vm *vm, const jr_timer timer)
{
    journey_state *state = jr_journey_state(vm, timer.contact, timer.journey);
    if (state->generation != timer.generation) return; /* stale */
    vm->stats.timers_fired++;
    if (state->status == JOURNEY_HOLDOUT) { /* the control contact's goal window closed */
        end_journey(vm, timer.journey, state, ENDING_COMPLETED, JR_NONE);
        return;
    }
    if (state->status != JOURNEY_RUNNING) return;
    switch (state->wait) {
    case WAIT_TIMER: run_journey(vm, timer.contact, timer.journey, -1); break;
    case WAIT_EVENT: run_journey(vm, timer.contact, timer.journey, 0); break;
    case WAIT_SELECT:
        state->pc = JR_TABLE(vm->program, SELECTS)[state->wait_index].after_target;
        run_journey(vm, timer.contact, timer.journey, -1);
        break;
    default: break;
    }
    apply_tracks(vm);
    jr_strings_reset_scratch(&vm->strings);
}

/* Instants the VM accepts: within ±2^53 ms (about ±285 000 years), so that adding any
 * duration the language allows cannot overflow. */
#define JR_MAX_INSTANT ((int64_t)1 << 53)

jr_status jr_vm_advance(jr_vm *vm, int64_t until, jr_error *error)
{
    if (!vm) return jr_fail(error, JR_ERROR_ARGUMENT, "no VM");
    if (until > JR_MAX_INSTANT || until < -JR_MAX_INSTANT)
        return jr_fail(error, JR_ERROR_ARGUMENT, "time %lld is out of range (more than 2^53 ms from 1970)", (long long)until);
    for (;;) {
        const jr_timer *next = jr_timers_peek(&vm->timers);
        if (!next || next->due > until) break;
        /* Refused before it starts, a timer stays queued and nothing of it happens. */
        if (!jr_limit_allows_timer(vm))
            return jr_fail(error, JR_ERROR_LIMIT, "memory limit of %zu bytes reached (%zu held)", vm->memory.limit,
                           vm->memory.held);
        jr_timer timer = *next;
        jr_timers_pop(&vm->timers);
        if (timer.due > vm->clock) vm->clock = timer.due;
        fire(vm, timer);
        if (vm->out_of_memory || vm->strings.out_of_memory) return jr_fail(error, JR_ERROR_MEMORY, "out of memory");
    }
    if (until > vm->clock) vm->clock = until;
    vm->clock_started = true;
    return JR_OK;
}

/* 64-bit FNV-1a; 0 marks an empty slot of the table, so it becomes 1. */
uint64_t jr_message_id_hash(const char *id, size_t length)
{
    uint64_t hash = 14695981039346656037ull;
    for (size_t i = 0; i < length; i++) hash = (hash ^ (unsigned char)id[i]) * 1099511628211ull;
    return hash ? hash : 1;
}

/* Remembers a messageId; false when it was seen before. */
static bool first_sight(jr_vm *vm, const char *id, uint32_t length)
{
    if ((vm->seen_count + 1) * 2 > vm->seen_capacity) {
        uint32_t capacity = vm->seen_capacity ? vm->seen_capacity * 2 : 4096;
        uint64_t *seen = vm_alloc(vm, NULL, sizeof *seen * capacity);
        if (!seen) return true;
        memset(seen, 0, sizeof *seen * capacity);
        for (uint32_t i = 0; i < vm->seen_capacity; i++) {
            uint64_t h = vm->seen[i];
            if (!h) continue;
            uint32_t slot = (uint32_t)h & (capacity - 1);
            while (seen[slot]) slot = (slot + 1) & (capacity - 1);
            seen[slot] = h;
        }
        vm_alloc(vm, vm->seen, 0);
        vm->seen = seen;
        vm->seen_capacity = capacity;
    }
    uint64_t h = jr_message_id_hash(id, length);
    uint32_t mask = vm->seen_capacity - 1;
    uint32_t slot = (uint32_t)h & mask;
    for (; vm->seen[slot]; slot = (slot + 1) & mask)
        if (vm->seen[slot] == h) return false;
    vm->seen[slot] = h;
    vm->seen_count++;
    return true;
}

jr_status jr_vm_post(jr_vm *vm, const jr_event *event, jr_error *error)
{
    if (!vm || !event || (!event->contact_id && event->contact_id_length))
        return jr_fail(error, JR_ERROR_ARGUMENT, "no VM or no event");
    if (event->timestamp > JR_MAX_INSTANT || event->timestamp < -JR_MAX_INSTANT) {
        jr_fail(error, JR_ERROR_ARGUMENT, "event time %lld is out of range (more than 2^53 ms from 1970)",
                (long long)event->timestamp);
        if (error) error->line = event->line;
        return JR_ERROR_ARGUMENT;
    }
    const jr_program *p = vm->program;
    if (event->event_index >= 0 && (uint32_t)event->event_index >= JR_COUNT(p, EVENTS)) {
        jr_fail(error, JR_ERROR_EVENT, "event index %d is not an event of the program", event->event_index);
        if (error) error->line = event->line;
        return JR_ERROR_EVENT;
    }
    jr_status status = jr_vm_advance(vm, event->timestamp > vm->clock || !vm->clock_started ? event->timestamp : vm->clock,
                                     error);
    if (status != JR_OK) return status;
    /* Refused before it starts, an event leaves no trace (not even its messageId). */
    if (!jr_limit_allows_event(vm, event))
        return jr_fail(error, JR_ERROR_LIMIT, "memory limit of %zu bytes reached (%zu held)", vm->memory.limit,
                       vm->memory.held);
    if (event->timestamp < vm->clock) vm->stats.out_of_order++;
    vm->stats.type_mismatches += event->type_mismatches;
    if (event->message_id_length && !first_sight(vm, event->message_id, event->message_id_length)) {
        vm->stats.duplicates++;
        return JR_OK;
    }
    if (vm->out_of_memory) return jr_fail(error, JR_ERROR_MEMORY, "out of memory"); /* remembering the messageId */
    if (event->kind != JR_EVENT_IDENTIFY && event->event_index < 0) {
        vm->stats.undeclared++;
        return JR_OK;
    }
    uint32_t contact = find_contact(vm, event->contact_id, event->contact_id_length);
    if (contact == JR_NONE) return jr_fail(error, JR_ERROR_MEMORY, "out of memory");
    vm->stats.events++;
    contact_header *header = (contact_header *)jr_contact_record(vm, contact);
    if (event->timestamp > header->last_event) header->last_event = event->timestamp;

    /* identify: traits update declared attributes */
    jr_value *attributes = (jr_value *)(jr_contact_record(vm, contact) + vm->attributes_offset);
    for (uint32_t i = 0; i < event->trait_count; i++) {
        const jr_field_value *trait = &event->traits[i];
        if (trait->index >= JR_COUNT(p, ATTRIBUTES)) continue;
        if (trait->type == JR_TYPE_NULL) { /* a null trait unsets the attribute */
            attributes[trait->index] = attribute_default(vm, trait->index);
            continue;
        }
        if ((char)JR_TABLE(p, ATTRIBUTES)[trait->index].type != trait->type) continue;
        switch (trait->type) {
        case 'n': attributes[trait->index] = jr_from_number(trait->as.number); break;
        case 'b': attributes[trait->index] = trait->as.boolean; break;
        case 't': case 'd': attributes[trait->index] = (jr_value)trait->as.time; break;
        default:
            attributes[trait->index] = jr_strings_intern(&vm->strings, trait->as.string.bytes, trait->as.string.length);
        }
    }
    uint32_t event_index = JR_NONE;
    if (event->event_index >= 0 && event->kind != JR_EVENT_IDENTIFY) {
        event_index = (uint32_t)event->event_index;
        const jr_EVENTS_record *e = &JR_TABLE(p, EVENTS)[event_index];
        for (uint32_t f = 0; f < e->field_count; f++)
            vm->event_fields[f] = jr_missing((char)JR_TABLE(p, FIELDS)[e->first_field + f].type);
        for (uint32_t i = 0; i < event->property_count; i++) {
            const jr_field_value *property = &event->properties[i];
            if (property->index >= e->field_count ||
                (char)JR_TABLE(p, FIELDS)[e->first_field + property->index].type != property->type)
                continue;
            jr_value value;
            switch (property->type) {
            case 'n': value = jr_from_number(property->as.number); break;
            case 'b': value = property->as.boolean; break;
            case 't': case 'd': value = (jr_value)property->as.time; break;
            default: value = jr_strings_scratch(&vm->strings, property->as.string.bytes, property->as.string.length);
            }
            vm->event_fields[property->index] = value;
        }
    }
    apply(vm, contact, event_index);
    apply_tracks(vm);
    jr_strings_reset_scratch(&vm->strings);
    if (vm->out_of_memory || vm->strings.out_of_memory) return jr_fail(error, JR_ERROR_MEMORY, "out of memory");
    return JR_OK;
}

int64_t jr_vm_clock(const jr_vm *vm) { return vm ? vm->clock : 0; }

void jr_vm_on_figure(jr_vm *vm, jr_figure_fn fn, void *user)
{
    if (!vm) return;
    vm->on_figure = fn;
    vm->figure_user = user;
}

bool jr_vm_next_timer(const jr_vm *vm, int64_t *due)
{
    const jr_timer *next = vm ? jr_timers_peek(&vm->timers) : NULL;
    if (!next || !due) return false;
    *due = next->due;
    return true;
}

void jr_vm_time_to_goal_histogram(const jr_vm *vm, uint32_t journey, bool holdout,
                                  uint64_t buckets[JR_TIME_TO_GOAL_BUCKETS])
{
    _Static_assert(JR_TIME_TO_GOAL_BUCKETS == JR_GOAL_TIME_BUCKETS, "the public histogram is the VM's");
    if (!buckets) return;
    memset(buckets, 0, sizeof *buckets * JR_TIME_TO_GOAL_BUCKETS);
    if (!vm || journey >= JR_COUNT(vm->program, JOURNEYS)) return;
    const uint32_t *counts = vm->journey_counters[journey].time_to_goal[holdout ? 1 : 0];
    for (int b = 0; b < JR_GOAL_TIME_BUCKETS; b++) buckets[b] = counts[b];
}

/* The geometric middle of the bucket holding the middle goal (spec/report.md); also
 * what jr_journey_stats' medians are (inspect.c). */
double jr_time_to_goal_median(const uint64_t buckets[JR_TIME_TO_GOAL_BUCKETS])
{
    uint64_t count = 0, seen = 0;
    for (int b = 0; b < JR_TIME_TO_GOAL_BUCKETS; b++) count += buckets[b];
    if (count == 0) return NAN;
    uint64_t middle = (count + 1) / 2;
    for (int b = 0; b < JR_TIME_TO_GOAL_BUCKETS; b++) {
        seen += buckets[b];
        if (seen >= middle) return (exp2((b + 0.5) / 4.0) - 1.0) * 1000.0;
    }
    return NAN;
}

/* ---- creation ------------------------------------------------------------------------------ */

static size_t align8(size_t size) { return (size + 7) & ~(size_t)7; }

/* vm->segment_order: each segment after the segments its condition names (LOAD_SEGMENT),
 * ties in declaration order (spec/language.md 6.9). The compiler rejects cycles; were
 * there one, its segments would follow in declaration order. */
static bool order_segments(jr_vm *vm)
{
    const jr_program *p = vm->program;
    uint32_t count = JR_COUNT(p, SEGMENTS);
    uint8_t *placed = vm_alloc(vm, NULL, count + 1);
    if (!placed) return false;
    memset(placed, 0, count + 1);
    for (uint32_t k = 0; k < count; k++) {
        uint32_t pick = JR_NONE;
        for (uint32_t i = 0; i < count && pick == JR_NONE; i++) {
            if (placed[i]) continue;
            const jr_FUNCTIONS_record *f = &JR_TABLE(p, FUNCTIONS)[JR_TABLE(p, SEGMENTS)[i].function];
            bool ready = true;
            for (uint32_t w = 0; w < f->word_count && ready; w++) {
                uint32_t word = p->code[f->first_word + w];
                if (jr_decode_op(word) == JR_OP_LOAD_SEGMENT && jr_decode_u(word) < count && jr_decode_u(word) != i &&
                    !placed[jr_decode_u(word)])
                    ready = false;
            }
            if (ready) pick = i;
        }
        for (uint32_t i = 0; i < count && pick == JR_NONE; i++)
            if (!placed[i]) pick = i;
        placed[pick] = 1;
        vm->segment_order[k] = pick;
    }
    vm_alloc(vm, placed, 0);
    return true;
}

jr_status jr_vm_new(const jr_program *program, const jr_config *config, jr_vm **out, jr_error *error)
{
    if (!program || !out) return jr_fail(error, JR_ERROR_ARGUMENT, "no program");
    *out = NULL;
    jr_config settings = config ? *config : (jr_config){ 0 };
    jr_allocator host = settings.allocator.realloc ? settings.allocator : (jr_allocator){ jr_default_realloc, NULL };
    jr_vm *vm = host.realloc(host.user, NULL, sizeof *vm);
    if (!vm) return jr_fail(error, JR_ERROR_MEMORY, "out of memory");
    memset(vm, 0, sizeof *vm);
    vm->program = program;
    vm->config = settings;
    /* Everything but the record itself comes through the counting allocator (memory.h). */
    jr_memory_init(&vm->memory, host, settings.memory_limit, sizeof *vm);
    jr_allocator allocator = jr_memory_allocator(&vm->memory);
    vm->allocator = allocator;
    jr_strings_init(&vm->strings, allocator);
    jr_timers_init(&vm->timers, allocator);
    vm->timezone_attribute = JR_NONE;

    /* The layout of a contact record. */
    uint32_t aggregates = JR_COUNT(program, AGGREGATES), limits = JR_COUNT(program, LIMITS);
    uint32_t journeys = JR_COUNT(program, JOURNEYS), messages = JR_COUNT(program, MESSAGES);
    size_t size = sizeof(contact_header);
    vm->attributes_offset = size;
    size += sizeof(jr_value) * JR_COUNT(program, ATTRIBUTES);
    vm->scores_offset = size;
    size += sizeof(score_state) * JR_COUNT(program, SCORES);
    vm->aggregate_offsets = vm_alloc(vm, NULL, sizeof(size_t) * (aggregates + limits + journeys + 1));
    if (!vm->aggregate_offsets) goto out_of_memory;
    vm->limit_offsets = vm->aggregate_offsets + aggregates;
    vm->journey_offsets = vm->limit_offsets + limits;
    for (uint32_t i = 0; i < aggregates; i++) {
        vm->aggregate_offsets[i] = size;
        size += align8(aggregate_size(&JR_TABLE(program, AGGREGATES)[i]));
    }
    for (uint32_t i = 0; i < limits; i++) {
        vm->limit_offsets[i] = size;
        size += sizeof(int64_t) * JR_TABLE(program, LIMITS)[i].count;
    }
    vm->segments_offset = size;
    size += align8((JR_COUNT(program, SEGMENTS) + 7) / 8);
    for (uint32_t j = 0; j < journeys; j++) {
        vm->journey_offsets[j] = size;
        size += sizeof(journey_state) + sizeof(jr_value) * JR_TABLE(program, JOURNEYS)[j].slot_count;
    }
    vm->record_size = align8(size);

    uint32_t max_fields = 1;
    for (uint32_t i = 0; i < JR_COUNT(program, EVENTS); i++)
        if (JR_TABLE(program, EVENTS)[i].field_count > max_fields) max_fields = JR_TABLE(program, EVENTS)[i].field_count;
    /* Three parts: journeys and conditions, message payloads, segments evaluated now. */
    vm->stack = vm_alloc(vm, NULL, sizeof(jr_value) * (3 * (size_t)program->max_stack + 2));
    vm->event_fields = vm_alloc(vm, NULL, sizeof(jr_value) * max_fields);
    vm->segment_before = vm_alloc(vm, NULL, (JR_COUNT(program, SEGMENTS) + 7) / 8 + 1);
    vm->segment_live = vm_alloc(vm, NULL, (JR_COUNT(program, SEGMENTS) + 7) / 8 + 1);
    vm->segment_order = vm_alloc(vm, NULL, sizeof(uint32_t) * (JR_COUNT(program, SEGMENTS) + 1));
    vm->max_event_fields = max_fields;
    vm->pending_tracks = vm_alloc(vm, NULL, (sizeof(pending_track) + sizeof(jr_value) * max_fields) * JR_MAX_TRACK_CHAIN);
    vm->journey_counters = vm_alloc(vm, NULL, sizeof *vm->journey_counters * (journeys + 1));
    vm->message_counters = vm_alloc(vm, NULL, sizeof *vm->message_counters * (messages + 1));
    if (!vm->stack || !vm->event_fields || !vm->segment_before || !vm->segment_live || !vm->segment_order ||
        !vm->pending_tracks || !vm->journey_counters || !vm->message_counters)
        goto out_of_memory;
    if (!order_segments(vm)) goto out_of_memory;
    /* Report counters per node, and per node and exit clause of its journey. */
    uint32_t nodes = JR_COUNT(program, NODES);
    vm->node_counters = vm_alloc(vm, NULL, sizeof *vm->node_counters * (nodes + 1));
    vm->node_exit_base = vm_alloc(vm, NULL, sizeof *vm->node_exit_base * (nodes + 1));
    vm->node_marks = vm_alloc(vm, NULL, sizeof *vm->node_marks * (nodes + 1));
    if (!vm->node_counters || !vm->node_exit_base || !vm->node_marks) goto out_of_memory;
    uint32_t exit_slots = 0;
    for (uint32_t i = 0; i < nodes; i++) {
        vm->node_exit_base[i] = exit_slots;
        exit_slots += JR_TABLE(program, JOURNEYS)[JR_TABLE(program, NODES)[i].journey].exit_count;
    }
    vm->node_exits = vm_alloc(vm, NULL, sizeof *vm->node_exits * ((size_t)exit_slots + 1));
    vm->exit_counters = vm_alloc(vm, NULL, sizeof *vm->exit_counters * (JR_COUNT(program, EXITS) + 1));
    if (!vm->node_exits || !vm->exit_counters) goto out_of_memory;
    memset(vm->exit_counters, 0, sizeof *vm->exit_counters * (JR_COUNT(program, EXITS) + 1));
    memset(vm->node_counters, 0, sizeof *vm->node_counters * (nodes + 1));
    memset(vm->node_marks, 0, sizeof *vm->node_marks * (nodes + 1));
    memset(vm->node_exits, 0, sizeof *vm->node_exits * ((size_t)exit_slots + 1));
    memset(vm->journey_counters, 0, sizeof *vm->journey_counters * (journeys + 1));
    memset(vm->message_counters, 0, sizeof *vm->message_counters * (messages + 1));
    for (uint32_t i = 0; i < JR_COUNT(program, ATTRIBUTES); i++)
        if (strcmp(program_string(vm, JR_TABLE(program, ATTRIBUTES)[i].name), "timezone") == 0 &&
            JR_TABLE(program, ATTRIBUTES)[i].type == 's')
            vm->timezone_attribute = i;
    vm->zones = jr_zones_new(settings.zoneinfo_dir);
    if (!vm->zones) goto out_of_memory;
    if (!jr_memory_allows(&vm->memory, 0)) {
        size_t held = vm->memory.held;
        jr_vm_free(vm);
        return jr_fail(error, JR_ERROR_LIMIT, "memory limit of %zu bytes is less than the %zu bytes an empty VM holds",
                       settings.memory_limit, held);
    }
    *out = vm;
    return JR_OK;

out_of_memory:
    jr_vm_free(vm);
    return jr_fail(error, JR_ERROR_MEMORY, "out of memory");
}

void jr_vm_free(jr_vm *vm)
{
    if (!vm) return;
    jr_reader_close(vm->post_reader);
    jr_strings_free(&vm->strings);
    jr_timers_free(&vm->timers);
    jr_zones_free(vm->zones);
    void *blocks[] = { vm->records, vm->contact_buckets, vm->aggregate_offsets, vm->seen, vm->stack, vm->event_fields,
                       vm->segment_before, vm->segment_live, vm->segment_order, vm->payload, vm->text, vm->pending_tracks, vm->journey_counters,
                       vm->message_counters, vm->errors, vm->node_counters, vm->node_exit_base, vm->node_exits,
                       vm->node_marks, vm->paths, vm->exit_counters };
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++) vm_alloc(vm, blocks[i], 0);
    jr_allocator host = vm->memory.host; /* the record itself came from the host's allocator */
    host.realloc(host.user, vm, 0);
}
