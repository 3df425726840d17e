"""Renders a simulated scenario into what kiqprof reads.

  write_logs(sc, sim, dir)       Sidekiq logs: one file per process (6.x/7.x text, 8.x text, JSON formatter),
                                 or one journald `-o short-iso` export for all processes. Returns the paths
                                 and what an import must report (runs, open runs, lines not understood).
  write_sar(sc, sim, path)       `sadf -j` JSON with 1 s samples of -u, -r (and -S), -q (and PSI sometimes).
  fill_recorded_store(sc, sim, path)
                                 what `kiqprof record` would have written into an existing (empty) store:
                                 polled runs (start = run_at, end bracketed by heartbeats every 5 s),
                                 process, queue and /proc host samples every second, schedule definitions.
                                 Returns the runs per class the recorder could see.
Line formats are copied from Tests/Fixtures/sidekiq/* and docs/sidekiq-layout.md section 13.
"""
import json
import math
import random
import sqlite3
import time

from model import HOST

HEARTBEAT = 5.0  # seconds between a process's heartbeats (Sidekiq 6.x; the recorder polls every second)
RUBY_LINE = "Running in ruby 3.1.2p20 (2022-04-12 revision 4491bb740a) [x86_64-linux-gnu]"
ERRORS = [
    ("IOError", "upstream timed out"),
    ("ActiveRecord::RecordNotFound", "Couldn't find Account with 'id'=%d"),
    ("HTTP::TimeoutError", "Read timed out after 10 seconds"),
    ("Mastodon::UnexpectedResponseError", "https://example.social/inbox returned code 503"),
]


class Clock:
    """ISO-8601 UTC with milliseconds, truncated like Ruby's `iso8601(3)`; whole seconds formatted once."""

    def __init__(self):
        self.cache = {}

    def seconds(self, s):
        text = self.cache.get(s)
        if text is None:
            text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))
            self.cache[s] = text
        return text

    def iso_ms(self, t):
        s = int(t)
        ms = int((t - s) * 1000)
        if ms > 999:
            ms = 999
        return "%s.%03dZ" % (self.seconds(s), ms)


def snake(name):
    return "".join(("_" + ch.lower()) if ch.isupper() and i else ch.lower() for i, ch in enumerate(name))


def ruby_float(x):
    """Float#round(3).to_s for the elapsed values Sidekiq logs (0.1 -> "0.1", 25.0 -> "25.0")."""
    return repr(round(x, 3))


def _job_hash_json(job, job_class, enq, v8):
    created = int(enq * 1000) if v8 else enq
    return ('{"retry":true,"queue":"%s","class":"%s","args":[%d],"jid":"%s","created_at":%s,"enqueued_at":%s}'
            % (job_class.queue, job_class.name, int(enq) % 100000, job.jid, created, created))


def _job_hash_ruby(job, job_class, enq):
    ms = int(enq * 1000)
    return ('{"retry"=>true, "queue"=>"%s", "class"=>"%s", "args"=>[%d], "jid"=>"%s", "created_at"=>%d, "enqueued_at"=>%d}'
            % (job_class.queue, job_class.name, int(enq) % 100000, job.jid, ms, ms))


