#!/usr/bin/env python3
"""Benchmark `kiqprof import sidekiq-log` on a generated Mastodon-like Sidekiq log.

Usage:
  python3 bench/import/run.py --kiqprof .build/release/kiqprof [--lines 10000000] [--quick]
                              [--journald-json | --no-journald-json] [--keep DIR] [--seed 1]

Generates a Sidekiq 6.5/7.x text log (gen.py; ~134 bytes a line) and, unless told otherwise in quick mode,
the same content as a journald `-o json` export, then times each contender once (the files are large) as
its own child process through ../census/rusage_exec.py (wall time, wait4 peak RSS):
  wc -l                      the floor: read the bytes and count newlines
  python regex parse         pyparse.py: one regex per line, start paired with done/fail per (pid, tid)
  kiqprof parse only         import sidekiq-log FILE --dry-run --json
  kiqprof full import        import sidekiq-log FILE --db <fresh store> --json
and the two kiqprof runs again on the journald export.

Exits 1 on a correctness failure (a contender failing, kiqprof's or Python's run counts disagreeing with
what was generated); a missed performance target is reported as MISS but does not fail the run.
The generated files live in a temp dir removed at the end, unless --keep DIR is given: then they are
written there, kept, and reused by later runs with the same --lines/--seed and generator.
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

RUSAGE_EXEC = os.path.join(HERE, "..", "census", "rusage_exec.py")
FULL_LINES, QUICK_LINES = 10_000_000, 500_000
# Bytes per line, for the disk check: text, journald export, store (measured on 500k-line runs, rounded up).
TEXT_BPL, JOURNALD_BPL, STORE_BPL = 140, 290, 200
TARGETS = {"parse_mlps": 5.0, "parse_vs_python": 5.0, "import_mlps": 1.0, "rss_mb": 100.0}


class CorrectnessError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Run:
    def __init__(self, name, wall, rss_kib, code, cpu, nbytes, lines):
        self.name, self.wall, self.rss_kib, self.code, self.cpu = name, wall, rss_kib, code, cpu
        self.bytes, self.lines = nbytes, lines
        self.output = None

    @property
    def mlps(self):
        return self.lines / self.wall / 1e6

    @property
    def mbps(self):
        return self.bytes / self.wall / 1e6

    @property
    def rss_mb(self):
        return self.rss_kib / 1024.0


def measure(name, argv, workdir, nbytes, lines):
    """Runs argv once through rusage_exec.py; keeps its stdout (checked by the caller) and stderr."""
    report = os.path.join(workdir, "rusage.txt")
    out_path, err_path = os.path.join(workdir, "stdout.txt"), os.path.join(workdir, "stderr.txt")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        subprocess.run([sys.executable, "-S", RUSAGE_EXEC, report, "--", *argv],
                       stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    with open(report) as f:
        wall, rss_kib, code, cpu = f.read().split()
    run = Run(name, float(wall), int(rss_kib), int(code), float(cpu), nbytes, lines)
    with open(out_path, "rb") as f:
        run.output = f.read().decode(errors="replace")
    if run.code != 0:
        with open(err_path, "rb") as f:
            raise CorrectnessError("%s exited %d: %s" % (name, run.code, f.read()[-2000:].decode(errors="replace")))
    return run


# --- data ---------------------------------------------------------------------------------------------

def generator_id():
    """Cached files are only reused when they came from this exact generator."""
    with open(os.path.join(HERE, "gen.py"), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def prepare(data_dir, lines, seed, journald, cache):
    """The text log (and journald export) plus the generator's counts; reused from data_dir if cache."""
    base = os.path.join(data_dir, "sidekiq-%d-s%d" % (lines, seed))
    text, jpath, meta_path = base + ".log", base + ".journald.json", base + ".meta.json"
    if cache and os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        ok = (meta.get("generator") == generator_id() and os.path.exists(text)
              and os.path.getsize(text) == meta["bytes"]
              and (not journald or (os.path.exists(jpath) and os.path.getsize(jpath) == meta["journald_bytes"])))
        if ok:
            log("reusing %s%s (--keep)" % (text, " and the journald export" if journald else ""))
            meta["generate_s"] = None
            return text, jpath if journald else None, meta
    log("generating %d lines%s into %s" % (lines, " (+ journald json)" if journald else "", data_dir))
    t0 = time.perf_counter()
    meta = gen.generate(lines, text, jpath if journald else None, seed=seed)
    meta["generate_s"] = time.perf_counter() - t0
    meta["generator"] = generator_id()
    if not journald:
        meta["journald_bytes"] = 0
    if cache:
        with open(meta_path, "w") as f:
            json.dump(meta, f)
    return text, jpath if journald else None, meta


def check_space(path, need):
    free = shutil.disk_usage(path).free
    if free < need * 1.2:
        sys.exit("not enough disk in %s: %.1f GB free, about %.1f GB needed" % (path, free / 1e9, need / 1e9))


