#!/usr/bin/env python3
"""Benchmark `kiqprof census` against a private Redis seeded with a large Sidekiq backlog.

Usage:
  python3 bench/census/run.py --kiqprof .build/release/kiqprof [--jobs 1000000] [--retry 100000]
                              [--scheduled 100000] [--reps 3] [--quick] [--no-ruby]

Contenders, each its own child process, timed and sized by rusage_exec.py (wait4 ru_maxrss):
  kiqprof census    the binary under test (--json), output checked against what was seeded
  floor             floor.py: the same paged reads in Python, RESP framing only (no JSON)
  redis-cli         one `LRANGE key 0 -1` / `ZRANGE key 0 -1` per key: the naive dump, for contrast
  sidekiq ruby API  sidekiq_api_count.rb: Sidekiq's own API (run once; it is slow)

Exits 1 on a correctness failure (wrong counts, a contender failing); a missed performance target is
reported as MISS but does not fail the run. Standard library only.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import seed  # noqa: E402
from resp import Redis, RedisError  # noqa: E402

SLOWLOG_THRESHOLD_US = 10000  # Redis's "slow" line for this bench: 10 ms
CONTROL_NAME = "bench-control"  # our own connection, filtered out of SLOWLOG
TARGETS = {"kiqprof/floor": 1.5, "ruby/kiqprof": 10.0, "rss_mb": 64.0, "slowest_ms": 10.0}


class CorrectnessError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Run:
    def __init__(self, wall, rss_kib, code=0, cpu=0.0):
        self.wall, self.rss_kib, self.code, self.cpu = wall, rss_kib, code, cpu


def measure(argv, stdout=subprocess.DEVNULL, stderr=None, env=None):
    """Runs argv to completion through rusage_exec.py: wall seconds and the command's own peak RSS."""
    fd, report = tempfile.mkstemp(prefix="kiqprof-bench-rusage-")
    os.close(fd)
    try:
        subprocess.run([sys.executable, "-S", os.path.join(HERE, "rusage_exec.py"), report, "--", *argv],
                       stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=env)
        with open(report) as f:
            wall, rss_kib, code, cpu = f.read().split()
    finally:
        os.unlink(report)
    return Run(float(wall), int(rss_kib), int(code), float(cpu))


class PrivateRedis:
    """redis-server on a UNIX socket in a temp dir, no persistence; stopped (and the dir removed) on exit."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kiqprof-bench-")
        if len(self.dir) > 80:  # sun_path is limited to 108 bytes
            shutil.rmtree(self.dir)
            self.dir = tempfile.mkdtemp(prefix="kiqprof-bench-", dir="/tmp")
        self.sock = os.path.join(self.dir, "redis.sock")
        self.proc = None
        self.ctl = None
        self.logfile = None

    def __enter__(self):
        try:
            return self._start()
        except BaseException:
            self.__exit__()  # `with` only calls __exit__ once __enter__ has returned
            raise

    def _start(self):
        self.logfile = open(os.path.join(self.dir, "redis.log"), "wb")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", self.sock, "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", self.dir],
            stdin=subprocess.DEVNULL, stdout=self.logfile, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("redis-server exited: " + self.log_tail())
            try:
                self.ctl = Redis(self.sock)
                self.ctl.call("PING")
                break
            except (OSError, RedisError):
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not come up: " + self.log_tail())
                time.sleep(0.05)
        self.ctl.call("CLIENT", "SETNAME", CONTROL_NAME)
        self.ctl.call("CONFIG", "SET", "slowlog-log-slower-than", SLOWLOG_THRESHOLD_US)
        return self

    def log_tail(self):
        self.logfile.flush()
        with open(os.path.join(self.dir, "redis.log"), "rb") as f:
            return f.read()[-2000:].decode(errors="replace")

    def __exit__(self, *exc):
        if self.ctl:
            self.ctl.close()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.logfile:
            self.logfile.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def cpu(self):
        """redis-server's own CPU seconds (user + sys) so far."""
        info = dict(line.split(":", 1) for line in self.ctl.call("INFO", "cpu").decode().splitlines() if ":" in line)
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    def measure(self, argv, **kwargs):
        """measure(), plus the CPU Redis spent meanwhile (run.redis_cpu)."""
        before = self.cpu()
        run = measure(argv, **kwargs)
        run.redis_cpu = self.cpu() - before
        return run

    def slowlog(self):
        """Every SLOWLOG entry not sent by our control connection: (duration µs, [args])."""
        entries = self.ctl.call("SLOWLOG", "GET", self.ctl.call("SLOWLOG", "LEN"))
        return [(e[2], [a.decode(errors="replace") for a in e[3]])
                for e in entries if len(e) < 6 or e[5] != CONTROL_NAME.encode()]