def write_logs(sc, sim, directory):
    """Writes the scenario's Sidekiq log(s). Returns (paths, expected) where expected has the import totals."""
    rng = random.Random(sc.seed * 31 + 5)
    clock = Clock()
    t0 = sc.t0
    fmt = sc.log_format
    version = sc.sidekiq_version
    v8 = version.startswith("8")
    end_of_log = t0 + sc.duration
    per_process = [[] for _ in range(sc.nproc)]  # (time, order, line)
    expected = {"runs": 0, "open_runs": 0, "not_understood": 0, "done": 0, "fail": 0}
    order = 0

    def text_prefix(t, pid, tid):
        return "%s pid=%d tid=%s" % (clock.iso_ms(t), pid, tid)

    def line_8(level, t, pid, tid, rest):
        # Pretty formatter of 8.x: the level in ANSI colours; journald strips them (two spaces after INFO).
        if fmt == "journald":
            jts = clock.seconds(int(t)) + "+0000"
            return "%s %s bundle[%d]: %s %s pid=%d tid=%s%s" % (jts, HOST, pid, level.ljust(5), clock.iso_ms(t), pid, tid, rest)
        colour = {"INFO": "\x1b[1;34mINFO \x1b[0m", "WARN": "\x1b[1;33mWARN \x1b[0m"}[level]
        return "%s %s pid=%d tid=%s%s" % (colour, clock.iso_ms(t), pid, tid, rest)

    def json_line(t, pid, tid, level, msg, ctx=None):
        entry = {"ts": clock.iso_ms(t), "pid": pid, "tid": tid, "lvl": level, "msg": msg}
        if ctx:
            entry["ctx"] = ctx
        return json.dumps(entry, separators=(",", ":"))

    # Boot lines, a few seconds before the scenario (each process has been up a while).
    for p in range(sc.nproc):
        pid = sc.pids[p]
        boot = t0 - rng.uniform(60, 600)
        tid = "b" + sc.tids[p][0][1:]
        lines = []
        if version.startswith("6"):
            lines.append("Booting Sidekiq %s with Sidekiq::RedisConnection::RedisAdapter options {:url=>\"redis://127.0.0.1:6379/0\"}" % version)
        lines += [RUBY_LINE, "See LICENSE and the LGPL-3.0 for licensing details.",
                  "Upgrade to Sidekiq Pro for more features and support: https://sidekiq.org"]
        if not version.startswith("6"):
            lines.append("Sidekiq %s connecting to Redis with options {:size=>10, :pool_name=>\"internal\", :url=>\"redis://127.0.0.1:6379/0\"}" % version)
        for text in lines:
            if fmt == "json":
                line = json_line(boot, pid, tid, "INFO", text)
            elif v8:
                line = line_8("INFO", boot, pid, tid, ": " + text)
            else:
                line = "%s INFO: %s" % (text_prefix(boot, pid, tid), text)
            per_process[p].append((boot, order, line))
            order += 1

    classes = sc.classes
    for job in sim.jobs:
        job_class = classes[job.cls]
        p = job.proc
        pid = sc.pids[p]
        tid = job.tid
        name = job_class.name
        jid = job.jid
        start = t0 + job.start
        expected["runs"] += 1
        events = per_process[p]
        # start
        if fmt == "json":
            ctx = {"jid": jid, "class": name} if v8 else {"class": name, "jid": jid}
            line = json_line(start, pid, tid, "INFO", "start", ctx)
        elif v8:
            line = line_8("INFO", start, pid, tid, " jid=%s class=%s: start" % (jid, name))
        else:
            line = "%s class=%s jid=%s INFO: start" % (text_prefix(start, pid, tid), name, jid)
        events.append((start, order, line))
        order += 1
        if job.end is None:
            expected["open_runs"] += 1
            continue
        end = t0 + job.end
        if end >= end_of_log:
            expected["open_runs"] += 1
            continue
        elapsed = job.end - job.start
        outcome = "fail" if job.failed else "done"
        expected[outcome] += 1
        if fmt == "json":
            ctx = {"jid": jid, "class": name, "elapsed": round(elapsed, 3)} if v8 else {"class": name, "jid": jid, "elapsed": round(elapsed, 3)}
            line = json_line(end, pid, tid, "INFO", outcome, ctx)
        elif v8:
            line = line_8("INFO", end, pid, tid, " jid=%s class=%s elapsed=%s: %s" % (jid, name, ruby_float(elapsed), outcome))
        else:
            line = "%s class=%s jid=%s elapsed=%s INFO: %s" % (text_prefix(end, pid, tid), name, jid, ruby_float(elapsed), outcome)
        events.append((end, order, line))
        order += 1
        if not job.failed:
            continue
        # The default error handler's lines right after the fail line.
        error_class, message = rng.choice(ERRORS)
        if "%d" in message:
            message = message % rng.randint(1, 10 ** 6)
        path = "/home/mastodon/live/app/workers/%s.rb" % "/".join(snake(part) for part in name.split("::"))
        backtrace = ["%s:%d:in `perform'" % (path, rng.randint(10, 90))] + [
            "/home/mastodon/live/vendor/bundle/ruby/3.2.0/gems/sidekiq-%s/lib/sidekiq/processor.rb:%d:in `execute_job'" % (version, 200 + i)
            for i in range(rng.randint(1, 4))]
        enq = t0 + job.enq
        if fmt == "json":
            if v8:
                extra = [json_line(end, pid, tid, "INFO", "%s (%s)" % (message, error_class),
                                   {"context": "Job raised exception", "job": json.loads(_job_hash_json(job, job_class, enq, True))})]
            else:
                context = '{"context":"Job raised exception","job":%s}' % _job_hash_json(job, job_class, enq, False)
                extra = [json_line(end, pid, tid, "WARN", context), json_line(end, pid, tid, "WARN", "%s: %s" % (error_class, message)),
                         json_line(end, pid, tid, "WARN", "\n".join(backtrace))]
        elif v8:
            # Production (RAILS_ENV=production): one INFO line, the job hash as Ruby's Hash#inspect.
            extra = [line_8("INFO", end, pid, tid, " context=Job raised exception job=%s: %s (%s)"
                            % (_job_hash_ruby(job, job_class, enq), message, error_class))]
        else:
            prefix = text_prefix(end, pid, tid)
            extra = ['%s WARN: {"context":"Job raised exception","job":%s}' % (prefix, _job_hash_json(job, job_class, enq, False)),
                     "%s WARN: %s: %s" % (prefix, error_class, message),
                     "%s WARN: %s" % (prefix, "\n".join(backtrace))]
            expected["not_understood"] += len(backtrace) - 1  # the backtrace's continuation lines
        for line in extra:
            events.append((end, order, line))
            order += 1

    paths = []
    if fmt == "journald":
        merged = sorted((e for events in per_process for e in events), key=lambda e: (e[0], e[1]))
        path = "%s/journal-short-iso.log" % directory
        with open(path, "w") as out:
            out.write("\n".join(e[2] for e in merged))
            out.write("\n")
        paths.append(path)
    else:
        suffix = "json.log" if fmt == "json" else "log"
        for p, events in enumerate(per_process):
            events.sort(key=lambda e: (e[0], e[1]))
            path = "%s/sidekiq-%d.%s" % (directory, p + 1, suffix)
            with open(path, "w") as out:
                out.write("\n".join(e[2] for e in events))
                out.write("\n")
            paths.append(path)
    return paths, expected


