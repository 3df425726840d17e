#!/usr/bin/env python3
"""make bench-check: kiqprof check against a Redis holding 1 M queued jobs, /metrics latency, and what serving
/metrics adds to `kiqprof record`.

On a private redis-server (UNIX socket): 1,000,000 Sidekiq 7 jobs in 5 queues, and the record bench's driver
writing the heartbeats of 100 processes x 25 busy threads every 10 s. First `kiqprof record` fills a store
for a while; then:
  1. `kiqprof check` N times (wall time of the whole process), against two floors measured the same way in
     the same run: `kiqprof --version` (process start) and `kiqprof status --json` (the same Redis reads);
  2. GET /metrics on `record --listen` N times, against GET / on the same listener (no rendering) as floor;
  3. `record` for D seconds without --listen, with --listen scraped every 15 s, and scraped every 1 s:
     the CPU each used, and the difference to the first as a share of one core.
Targets: check <= 200 ms, /metrics <= 50 ms, serving it <= 0.5 % of a core at a 15 s scrape.
"""
import argparse
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "census"))
from resp import Redis, encode  # noqa: E402

# bench/record/run.py's heartbeat driver and redis-server starter (its file is also named run.py).
_spec = importlib.util.spec_from_file_location("bench_record", os.path.join(HERE, "..", "record", "run.py"))
_record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_record)
Driver, start_redis = _record.Driver, _record.start_redis


def seed_queues(sock, total, queues=5, batch=2000):
    redis = Redis(sock)
    now = time.time()
    per_queue = total // queues
    for q in range(queues):
        name = "queue%d" % q
        redis.call("SADD", "queues", name)
        pushed = 0
        pending = []
        while pushed < per_queue:
            jobs = []
            for i in range(min(batch, per_queue - pushed)):
                n = pushed + i
                jobs.append(json.dumps({"retry": True, "queue": name, "class": "DeliveryWorker", "args": [n, "https://example.social/x"],
                                        "jid": "%024x" % (q << 80 | n), "created_at": now - 600 + n / per_queue * 600,
                                        "enqueued_at": now - 600 + n / per_queue * 600}, separators=(",", ":")))
            pending.append(encode("LPUSH", "queue:" + name, *jobs))
            pushed += len(jobs)
            if len(pending) >= 10:
                redis.send_raw(b"".join(pending))
                for _ in pending:
                    redis.read_reply()
                pending = []
        if pending:
            redis.send_raw(b"".join(pending))
            for _ in pending:
                redis.read_reply()
    sizes = [redis.call("LLEN", "queue:queue%d" % q) for q in range(queues)]
    redis.close()
    return sum(sizes)


def timed(argv, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - started)
        if proc.returncode not in (0, 1, 2):
            sys.exit("%s exited %d: %s" % (" ".join(argv), proc.returncode, proc.stderr.decode()[-500:]))
    return times


