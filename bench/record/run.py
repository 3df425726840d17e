#!/usr/bin/env python3
"""make bench-record: the recorder's cost against 100 Sidekiq 7 processes x 25 busy threads.

A driver rewrites each process's heartbeat hash and work hash every 10 s in the exact Sidekiq 7.3 format
(staggered across processes, about a third of the jobs replaced each beat), on a private redis-server.
Phase A runs the driver alone for the duration; phase B runs the driver plus `kiqprof record --interval 1s`.
Redis's CPU for serving the recorder is B's Redis CPU minus A's. Prints the recorder's CPU % of one core,
its peak RSS, round trips and commands per poll, Redis's CPU and the store's growth in MB per day.

Phase C measures per-thread sampling: the same load and length as B, except that --local of the processes
(4) beat with this machine's hostname and the pids of real local stand-ins (threads.py: --threads threads
named `sidekiq.default`, each doing what its Sidekiq thread's job does, mostly sleeping, some using a little
CPU). The recorder then reads their threads' schedstat every poll and learns which thread runs which job.
Prints the recorder's CPU in B and C and the difference in percentage points of one core. The stand-ins run
through all three phases, so that only the heartbeats differ.
"""
import argparse
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "census"))
from resp import Redis, encode  # noqa: E402

CLASSES = ["ActivityPub::DeliveryWorker", "LinkCrawlWorker", "PushUpdateWorker", "FeedInsertWorker",
           "Scheduler::Trends::RefreshScheduler", "ThreadResolveWorker", "FetchReplyWorker", "DistributionWorker"]


def redis_cpu(redis):
    info = dict(l.split(":", 1) for l in redis.call("INFO", "cpu").decode().splitlines() if ":" in l)
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


class Driver(threading.Thread):
    """Writes heartbeats the way Sidekiq 7.3's launcher does: MULTI-free pipelines of the same commands."""

    def __init__(self, sock, processes, threads, beat, helpers=(), local=False):
        """`helpers`: one `Helper` each for the first processes, whose jobs stay on fixed Sidekiq threads (as in
        Sidekiq) and set what the helper's matching thread does; with `local`, their heartbeats carry this
        machine's hostname and the helpers' pids, so the recorder samples the helpers' threads."""
        super().__init__(daemon=True)
        self.redis = Redis(sock)
        self.rng = random.Random(7)
        self.beat = beat
        self.stop = threading.Event()
        self.procs = []
        now = time.time()
        for p in range(processes):
            helper = helpers[p] if p < len(helpers) else None
            hostname, pid = "web%02d" % (p % 4), 10000 + p
            if helper and local:
                hostname, pid = socket.gethostname(), helper.pid
            identity = "%s:%d:%012x" % (hostname, pid, self.rng.getrandbits(48))
            info = {"hostname": hostname, "started_at": now - 3600, "pid": pid, "tag": "mastodon",
                    "concurrency": threads, "queues": ["default", "push", "pull"], "weights": [{"default": 0, "push": 0, "pull": 0}],
                    "labels": [], "identity": identity, "version": "7.3.10", "embedded": False}
            work = {self.tid(): self.job(now) for _ in range(threads)}
            proc = {"identity": identity, "info": json.dumps(info, separators=(",", ":")), "work": work,
                    "offset": self.rng.random() * beat, "last": 0.0, "helper": helper}
            if helper:
                proc["tids"] = list(work)
                for index in range(threads):
                    helper.set(index, self.mode())
            self.procs.append(proc)

    def mode(self):
        # Most jobs wait (on the network, a lock, a sleep); a few use some CPU.
        return "light" if self.rng.random() < 0.15 else "sleep"

    def tid(self):
        return "".join(self.rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(4))

    def job(self, now):
        cls = self.rng.choice(CLASSES)
        jid = "%024x" % self.rng.getrandbits(96)
        payload = json.dumps({"retry": True, "queue": "default", "args": [self.rng.randrange(10**17, 10**18), "https://example.social/users/a"],
                              "class": cls, "jid": jid, "created_at": now - 1, "enqueued_at": now - 1}, separators=(",", ":"))
        return json.dumps({"queue": "default", "payload": payload, "run_at": int(now)}, separators=(",", ":"))

    def heartbeat(self, proc, now):
        # A third of the busy jobs finished since the last beat; new ones took their threads.
        if proc["helper"]:
            for index, tid in enumerate(proc["tids"]):
                if self.rng.random() < 0.33:
                    proc["work"][tid] = self.job(now)
                    proc["helper"].set(index, self.mode())
        else:
            for tid in list(proc["work"]):
                if self.rng.random() < 0.33:
                    del proc["work"][tid]
                    proc["work"][self.tid()] = self.job(now)
        key = proc["identity"]
        fields = []
        for tid, value in proc["work"].items():
            fields += [tid, value]
        out = [encode("SADD", "processes", key),
               encode("UNLINK", key + ":work"), encode("HSET", key + ":work", *fields), encode("EXPIRE", key + ":work", 60),
               encode("HSET", key, "info", proc["info"], "busy", len(proc["work"]), "beat", repr(now), "rtt_us", 120,
                      "quiet", "false", "rss", 512000 + self.rng.randrange(100000)),
               encode("EXPIRE", key, 60), encode("INCRBY", "stat:processed", 8)]
        self.redis.send_raw(b"".join(out))
        for _ in out:
            self.redis.read_reply()

    def run(self):
        while not self.stop.is_set():
            now = time.time()
            for proc in self.procs:
                if now - proc["last"] >= self.beat and (now % self.beat) >= proc["offset"] or proc["last"] == 0:
                    self.heartbeat(proc, now)
                    proc["last"] = now
            self.stop.wait(0.05)


