#!/usr/bin/env python3
"""`make fuzz`: builds the libFuzzer harnesses in fuzz/, seeds a corpus per fuzzer from the fixtures, runs each
fuzzer in turn, and prints what each did. Exits 1 when any fuzzer crashed; its input stays in fuzz/work/.

FUZZ_RUNS (default 10,000,000 executions per fuzzer; 0 for no limit) and FUZZ_SECONDS (default 1,800, a cap per
fuzzer; 300 for log-blocks) bound each run; FUZZERS="sidekiq-log json-scanner" runs only those. The corpus grows
from run to run in fuzz/work/<fuzzer>/corpus (git ignores fuzz/work): delete it to start again from the seeds.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "fuzz", "work")
SEEDS = os.path.join(ROOT, "fuzz", "corpus")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "sidekiq")
SWIFT = os.environ.get("SWIFT", "swift")
NICE = ["nice", "-n", os.environ.get("FUZZ_NICE", "15")]

# Address sanitizer where the code reads raw buffers by index (release builds do not bounds-check
# UnsafeRawBufferPointer); the document readers and the rules go through Foundation, where it only costs speed.
# Each build in its own scratch path, apart from the main package's .build and .build-static.
BUILDS = {
    "asan": (".build-fuzz", ["-Xswiftc", "-sanitize=fuzzer,address"]),
    "plain": (".build-fuzz-plain", ["-Xswiftc", "-sanitize=fuzzer"]),
}


def lines_of(path):
    with open(path, "rb") as handle:
        return handle.read().split(b"\n")


def log_chunks(_):
    """Eight-line pieces of every captured log, each format: a parse state carries over a few lines only."""
    paths = sorted(glob.glob(os.path.join(FIXTURES, "*", "*.log")) + glob.glob(os.path.join(FIXTURES, "*", "journal-*.json")))
    paths += sorted(glob.glob(os.path.join(ROOT, "samples", "incident", "sidekiq-*.log")))
    for path in paths:
        lines = [line for line in lines_of(path) if line]
        step = max(8, len(lines) // 24)  # at most ~24 pieces per file, spread over it
        for index, start in enumerate(range(0, len(lines), step)):
            piece = lines[start:start + 8]
            while len(piece) > 1 and sum(len(line) + 1 for line in piece) > 2048:  # journald's JSON lines are long
                piece.pop()
            yield f"{os.path.basename(os.path.dirname(path))}-{os.path.basename(path)}-{index}", b"\n".join(piece)


def blocks_of_log_chunks(_):
    """The log pieces, each behind the two bytes that choose a block size and the bytes the file claims beyond its end."""
    for index, (name, data) in enumerate(log_chunks(None)):
        yield name, bytes([index % 128, 0 if index % 3 else 64]) + data


def json_lines(_):
    """JSON values from the logs (Sidekiq's JSON formatter, journald -o json) and the job payloads of the snapshots."""
    for name, data in payloads(None):
        yield name, data
    paths = glob.glob(os.path.join(FIXTURES, "*", "sidekiq-json.log")) + glob.glob(os.path.join(FIXTURES, "*", "journal-*.json"))
    for path in sorted(paths):
        for index, line in enumerate(line for line in lines_of(path) if line.startswith(b"{")):
            if index < 20:
                yield f"{os.path.basename(os.path.dirname(path))}-{os.path.basename(path)}-{index}", line


def payloads(_):
    """The job payloads inside the captured Redis snapshots: every string that is a JSON object."""
    found = {}

    def walk(value):
        if isinstance(value, str) and value.startswith("{"):
            found.setdefault(value, None)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    for path in sorted(glob.glob(os.path.join(FIXTURES, "*", "snapshot.json"))):
        with open(path) as handle:
            walk(json.load(handle))
    for index, payload in enumerate(list(found)[:80]):
        yield f"snapshot-payload-{index}", payload.encode()


def sar_documents(_):
    """samples/incident/sar.json cut into small documents of a few records each."""
    with open(os.path.join(ROOT, "samples", "incident", "sar.json")) as handle:
        document = json.load(handle)
    for host in document["sysstat"]["hosts"]:
        records = host.get("statistics", [])
        for index, start in enumerate(range(0, len(records), max(1, len(records) // 8))):
            piece = dict(host, statistics=records[start:start + 2])
            yield f"incident-sar-{index}", json.dumps({"sysstat": {"hosts": [piece]}}).encode()


def rule_documents(_):
    """rules/mastodon.json as one document per rule."""
    with open(os.path.join(ROOT, "rules", "mastodon.json")) as handle:
        book = json.load(handle)
    for index, rule in enumerate(book["rules"]):
        yield f"mastodon-rule-{index}", json.dumps(dict(book, rules=[rule])).encode()


def nothing(_):
    return iter(())


# name, SwiftPM product, build, -max_len, fixture seeds, committed seed folder (fuzz/corpus/<folder>).
FUZZERS = [
    ("sidekiq-log", "SidekiqLogFuzzer", "asan", 2048, log_chunks, None),
    ("log-blocks", "LogBlockReaderFuzzer", "asan", 1024, blocks_of_log_chunks, None),
    ("json-scanner", "JSONScannerFuzzer", "asan", 4096, json_lines, "payload"),
    ("job-payload", "JobPayloadFuzzer", "asan", 4096, payloads, "payload"),
    ("env-file", "EnvironmentFileFuzzer", "plain", 4096, nothing, "env"),
    ("sar", "SarDocumentFuzzer", "plain", 8192, sar_documents, "sar"),
    ("cloudwatch", "CloudWatchDocumentFuzzer", "plain", 8192, nothing, "cloudwatch"),
    ("prometheus", "PrometheusDocumentFuzzer", "plain", 8192, nothing, "prometheus"),
    ("rules", "RuleBookFuzzer", "plain", 8192, rule_documents, None),
]


def wait_while_quiet():
    # The lead's benchmarks ask for a quiet machine with this file.
    while os.path.exists("/tmp/kiqprof-quiet"):
        time.sleep(30)


def build(kind, products):
    wait_while_quiet()
    scratch, flags = BUILDS[kind]
    # lld: gold stops with an internal error on these links. -enable-testing: the log harness reaches the parser's
    # per-line state through @testable import, as the importer does.
    command = NICE + [SWIFT, "build", "--package-path", os.path.join(ROOT, "fuzz"), "--scratch-path", os.path.join(ROOT, scratch),
                      "-c", "release",
                      "-Xswiftc", "-enable-testing", "-Xswiftc", "-use-ld=lld"] + flags
    for product in products:
        subprocess.run(command + ["--product", product], check=True)
    return subprocess.run(command + ["--show-bin-path"], check=True, capture_output=True, text=True).stdout.strip()


def seed(name, generate, folder):
    corpus = os.path.join(WORK, name, "corpus")
    os.makedirs(corpus, exist_ok=True)
    added = 0
    for seed_name, data in generate(name):
        path = os.path.join(corpus, "seed-" + seed_name)
        if not os.path.exists(path):
            with open(path, "wb") as handle:
                handle.write(data)
            added += 1
    if folder:
        for path in sorted(glob.glob(os.path.join(SEEDS, folder, "*"))):
            target = os.path.join(corpus, "seed-" + folder + "-" + os.path.basename(path))
            if not os.path.exists(target):
                shutil.copyfile(path, target)
                added += 1
    return corpus


# log-blocks writes a file and reads it back per execution (about 400 a second): it cannot reach 10 M in a
# sensible time, so unless FUZZ_SECONDS says otherwise it runs for this long.
DEFAULT_SECONDS = {"log-blocks": 300}


def run(name, binary, max_len, corpus):
    wait_while_quiet()
    directory = os.path.join(WORK, name)
    runs = int(os.environ.get("FUZZ_RUNS", "10000000"))
    seconds = int(os.environ.get("FUZZ_SECONDS", DEFAULT_SECONDS.get(name, 1800)))
    log_path = os.path.join(directory, "fuzz.log")
    command = NICE + [binary, corpus, f"-max_len={max_len}", f"-runs={runs if runs > 0 else -1}", f"-max_total_time={seconds}",
                      "-print_final_stats=1", "-timeout=10", "-rss_limit_mb=4096", f"-artifact_prefix={directory}/"]
    started = time.monotonic()
    wall_start = time.time() - 1
    # Swift's own crash backtracer reads memory ASan has poisoned and buries the report: libFuzzer's handler
    # prints the stack and keeps the input. Rerun the binary on that input to see Swift's message.
    environment = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    with open(log_path, "w") as log:
        status = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=environment).returncode
    elapsed = time.monotonic() - started
    with open(log_path, errors="replace") as log:
        text = log.read()
    stats = dict(re.findall(r"^stat::(\w+):\s+(\d+)", text, re.M))
    # This run's artifacts only: inputs an earlier run kept stay beside them until someone deletes them.
    artifacts = sorted(path for pattern in ("crash-*", "timeout-*", "oom-*", "leak-*")
                       for path in glob.glob(os.path.join(directory, pattern)) if os.path.getmtime(path) >= wall_start)
    executions = int(stats.get("number_of_executed_units", 0))
    if not stats and status != 0:
        # A crash ends libFuzzer before its final stats: take the last progress line's count.
        progress = re.findall(r"^#(\d+)\s", text, re.M)
        executions = int(progress[-1]) if progress else 0
    return {
        "name": name, "executions": executions, "per_second": executions / elapsed if elapsed > 0 else 0, "seconds": elapsed,
        "crashes": len(artifacts) if artifacts or status == 0 else 1, "corpus": len(os.listdir(corpus)), "status": status,
        "artifacts": artifacts, "log": log_path, "binary": binary,
    }


def main():
    wanted = os.environ.get("FUZZERS", "").split()
    fuzzers = [fuzzer for fuzzer in FUZZERS if not wanted or fuzzer[0] in wanted]
    unknown = set(wanted) - {fuzzer[0] for fuzzer in FUZZERS}
    if unknown:
        sys.exit(f"unknown fuzzer(s): {' '.join(sorted(unknown))}; known: {' '.join(f[0] for f in FUZZERS)}")
    bins = {}
    for kind in BUILDS:
        products = [fuzzer[1] for fuzzer in fuzzers if fuzzer[2] == kind]
        if products:
            bins[kind] = build(kind, products)
    results = []
    for name, product, kind, max_len, generate, folder in fuzzers:
        corpus = seed(name, generate, folder)
        print(f"== {name}: fuzzing (log in {os.path.relpath(os.path.join(WORK, name, 'fuzz.log'), ROOT)})", flush=True)
        results.append(run(name, os.path.join(bins[kind], product), max_len, corpus))
    print()
    print(f"{'fuzzer':<14} {'executions':>12} {'exec/s':>8} {'seconds':>8} {'crashes':>8} {'corpus':>7}")
    for result in results:
        print(f"{result['name']:<14} {result['executions']:>12,} {result['per_second']:>8,.0f} {result['seconds']:>8.0f}"
              f" {result['crashes']:>8} {result['corpus']:>7}")
    failed = [result for result in results if result["crashes"]]
    for result in failed:
        inputs = " ".join(os.path.relpath(path, ROOT) for path in result["artifacts"]) or "(none written)"
        print(f"\n{result['name']} crashed; its input: {inputs}"
              f"\n  the fuzzer's output: {os.path.relpath(result['log'], ROOT)}"
              f"\n  to rerun it: {os.path.relpath(result['binary'], ROOT)} <input>")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
