/*
 * builtins.h: the built-in functions of the journey language, shared by the compiler
 * (name resolution and type checking) and the runtime (the CALL_BUILTIN opcode).
 *
 * JR_BUILTIN(ID, name, result, parameters, description)
 *   result, parameters  types as letters: n number, s string, b bool, t time,
 *                       d duration. parameters is one letter per argument.
 * A name may have several entries with different numbers of parameters (hour(t) and
 * hour(t, zone)); a call means the entry with as many parameters as it has arguments.
 * Time functions that look at the calendar (hour, weekday, date, ...) use the
 * contact's time zone: the `timezone` attribute when declared and valid, else UTC;
 * their forms with a last string parameter use the zone it names instead.
 * The order of this list is part of the bytecode format: append, never reorder.
 */
/* time */
JR_BUILTIN(HOUR,          "hour",          "n", "t",   "hour of the day, 0 to 23, in the contact's time zone")
JR_BUILTIN(MINUTE,        "minute",        "n", "t",   "minute of the hour, 0 to 59")
JR_BUILTIN(WEEKDAY,       "weekday",       "n", "t",   "day of the week, 1 (Monday) to 7 (Sunday), in the contact's time zone")
JR_BUILTIN(DAY,           "day",           "n", "t",   "day of the month, 1 to 31, in the contact's time zone")
JR_BUILTIN(MONTH,         "month",         "n", "t",   "month, 1 to 12, in the contact's time zone")
JR_BUILTIN(YEAR,          "year",          "n", "t",   "calendar year in the contact's time zone")
JR_BUILTIN(DATE,          "date",          "s", "t",   "the date as YYYY-MM-DD in the contact's time zone")
JR_BUILTIN(START_OF_DAY,  "start_of_day",  "t", "t",   "midnight starting that day in the contact's time zone")
JR_BUILTIN(DAYS_BETWEEN,  "days_between",  "n", "tt",  "whole days from the first time to the second (negative if earlier)")
JR_BUILTIN(DAYS,          "days",          "d", "n",   "a duration of that many days (fractions allowed)")
JR_BUILTIN(HOURS,         "hours",         "d", "n",   "a duration of that many hours")
JR_BUILTIN(MINUTES,       "minutes",       "d", "n",   "a duration of that many minutes")
JR_BUILTIN(IN_DAYS,       "in_days",       "n", "d",   "a duration as a number of days")
JR_BUILTIN(IN_HOURS,      "in_hours",      "n", "d",   "a duration as a number of hours")
JR_BUILTIN(PARSE_TIME,    "parse_time",    "t", "s",   "an ISO-8601 timestamp read from a string")
/* strings */
JR_BUILTIN(LOWER,         "lower",         "s", "s",   "the string in lower case (ASCII letters)")
JR_BUILTIN(UPPER,         "upper",         "s", "s",   "the string in upper case (ASCII letters)")
JR_BUILTIN(TRIM,          "trim",          "s", "s",   "the string without leading and trailing white space")
JR_BUILTIN(LENGTH,        "length",        "n", "s",   "the number of characters (code points)")
JR_BUILTIN(CONTAINS,      "contains",      "b", "ss",  "whether the second string occurs in the first")
JR_BUILTIN(STARTS_WITH,   "starts_with",   "b", "ss",  "whether the first string starts with the second")
JR_BUILTIN(ENDS_WITH,     "ends_with",     "b", "ss",  "whether the first string ends with the second")
JR_BUILTIN(REPLACE,       "replace",       "s", "sss", "the first string with every occurrence of the second replaced by the third")
JR_BUILTIN(FORMAT_NUMBER, "format_number", "s", "nn",  "the number with that many digits after the decimal point")
JR_BUILTIN(TO_NUMBER,     "to_number",     "n", "s",   "the number a string holds; a run-time error if it holds none")
/* math */
JR_BUILTIN(ABS,           "abs",           "n", "n",   "absolute value")
JR_BUILTIN(ROUND,         "round",         "n", "n",   "nearest integer, halves away from zero")
JR_BUILTIN(FLOOR,         "floor",         "n", "n",   "largest integer not above")
JR_BUILTIN(CEIL,          "ceil",          "n", "n",   "smallest integer not below")
JR_BUILTIN(MIN,           "min",           "n", "nn",  "the smaller of two numbers")
JR_BUILTIN(MAX,           "max",           "n", "nn",  "the larger of two numbers")
JR_BUILTIN(CLAMP,         "clamp",         "n", "nnn", "the first number limited to the range of the second and third")
JR_BUILTIN(MOD,           "mod",           "n", "nn",  "remainder of the division, with the sign of the divisor")
JR_BUILTIN(POW,           "pow",           "n", "nn",  "the first number raised to the second")
JR_BUILTIN(SQRT,          "sqrt",          "n", "n",   "square root; a run-time error below zero")
/* time in a named zone: the same functions with the zone as a last argument */
JR_BUILTIN(HOUR_IN,         "hour",         "n", "ts",  "hour of the day, 0 to 23, in the named time zone")
JR_BUILTIN(MINUTE_IN,       "minute",       "n", "ts",  "minute of the hour, 0 to 59, in the named time zone")
JR_BUILTIN(WEEKDAY_IN,      "weekday",      "n", "ts",  "day of the week, 1 (Monday) to 7 (Sunday), in the named time zone")
JR_BUILTIN(DAY_IN,          "day",          "n", "ts",  "day of the month, 1 to 31, in the named time zone")
JR_BUILTIN(MONTH_IN,        "month",        "n", "ts",  "month, 1 to 12, in the named time zone")
JR_BUILTIN(YEAR_IN,         "year",         "n", "ts",  "calendar year in the named time zone")
JR_BUILTIN(DATE_IN,         "date",         "s", "ts",  "the date as YYYY-MM-DD in the named time zone")
JR_BUILTIN(START_OF_DAY_IN, "start_of_day", "t", "ts",  "midnight starting that day in the named time zone")
JR_BUILTIN(DAYS_BETWEEN_IN, "days_between", "n", "tts", "whole days from the first time to the second, by their dates in the named time zone")
/* calendar arithmetic */
JR_BUILTIN(ADD_DAYS,        "add_days",     "t", "tn",  "the same local time of day a whole number of calendar days later, in the contact's time zone")
JR_BUILTIN(ADD_DAYS_IN,     "add_days",     "t", "tns", "the same local time of day a whole number of calendar days later, in the named time zone")
JR_BUILTIN(ADD_MONTHS,      "add_months",   "t", "tn",  "the same day and local time a whole number of months later, in the contact's time zone")
JR_BUILTIN(ADD_MONTHS_IN,   "add_months",   "t", "tns", "the same day and local time a whole number of months later, in the named time zone")
JR_BUILTIN(IS_TIME_ZONE,    "is_time_zone", "b", "s",   "whether the string names a time zone of the zoneinfo database")
/* strings, positions counted in characters (code points) from 0 */
JR_BUILTIN(SUBSTRING,       "substring",    "s", "sn",  "the characters from a position to the end")
JR_BUILTIN(SUBSTRING_COUNT, "substring",    "s", "snn", "at most that many characters from a position")
JR_BUILTIN(INDEX_OF,        "index_of",     "n", "ss",  "the position of the first occurrence of the second string in the first, -1 if none")
/* math */
JR_BUILTIN(ROUND_PLACES,    "round",        "n", "nn",  "rounded to that many decimal places (negative: tens, hundreds, ...), halves away from zero")
JR_BUILTIN(LOG,             "log",          "n", "n",   "natural logarithm; a run-time error at or below zero")
JR_BUILTIN(EXP,             "exp",          "n", "n",   "e raised to the number")
