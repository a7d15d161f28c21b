/*
 * opcodes.h: the instruction set of the journey VM, shared by the compiler's code
 * generator, the disassembler and the runtime's verifier and interpreter.
 *
 * JR_OPCODE(NAME, operands, pops, pushes, description)
 *
 * An instruction is one 32-bit little-endian word: the opcode in the low 8 bits and
 * its operands in the high 24:
 *   ""    no operand (the high 24 bits are zero)
 *   "U"   one unsigned 24-bit operand
 *   "AB"  an 8-bit A (bits 8-15) and a 16-bit B (bits 16-31)
 *
 * pops and pushes are the stack effect as type letters (n number, s string, b bool,
 * t time, d duration), topmost last. 'A' stands for the type letter held in operand A.
 * '*' marks an effect that depends on a program table (the type of an attribute, of a
 * field, of a frame slot, the signature of a built-in); the verifier works it out.
 * Jump targets are instruction indexes within the function. Comparisons take the
 * relation in their operand: 0 ==, 1 !=, 2 <, 3 <=, 4 >, 5 >=.
 *
 * The order of this list is the numbering of the opcodes, which is part of the file
 * format: append new opcodes, never reorder (and bump the format version otherwise).
 */
/* constants */
JR_OPCODE(PUSH_NUMBER,        "U",  "",   "n", "push number constant U")
JR_OPCODE(PUSH_STRING,        "U",  "",   "s", "push string constant U")
JR_OPCODE(PUSH_DURATION,      "U",  "",   "d", "push integer constant U as a duration (milliseconds)")
JR_OPCODE(PUSH_TRUE,          "",   "",   "b", "push true")
JR_OPCODE(PUSH_FALSE,         "",   "",   "b", "push false")
JR_OPCODE(PUSH_NOW,           "",   "",   "t", "push the time of the event or timer being processed")
JR_OPCODE(PUSH_CONTACT_ID,    "",   "",   "s", "push the contact's id")
/* loads and stores; an A of 1 lets a load push a missing value (for ??), else missing is a run-time error */
JR_OPCODE(LOAD_ATTRIBUTE,     "AB", "",   "*", "push attribute B")
JR_OPCODE(LOAD_SCORE,         "U",  "",   "n", "push score U, decayed to now")
JR_OPCODE(LOAD_SEGMENT,       "U",  "",   "b", "push whether the contact is in segment U")
JR_OPCODE(LOAD_AGGREGATE,     "AB", "",   "n", "push aggregate B over its window (min, max, avg of nothing are missing)")
JR_OPCODE(LOAD_FIELD,         "AB", "",   "*", "push field B of the event being matched (absent is missing)")
JR_OPCODE(LOAD_LOCAL,         "AB", "",   "*", "push frame slot B")
JR_OPCODE(STORE_LOCAL,        "U",  "*",  "",  "pop into frame slot U")
JR_OPCODE(SET_ATTRIBUTE,      "U",  "*",  "",  "pop into attribute U and record a set action")
JR_OPCODE(JUMP_IF_PRESENT,    "AB", "A",  "A", "if the value on top (type A) is present, jump to B keeping it; else pop it")
/* arithmetic; errors (division by zero, results that are not numbers) end the coroutine */
JR_OPCODE(ADD_NUMBERS,        "",   "nn", "n", "add")
JR_OPCODE(SUBTRACT_NUMBERS,   "",   "nn", "n", "subtract the top from the one below")
JR_OPCODE(MULTIPLY_NUMBERS,   "",   "nn", "n", "multiply")
JR_OPCODE(DIVIDE_NUMBERS,     "",   "nn", "n", "divide the one below by the top")
JR_OPCODE(NEGATE_NUMBER,      "",   "n",  "n", "negate")
JR_OPCODE(CONCATENATE,        "",   "ss", "s", "join two strings")
JR_OPCODE(ADD_DURATION,       "",   "td", "t", "a time plus a duration")
JR_OPCODE(SUBTRACT_DURATION,  "",   "td", "t", "a time minus a duration")
JR_OPCODE(SUBTRACT_TIMES,     "",   "tt", "d", "the duration from the top time to the one below")
JR_OPCODE(ADD_DURATIONS,      "",   "dd", "d", "add durations")
JR_OPCODE(SUBTRACT_DURATIONS, "",   "dd", "d", "subtract durations")
JR_OPCODE(SCALE_DURATION,     "",   "dn", "d", "a duration times a number")
JR_OPCODE(DIVIDE_DURATION,    "",   "dn", "d", "a duration divided by a number")
JR_OPCODE(DURATION_RATIO,     "",   "dd", "n", "a duration divided by a duration")
JR_OPCODE(NEGATE_DURATION,    "",   "d",  "d", "negate a duration")
/* comparisons and logic */
JR_OPCODE(COMPARE_NUMBERS,    "U",  "nn", "b", "compare numbers with relation U")
JR_OPCODE(COMPARE_STRINGS,    "U",  "ss", "b", "compare strings bytewise with relation U")
JR_OPCODE(COMPARE_TIMES,      "U",  "tt", "b", "compare times with relation U")
JR_OPCODE(COMPARE_DURATIONS,  "U",  "dd", "b", "compare durations with relation U")
JR_OPCODE(COMPARE_BOOLS,      "U",  "bb", "b", "compare bools with relation U (== or !=)")
JR_OPCODE(MATCH_GLOB,         "",   "ss", "b", "whether the string below matches the glob pattern on top")
JR_OPCODE(NOT,                "",   "b",  "b", "logical not")
JR_OPCODE(IS_IN,              "AB", "*",  "b", "pop B candidates and a value of type A; push whether a candidate equals it")
JR_OPCODE(TO_STRING,          "U",  "*",  "s", "convert the top (of type letter U) to text")
JR_OPCODE(CALL_BUILTIN,       "U",  "*",  "*", "call built-in function U (bytecode/builtins.h)")
JR_OPCODE(CALL_EXTERN,        "U",  "*",  "*", "call extern function U")
/* stack and control */
JR_OPCODE(POP,                "U",  "*",  "",  "discard the top (of type letter U)")
JR_OPCODE(SWAP,               "",   "*",  "*", "exchange the two values on top")
JR_OPCODE(JUMP,               "U",  "",   "",  "continue at instruction U")
JR_OPCODE(JUMP_IF_FALSE,      "U",  "b",  "",  "pop a bool; if false continue at instruction U")
JR_OPCODE(JUMP_IF_FALSE_KEEP, "U",  "b",  "b", "if the top is false continue at U keeping it, else pop it (for and)")
JR_OPCODE(JUMP_IF_TRUE_KEEP,  "U",  "b",  "b", "if the top is true continue at U keeping it, else pop it (for or)")
JR_OPCODE(RETURN,             "",   "*",  "",  "end an expression function with the value on top")
/* journey effects */
JR_OPCODE(PAYLOAD_ADD,        "AB", "A",  "",  "add key (string constant B) with the value on top (type A) to the pending payload")
JR_OPCODE(SEND,               "U",  "",   "",  "send message U with the pending payload (limits and quiet hours apply)")
JR_OPCODE(EMIT,               "U",  "",   "",  "emit a custom action named by string constant U with the pending payload")
JR_OPCODE(TRACK,              "U",  "",   "",  "record a track action and feed event U with the pending payload back in")
JR_OPCODE(AUDIENCE,           "AB", "",   "",  "add (A = 1) or remove (A = 0) the contact to the audience named by string B")
JR_OPCODE(NODE,               "U",  "",   "",  "the coroutine reaches node U: counted; a statement is where it now is")
/* suspension: the stack is empty when the coroutine suspends */
JR_OPCODE(WAIT,               "",   "d",  "",  "suspend for a duration")
JR_OPCODE(WAIT_UNTIL,         "",   "t",  "",  "suspend until a time (continue at once if it is past)")
JR_OPCODE(WAIT_UNTIL_CLOCK,   "U",  "",   "",  "suspend until the next wall-clock time U (seconds of day) in the contact's zone")
JR_OPCODE(WAIT_FOR,           "U",  "*",  "b", "suspend until the event of wait U (pops its timeout if it has one); push whether it came")
JR_OPCODE(SELECT,             "U",  "*",  "",  "suspend until an arm of select U fires (pops its after duration if any); continue there")
JR_OPCODE(SPLIT,              "U",  "",   "",  "continue at the arm of split U that this contact hashes to")
JR_OPCODE(EXIT,               "",   "",   "",  "end the journey (an exit statement)")
JR_OPCODE(HALT,               "",   "",   "",  "end the journey (its statements ran to the end)")
