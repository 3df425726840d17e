# kiqprof: `make demo` runs the main job on the bundled sample; `make test` installs what the tests need and runs them.
SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
RUNTIME_PACKAGES := libhiredis-dev libsqlite3-dev redis-server python3
TEST_PACKAGES := $(RUNTIME_PACKAGES) ruby-sidekiq ruby-redis-namespace ruby-sidekiq-cron sysstat python3 prometheus systemd

.PHONY: all build release deps test-deps test demo reproduce check-report check-static bench-census bench-record bench-import bench-incident bench-report bench-evidence bench-compare bench-check bench-capacity reproduce-oom fuzz install clean

all: build

# Installs Debian packages that are missing (needs root or sudo); a no-op when all are present.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(RUNTIME_PACKAGES))

test-deps:
	$(call apt_install,$(TEST_PACKAGES))

build: deps
	$(SWIFT) build

# The Swift runtime is linked in, so the binary runs on a server without the toolchain (see `make install`).
# Its own build directory: the man page plugin builds a dynamic release in .build, which must not replace it.
# Linked with lld: GNU ld warns about the mktemp inside Foundation's static library (Data's atomic write).
RELEASE_FLAGS := -c release --static-swift-stdlib --scratch-path .build-static -Xswiftc -use-ld=lld

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# Suites that measure CPU or timing (real Sidekiq beside the recorder or the cron poller) run after the rest,
# one at a time: swift test runs different suites in parallel, and each would be the others' noise.
CPU_SUITES := RealSidekiqRecordTests RealSidekiqIncidentTests RealSidekiqImportTests RealSidekiqToggleTests RealSidekiqOOMTests
empty :=
space := $(empty) $(empty)

# The longest suite runs beside the parallel ones as a process of its own, started first: inside `swift test` it
# waited for a free worker and then ran alone at the end (244 s for the phase, 140 s without it). Per-thread CPU
# is the kernel's own accounting, so the others' load does not change what it measures.
BESIDE_SUITE := RealSidekiqThreadCPUTests

test: test-deps
	$(SWIFT) build --build-tests
	@bin="$$($(SWIFT) build --show-bin-path)"; log="$$(mktemp)"; \
	  NO_COLOR=1 "$$bin/kiqprofPackageTests.xctest" --testing-library swift-testing --filter '$(BESIDE_SUITE)' >"$$log" 2>&1 & \
	  beside=$$!; \
	  $(SWIFT) test --skip-build --skip '$(subst $(space),|,$(CPU_SUITES) $(BESIDE_SUITE))'; rest=$$?; \
	  wait $$beside; status=$$?; echo "== $(BESIDE_SUITE) (beside the others)"; cat "$$log"; rm -f "$$log"; \
	  [ $$rest -eq 0 ] && [ $$status -eq 0 ]
	@for suite in $(CPU_SUITES); do echo "== $$suite (alone)"; $(SWIFT) test --filter "$$suite" || exit 1; done


demo: release
	@bash scripts/demo.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"

# A benchmark, not a test: prints kiqprof against the paged-read floor, redis-cli and Sidekiq's Ruby API.
bench-census: test-deps release
	python3 bench/census/run.py --kiqprof "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"

# A benchmark: the recorder's CPU, RSS, round trips and store growth against 100 processes x 25 busy threads,
# and what per-thread sampling of 4 local processes x 25 threads adds (about 4 minutes; --quick exists).
bench-record: test-deps release
	python3 bench/record/run.py --kiqprof "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"

# A benchmark: import sidekiq-log on a generated 10M-line log and its journald export, against wc -l and a Python parse.
bench-import: release
	python3 bench/import/run.py --kiqprof "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"

# Reproduces a Trends-style outage with real Sidekiq, sidekiq-cron, sadc and kiqprof record (about 5 minutes),
# into samples/incident (or OUT=DIR), then shows its incident.
reproduce: test-deps release
	KIQPROF="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof" bash samples/reproduce/reproduce.sh $(OUT)