# --------------------------------------------------------------------------------------------- host samples

def _host_series(sc, sim, offset_steps, rng):
    """One host sample a second, each over the second before it: busy %, user/system split, memory, load.
    `offset_steps` shifts the sample instants (the recorder polls at its own phase)."""
    sps = int(round(1 / sc.dt))
    ncpu = sc.ncpu
    out = []
    load1 = load5 = load15 = sim.runnable[0] if sim.runnable else 0.0
    e1, e5, e15 = math.exp(-1 / 60.0), math.exp(-1 / 300.0), math.exp(-1 / 900.0)
    for s in range(1, int(sc.duration) + 1):
        hi = s * sps + offset_steps
        lo = hi - sps
        if hi > sim.nsteps:
            break
        work = sum(sim.host_work[lo:hi])
        busy = min(100.0, work / ncpu * 100.0)
        demand = sum(sim.runnable[lo:hi]) / sps
        load1 = load1 * e1 + demand * (1 - e1)
        load5 = load5 * e5 + demand * (1 - e5)
        load15 = load15 * e15 + demand * (1 - e15)
        iowait = 0.0 if busy > 99 else min(100.0 - busy, rng.uniform(0, 0.6))
        system = busy * rng.uniform(0.1, 0.2)
        used_mb = sim.host_mem[hi - 1]
        saturation = 1 - min(sim.scale[lo:hi])
        out.append({"t": sc.t0 + hi * sc.dt, "busy": busy, "user": busy - system, "system": system, "iowait": iowait,
                    "used_kib": int(used_mb * 1024), "load": (load1, load5, load15), "runq": int(round(demand)),
                    "psi_cpu": min(100.0, saturation * 100.0)})
    return out


