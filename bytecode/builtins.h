/*
 * builtins.h: the built-in functions of the journey language, shared by the compiler
 * (name resolution and type checking) and the runtime (the CALL_BUILTIN opcode).
 *
 * JR_BUILTIN(ID, name, result, parameters, description)
 *   result, parameters  types as letters: n number, s string, b bool, t time,
 *                       d duration. parameters is one letter per argument.
 * Time functions that look at the calendar (hour, weekday, date, ...) use the
 * contact's time zone: the `timezone` attribute when declared and valid, else UTC.
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