class Helper:
    """One real local process standing in for a Sidekiq 7 process: `threads.py` with its named job threads."""

    def __init__(self, threads):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "threads.py"), str(threads)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            sys.exit("threads.py did not start")
        self.pid = self.proc.pid

    def set(self, index, mode):
        self.proc.stdin.write("%d %s\n" % (index, mode))
        self.proc.stdin.flush()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def run_phase(sock, args, kiqprof, db, helpers=(), local=False):
    ctl = Redis(sock)
    ctl.call("FLUSHALL")  # no process of an earlier phase lingers in the process set
    driver = Driver(sock, args.processes, args.threads, args.beat, helpers, local)
    for proc in driver.procs:
        driver.heartbeat(proc, time.time())
        proc["last"] = time.time()
    driver.start()
    time.sleep(2)
    cpu_before = redis_cpu(ctl)
    ctl.call("CONFIG", "RESETSTAT")
    result = None
    started = time.time()
    if kiqprof:
        rusage = os.path.join(os.path.dirname(db), "rusage.txt")
        proc = subprocess.run([sys.executable, "-S", os.path.join(HERE, "..", "census", "rusage_exec.py"), rusage, "--",
                               kiqprof, "record", "--redis", "unix://" + sock, "--db", db, "--interval", "1s",
                               "--duration", "%ds" % args.duration], capture_output=True, text=True)
        wall, rss_kib, code, cpu = open(rusage).read().split()
        result = {"wall": float(wall), "rss_mb": int(rss_kib) / 1024, "cpu": float(cpu), "code": int(code), "stderr": proc.stderr}
    else:
        time.sleep(args.duration)
    elapsed = time.time() - started
    cpu_after = redis_cpu(ctl)
    stats = ctl.call("INFO", "commandstats").decode()
    driver.stop.set()
    driver.join()
    return result, cpu_after - cpu_before, elapsed, stats


def start_redis(work):
    """A throwaway redis-server on a UNIX socket in `work`, ready when this returns: (process, socket path)."""
    sock = os.path.join(work, "redis.sock")
    server = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
                               "--save", "", "--appendonly", "no", "--dir", work], stdout=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(sock):
            break
        time.sleep(0.02)
    return server, sock