def fmt_cmd(args):
    return " ".join(args if len(args) <= 4 else args[:4] + ["…"])


# --- contenders ---------------------------------------------------------------------------------------

def run_kiqprof(redis, binary, data, rep, expected_pages):
    """One timed census run. SLOWLOG logs *every* command during it (threshold 0), so the slowest one
    kiqprof sent is known exactly, not just whether any crossed 10 ms."""
    ctl = redis.ctl
    ctl.call("CONFIG", "SET", "slowlog-max-len", max(10000, 4 * expected_pages))
    ctl.call("CONFIG", "SET", "slowlog-log-slower-than", 0)
    ctl.call("SLOWLOG", "RESET")
    out_path = os.path.join(redis.dir, "census-%d.json" % rep)
    err_path = os.path.join(redis.dir, "census-%d.err" % rep)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        # A file rather than /dev/null so every run's output is checked; it is a few KB either way.
        run = redis.measure([binary, "census", "--redis", "unix://" + redis.sock, "--json"], stdout=out, stderr=err)
    ctl.call("CONFIG", "SET", "slowlog-log-slower-than", SLOWLOG_THRESHOLD_US)
    entries = redis.slowlog()
    if run.code != 0:
        with open(err_path, "rb") as f:
            raise CorrectnessError("kiqprof census exited %d: %s" % (run.code, f.read()[-2000:].decode(errors="replace")))
    with open(out_path, "rb") as f:
        check_census(json.load(f), data)
    pages = sum(1 for _, args in entries if args[0].upper() in ("LRANGE", "ZRANGE"))
    if pages < expected_pages:  # would mean the slowlog missed commands, so "slowest" would be a guess
        raise CorrectnessError("SLOWLOG saw %d range commands from kiqprof, expected >= %d" % (pages, expected_pages))
    run.slowest = max(entries) if entries else (0, ["(none)"])
    run.commands = len(entries)
    return run


def check_census(doc, data):
    """kiqprof's JSON against what was seeded: totals, per class and location, and each bad payload."""
    problems = []
    if doc.get("total") != data.valid:
        problems.append("total %r, seeded %d valid payloads" % (doc.get("total"), data.valid))
    if doc.get("unparseable_count") != len(data.invalid):
        problems.append("unparseable_count %r, seeded %d" % (doc.get("unparseable_count"), len(data.invalid)))
    found = sorted((u["key"], u["index"]) for u in doc.get("unparseable", []))
    if found != sorted(data.invalid):
        problems.append("unparseable at %s, seeded at %s" % (found, sorted(data.invalid)))
    got = {c["class"]: c["by_location"] for c in doc.get("classes", [])}
    want = {cls: dict(locs) for cls, locs in data.by_class.items()}
    for cls in sorted(set(got) | set(want)):
        if got.get(cls) != want.get(cls):
            problems.append("%s: by_location %s, seeded %s" % (cls, got.get(cls), want.get(cls)))
    if doc.get("warnings"):
        problems.append("warnings: %s" % doc["warnings"])
    if problems:
        raise CorrectnessError("kiqprof census disagrees with the seeded data:\n  " + "\n  ".join(problems))


def run_floor(redis, data):
    out_path = os.path.join(redis.dir, "floor.json")
    with open(out_path, "wb") as out:
        run = redis.measure([sys.executable, os.path.join(HERE, "floor.py"), redis.sock], stdout=out)
    if run.code != 0:
        raise CorrectnessError("floor.py exited %d" % run.code)
    with open(out_path) as f:
        elements = json.load(f)["elements"]
    if elements != data.elements:
        raise CorrectnessError("floor read %d elements, seeded %d" % (elements, data.elements))
    return run


def run_redis_cli(redis, keys):
    """One redis-cli per key, dumping it whole; wall is the total, RSS the largest single redis-cli."""
    redis.ctl.call("SLOWLOG", "RESET")
    wall, rss, cpu, redis_cpu = 0.0, 0, 0.0, 0.0
    for key, command, _ in keys:
        run = redis.measure(["redis-cli", "-s", redis.sock, command, key, "0", "-1"])
        if run.code != 0:
            raise CorrectnessError("redis-cli %s %s exited %d" % (command, key, run.code))
        wall += run.wall
        cpu += run.cpu
        redis_cpu += run.redis_cpu
        rss = max(rss, run.rss_kib)
    total = Run(wall, rss, 0, cpu)
    total.redis_cpu = redis_cpu
    total.biggest = max(keys, key=lambda k: k[2])  # (key, command, size)
    # None if it ran under the 10 ms SLOWLOG threshold (small --quick data sets).
    total.biggest_us = max((us for us, args in redis.slowlog() if args[:2] == [total.biggest[1], total.biggest[0]]),
                           default=None)
    return total


