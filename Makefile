# journey: the compiler (journeyc), its tests, and installation.
#
#   make          install missing Debian packages, then build
#   make test     build and run every test (also under ASan and UBSan)
#   make demo     simulate the acceptance example against its sample event log
#   make fuzz     run the front-end fuzzer for a short while (FUZZ_SECONDS)
#   make install  PREFIX=/usr/local DESTDIR=
#
# User CFLAGS, CPPFLAGS and LDFLAGS are respected; the flags the build needs are added
# to them. Generated sources (lexer, parser) go to $(BUILD)/gen and are never committed.

VERSION      := 0.1.0

PREFIX       ?= /usr/local
prefix       ?= $(PREFIX)
exec_prefix  ?= $(prefix)
bindir       ?= $(exec_prefix)/bin
datadir      ?= $(prefix)/share
stdlibdir    ?= $(datadir)/journey/stdlib
DESTDIR      ?=

CC           ?= cc
CFLAGS       ?= -O2 -g
RE2C         ?= re2c
BISON        ?= bison
INSTALL      ?= install

BUILD        ?= build
SANITIZE     ?=

WARNINGS     := -Wall -Wextra -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wvla
ifneq ($(WERROR),)
WARNINGS     += -Werror
endif
ifneq ($(SANITIZE),)
SANITIZER_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif
ALL_CPPFLAGS := -I$(BUILD)/gen -Icompiler -Iinclude -DJOURNEY_VERSION='"$(VERSION)"' \
                -DJOURNEY_STDLIB_DIR='"$(stdlibdir)"' -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(CPPFLAGS)
ALL_CFLAGS   := -std=c17 $(WARNINGS) $(SANITIZER_FLAGS) $(CFLAGS)
ALL_LDFLAGS  := $(SANITIZER_FLAGS) $(LDFLAGS)

COMPILER_SOURCES := compiler/arena.c compiler/source.c compiler/diagnostic.c compiler/ast.c \
                    compiler/compiler.c compiler/resolve.c compiler/codegen.c compiler/bytecode_writer.c \
                    compiler/disassemble.c compiler/graph.c compiler/graph_match.c compiler/graph_text.c \
                    compiler/graph_render.c
COMPILER_SOURCES += compiler/format.c compiler/format_tokens.c compiler/format_lines.c compiler/format_columns.c
COMPILER_OBJECTS := $(COMPILER_SOURCES:compiler/%.c=$(BUILD)/compiler/%.o) \
                    $(BUILD)/compiler/lexer.o $(BUILD)/compiler/parser.o $(BUILD)/compiler/report_counts.o
GENERATED        := $(BUILD)/gen/lexer.c $(BUILD)/gen/parser.c $(BUILD)/gen/parser.h

RUNTIME_SOURCES  := runtime/support.c runtime/loader.c runtime/verifier.c runtime/vm.c runtime/strings.c runtime/timers.c \
                    runtime/builtins.c runtime/timezone.c runtime/timestamp.c runtime/event_reader.c \
                    runtime/inspect.c
RUNTIME_OBJECTS  := $(RUNTIME_SOURCES:runtime/%.c=$(BUILD)/runtime/%.o) $(BUILD)/runtime/json_reader.o
RUNTIME_LIBS     := -lsimdjson -lz -lm -lstdc++
CXX              ?= g++
CXXFLAGS         ?= -O2 -g
ALL_CXXFLAGS     := -std=c++17 -Wall -Wextra $(SANITIZER_FLAGS) $(CXXFLAGS)

JOURNEYC     := $(BUILD)/journeyc
JOURNEY      := $(BUILD)/journey
LIBJOURNEYC  := $(BUILD)/libjourneyc.a
LIBJOURNEY   := $(BUILD)/libjourney.a
UNIT_TESTS   := $(BUILD)/tests/test_lexer $(BUILD)/tests/test_diagnostics $(BUILD)/tests/test_timezone \
                $(BUILD)/tests/test_loader $(BUILD)/tests/test_event_reader $(BUILD)/tests/test_report_stats