def local_runs(db, host):
    """What the recorder stored for the local processes' runs in phase C: (runs, with measured CPU, notes)."""
    con = sqlite3.connect(db)
    try:
        runs, measured = con.execute("SELECT count(*), count(cpu_s) FROM job_run WHERE host = ?", (host,)).fetchone()
        notes = dict(con.execute("SELECT cpu_note, count(*) FROM job_run WHERE host = ? AND cpu_note IS NOT NULL "
                                 "GROUP BY cpu_note", (host,)).fetchall())
    finally:
        con.close()
    return runs, measured, notes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiqprof", required=True)
    ap.add_argument("--processes", type=int, default=100)
    ap.add_argument("--threads", type=int, default=25)
    ap.add_argument("--beat", type=float, default=10)
    ap.add_argument("--duration", type=int, help="seconds per phase (default 60, 20 with --quick)")
    ap.add_argument("--local", type=int, default=4, help="processes that are real and local in phase C")
    ap.add_argument("--quick", action="store_true", help="20 s phases: a rougher number in about a minute and a half")
    args = ap.parse_args()
    if args.duration is None:
        args.duration = 20 if args.quick else 60

    work = tempfile.mkdtemp(prefix="kiqprof-bench-record-")
    server, sock = start_redis(work)
    # The local stand-ins run through every phase, so that only phase C's heartbeats differ: there they name
    # this machine and the stand-ins' pids, and the recorder samples their threads.
    helpers = []
    try:
        helpers = [Helper(args.threads) for _ in range(args.local)]
        print("phase A: the driver alone for %d s ..." % args.duration, file=sys.stderr)
        _, redis_a, elapsed_a, _ = run_phase(sock, args, None, None, helpers)
        print("phase B: the driver and kiqprof record for %d s ..." % args.duration, file=sys.stderr)
        db = os.path.join(work, "k.sqlite")
        result, redis_b, elapsed_b, stats = run_phase(sock, args, args.kiqprof, db, helpers)
        if result["code"] != 0:
            print(result["stderr"], file=sys.stderr)
            sys.exit("kiqprof record failed with exit %d" % result["code"])
        print("phase C: as B, with %d processes local (%d threads each) for %d s ..." % (args.local, args.threads, args.duration),
              file=sys.stderr)
        db_c = os.path.join(work, "c.sqlite")
        result_c, _, _, _ = run_phase(sock, args, args.kiqprof, db_c, helpers, local=True)
        if result_c["code"] != 0:
            print(result_c["stderr"], file=sys.stderr)
            sys.exit("kiqprof record failed with exit %d" % result_c["code"])
        runs_c, measured_c, notes_c = local_runs(db_c, socket.gethostname())
        per_poll = [l for l in result["stderr"].splitlines() if "per poll" in l]
        summary = [l for l in result["stderr"].splitlines() if "stopped after" in l]
        size = sum(os.path.getsize(os.path.join(work, f)) for f in os.listdir(work) if f.startswith("k.sqlite"))
        reads = {"sscan", "hmget", "hgetall", "llen", "lindex", "get", "zcard", "zrangebyscore"}
        read_calls = 0
        for line in stats.splitlines():
            if line.startswith("cmdstat_"):
                name = line[8:].split(":")[0]
                if name in reads:
                    read_calls += int(line.split("calls=")[1].split(",")[0])
        serving = max(0.0, redis_b * args.duration / elapsed_b - redis_a * args.duration / elapsed_a)
        recorder_pct = result["cpu"] / result["wall"] * 100
        recorder_c_pct = result_c["cpu"] / result_c["wall"] * 100
        sampling_pp = recorder_c_pct - recorder_pct
        print()
        print("load: %d processes x %d busy threads, Sidekiq 7.3 heartbeats every %.0f s; record --interval 1s for %d s"
              % (args.processes, args.threads, args.beat, args.duration))
        print(summary[0] if summary else "")
        print(per_poll[0] if per_poll else "")
        print("Redis read commands served during phase B (commandstats): %d" % read_calls)
        print()
        print("recorder CPU           %.2f s = %.2f %% of one core" % (result["cpu"], recorder_pct))
        print("recorder peak RSS      %.1f MB" % result["rss_mb"])
        print("Redis CPU, driver only %.2f s; driver + recorder %.2f s; serving the recorder %.2f s" % (redis_a, redis_b, serving))
        print("store after %d s       %.2f MB -> %.0f MB per day at this load" % (args.duration, size / 2**20, size / 2**20 * 86400 / args.duration))
        print()
        print("per-thread sampling: phase B (all %d processes on other hosts) against phase C (%d of them local, real"
              % (args.processes, args.local))
        print("processes with %d threads named sidekiq.default, their /proc/PID/task/*/schedstat read every poll)" % args.threads)
        print("recorder CPU, phase B  %.2f s over %.1f s = %.2f %% of one core" % (result["cpu"], result["wall"], recorder_pct))
        print("recorder CPU, phase C  %.2f s over %.1f s = %.2f %% of one core" % (result_c["cpu"], result_c["wall"], recorder_c_pct))
        print("phase C's local runs   %d stored, %d with measured CPU%s" % (
            runs_c, measured_c, "".join(", %d %s" % (n, note) for note, n in sorted(notes_c.items()))))
        print()
        rt = float(per_poll[0].split("per poll: ")[1].split(" round")[0]) if per_poll else 99
        print("targets:")
        print("  round trips per poll %.2f (target <= 2) %s" % (rt, "PASS" if rt <= 2 else "MISS"))
        print("  recorder CPU %.2f %% of a core (target <= 2 %%) %s" % (recorder_pct, "PASS" if recorder_pct <= 2 else "MISS"))
        print("  recorder peak RSS %.1f MB (target <= 50) %s" % (result["rss_mb"], "PASS" if result["rss_mb"] <= 50 else "MISS"))
        print("  recorder CPU %.2f s vs Redis serving it %.2f s (target: recorder <= Redis) %s"
              % (result["cpu"], serving, "PASS" if result["cpu"] <= serving else "MISS"))
        print("  per-thread sampling (%d local processes \u00d7 %d threads): %+.2f %% of a core (target \u2264 0.5) %s"
              % (args.local, args.threads, sampling_pp, "PASS" if sampling_pp <= 0.5 else "MISS"))
    finally:
        for helper in helpers:
            helper.close()
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