# --- contenders ---------------------------------------------------------------------------------------

def run_wc(path, workdir, meta):
    run = measure("wc -l", ["wc", "-l", path], workdir, meta["bytes"], meta["lines"])
    counted = int(run.output.split()[0])
    if counted != meta["lines"]:
        raise CorrectnessError("wc -l counted %d lines, generated %d" % (counted, meta["lines"]))
    return run


def run_python(path, workdir, meta):
    run = measure("python regex parse", [sys.executable, os.path.join(HERE, "pyparse.py"), path], workdir,
                  meta["bytes"], meta["lines"])
    doc = json.loads(run.output)
    ends = meta["dones"] + meta["fails"]
    if doc["lines"] != meta["lines"] or doc["paired"] != ends:
        raise CorrectnessError("python parse: %d lines, %d runs paired; generated %d lines, %d done+fail"
                               % (doc["lines"], doc["paired"], meta["lines"], ends))
    run.paired = doc["paired"]
    return run


def run_kiqprof(name, argv, path, nbytes, workdir, meta):
    run = measure(name, argv, workdir, nbytes, meta["lines"])
    doc = json.loads(run.output)
    ends = meta["dones"] + meta["fails"]
    got = doc["runs_added"] - doc["open_runs"]
    if doc["lines"] != meta["lines"] or got != ends:
        raise CorrectnessError("%s on %s: %d lines, runs_added %d - open_runs %d = %d; generated %d lines, %d done+fail"
                               % (name, os.path.basename(path), doc["lines"], doc["runs_added"], doc["open_runs"],
                                  got, meta["lines"], ends))
    run.doc = doc
    return run


