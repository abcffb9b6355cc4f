# Thin front end to CMake. Every target first makes sure the Debian packages it needs
# are there (scripts/deps.sh), so `make test` works on a fresh machine.

BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
WERROR   ?= OFF
CMAKE_ARGS ?=
DEPS     := scripts/deps.sh
RUN      ?= results/latest
# Recipes read RUN from the environment, quoted ("$$RUN"), never pasted into the shell
# command line: a run folder may hold spaces or quotes.
export RUN
SOURCES   = $(shell find src tests bench -name '*.[ch]' 2>/dev/null)

.PHONY: all build test lint format sanitize clean help bench bench-quick plots report regress baseline compare

all: build

help:
	@echo "make            build everything into $(BUILD)/bin (Release)"
	@echo "make test       run the test suite (ctest)"
	@echo "make lint       clang-format check and cppcheck"
	@echo "make format     reformat the sources in place"
	@echo "make sanitize   the test suite under ASan+UBSan, then under TSan"
	@echo "make bench      the full benchmark sweeps, then the report (about 7 minutes)"
	@echo "make bench-quick  the same pipeline reduced (about 3 minutes)"
	@echo "make plots      redraw report/figures from RUN (default results/latest)"
	@echo "make report     plots, then report/report.md and report/report.html from RUN"
	@echo "make regress    a quick run (into results/regress/) judged against this machine's baseline"
	@echo "                in results/baselines/ (exit 1 on a regression); ARGS=--all prints every row"
	@echo "make compare    build A (default HEAD) and B (default the working tree) apart, time both"
	@echo "                interleaved and judge B against A, no baseline needed (exit 1 on a"
	@echo "                regression): make compare A=<rev> B=<rev>; ARGS=--all, --quick, --full"
	@echo "make baseline   make RUN (default the latest run, which must be complete) the baseline"
	@echo "                of its machine, results/baselines/<machine_id>/"
	@echo "make clean      remove the build folders"

# $(1): build folder, $(2): extra CMake arguments.
define configure
	cmake -S . -B "$(1)" -DCMAKE_BUILD_TYPE=$(if $(findstring SANITIZE,$(2)),RelWithDebInfo,Release) \
	      -DPARLAB_WERROR=$(WERROR) $(2) $(CMAKE_ARGS) >/dev/null
	cmake --build "$(1)" -j $(JOBS)
endef

build:
	@$(DEPS) build
	$(call configure,$(BUILD),)

test: build
	@$(DEPS) test
	ctest --test-dir "$(BUILD)" --output-on-failure -j $(JOBS)

lint:
	@$(DEPS) lint
	clang-format --dry-run --Werror $(SOURCES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	         --inline-suppr --std=c11 -D__linux__ $(addprefix -I ,$(wildcard src/*/)) $(SOURCES)

format:
	@$(DEPS) lint
	clang-format -i $(SOURCES)

sanitize:
	@$(DEPS) build test sanitize
	$(call configure,$(BUILD)-asan,-DPARLAB_SANITIZE=address$(,)undefined)
	ctest --test-dir "$(BUILD)-asan" --output-on-failure -j $(JOBS)
	$(call configure,$(BUILD)-tsan,-DPARLAB_SANITIZE=thread)
	ctest --test-dir "$(BUILD)-tsan" --output-on-failure -j $(JOBS)

bench: build
	@$(DEPS) bench report
	bench/run --full
	@$(MAKE) --no-print-directory report RUN=results/latest

bench-quick: build
	@$(DEPS) bench report
	bench/run --quick
	@$(MAKE) --no-print-directory report RUN=results/latest

plots:
	@$(DEPS) report
	scripts/plots "$$RUN" --out report/figures >/dev/null

# The browser check runs where Chromium is installed; a broken layout fails the target.
report: plots
	scripts/report "$$RUN" --out report
	@if command -v chromium >/dev/null; then scripts/check-report report/report.html; fi
	@echo "report: $$(pwd)/report/report.html"

# Every baseline is checked before the run (a torn one stops here, not after a minute of
# sweeps). The run goes to results/regress/<UTC stamp>, never re-pointing results/latest;
# the gate picks results/baselines/<this machine's id>/, else judges only what travels.
regress: build
	@$(DEPS) bench
	@set -e; n=0; for b in results/baselines/*/; do [ -d "$$b" ] || continue; \
	    scripts/regress --check-run "$${b%/}" >/dev/null; n=$$((n + 1)); done; \
	[ $$n -gt 0 ] || { echo "regress: no baseline in results/baselines (make baseline)" >&2; exit 2; }
	@set -e; run=results/regress/$$(date -u +%Y%m%dT%H%M%SZ); \
	bench/run --quick --no-latest --out "$$run"; \
	scripts/regress $(ARGS) --baselines results/baselines "$$run"

# Both sides built apart (build-compare/A, build-compare/B) and measured in one session: the
# gate for a shared runner. A and B reach scripts/compare from the environment, never pasted
# into the shell command line.
compare: export COMPARE_A = $(A)
compare: export COMPARE_B = $(B)
compare:
	@$(DEPS) build bench
	scripts/compare $(ARGS) -- "$${COMPARE_A:-HEAD}" $${COMPARE_B:+"$$COMPARE_B"}

# The same completeness check as the gate's (scripts/regress --check-run), then all or
# nothing: the run is copied beside the baselines, checked again, and swapped in by rename
# as results/baselines/<the run's machine_id>/ (a run without one is refused).
baseline:
	@scripts/regress --check-run "$$RUN" >/dev/null
	@set -e; id=$$(scripts/regress --machine-id "$$RUN"); dest=results/baselines/$$id; \
	src=$$(cd "$$RUN" && pwd -P); \
	if [ "$$src" = "$$(cd "$$dest" 2>/dev/null && pwd -P)" ]; then \
	    echo "baseline: $$RUN is the baseline already"; exit 0; fi; \
	mkdir -p results/baselines; \
	new=$$(mktemp -d results/.baseline-new.XXXXXX); old=""; \
	trap 'rm -rf "$$new" $${old:+"$$old"}' EXIT; \
	cp -R "$$src/." "$$new/"; chmod 755 "$$new"; \
	scripts/regress --check-run "$$new" >/dev/null; \
	if [ -e "$$dest" ]; then old=$$(mktemp -d results/.baseline-old.XXXXXX); \
	    rmdir "$$old"; mv "$$dest" "$$old"; fi; \
	mv "$$new" "$$dest" || { [ -z "$$old" ] || mv "$$old" "$$dest"; exit 1; }; \
	echo "baseline: $$dest is now $$(basename "$$src")"

clean:
	rm -rf "$(BUILD)" "$(BUILD)-asan" "$(BUILD)-tsan" build-compare

, := ,