def write_sar(sc, sim, path):
    """`sadf -j sa -- -u -r -S -q` (with PSI on some hosts), 1 s samples. Returns the number of samples."""
    rng = random.Random(sc.seed * 131 + 7)
    total_kib = int(sc.mem_total_mb * 1024)
    samples = _host_series(sc, sim, 0, rng)
    first = time.gmtime(samples[0]["t"] - 1)
    head = ('{"sysstat": {\n\t"hosts": [\n\t\t{\n\t\t\t"nodename": "%s",\n\t\t\t"sysname": "Linux",\n\t\t\t"release": "6.1.0-27-amd64",\n'
            '\t\t\t"machine": "x86_64",\n\t\t\t"number-of-cpus": %d,\n\t\t\t"file-date": "%s",\n\t\t\t"file-utc-time": "%s",\n'
            '\t\t\t"timezone": "UTC",\n\t\t\t"statistics": [\n' % (HOST, sc.ncpu, time.strftime("%Y-%m-%d", first), time.strftime("%H:%M:%S", first)))
    swap_total = rng.choice([0, 1048572, 2097148])
    records = []
    psi_avg10 = 0.0
    for sample in samples:
        stamp = time.gmtime(sample["t"])
        date, clock = time.strftime("%Y-%m-%d", stamp), time.strftime("%H:%M:%S", stamp)
        timestamp = ('{"date": "%s", "time": "%s", "utc": 1, "interval": 1}' % (date, clock) if sc.sar_style == "utc"
                     else '{"date": "%s", "time": "%s", "tz": "UTC", "interval": 1}' % (date, clock))
        idle = max(0.0, 100.0 - sample["busy"] - sample["iowait"])
        used = sample["used_kib"]
        avail = total_kib - used
        cached = int(min(avail * 0.6, total_kib * 0.2))
        buffers = int(min(avail * 0.05, 60000))
        memfree = max(0, avail - cached - buffers)
        commit = int(used * 1.3)
        memory = ('{"memfree": %d, "avail": %d, "memused": %d, "memused-percent": %.2f, "buffers": %d, "cached": %d, "commit": %d, '
                  '"commit-percent": %.2f, "active": %d, "inactive": %d, "dirty": %d, "swpfree": %d, "swpused": 0, "swpused-percent": 0.00, '
                  '"swpcad": 0, "swpcad-percent": 0.00}'
                  % (memfree, avail, used, used / total_kib * 100, buffers, cached, commit, commit / (total_kib + swap_total) * 100,
                     int(used * 0.6), int(used * 0.3), rng.randint(0, 900), swap_total))
        l1, l5, l15 = sample["load"]
        record = ('\t\t\t\t{\n\t\t\t\t\t"timestamp": %s,\n\t\t\t\t\t"cpu-load": [\n\t\t\t\t\t\t{"cpu": "all", "user": %.2f, "nice": 0.00, '
                  '"system": %.2f, "iowait": %.2f, "steal": 0.00, "idle": %.2f}\n\t\t\t\t\t],\n\t\t\t\t\t"memory": %s,\n'
                  '\t\t\t\t\t"queue": {"runq-sz": %d, "plist-sz": %d, "ldavg-1": %.2f, "ldavg-5": %.2f, "ldavg-15": %.2f, "blocked": 0}'
                  % (timestamp, sample["user"], sample["system"], sample["iowait"], idle, memory, sample["runq"], 180 + sc.nproc * 30, l1, l5, l15))
        if sc.sar_psi:
            psi_avg10 = psi_avg10 * math.exp(-0.1) + sample["psi_cpu"] * (1 - math.exp(-0.1))
            record += (',\n\t\t\t\t\t"psi": {\n\t\t\t\t\t\t"psi-cpu": {"some_avg10": %.2f, "some_avg60": 0.00, "some_avg300": 0.00, "some_avg": %.2f},\n'
                       '\t\t\t\t\t\t"psi-io": {"some_avg10": 0.00, "some_avg60": 0.00, "some_avg300": 0.00, "some_avg": 0.00, "full_avg10": 0.00, "full_avg60": 0.00, "full_avg300": 0.00, "full_avg": 0.00},\n'
                       '\t\t\t\t\t\t"psi-mem": {"some_avg10": 0.00, "some_avg60": 0.00, "some_avg300": 0.00, "some_avg": 0.00, "full_avg10": 0.00, "full_avg60": 0.00, "full_avg300": 0.00, "full_avg": 0.00}\n'
                       '\t\t\t\t\t}' % (psi_avg10, sample["psi_cpu"]))
        record += "\n\t\t\t\t}"
        records.append(record)
    with open(path, "w") as out:
        out.write(head)
        out.write(",\n".join(records))
        out.write('\n\t\t\t],\n\t\t\t"restarts": [\n\t\t\t]\n\t\t}\n\t]\n}}\n')
    return len(samples)