def http_get(port, path):
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" % path.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return time.perf_counter() - started, data


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record(kiqprof, sock, db, work, seconds, listen=None, scrape_every=None):
    """Runs `record` for `seconds` (optionally listening and scraped every `scrape_every` s); returns its CPU seconds."""
    rusage = os.path.join(work, "rusage.txt")
    argv = [kiqprof, "record", "--redis", "unix://" + sock, "--db", db, "--interval", "1s", "--duration", "%ds" % seconds]
    if listen:
        argv += ["--listen", "127.0.0.1:%d" % listen]
    proc = subprocess.Popen([sys.executable, "-S", os.path.join(HERE, "..", "census", "rusage_exec.py"), rusage, "--"] + argv,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    scrapes = 0
    if listen and scrape_every:
        time.sleep(1.5)
        while proc.poll() is None:
            try:
                http_get(listen, "/metrics")
                scrapes += 1
            except OSError:
                pass
            time.sleep(scrape_every)
    _, err = proc.communicate()
    wall, rss_kib, code, cpu = open(rusage).read().split()
    if int(code) != 0:
        sys.exit("record failed: " + err.decode()[-800:])
    return float(cpu), float(wall), scrapes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiqprof", required=True)
    ap.add_argument("--jobs", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--duration", type=int, default=60, help="seconds of each record phase")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="kiqprof-bench-check-")
    server, sock = start_redis(work)
    driver = None
    try:
        print("seeding %d queued jobs ..." % args.jobs, file=sys.stderr)
        queued = seed_queues(sock, args.jobs)
        driver = Driver(sock, 100, 25, 10)
        for proc in driver.procs:
            driver.heartbeat(proc, time.time())
            proc["last"] = time.time()
        driver.start()
        db = os.path.join(work, "k.sqlite")
        print("filling the store: record for 20 s ...", file=sys.stderr)
        record(args.kiqprof, sock, db, work, 20)

        url = "unix://" + sock
        print("timing check, status and --version, %d runs each ..." % args.runs, file=sys.stderr)
        check = timed([args.kiqprof, "check", "--redis", url, "--db", db], args.runs)
        status = timed([args.kiqprof, "status", "--json", "--redis", url], args.runs)
        start = timed([args.kiqprof, "--version"], args.runs)

        print("timing GET /metrics ...", file=sys.stderr)
        port = free_port()
        listener = threading.Thread(target=record, args=(args.kiqprof, sock, os.path.join(work, "m.sqlite"), work, 25, port, None))
        listener.start()
        time.sleep(3)
        http_get(port, "/metrics")  # the first scrape also computes the suspects
        metrics, floor, size = [], [], 0
        for _ in range(args.runs):
            seconds, body = http_get(port, "/metrics")
            metrics.append(seconds)
            size = len(body)
            floor.append(http_get(port, "/")[0])
            time.sleep(0.2)
        listener.join()

        print("record CPU: %d s without --listen, then scraped every 15 s, then every 1 s ..." % args.duration, file=sys.stderr)
        base_cpu, base_wall, _ = record(args.kiqprof, sock, os.path.join(work, "a.sqlite"), work, args.duration)
        slow_cpu, slow_wall, slow_n = record(args.kiqprof, sock, os.path.join(work, "b.sqlite"), work, args.duration, free_port(), 15)
        fast_cpu, fast_wall, fast_n = record(args.kiqprof, sock, os.path.join(work, "c.sqlite"), work, args.duration, free_port(), 1)

        med = statistics.median
        print()
        print("load: %d queued jobs in 5 queues; 100 Sidekiq 7.3 processes x 25 busy threads beating every 10 s" % queued)
        print("kiqprof check      median %6.1f ms  min %6.1f ms" % (med(check) * 1000, min(check) * 1000))
        print("  floor: status    median %6.1f ms  (same Redis reads, no store)  ratio %.2f" % (med(status) * 1000, med(check) / med(status)))
        print("  floor: --version median %6.1f ms  (process start)              ratio %.2f" % (med(start) * 1000, med(check) / med(start)))
        print("GET /metrics       median %6.2f ms  max %6.2f ms  (%d bytes)" % (med(metrics) * 1000, max(metrics) * 1000, size))
        print("  floor: GET /     median %6.2f ms                                ratio %.2f" % (med(floor) * 1000, med(metrics) / med(floor)))
        base = base_cpu / base_wall * 100
        slow = slow_cpu / slow_wall * 100
        fast = fast_cpu / fast_wall * 100
        print("record CPU         %.2f %% of a core without --listen" % base)
        print("  --listen, %3d scrapes every 15 s: %.2f %% (+%.2f pp)" % (slow_n, slow, slow - base))
        print("  --listen, %3d scrapes every  1 s: %.2f %% (+%.2f pp; per 15 s scrape rate: +%.3f pp)"
              % (fast_n, fast, fast - base, (fast - base) / 15))
        print()
        print("targets:")
        print("  check %.0f ms (<= 200) %s" % (med(check) * 1000, "PASS" if med(check) <= 0.2 else "MISS"))
        print("  /metrics %.1f ms (<= 50) %s" % (max(metrics) * 1000, "PASS" if max(metrics) <= 0.05 else "MISS"))
        print("  serving /metrics every 15 s +%.2f pp of a core (<= 0.5) %s" % (slow - base, "PASS" if slow - base <= 0.5 else "MISS"))
    finally:
        if driver:
            driver.stop.set()
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