# Reproduces an OOM kill of Sidekiq in a memory cgroup (about 3 minutes, as root) into samples/oom (or OUT=DIR),
# then shows its incident; fails unless the incident names the kill, the process, the class and the restart.
reproduce-oom: test-deps release
	KIQPROF="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof" bash samples/reproduce-oom/reproduce-oom.sh $(OUT)

# Renders the bundled incident's HTML report in headless Chromium (installed with apt-get if missing):
# a screenshot, and a failure on any console message.
check-report: release
	cp samples/incident/kiqprof.sqlite /tmp/kiqprof-check-report.sqlite
	"$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof" report --db /tmp/kiqprof-check-report.sqlite --format html -o /tmp/kiqprof-report.html
	bash scripts/check-report.sh /tmp/kiqprof-report.html /tmp/kiqprof-report.png

# Before/after: this tree's release against BEFORE (a commit, default the parent of HEAD), turn about on the
# workloads of bench-import, bench-incident and bench-record; prints each ratio (5 % is the budget).
BEFORE ?= HEAD~1
bench-compare: test-deps release
	rm -rf /tmp/kiqprof-before && git worktree add --detach /tmp/kiqprof-before $(BEFORE) >/dev/null
	cd /tmp/kiqprof-before && $(SWIFT) build $(RELEASE_FLAGS) >/dev/null
	python3 bench/compare.py --before "$$(cd /tmp/kiqprof-before && $(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof" \
	  --after "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"; status=$$?; \
	  git worktree remove --force /tmp/kiqprof-before; exit $$status

# A benchmark: report --format html over 1M runs (24 h) against incident --json on the same store.
bench-report: release
	python3 bench/report/run.py --kiqprof "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"

# A benchmark: incident --json on 1M runs + 86,400 host samples (24 h), then 2x and 4x, against a Python read floor.
bench-incident: release
	python3 bench/incident/run.py --kiqprof "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"

# A benchmark: ranking accuracy, periodicity and attribution over 200 generated scenarios with known truth.
bench-evidence: release
	python3 bench/evidence/run.py --kiqprof "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"

# A benchmark: check against 1M queued jobs, GET /metrics, and record's CPU with and without --listen.
bench-check: test-deps release
	python3 bench/check/run.py --kiqprof "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"

# A benchmark: capacity --json on a generated month at 1-minute resolution (43,201 host samples, 25,920 runs),
# against a Python floor that reads the same rows; target 1 s.
bench-capacity: release
	python3 bench/capacity/run.py --kiqprof "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"

# Not a test: builds the libFuzzer harnesses in fuzz/ and runs each on the parsers in turn (10 M executions or
# FUZZ_SECONDS each; FUZZ_RUNS, FUZZERS=... to choose); fails on a crash, whose input stays in fuzz/work/.
fuzz: deps
	SWIFT="$(SWIFT)" python3 scripts/fuzz.py

install: release
	@bin="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"; \
	set -e; \
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(PREFIX)/share/man/man1; \
	install -m 0755 --strip "$$bin" $(DESTDIR)$(PREFIX)/bin/kiqprof; \
	"$$bin" --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kiqprof; \
	"$$bin" --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_kiqprof; \
	"$$bin" --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/kiqprof.fish; \
	if $(SWIFT) package plugin generate-manual >/dev/null 2>&1 && [ -f .build/plugins/GenerateManual/outputs/kiqprof/kiqprof.1 ]; then \
	  install -m 0644 .build/plugins/GenerateManual/outputs/kiqprof/kiqprof.1 $(DESTDIR)$(PREFIX)/share/man/man1/kiqprof.1; \
	else echo "note: the man page could not be generated here; kiqprof --help is complete"; fi; \
	echo "installed $(DESTDIR)$(PREFIX)/bin/kiqprof, completions and the man page"

# The installed binary must run where the Swift toolchain's libraries cannot be found.
check-static: release
	bash scripts/check-static.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kiqprof"

clean:
	rm -rf .build