.PHONY: all deps test test-sanitize demo fuzz fuzz-loader fuzz-event-reader fuzz-tzif install uninstall clean

all: deps $(JOURNEYC) $(JOURNEY)

# Installs missing packages with apt-get; silent when nothing is missing.
deps:
	@scripts/install-deps.sh
	@editors/install-deps.sh

# ---- the compiler -------------------------------------------------------------------

$(BUILD)/gen/parser.c $(BUILD)/gen/parser.h &: compiler/parser.y | deps
	@mkdir -p $(BUILD)/gen
	$(BISON) -Wall -Werror --header=$(BUILD)/gen/parser.h -o $(BUILD)/gen/parser.c $<

$(BUILD)/gen/lexer.c: compiler/lexer.re | deps
	@mkdir -p $(BUILD)/gen
	$(RE2C) -W -Werror --no-generation-date -o $@ $<

$(BUILD)/compiler/%.o: compiler/%.c $(BUILD)/gen/parser.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/compiler/lexer.o: $(BUILD)/gen/lexer.c $(BUILD)/gen/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/compiler/parser.o: $(BUILD)/gen/parser.c $(BUILD)/gen/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBJOURNEYC): $(COMPILER_OBJECTS)
	rm -f $@
	$(AR) rcs $@ $^

# The report reader of journeyc graph --report (simdjson, so C++).
$(BUILD)/compiler/report_counts.o: compiler/report_counts.cpp compiler/report_counts.h | deps
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CPPFLAGS) $(ALL_CXXFLAGS) -MMD -MP -c -o $@ $<

$(JOURNEYC): $(BUILD)/compiler/journeyc.o $(LIBJOURNEYC)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ -lsimdjson -lz -lm -lstdc++

# ---- the runtime (libjourney) and the journey command --------------------------------

$(BUILD)/runtime/%.o: runtime/%.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/runtime/json_reader.o: runtime/json_reader.cpp | deps
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CPPFLAGS) $(ALL_CXXFLAGS) -MMD -MP -c -o $@ $<