# --------------------------------------------------------------------------------------------- recorded store

def fill_recorded_store(sc, sim, path):
    """Inserts what `kiqprof record --interval 1s` would have stored. Returns {class: runs it could see}."""
    rng = random.Random(sc.seed * 977 + 3)
    t0 = sc.t0
    dt = sc.dt
    sps = int(round(1 / dt))
    offset_steps = rng.randint(1, sps - 1)  # the recorder's phase within the second
    polls = [s + offset_steps * dt for s in range(int(sc.duration))]  # relative times of the polls
    last_poll = polls[-1]
    phases = [rng.uniform(0, HEARTBEAT) for _ in range(sc.nproc)]

    def beat_at_or_after(p, x):
        phase = phases[p]
        return phase + HEARTBEAT * math.ceil((x - phase) / HEARTBEAT)

    def beat_at_or_before(p, x):
        phase = phases[p]
        return phase + HEARTBEAT * math.floor((x - phase) / HEARTBEAT)

    runs = []
    seen = {}
    classes = sc.classes
    listed = [[] for _ in range(sc.nproc)]  # per process: (first beat listing the run, first beat not listing it)
    for job in sim.jobs:
        p = job.proc
        # A heartbeat writes the runs in progress at that instant: listed iff start <= beat < end.
        first = beat_at_or_after(p, job.start)
        end = job.end if job.end is not None else float("inf")
        if not (first < end and first <= last_poll):
            continue  # never in the work hash when a heartbeat wrote it: the recorder cannot see this run
        job_class = classes[job.cls]
        seen[job_class.name] = seen.get(job_class.name, 0) + 1
        after = beat_at_or_after(p, end) if job.end is not None else float("inf")
        listed[p].append((first, after))
        run_at = float(math.floor(t0 + job.start))  # the work entry's run_at: Time.now.to_i
        row = [job.jid, job_class.name, job_class.queue, sc.identities[p], HOST, sc.pids[p], job.tid, run_at]
        if after <= last_poll:
            # Ended after the last beat that listed it, no later than the first beat that did not.
            end_min = max(run_at, t0 + after - HEARTBEAT)
            end_max = max(end_min, t0 + after)
            runs.append(row + [(end_min + end_max) / 2, end_min, end_max, "failed" if job.failed else "ok"])
        else:
            # Still running when the recorder stopped: flushed open, end_min = the last beat that listed it.
            last_listed = min(after - HEARTBEAT, beat_at_or_before(p, last_poll))
            runs.append(row + [None, max(run_at, t0 + last_listed), None, "running"])

    # Process samples every poll: the last heartbeat's busy count and RSS, and the process's own CPU and RSS.
    proc_rows = []
    for p in range(sc.nproc):
        intervals = listed[p]
        # busy at a beat = runs listed by it, counted with a sweep over the beats (the first is before t0)
        beats = []
        b = phases[p] - HEARTBEAT
        while b <= last_poll:
            beats.append(b)
            b += HEARTBEAT
        starts = sorted(i[0] for i in intervals)
        ends = sorted(i[1] for i in intervals)
        busy_at = []
        si = ei = 0
        for b in beats:
            while si < len(starts) and starts[si] <= b:
                si += 1
            while ei < len(ends) and ends[ei] <= b:
                ei += 1
            busy_at.append(si - ei)
        rtt = rng.randint(150, 900)
        bi = -1
        for s, poll in enumerate(polls):
            while bi + 1 < len(beats) and beats[bi + 1] <= poll:
                bi += 1
            hi = (s * sps) + offset_steps
            cpu = None
            if s > 0:
                cpu = sum(sim.proc_work[p][hi - sps:hi]) * 100.0 + rng.uniform(0, 0.5)
            rss_now = int(sim.proc_rss[p][min(hi, sim.nsteps - 1)] * 1024)
            beat = beats[bi]
            beat_step = min(sim.nsteps - 1, max(0, int(beat / dt)))
            beat_rss = int(sim.proc_rss[p][beat_step] * 1024)
            proc_rows.append((t0 + poll, sc.identities[p], HOST, sc.pids[p], busy_at[bi], sc.concurrency[p], beat_rss, rtt,
                              t0 + beat, 0, cpu, rss_now))

    # Queue sizes and latencies at every poll: the jobs waiting for a thread (enqueued, not yet started).
    waiting = sorted((job.enq, job.start if job.start is not None else float("inf"), classes[job.cls].queue)
                     for job in sim.all_jobs if (job.start is None or job.start - job.enq > 2 * sc.fetch_latency))
    queue_names = sorted({c.queue for c in classes})
    queue_rows = []
    wi = 0
    open_waits = []
    for poll in polls:
        while wi < len(waiting) and waiting[wi][0] <= poll:
            open_waits.append(waiting[wi])
            wi += 1
        open_waits = [w for w in open_waits if w[1] > poll]
        for name in queue_names:
            enqueued = [w[0] for w in open_waits if w[2] == name]
            queue_rows.append((t0 + poll, name, len(enqueued), (poll - min(enqueued)) if enqueued else 0.0))

    # Host samples from /proc at every poll.
    host_rows = []
    total_kib = int(sc.mem_total_mb * 1024)
    for sample in _host_series(sc, sim, offset_steps, rng):
        idle = max(0.0, 100.0 - sample["busy"] - sample["iowait"])
        l1, l5, l15 = sample["load"]
        host_rows.append((sample["t"], HOST, "proc", sample["user"], sample["system"], sample["iowait"], 0.0, idle, sc.ncpu,
                          l1, l5, l15, total_kib, total_kib - sample["used_kib"], 0, 0, min(100.0, sample["psi_cpu"]), 0.0, 0.0, 0.0, 0.0))

    # Schedules, as read from Redis once a minute.
    schedules = []
    for job_class in classes:
        s = job_class.schedule
        if s is None:
            continue
        toggle = "cron_job:%s" % s["name"] if s["source"] == "sidekiq-cron" else "sidekiq-scheduler:states"
        schedules.append((s["source"], s["name"], job_class.name, s["cron"], s["every"], float(s["period"]), 1, job_class.queue,
                          None, toggle, t0 + polls[0], t0 + polls[0] + 60 * math.floor((polls[-1] - polls[0]) / 60)))

    db = sqlite3.connect(path)
    with db:
        db.executemany(
            "INSERT INTO job_run (jid, class, queue, identity, host, pid, tid, start, end, end_min, end_max, outcome, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'poll')", runs)
        db.executemany(
            "INSERT INTO process_sample (t, identity, host, pid, busy, concurrency, rss_kib, rtt_us, beat, quiet, cpu_pct, proc_rss_kib) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", proc_rows)
        db.executemany(
            "INSERT INTO host_sample (t, host, source, cpu_user_pct, cpu_system_pct, cpu_iowait_pct, cpu_steal_pct, cpu_idle_pct, cpu_count, "
            "load1, load5, load15, mem_total_kib, mem_available_kib, swap_total_kib, swap_free_kib, psi_cpu_some_avg10, "
            "psi_memory_some_avg10, psi_memory_full_avg10, psi_io_some_avg10, psi_io_full_avg10) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", host_rows)
        db.executemany("INSERT INTO queue_sample (t, queue, size, latency_s) VALUES (?, ?, ?, ?)", queue_rows)
        db.executemany(
            "INSERT INTO schedule_definition (source, name, class, cron, every, period_s, enabled, queue, cron_namespace, toggle_key, "
            "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", schedules)
    db.close()
    return seen, len(host_rows)
