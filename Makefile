# journey: the compiler (journeyc), the runtime (libjourney, the journey command), their
# tests, benchmarks and installation.
#
#   make          install missing Debian packages, then build
#   make test     build and run every test (also under ASan and UBSan), replay what
#                 fuzzing found
#   make check    make test, then every fuzzer for CHECK_FUZZ_SECONDS (30) each: what CI runs
#   make demo     simulate the acceptance example against its sample event log
#   make fuzz     run every fuzzer for a short while each (FUZZ_SECONDS)
#   make bench    measure (never part of make test; bench/README.md)
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
# -ffp-contract=off: no fused multiply-adds, so every machine computes the same bits.
ALL_CFLAGS   := -std=c17 -ffp-contract=off $(WARNINGS) $(SANITIZER_FLAGS) $(CFLAGS)
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
RUNTIME_SOURCES  += runtime/post_json.c
# Extern functions: binding (dlopen, libffi) and calling; see the natives block below.
RUNTIME_SOURCES  += runtime/natives.c runtime/native_call.c
# Standard library: the built-ins' locale-free decimals, deterministic log, exp and pow,
# and calendar arithmetic in a time zone.
RUNTIME_SOURCES  += runtime/numbers.c runtime/calendar.c
# Snapshots of a VM's state, and the memory it holds (counted, and limited).
RUNTIME_SOURCES  += runtime/snapshot.c runtime/snapshot_restore.c runtime/memory.c runtime/limit.c
# Packed event logs (.jev, spec/jev.md), which event_reader.c hands over by their magic.
RUNTIME_SOURCES  += runtime/jev_reader.c
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
# The public interface: arguments, snapshots, the memory limit, a failing allocator.
UNIT_TESTS   += $(BUILD)/tests/test_api

.PHONY: all deps test test-sanitize check demo fuzz fuzz-replay fuzz-loader fuzz-event-reader fuzz-tzif install \
        uninstall clean

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

# The Segment request bodies of journey run are read with simdjson, so C++.
$(BUILD)/cli/%.o: cli/%.cpp | deps
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CPPFLAGS) $(ALL_CXXFLAGS) -MMD -MP -c -o $@ $<