def run_ruby(redis, data):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "REDIS_PROVIDER")}  # would override path:
    out_path = os.path.join(redis.dir, "ruby.json")
    with open(out_path, "wb") as out:
        run = redis.measure(["ruby", os.path.join(HERE, "sidekiq_api_count.rb"), redis.sock], stdout=out, env=env)
    if run.code != 0:
        raise CorrectnessError("sidekiq_api_count.rb exited %d" % run.code)
    with open(out_path) as f:
        doc = json.load(f)
    want = data.class_totals()
    if doc["classes"] != want or doc["unparseable"] != len(data.invalid):
        raise CorrectnessError("Sidekiq API counted %s (+%d unparseable), seeded %s (+%d)"
                               % (doc["classes"], doc["unparseable"], want, len(data.invalid)))
    return run


def ruby_available():
    try:
        return subprocess.run(["ruby", "-e", 'require "sidekiq/api"'], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


# --- report -------------------------------------------------------------------------------------------

def mb(kib):
    return kib / 1024.0


def summarize(runs):
    """Median wall, median CPU (own and Redis's), max peak RSS, and every wall for the record."""
    return (statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
            statistics.median(r.redis_cpu for r in runs), max(r.rss_kib for r in runs), [r.wall for r in runs])


def verdict(ok):
    return "PASS" if ok else "MISS"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--kiqprof", required=True, help="path to the kiqprof release binary")
    ap.add_argument("--jobs", type=int, help="queued jobs, including the 3 invalid ones (default 1000000)")
    ap.add_argument("--retry", type=int, help="retry set size (default 100000)")
    ap.add_argument("--scheduled", type=int, help="schedule set size (default 100000)")
    ap.add_argument("--reps", type=int, help="repetitions per contender, median reported (default 3)")
    ap.add_argument("--quick", action="store_true", help="smoke test: 50000/5000/5000 jobs, 1 repetition")
    ap.add_argument("--no-ruby", action="store_true", help="skip the Sidekiq Ruby API contender")
    a = ap.parse_args()
    defaults = (50000, 5000, 5000, 1) if a.quick else (1000000, 100000, 100000, 3)
    jobs, retry, scheduled, reps = (v if v is not None else d
                                    for v, d in zip((a.jobs, a.retry, a.scheduled, a.reps), defaults))
    if jobs < 100 or retry < 0 or scheduled < 0 or reps < 1:
        ap.error("need --jobs >= 100, --retry/--scheduled >= 0, --reps >= 1")
    binary = os.path.abspath(a.kiqprof)
    if not os.access(binary, os.X_OK):
        ap.error("not an executable: %s" % binary)
    for tool in ("redis-server", "redis-cli"):
        if not shutil.which(tool):
            ap.error("%s not found on PATH" % tool)

    with PrivateRedis() as redis:
        log("seeding %d queued + %d retry + %d scheduled jobs into %s" % (jobs, retry, scheduled, redis.sock))
        t0 = time.perf_counter()
        data = seed.seed(redis.ctl, jobs, retry, scheduled)
        seed_s = time.perf_counter() - t0
        used = int(next(line.split(":")[1] for line in redis.ctl.call("INFO", "memory").decode().splitlines()
                        if line.startswith("used_memory:")))
        keys = [("queue:" + q, "LRANGE", redis.ctl.call("LLEN", "queue:" + q)) for q in data.queues]
        keys += [(k, "ZRANGE", redis.ctl.call("ZCARD", k)) for k in ("retry", "schedule", "dead")]
        if sum(k[2] for k in keys) != data.elements:
            raise CorrectnessError("Redis holds %d elements after seeding, expected %d"
                                   % (sum(k[2] for k in keys), data.elements))
        keys = [k for k in keys if k[2] > 0]
        expected_pages = sum((k[2] + 999) // 1000 for k in keys)
        log("seeded %d elements (%.0f MB of RESP, Redis used_memory %.0f MB) in %.1f s"
            % (data.elements, data.payload_bytes / 1e6, used / 2**20, seed_s))

        rss_floor = measure(["true"]).rss_kib  # the launcher's own size: no RSS figure can be below it
        kiq, floor, cli = [], [], []
        for rep in range(reps):  # interleaved, so drift over the session hits every contender alike
            log("rep %d/%d: kiqprof census" % (rep + 1, reps))
            kiq.append(run_kiqprof(redis, binary, data, rep, expected_pages))
            log("rep %d/%d: floor" % (rep + 1, reps))
            floor.append(run_floor(redis, data))
            log("rep %d/%d: redis-cli" % (rep + 1, reps))
            cli.append(run_redis_cli(redis, keys))

        ruby = None
        if a.no_ruby:
            log("sidekiq ruby API: skipped (--no-ruby)")
        elif not ruby_available():
            log("sidekiq ruby API: skipped (ruby -e 'require \"sidekiq/api\"' failed)")
        else:
            log("sidekiq ruby API (once; progress every 100k jobs)")
            ruby = run_ruby(redis, data)

    # --- table ---
    rows = [("kiqprof census", *summarize(kiq)),
            ("floor (python paged, no parse)", *summarize(floor)),
            ("redis-cli LRANGE 0 -1 per key", *summarize(cli))]
    if ruby:
        rows.append(("sidekiq ruby API (1 run)", *summarize([ruby])))
    k_wall, k_rss = rows[0][1], rows[0][4]
    f_wall = rows[1][1]
    slowest_us, slowest_cmd = max(r.slowest for r in kiq)
    biggest_us = [r.biggest_us for r in cli if r.biggest_us is not None]

    print()
    print("dataset: %d queued (%d queues, %d invalid) + %d retry + %d scheduled = %d elements, "
          "%.0f MB payload RESP, Redis used_memory %.0f MB"
          % (jobs, len(data.queues), len(data.invalid), retry, scheduled, data.elements, data.payload_bytes / 1e6, used / 2**20))
    print("peak RSS is the child's own (wait4 via rusage_exec.py); measurement floor %.1f MB" % mb(rss_floor))
    print("kiqprof census checked on every run: total %d, unparseable %d, %d classes per location OK"
          % (data.valid, len(data.invalid), len(data.by_class)))
    print()
    # Medians over reps. "cpu s" is the contender's own user+sys; "redis cpu s" what redis-server
    # spent meanwhile. Wall well above both means time lost waiting, not working.
    print("%-32s %8s %12s %7s %12s   %s" % ("contender", "wall s", "peak RSS MB", "cpu s", "redis cpu s",
                                           "all runs wall s"))
    for name, wall, cpu, redis_cpu, rss, walls in rows:
        print("%-32s %8.2f %12.1f %7.2f %12.2f   %s"
              % (name, wall, mb(rss), cpu, redis_cpu, " ".join("%.2f" % w for w in walls)))
    print()
    print("kiqprof sent %d commands per run; slowest: %.2f ms (%s)"
          % (kiq[0].commands, slowest_us / 1000.0, fmt_cmd(slowest_cmd)))
    key, command, size = cli[0].biggest
    if biggest_us:
        # Per rep too: a dump can cost several times more when Redis must fault in fresh reply buffers.
        print("redis-cli: the biggest single dump, %s %s 0 -1 (%d elements), blocked Redis %.1f ms "
              "(SLOWLOG, median; per rep: %s)" % (command, key, size, statistics.median(biggest_us) / 1000.0,
                                                   ", ".join("%.1f" % (us / 1000.0) for us in biggest_us)))
    else:
        print("redis-cli: the biggest single dump, %s %s 0 -1 (%d elements), stayed under the %d ms SLOWLOG "
              "threshold" % (command, key, size, SLOWLOG_THRESHOLD_US // 1000))
    print()
    ratio = k_wall / f_wall
    parts = ["kiqprof/floor = %.2f (target <= %.1f) %s" % (ratio, TARGETS["kiqprof/floor"],
                                                          verdict(ratio <= TARGETS["kiqprof/floor"]))]
    if ruby:
        speedup = ruby.wall / k_wall
        parts.append("ruby/kiqprof = %.1fx (target >= %.0fx) %s"
                     % (speedup, TARGETS["ruby/kiqprof"], verdict(speedup >= TARGETS["ruby/kiqprof"])))
    else:
        parts.append("ruby/kiqprof = n/a (skipped)")
    parts.append("kiqprof peak RSS %.1f MB (target <= %.0f) %s"
                 % (mb(k_rss), TARGETS["rss_mb"], verdict(mb(k_rss) <= TARGETS["rss_mb"])))
    parts.append("slowest kiqprof command %.2f ms (target < %.0f) %s"
                 % (slowest_us / 1000.0, TARGETS["slowest_ms"], verdict(slowest_us / 1000.0 < TARGETS["slowest_ms"])))
    print("ratios:\n  " + "\n  ".join(parts))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, so redis-server is stopped
    try:
        sys.exit(main())
    except CorrectnessError as e:
        print("\nFAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