$(LIBJOURNEY): $(RUNTIME_OBJECTS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/cli/%.o: cli/%.c $(BUILD)/gen/parser.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The journey command: every file in cli/ (sim, test, the report writers).
CLI_OBJECTS := $(patsubst cli/%.c,$(BUILD)/cli/%.o,$(wildcard cli/*.c))

$(JOURNEY): $(CLI_OBJECTS) $(LIBJOURNEYC) $(LIBJOURNEY)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(RUNTIME_LIBS)

# The reader's throughput probe (issue 7 turns these into `make bench`):
#   build/bench/read_events generate FILE 1000000 && build/bench/read_events FILE 3
$(BUILD)/bench/read_events: bench/read_events.c $(LIBJOURNEY)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Iruntime $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(LIBJOURNEY) $(RUNTIME_LIBS)

# ---- tests --------------------------------------------------------------------------

# Unit tests (cmocka) may use the compiler's library and libjourney, internals included.
$(BUILD)/tests/%: tests/unit/%.c $(LIBJOURNEYC) $(LIBJOURNEY)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Iruntime $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(LIBJOURNEYC) $(LIBJOURNEY) \
	    -lcmocka $(RUNTIME_LIBS)

# The report's statistics live in the journey command (cli/), not in a library.
$(BUILD)/tests/test_report_stats: tests/unit/test_report_stats.c cli/report_stats.c cli/report.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Icli $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ tests/unit/test_report_stats.c \
	    cli/report_stats.c -lcmocka -lm

# Every suite runs, then one line sums them up: "N passed, N failed".
test: all $(UNIT_TESTS)
	@tests/run.sh $(BUILD) $(UNIT_TESTS)
	@$(MAKE) --no-print-directory test-sanitize

# The same suites with AddressSanitizer and UndefinedBehaviorSanitizer, in their own
# build directory; any report fails the run.
test-sanitize:
	@$(MAKE) --no-print-directory BUILD=build-sanitize SANITIZE=1 all \
	    $(patsubst $(BUILD)/%,build-sanitize/%,$(UNIT_TESTS))
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    tests/run.sh build-sanitize $(patsubst $(BUILD)/%,build-sanitize/%,$(UNIT_TESTS))

# The README's main job: simulate the acceptance example against its sample log and
# show the actions it would have taken and the summary; then what a mistake looks like.
demo: all
	@echo '$$ journey sim examples/onboarding.journey examples/onboarding.events.jsonl --until +14d -o $(BUILD)/demo.actions.jsonl'
	@$(JOURNEY) sim examples/onboarding.journey examples/onboarding.events.jsonl --until +14d \
	    -o $(BUILD)/demo.actions.jsonl
	@echo
	@echo '$$ head -n 6 $(BUILD)/demo.actions.jsonl    # one action per line, with idempotency keys'
	@head -n 6 $(BUILD)/demo.actions.jsonl
	@echo
	@echo '$$ journeyc check tests/compile/err/undeclared-event.journey'
	@$(JOURNEYC) check --color=always tests/compile/err/undeclared-event.journey; \
	    echo "(exit status $$?)"

# ---- fuzzing (clang's libFuzzer) ----------------------------------------------------

FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz

$(FUZZ_BUILD)/fuzz_compiler: tests/fuzz/fuzz_compiler.c $(COMPILER_SOURCES) compiler/lexer.re compiler/parser.y | deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) $(FUZZ_BUILD)/gen/lexer.c $(FUZZ_BUILD)/gen/parser.c
	@mkdir -p $(FUZZ_BUILD)
	clang -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -I$(FUZZ_BUILD)/gen -Icompiler \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -o $@ tests/fuzz/fuzz_compiler.c $(COMPILER_SOURCES) \
	    $(FUZZ_BUILD)/gen/lexer.c $(FUZZ_BUILD)/gen/parser.c -lz -lm

# The loader's fuzzer: "accepted => runs clean" under ASan and UBSan, the runtime built
# with clang (json_reader.cpp with clang++); a timeout is a finding (a VM that spins).
$(FUZZ_BUILD)/fuzz_loader: tests/fuzz/fuzz_loader.c $(RUNTIME_SOURCES) runtime/json_reader.cpp runtime/*.h bytecode/*.h | deps
	@mkdir -p $(FUZZ_BUILD)/loader
	clang++ -std=c++17 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr -Iinclude \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -c -o $(FUZZ_BUILD)/loader/json_reader.o runtime/json_reader.cpp
	clang -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Iruntime \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -o $@ tests/fuzz/fuzz_loader.c $(RUNTIME_SOURCES) \
	    $(FUZZ_BUILD)/loader/json_reader.o $(RUNTIME_LIBS)

# Seeded with the bytecode of every example, built now so the seeds follow the format.
fuzz-loader: $(FUZZ_BUILD)/fuzz_loader $(JOURNEYC)
	@mkdir -p $(FUZZ_BUILD)/corpus/loader $(FUZZ_BUILD)/loader/artifacts $(FUZZ_BUILD)/loader/seeds
	@for source in examples/*.journey; do \
	    $(JOURNEYC) build -I stdlib $$source -o $(FUZZ_BUILD)/loader/seeds/$$(basename $$source .journey).jbc || exit 1; \
	done
	$(FUZZ_BUILD)/fuzz_loader -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    -timeout=5 -artifact_prefix=$(FUZZ_BUILD)/loader/artifacts/ $(FUZZ_BUILD)/corpus/loader \
	    $(FUZZ_BUILD)/loader/seeds

# The event readers (JSONL, CSV, gzip), with a small line limit and input read in small
# pieces so that the code joining lines across reads is exercised.
FUZZ_READER_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
                     -Iinclude -Iruntime -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DJR_READER_FUZZING \
                     -DJR_READER_LINE_LIMIT=512
FUZZ_READER_C     := tests/fuzz/fuzz_event_reader.c runtime/event_reader.c runtime/timestamp.c
$(FUZZ_BUILD)/fuzz_event_reader: $(FUZZ_READER_C) runtime/json_reader.cpp runtime/event.h runtime/json_reader.h | deps
	@mkdir -p $(FUZZ_BUILD)/event_reader
	for source in $(FUZZ_READER_C); do \
	    clang -std=c17 $(FUZZ_READER_FLAGS) -c -o $(FUZZ_BUILD)/event_reader/$$(basename $$source .c).o $$source || exit 1; \
	done
	clang++ -std=c++17 $(FUZZ_READER_FLAGS) -c -o $(FUZZ_BUILD)/event_reader/json_reader.o runtime/json_reader.cpp
	clang++ -fsanitize=fuzzer,address,undefined -o $@ $(FUZZ_BUILD)/event_reader/*.o -lsimdjson -lz

fuzz-event-reader: $(FUZZ_BUILD)/fuzz_event_reader
	@mkdir -p $(FUZZ_BUILD)/corpus/event_reader
	UBSAN_OPTIONS=halt_on_error=1 $(FUZZ_BUILD)/fuzz_event_reader -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	    -timeout=10 -dict=tests/fuzz/event_reader.dict $(FUZZ_BUILD)/corpus/event_reader tests/fuzz/corpus/event_reader

# Time zones: TZif files, seeded with real ones (read only; new inputs go to the first directory).
$(FUZZ_BUILD)/fuzz_tzif: tests/fuzz/fuzz_tzif.c runtime/timezone.c runtime/timezone.h | deps
	@mkdir -p $(FUZZ_BUILD)
	clang -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -o $@ tests/fuzz/fuzz_tzif.c runtime/timezone.c

fuzz-tzif: $(FUZZ_BUILD)/fuzz_tzif
	@mkdir -p $(FUZZ_BUILD)/corpus/tzif
	UBSAN_OPTIONS=halt_on_error=1 $(FUZZ_BUILD)/fuzz_tzif -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
	    -dict=tests/fuzz/tzif.dict $(FUZZ_BUILD)/corpus/tzif /usr/share/zoneinfo/America /usr/share/zoneinfo/Europe

# Each fuzzer for FUZZ_SECONDS (default 60): the compiler, the loader, the readers, TZif.
fuzz: $(FUZZ_BUILD)/fuzz_compiler fuzz-loader fuzz-event-reader fuzz-tzif
	@mkdir -p $(FUZZ_BUILD)/corpus/compiler
	UBSAN_OPTIONS=halt_on_error=1 $(FUZZ_BUILD)/fuzz_compiler -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
	    -dict=tests/fuzz/journey.dict $(FUZZ_BUILD)/corpus/compiler tests/fuzz/corpus/compiler \
	    tests/compile/ok tests/compile/err examples stdlib/std

# ---- install ------------------------------------------------------------------------

install: all
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(stdlibdir)/std
	$(INSTALL) -m 755 $(JOURNEYC) $(DESTDIR)$(bindir)/journeyc
	$(INSTALL) -m 755 $(JOURNEY) $(DESTDIR)$(bindir)/journey
	$(INSTALL) -m 644 stdlib/std/*.journey $(DESTDIR)$(stdlibdir)/std/

uninstall:
	rm -f $(DESTDIR)$(bindir)/journeyc $(DESTDIR)$(bindir)/journey
	rm -f $(patsubst stdlib/std/%,$(DESTDIR)$(stdlibdir)/std/%,$(wildcard stdlib/std/*.journey))
	-rmdir $(DESTDIR)$(stdlibdir)/std $(DESTDIR)$(stdlibdir) $(DESTDIR)$(datadir)/journey 2>/dev/null

clean:
	rm -rf build build-sanitize build-fuzz

-include $(wildcard $(BUILD)/compiler/*.d $(BUILD)/runtime/*.d $(BUILD)/cli/*.d $(BUILD)/tests/*.d)