def kiqprof_pair(binary, label, path, nbytes, workdir, meta):
    """Parse-only, then a full import into a fresh store (deleted afterwards: it is large)."""
    log("%s: kiqprof parse only" % label)
    dry = run_kiqprof("kiqprof parse only (%s)" % label,
                      [binary, "import", "sidekiq-log", path, "--dry-run", "--json"], path, nbytes, workdir, meta)
    db = os.path.join(workdir, "k.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    log("%s: kiqprof full import" % label)
    full = run_kiqprof("kiqprof full import (%s)" % label,
                       [binary, "import", "sidekiq-log", path, "--db", db, "--json"], path, nbytes, workdir, meta)
    full.store_bytes = sum(os.path.getsize(db + s) for s in ("", "-wal", "-shm") if os.path.exists(db + s))
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    return dry, full


# --- report -------------------------------------------------------------------------------------------

def verdict(ok):
    return "PASS" if ok else "MISS"


def report(meta, text_path, runs, rss_floor_kib):
    wc, py, dry, full = runs[:4]
    ends = meta["dones"] + meta["fails"]
    jobs = meta["starts"]
    span_h = (meta["last_ms"] - meta["first_ms"]) / 3.6e6
    print()
    print("text log: %d lines, %.2f GB, %.1f bytes/line; %d pids x %d threads over %.1f h of log time"
          % (meta["lines"], meta["bytes"] / 1e9, meta["bytes"] / meta["lines"], len(meta["pids"]), gen.THREADS, span_h))
    print("  %d starts, %d done + %d fail (%.2f%% of runs; %d of them retries) = %d ended runs, %d open at the end;"
          % (jobs, meta["dones"], meta["fails"], 100.0 * meta["fails"] / max(1, ends), meta["retries"], ends,
             meta["open_at_end"]))
    print("  %d backtrace continuation lines, %d lifecycle lines" % (meta["continuation"], meta["lifecycle"]))
    if meta["journald_bytes"]:
        print("journald -o json export: %d lines, %.2f GB, %.1f bytes/line"
              % (meta["lines"], meta["journald_bytes"] / 1e9, meta["journald_bytes"] / meta["lines"]))
    if meta.get("generate_s") is not None:
        print("generated in %.1f s" % meta["generate_s"])
    print("peak RSS is the child's own (wait4 via rusage_exec.py); measurement floor %.1f MB" % (rss_floor_kib / 1024))
    print("files were just written (page cache warm); each contender ran once")
    print("checked: python paired %d runs; kiqprof runs_added - open_runs = %d done+fail on every run"
          % (py.paired, ends))
    for r in runs[2:]:
        d = r.doc
        notes = []
        if d["open_runs"] != meta["open_at_end"]:
            notes.append("open_runs %d, generated %d open" % (d["open_runs"], meta["open_at_end"]))
        if d["not_understood"] != meta["continuation"]:
            notes.append("not_understood %d, generated %d continuation lines" % (d["not_understood"], meta["continuation"]))
        extra = ", store %.0f MB" % (r.store_bytes / 1e6) if hasattr(r, "store_bytes") else ""
        print("  %-34s runs_added %d, open_runs %d, not_understood %d%s%s"
              % (r.name, d["runs_added"], d["open_runs"], d["not_understood"], extra,
                 ("  (note: " + "; ".join(notes) + ")") if notes else ""))
    print()
    print("%-36s %8s %13s %8s %12s %7s" % ("contender", "wall s", "lines/s (M)", "MB/s", "peak RSS MB", "cpu s"))
    for r in runs:
        print("%-36s %8.2f %13.2f %8.0f %12.1f %7.2f" % (r.name, r.wall, r.mlps, r.mbps, r.rss_mb, r.cpu))
    print()

    lines = []
    lines.append("parse-only (text) %.2f M lines/s (target >= %.0f) %s"
                 % (dry.mlps, TARGETS["parse_mlps"], verdict(dry.mlps >= TARGETS["parse_mlps"])))
    speedup = py.wall / dry.wall
    lines.append("parse-only (text) vs python parse %.1fx (target >= %.0fx) %s"
                 % (speedup, TARGETS["parse_vs_python"], verdict(speedup >= TARGETS["parse_vs_python"])))
    lines.append("full import (text) %.2f M lines/s (target >= %.0f) %s"
                 % (full.mlps, TARGETS["import_mlps"], verdict(full.mlps >= TARGETS["import_mlps"])))
    lines.append("full import (text) %.2f s vs python parse %.2f s (target: no slower) %s"
                 % (full.wall, py.wall, verdict(full.wall <= py.wall)))
    if len(runs) > 4:
        jdry, jfull = runs[4:6]
        lines.append("parse-only (journald json) %.2f M lines/s (target >= %.0f) %s"
                     % (jdry.mlps, TARGETS["parse_mlps"], verdict(jdry.mlps >= TARGETS["parse_mlps"])))
        lines.append("full import (journald json) %.2f M lines/s (target >= %.0f) %s"
                     % (jfull.mlps, TARGETS["import_mlps"], verdict(jfull.mlps >= TARGETS["import_mlps"])))
    for r in runs[2:]:
        lines.append("peak RSS %s %.1f MB (target <= %.0f) %s"
                     % (r.name, r.rss_mb, TARGETS["rss_mb"], verdict(r.rss_mb <= TARGETS["rss_mb"])))
    print("targets:\n  " + "\n  ".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--kiqprof", required=True, help="path to the kiqprof release binary")
    ap.add_argument("--lines", type=int, help="log lines (default %d, --quick %d)" % (FULL_LINES, QUICK_LINES))
    ap.add_argument("--quick", action="store_true", help="smoke test: %d lines, no journald export" % QUICK_LINES)
    ap.add_argument("--journald-json", action=argparse.BooleanOptionalAction, default=None,
                    help="also generate and import a journald -o json export (default: on, off with --quick)")
    ap.add_argument("--keep", metavar="DIR", help="write the generated files to DIR, keep them and reuse them next time")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    a = ap.parse_args()
    lines = a.lines if a.lines is not None else (QUICK_LINES if a.quick else FULL_LINES)
    journald = a.journald_json if a.journald_json is not None else not a.quick
    if lines < 1000:
        ap.error("need --lines >= 1000")
    binary = os.path.abspath(a.kiqprof)
    if not os.access(binary, os.X_OK):
        ap.error("not an executable: %s" % binary)
    if not shutil.which("wc"):
        ap.error("wc not found on PATH")

    workdir = tempfile.mkdtemp(prefix="kiqprof-bench-import-")
    try:
        data_dir = os.path.abspath(a.keep) if a.keep else workdir
        os.makedirs(data_dir, exist_ok=True)
        check_space(workdir, lines * STORE_BPL + (0 if a.keep else lines * (TEXT_BPL + JOURNALD_BPL * journald)))
        if a.keep:
            check_space(data_dir, lines * (TEXT_BPL + JOURNALD_BPL * journald))
        text, jpath, meta = prepare(data_dir, lines, a.seed, journald, cache=bool(a.keep))
        log("text log: %d lines, %.1f MB, %.1f bytes/line%s"
            % (meta["lines"], meta["bytes"] / 1e6, meta["bytes"] / meta["lines"],
               "; journald json: %.1f MB, %.1f bytes/line" % (meta["journald_bytes"] / 1e6,
                                                           meta["journald_bytes"] / meta["lines"]) if jpath else ""))

        rss_floor = measure("true", ["true"], workdir, 0, 0).rss_kib  # the launcher's own size
        log("text: wc -l")
        runs = [run_wc(text, workdir, meta)]
        log("text: python regex parse")
        runs.append(run_python(text, workdir, meta))
        runs += kiqprof_pair(binary, "text", text, meta["bytes"], workdir, meta)
        if jpath:
            runs += kiqprof_pair(binary, "journald json", jpath, meta["journald_bytes"], workdir, meta)
        report(meta, text, runs, rss_floor)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, so the temp dir is removed
    try:
        sys.exit(main())
    except CorrectnessError as e:
        print("\nFAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