# The journey command: every file in cli/ (sim, test, the report writers, run). Beyond
# the runtime's libraries, journey run keeps its state in SQLite, serves HTTP with
# libmicrohttpd and delivers to webhooks with libcurl.
CLI_OBJECTS  := $(patsubst cli/%.c,$(BUILD)/cli/%.o,$(wildcard cli/*.c)) \
                $(patsubst cli/%.cpp,$(BUILD)/cli/%.o,$(wildcard cli/*.cpp))
JOURNEY_LIBS  = $(RUNTIME_LIBS) -lsqlite3 -lmicrohttpd -lcurl -lpthread

$(JOURNEY): $(CLI_OBJECTS) $(LIBJOURNEYC) $(LIBJOURNEY)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(JOURNEY_LIBS)

# The reader's throughput probe (make bench uses it; it also runs on its own):
#   build/bench/read_events generate FILE 1000000 && build/bench/read_events FILE 3
$(BUILD)/bench/read_events: bench/read_events.c $(LIBJOURNEY)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Iruntime $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(LIBJOURNEY) $(RUNTIME_LIBS)

# ---- libjourney as a shared library, and installing the library ----------------------
#
# The runtime compiled a second time as position-independent code, into $(BUILD)/pic,
# so that libjourney.a and the commands stay as they are. The soname carries the major
# version (libjourney.so.0); runtime/libjourney.map exports exactly the functions of
# include/journey.h; the library names its own dependencies, so `-ljourney` alone links
# a host. `make install` also installs the header, both libraries and libjourney.pc.

libdir            ?= $(exec_prefix)/lib
includedir        ?= $(prefix)/include
pkgconfigdir      ?= $(libdir)/pkgconfig

LIBJOURNEY_SONAME := libjourney.so.$(firstword $(subst ., ,$(VERSION)))
LIBJOURNEY_SHARED := $(BUILD)/libjourney.so.$(VERSION)
PIC_OBJECTS       := $(RUNTIME_OBJECTS:$(BUILD)/runtime/%=$(BUILD)/pic/runtime/%)

all: $(LIBJOURNEY) $(LIBJOURNEY_SHARED)

$(BUILD)/pic/runtime/%.o: runtime/%.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(BUILD)/pic/runtime/json_reader.o: runtime/json_reader.cpp | deps
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CPPFLAGS) $(ALL_CXXFLAGS) -fPIC -MMD -MP -c -o $@ $<

# The file, then the soname's link (what hosts load) and the plain name (what -l finds).
$(LIBJOURNEY_SHARED): $(PIC_OBJECTS) runtime/libjourney.map
	$(CC) -shared -Wl,-soname,$(LIBJOURNEY_SONAME) -Wl,--version-script=runtime/libjourney.map \
	    -Wl,--no-undefined $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(PIC_OBJECTS) $(RUNTIME_LIBS)
	ln -sf $(notdir $@) $(BUILD)/$(LIBJOURNEY_SONAME)
	ln -sf $(LIBJOURNEY_SONAME) $(BUILD)/libjourney.so

install: install-library
uninstall: uninstall-library
.PHONY: install-library uninstall-library

# libjourney.pc is written here, so that it names the directories of this install.
install-library: $(LIBJOURNEY) $(LIBJOURNEY_SHARED)
	$(INSTALL) -d $(DESTDIR)$(libdir) $(DESTDIR)$(includedir) $(DESTDIR)$(pkgconfigdir)
	$(INSTALL) -m 644 include/journey.h $(DESTDIR)$(includedir)/journey.h
	$(INSTALL) -m 644 $(LIBJOURNEY) $(DESTDIR)$(libdir)/libjourney.a
	$(INSTALL) -m 755 $(LIBJOURNEY_SHARED) $(DESTDIR)$(libdir)/
	ln -sf $(notdir $(LIBJOURNEY_SHARED)) $(DESTDIR)$(libdir)/$(LIBJOURNEY_SONAME)
	ln -sf $(LIBJOURNEY_SONAME) $(DESTDIR)$(libdir)/libjourney.so
	sed -e 's|@prefix@|$(prefix)|' -e 's|@libdir@|$(libdir)|' -e 's|@includedir@|$(includedir)|' \
	    -e 's|@version@|$(VERSION)|' -e 's|@libs_private@|$(RUNTIME_LIBS)|' runtime/libjourney.pc.in \
	    >$(DESTDIR)$(pkgconfigdir)/libjourney.pc

uninstall-library:
	rm -f $(DESTDIR)$(includedir)/journey.h $(DESTDIR)$(pkgconfigdir)/libjourney.pc
	rm -f $(DESTDIR)$(libdir)/libjourney.a $(DESTDIR)$(libdir)/$(notdir $(LIBJOURNEY_SHARED)) \
	    $(DESTDIR)$(libdir)/$(LIBJOURNEY_SONAME) $(DESTDIR)$(libdir)/libjourney.so

-include $(wildcard $(BUILD)/pic/runtime/*.d)

# ---- extern functions: libffi, the example's native library, the natives' tests ----
#
# Externs are bound with dlopen and called through libffi. The churn model of
# examples/native is a shared library that journeys call through `extern` (the sim
# tests tests/sim/native-* load it from build/examples/native). test_natives dlopens
# a library of its own with a native of every type and every way of failing.

RUNTIME_LIBS     += -lffi -ldl
NATIVE_EXAMPLE   := $(BUILD)/examples/native/libchurn.so
NATIVES_FIXTURE  := $(BUILD)/tests/libnatives_fixture.so
UNIT_TESTS       += $(BUILD)/tests/test_natives

all: $(NATIVE_EXAMPLE)

$(NATIVE_EXAMPLE): examples/native/churn.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -shared $(ALL_LDFLAGS) -o $@ $< -lm

$(NATIVES_FIXTURE): tests/unit/natives_fixture.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -shared $(ALL_LDFLAGS) -o $@ $<

$(BUILD)/tests/test_natives: tests/unit/test_natives.c $(NATIVES_FIXTURE) $(LIBJOURNEYC) $(LIBJOURNEY)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Iruntime -DNATIVES_FIXTURE_DIR='"$(abspath $(dir $(NATIVES_FIXTURE)))"' $(ALL_CFLAGS) \
	    -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(LIBJOURNEYC) $(LIBJOURNEY) -lcmocka $(RUNTIME_LIBS)

# ---- standard library: the built-ins' numbers (against libm) and calendar arithmetic ---

UNIT_TESTS       += $(BUILD)/tests/test_numbers $(BUILD)/tests/test_calendar

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

# journey run's crash test (tests/run/run.sh) feeds it the benchmark's workload.
all: $(BUILD)/bench/generate

# journey run's action sinks (tests/sink/run.sh): sink_harness drives cli/action_sink.c
# from the command line; webhook_server is a webhook receiver (libmicrohttpd) that the
# tests of journey run use too. Part of `all`, so that both builds have them.
SINK_TEST_PROGRAMS := $(BUILD)/tests/sink_harness $(BUILD)/tests/webhook_server

all: $(SINK_TEST_PROGRAMS)

$(BUILD)/tests/sink_harness: tests/sink/sink_harness.c $(BUILD)/cli/action_sink.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Icli $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(BUILD)/cli/action_sink.o \
	    -lcurl -lpthread

$(BUILD)/tests/webhook_server: tests/sink/webhook_server.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< -lmicrohttpd -lpthread

# journey run's HTTP endpoint (tests/http/run.sh): http_harness serves it over the ingest
# queue with a fake loop, and normalizes bodies on their own. Part of `all`, so that both
# builds have it.
HTTP_HARNESS := $(BUILD)/tests/http_harness

all: $(HTTP_HARNESS)

$(HTTP_HARNESS): tests/http/http_harness.c $(BUILD)/cli/run_http.o $(BUILD)/cli/segment_body.o \
                 $(BUILD)/cli/ingest_queue.o $(BUILD)/cli/run_clock.o $(BUILD)/cli/json_out.o $(LIBJOURNEY)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Icli $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) \
	    -lmicrohttpd -lpthread $(RUNTIME_LIBS)

# Every suite runs, then one line sums them up: "N passed, N failed".
test: all $(UNIT_TESTS)
	@tests/run.sh $(BUILD) $(UNIT_TESTS)
	@$(MAKE) --no-print-directory test-sanitize
	@$(MAKE) --no-print-directory fuzz-replay

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

FUZZ_SECONDS       ?= 60
CHECK_FUZZ_SECONDS ?= 30
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
FUZZ_READER_C     := tests/fuzz/fuzz_event_reader.c runtime/event_reader.c runtime/timestamp.c runtime/jev_reader.c
$(FUZZ_BUILD)/fuzz_event_reader: $(FUZZ_READER_C) runtime/json_reader.cpp runtime/event.h runtime/json_reader.h \
                                 runtime/jev_reader.h runtime/jev_format.h | deps
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

# Snapshots: jr_vm_restore, "restored => runs clean, and writes back what it read",
# the runtime built with clang as for the loader. The programs are the examples' bytecode
# (named by JOURNEY_FUZZ_PROGRAMS); the seeds, snapshots of each taken mid-run by
# snapshot_seeds (built like any tool, with libjourney).
.PHONY: fuzz-snapshot
$(FUZZ_BUILD)/fuzz_snapshot: tests/fuzz/fuzz_snapshot.c $(RUNTIME_SOURCES) runtime/json_reader.cpp runtime/*.h bytecode/*.h | deps
	@mkdir -p $(FUZZ_BUILD)/snapshot
	clang++ -std=c++17 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr -Iinclude \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -c -o $(FUZZ_BUILD)/snapshot/json_reader.o runtime/json_reader.cpp
	clang -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iinclude -Iruntime \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -o $@ tests/fuzz/fuzz_snapshot.c $(RUNTIME_SOURCES) \
	    $(FUZZ_BUILD)/snapshot/json_reader.o $(RUNTIME_LIBS)

$(BUILD)/tests/snapshot_seeds: tests/fuzz/snapshot_seeds.c $(LIBJOURNEY)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(LIBJOURNEY) $(RUNTIME_LIBS)

fuzz-snapshot: $(FUZZ_BUILD)/fuzz_snapshot $(JOURNEYC) $(BUILD)/tests/snapshot_seeds
	@mkdir -p $(FUZZ_BUILD)/corpus/snapshot $(FUZZ_BUILD)/snapshot/programs $(FUZZ_BUILD)/snapshot/seeds \
	    $(FUZZ_BUILD)/snapshot/artifacts
	@for log in examples/*.events.jsonl; do \
	    name=$$(basename $$log .events.jsonl); program=$(FUZZ_BUILD)/snapshot/programs/$$name.jbc; \
	    $(JOURNEYC) build -I stdlib examples/$$name.journey -o $$program || exit 1; \
	    $(BUILD)/tests/snapshot_seeds $$program $$log $(FUZZ_BUILD)/snapshot/seeds || exit 1; \
	done
	JOURNEY_FUZZ_PROGRAMS=$(FUZZ_BUILD)/snapshot/programs UBSAN_OPTIONS=halt_on_error=1 \
	    $(FUZZ_BUILD)/fuzz_snapshot -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -artifact_prefix=$(FUZZ_BUILD)/snapshot/artifacts/ $(FUZZ_BUILD)/corpus/snapshot $(FUZZ_BUILD)/snapshot/seeds

# Packed event logs (.jev, spec/jev.md): "accepted => runs clean" through the VM of the
# program a file was packed for, the runtime built as for the loader. The programs are
# the examples' bytecode (JOURNEY_FUZZ_PROGRAMS); the seeds, their logs packed now, so
# that they follow the format.
.PHONY: fuzz-jev
$(FUZZ_BUILD)/fuzz_jev: tests/fuzz/fuzz_jev.c $(RUNTIME_SOURCES) runtime/json_reader.cpp runtime/*.h bytecode/*.h | deps
	@mkdir -p $(FUZZ_BUILD)/jev
	clang++ -std=c++17 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr -Iinclude \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -c -o $(FUZZ_BUILD)/jev/json_reader.o runtime/json_reader.cpp
	clang -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iinclude -Iruntime \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -o $@ tests/fuzz/fuzz_jev.c $(RUNTIME_SOURCES) \
	    $(FUZZ_BUILD)/jev/json_reader.o $(RUNTIME_LIBS)

fuzz-jev: $(FUZZ_BUILD)/fuzz_jev $(JOURNEYC) $(JOURNEY)
	@mkdir -p $(FUZZ_BUILD)/corpus/jev $(FUZZ_BUILD)/jev/programs $(FUZZ_BUILD)/jev/seeds $(FUZZ_BUILD)/jev/artifacts
	@for log in examples/*.events.jsonl; do \
	    name=$$(basename $$log .events.jsonl); program=$(FUZZ_BUILD)/jev/programs/$$name.jbc; \
	    $(JOURNEYC) build -I stdlib examples/$$name.journey -o $$program || exit 1; \
	    $(JOURNEY) pack $$program $$log -o $(FUZZ_BUILD)/jev/seeds/$$name.jev --on-bad-event=skip --quiet || exit 1; \
	done
	JOURNEY_FUZZ_PROGRAMS=$(FUZZ_BUILD)/jev/programs UBSAN_OPTIONS=halt_on_error=1 \
	    $(FUZZ_BUILD)/fuzz_jev -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -artifact_prefix=$(FUZZ_BUILD)/jev/artifacts/ $(FUZZ_BUILD)/corpus/jev $(FUZZ_BUILD)/jev/seeds

# The normalizer of journey run's HTTP bodies (cli/segment_body.cpp): "accepted => each
# line reads as one event, or is refused with a message", with the event reader built as
# for its own fuzzer (without its small pieces). Seeded with Segment bodies, each behind
# one byte that picks the endpoint (t, i, p, b).
.PHONY: fuzz-segment-body
FUZZ_SEGMENT_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
                      -Iinclude -Iruntime -Icli -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
FUZZ_SEGMENT_C     := tests/fuzz/fuzz_segment_body.c runtime/event_reader.c runtime/timestamp.c runtime/jev_reader.c
$(FUZZ_BUILD)/fuzz_segment_body: $(FUZZ_SEGMENT_C) cli/segment_body.cpp cli/segment_body.h runtime/json_reader.cpp \
                                 runtime/event.h runtime/json_reader.h runtime/jev_reader.h runtime/jev_format.h | deps
	@mkdir -p $(FUZZ_BUILD)/segment_body
	for source in $(FUZZ_SEGMENT_C); do \
	    clang -std=c17 $(FUZZ_SEGMENT_FLAGS) -c -o $(FUZZ_BUILD)/segment_body/$$(basename $$source .c).o $$source || exit 1; \
	done
	clang++ -std=c++17 $(FUZZ_SEGMENT_FLAGS) -fno-sanitize=vptr -c -o $(FUZZ_BUILD)/segment_body/json_reader.o \
	    runtime/json_reader.cpp
	clang++ -std=c++17 $(FUZZ_SEGMENT_FLAGS) -fno-sanitize=vptr -c -o $(FUZZ_BUILD)/segment_body/segment_body.o \
	    cli/segment_body.cpp
	clang++ -fsanitize=fuzzer,address,undefined -o $@ $(FUZZ_BUILD)/segment_body/*.o -lsimdjson -lz

fuzz-segment-body: $(FUZZ_BUILD)/fuzz_segment_body
	@mkdir -p $(FUZZ_BUILD)/corpus/segment_body $(FUZZ_BUILD)/segment_body/artifacts
	UBSAN_OPTIONS=halt_on_error=1 $(FUZZ_BUILD)/fuzz_segment_body -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	    -timeout=10 -dict=tests/fuzz/event_reader.dict -artifact_prefix=$(FUZZ_BUILD)/segment_body/artifacts/ \
	    $(FUZZ_BUILD)/corpus/segment_body tests/fuzz/corpus/segment_body $(wildcard tests/fuzz/regressions/segment_body)

# Each fuzzer for FUZZ_SECONDS (default 60): the compiler, the loader, the readers, TZif,
# snapshots, the bodies of journey run's HTTP endpoint. Each starts from its stored
# regressions (tests/fuzz/regressions/TARGET) too.
fuzz: $(FUZZ_BUILD)/fuzz_compiler fuzz-loader fuzz-event-reader fuzz-jev fuzz-tzif fuzz-snapshot fuzz-segment-body
	@mkdir -p $(FUZZ_BUILD)/corpus/compiler
	UBSAN_OPTIONS=halt_on_error=1 $(FUZZ_BUILD)/fuzz_compiler -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
	    -dict=tests/fuzz/journey.dict $(FUZZ_BUILD)/corpus/compiler tests/fuzz/corpus/compiler \
	    tests/compile/ok tests/compile/err examples stdlib/std

FUZZERS := $(addprefix $(FUZZ_BUILD)/fuzz_,compiler loader event_reader jev tzif snapshot segment_body)

# Every fuzzer once over its stored inputs (tests/fuzz/replay.sh); make test runs it.
fuzz-replay: $(FUZZERS) $(JOURNEYC)
	@tests/fuzz/replay.sh $(FUZZ_BUILD) $(JOURNEYC)

# What CI runs: every test, then every fuzzer for a short while.
check: test
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)

# ---- benchmarks: make bench (bench/README.md); never part of make test -------------
#
# BENCH_PRESET=tiny|small|default (default: 1M contacts, 10M events over 90 days) and
# BENCH_RUNS (default 3: each timed figure is the median of that many runs). The Lua
# peer's packages come from scripts/install-bench-deps.sh, which only this target runs.
# bench/run.sh measures the simulation, then bench/live.sh measures journey run (from a
# file and over HTTP, on a workload scaled down from the preset).

BENCH_PRESET ?= default
BENCH_RUNS   ?= 3
BENCH_TOOLS  := $(BUILD)/bench/generate $(BUILD)/bench/measure $(BUILD)/bench/vm_probe $(BUILD)/bench/read_events \
                $(BUILD)/bench/post_events
WORKLOAD_C   := bench/generate.c bench/workload_plan.c bench/workload_json.c

.PHONY: bench bench-deps

bench: bench-deps $(JOURNEYC) $(JOURNEY) $(BENCH_TOOLS)
	@bench/check.sh $(BUILD)
	@BENCH_PRESET=$(BENCH_PRESET) BENCH_RUNS=$(BENCH_RUNS) bench/run.sh $(BUILD)
	@BENCH_PRESET=$(BENCH_PRESET) BENCH_RUNS=$(BENCH_RUNS) bench/live.sh $(BUILD)

bench-deps:
	@scripts/install-bench-deps.sh

$(BUILD)/bench/generate: $(WORKLOAD_C) bench/workload_plan.h bench/workload_json.h bench/workload_random.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(WORKLOAD_C) -lm

$(BUILD)/bench/measure: bench/measure.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

$(BUILD)/bench/vm_probe: bench/vm_probe.c include/journey.h $(LIBJOURNEY)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBJOURNEY) $(RUNTIME_LIBS)

# journey run's load generator (bench/live.sh): libcurl clients on threads.
$(BUILD)/bench/post_events: bench/post_events.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lcurl -lpthread

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
