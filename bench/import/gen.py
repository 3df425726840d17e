"""Generates a large, realistic Sidekiq 6.5/7.x text log (Pretty formatter) and, optionally, the same
content as a journald `-o json` export.

The log is a small event simulation: one Mastodon-like Sidekiq process at a time with 25 threads, each
running jobs back to back (start, then done or fail after the job's elapsed time), with a weighted class
mix, per-class lognormal durations, a daily load curve, sidekiq-scheduler jobs on their periods, ~1%
failures (fail line, the error handler's three WARN lines and a backtrace whose continuation lines have
no prefix) and retries of those failures. Two graceful restarts (the second one also upgrades Sidekiq
6.5 -> 7.2) add lifecycle lines and new pids and tids. Everything is seeded, so a given (lines, seed)
always yields the same bytes.

Speed matters (10M lines, ~1.3 GB): per-line work is a few string concatenations of precomputed pieces.
Timestamps are integer milliseconds; the "YYYY-MM-DDTHH:MM:SS" part is formatted once per second.
"""
import heapq
import json
import math
import random
import time

START_EPOCH_MS = 1795651200 * 1000  # 2026-11-26T00:00:00Z
THREADS = 25
HOST = "mastodon"
FLUSH_LINES = 1 << 16
POOL = 4096  # precomputed samples per class (durations); indexes drawn with getrandbits(12)

# Mastodon-like job mix: class, weight, median elapsed s, lognormal sigma, queue, tags, fail rate, errors.
# Weights follow a busy federated instance: outbound deliveries dominate, then inbound processing and fan-out.
NET, DB, MEDIA = "net", "db", "media"
CLASSES = [
    ("ActivityPub::DeliveryWorker", 330, 0.25, 1.1, "push", "federation", 0.011, NET),
    ("ActivityPub::ProcessingWorker", 120, 0.07, 0.9, "ingress", "federation", 0.002, DB),
    ("FeedInsertWorker", 110, 0.011, 0.7, "default", "", 0.001, DB),
    ("PushUpdateWorker", 95, 0.005, 0.6, "push", "", 0.001, DB),
    ("DistributionWorker", 45, 0.04, 0.9, "default", "", 0.002, DB),
    ("LinkCrawlWorker", 45, 0.9, 1.0, "pull", "crawl,preview", 0.015, NET),
    ("ThreadResolveWorker", 30, 0.6, 1.0, "pull", "", 0.01, NET),
    ("LocalNotificationWorker", 30, 0.018, 0.7, "default", "", 0.001, DB),
    ("Web::PushNotificationWorker", 28, 0.22, 0.9, "push", "webpush", 0.008, NET),
    ("ActivityPub::DistributionWorker", 22, 0.035, 0.8, "push", "", 0.002, DB),
    ("ActivityPub::FetchRepliesWorker", 18, 0.7, 1.1, "pull", "", 0.012, NET),
    ("RedownloadMediaWorker", 16, 1.3, 1.0, "pull", "media", 0.01, MEDIA),
    ("ActivityPub::SynchronizeFeaturedCollectionWorker", 12, 0.5, 1.0, "pull", "", 0.01, NET),
    ("MergeWorker", 8, 0.15, 1.0, "default", "", 0.002, DB),
    ("UnmergeWorker", 4, 0.12, 1.0, "default", "", 0.002, DB),
    ("PollExpirationNotifyWorker", 3, 0.03, 0.7, "default", "", 0.001, DB),
    ("Admin::SuspensionWorker", 1, 2.5, 1.0, "pull", "admin,moderation", 0.01, DB),
]
# sidekiq-scheduler jobs: class, period s, median elapsed s, sigma, tags.
SCHEDULED = [
    ("Scheduler::Trends::RefreshScheduler", 300, 3.5, 0.4, "cron,trends"),
    ("Scheduler::Trends::ReviewNotificationsScheduler", 900, 0.4, 0.5, "cron,trends"),
    ("Scheduler::IndexingScheduler", 300, 1.8, 0.6, "cron,search"),
    ("Scheduler::AccountsStatusesCleanupScheduler", 60, 0.9, 0.7, "cron"),
    ("Scheduler::ScheduledStatusesScheduler", 300, 0.05, 0.6, "cron"),
    ("Scheduler::SuspendedUserCleanupScheduler", 60, 0.08, 0.5, "cron"),
    ("Scheduler::VacuumScheduler", 86400, 38.0, 0.3, "cron,maintenance"),
    ("Scheduler::UserCleanupScheduler", 86400, 12.0, 0.4, "cron,maintenance"),
]
SCHEDULER_QUEUE = "scheduler"

ERRORS = {
    NET: [
        ('Mastodon::UnexpectedResponseError: https://{host}/inbox returned code 503', "request"),
        ('Mastodon::UnexpectedResponseError: https://{host}/inbox returned code 502', "request"),
        ('HTTP::TimeoutError: Timed out after using the allocated 10 seconds', "timeout"),
        ('HTTP::ConnectionError: failed to connect: Connection refused - connect(2) for "{ip}" port 443', "connect"),
        ('OpenSSL::SSL::SSLError: SSL_connect returned=1 errno=0 peeraddr={ip}:443 state=error: '
         'certificate verify failed (certificate has expired)', "connect"),
        ('IOError: closed stream', "timeout"),
    ],
    DB: [
        ("ActiveRecord::RecordNotFound: Couldn't find Status with 'id'={id}", "record"),
        ('ActiveRecord::Deadlocked: PG::TRDeadlockDetected: ERROR:  deadlock detected', "record"),
        ('Redis::TimeoutError: Connection timed out', "redis"),
    ],
    MEDIA: [
        ('HTTP::TimeoutError: Timed out after using the allocated 10 seconds', "timeout"),
        ('Paperclip::Error: Image file is too large', "media"),
        ('Mastodon::UnexpectedResponseError: https://{host}/system/media_attachments/files/{id}.png returned code 404',
         "request"),
    ],
}
APP = "/home/mastodon/live"
GEMS = APP + "/vendor/bundle/ruby/3.2.0/gems"
# Frames below Sidekiq's processor: the app's own frames, by error kind.
APP_FRAMES = {
    "request": [APP + "/app/lib/request.rb:78:in `perform'", APP + "/app/lib/request.rb:330:in `block in raise_on_error'"],
    "timeout": [GEMS + "/http-5.1.1/lib/http/timeout/per_operation.rb:59:in `readpartial'",
                GEMS + "/http-5.1.1/lib/http/connection.rb:214:in `read_more'", APP + "/app/lib/request.rb:78:in `perform'"],
    "connect": [GEMS + "/http-5.1.1/lib/http/timeout/null.rb:33:in `connect'",
                GEMS + "/http-5.1.1/lib/http/connection.rb:44:in `initialize'", APP + "/app/lib/request.rb:78:in `perform'"],
    "record": [GEMS + "/activerecord-7.1.3/lib/active_record/core.rb:253:in `find'",
               APP + "/app/workers/feed_insert_worker.rb:10:in `perform'"],
    "redis": [GEMS + "/redis-client-0.22.2/lib/redis_client/ruby_connection.rb:124:in `read'",
              GEMS + "/redis-4.8.1/lib/redis/client.rb:268:in `block in read'"],
    "media": [GEMS + "/kt-paperclip-7.2.2/lib/paperclip/attachment.rb:102:in `assign'",
              APP + "/app/models/concerns/remotable.rb:42:in `block (2 levels) in remotable_attachment'"],
}
SIDEKIQ_FRAMES = [
    "lib/sidekiq/processor.rb:202:in `execute_job'",
    "lib/sidekiq/processor.rb:170:in `block (2 levels) in process'",
    "lib/sidekiq/middleware/chain.rb:177:in `block in invoke'",
    "lib/sidekiq/middleware/chain.rb:180:in `invoke'",
    "lib/sidekiq/processor.rb:169:in `block in process'",
]
REMOTE_HOSTS = ["mastodon.social", "fosstodon.org", "hachyderm.io", "mstdn.jp", "infosec.exchange", "chaos.social",
                "mas.to", "mathstodon.xyz", "techhub.social", "det.social", "mastodon.online", "universeodon.com",
                "social.vivaldi.net", "kolektiva.social", "toot.community", "aus.social", "mstdn.ca", "piaille.fr"]


class Process:
    """One Sidekiq process: its pid, version, main and scheduler tids and the 25 worker contexts."""

    def __init__(self, rnd, pid, version):
        self.pid, self.version = pid, version
        # Sidekiq's tid is (Thread#object_id ^ pid).to_s(36); object ids are small multiples of 8.
        base = rnd.randrange(300, 3000)
        tids = []
        k = 0
        while len(tids) < THREADS + 2:
            tid = base36(pid ^ (8 * (base + k)))
            k += rnd.randrange(1, 4)
            if tid not in tids:
                tids.append(tid)
        self.main_tid, self.scheduler_tid = tids[0], tids[1]
        self.ctx = [" pid=%d tid=%s " % (pid, t) for t in tids[2:]]
        self.main_ctx = " pid=%d tid=%s INFO: " % (pid, self.main_tid)
        self.jhead = ('{"_HOSTNAME":"%s","PRIORITY":"6","_PID":"%d","SYSLOG_IDENTIFIER":"bundle","MESSAGE":"'
                      % (HOST, pid))
        self.gems = GEMS + "/sidekiq-" + version + "/"


def base36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def boot_lines(proc):
    v = proc.version
    msgs = []
    if v.startswith("6."):
        msgs.append('Booting Sidekiq %s with Sidekiq::RedisConnection::RedisAdapter options {:url=>"redis://localhost:6379/0"}' % v)
    else:
        msgs.append('Booting Sidekiq %s with Sidekiq::RedisConnection::RedisClientAdapter options {:url=>"redis://localhost:6379/0"}' % v)
    msgs += ["Running in ruby 3.2.3 (2024-01-18 revision 52bb2ac0a6) +YJIT [x86_64-linux]",
             "See LICENSE and the LGPL-3.0 for licensing details.",
             "Upgrade to Sidekiq Pro for more features and support: https://sidekiq.org"]
    if not v.startswith("6."):
        msgs.append('Sidekiq %s connecting to Redis with options {:size=>27, :pool_name=>"internal", '
                    ':url=>"redis://localhost:6379/0"}' % v)
    msgs.append("Loading Schedule")
    for cls, period, *_ in SCHEDULED:
        name = "".join("_" + c.lower() if c.isupper() else c for c in cls.split("::")[-1]).lstrip("_")
        every = "%dm" % (period // 60) if period < 86400 else "1d"
        msgs.append('Scheduling %s {"every"=>"%s", "class"=>"%s", "queue"=>"scheduler"}' % (name, every, cls))
    msgs.append("Schedules Loaded")
    return msgs


def shutdown_lines(proc):
    if proc.version.startswith("6."):
        return ["Shutting down", "Terminating quiet threads", None, "Pausing to allow jobs to finish..."]
    return ["Shutting down", "Terminating quiet threads for default capsule", None, "Pausing to allow jobs to finish..."]


def generate(n_lines, text_path, journald_path=None, seed=1):
    """Writes exactly n_lines lines to text_path (and journald_path). Returns counts for checking."""
    rnd = random.Random(seed)
    bits = rnd.getrandbits
    rand = rnd.random

    # Per class: "class=X jid=" / tags / duration samples as (elapsed string, ms).
    kinds = []  # (class, queue, tags suffix, [(elapsed str, ms)], fail rate, error kind)
    for cls, _w, median, sigma, queue, tags, fail, errs in CLASSES:
        kinds.append((cls, queue, tags, durations(rnd, median, sigma, 60.0), fail, errs))
    n_regular = len(kinds)
    for cls, _p, median, sigma, tags in SCHEDULED:
        kinds.append((cls, SCHEDULER_QUEUE, tags, durations(rnd, median, sigma, 600.0), 0.002, DB))
    head = [("class=%s jid=" % k[0]) for k in kinds]
    tail = [(" tags=%s " % k[2]) if k[2] else " " for k in kinds]
    pools = [k[3] for k in kinds]
    fail_rates = [k[4] for k in kinds]
    # Weighted class choice as a lookup table indexed by 12 random bits.
    total_w = sum(c[1] for c in CLASSES)
    pick = []
    for i, c in enumerate(CLASSES):
        pick += [i] * round(c[1] * POOL / total_w)
    pick = (pick + [0] * POOL)[:POOL]
    # Gaps between a thread's jobs (fetch latency and idle time), per hour of day: a daily load curve.
    gaps = []
    for hour in range(24):
        load = 0.55 + 0.45 * math.sin((hour - 9) / 24 * 2 * math.pi)  # peak mid-afternoon UTC
        mean = 8 + 400 * (1 - load)
        gaps.append([1 + int(rnd.expovariate(1 / mean)) for _ in range(1024)])
    jitter = [rnd.randrange(40, 900) for _ in range(1024)]  # journald's receive delay, µs
    ms_z = [".%03dZ" % i for i in range(1000)]
    jid_pool = ""
    jid_at = 0

    f = open(text_path, "w", encoding="ascii", buffering=1 << 22)
    jf = open(journald_path, "w", encoding="ascii", buffering=1 << 22) if journald_path else None
    buf, tbuf = [], []
    jlast = [0]
    stats = dict(lines=0, bytes=0, journald_bytes=0, starts=0, dones=0, fails=0, continuation=0,
                 lifecycle=0, retries=0, pids=[], first_ms=0, last_ms=0)

    def flush(proc):
        text = "".join(buf)
        f.write(text)
        stats["bytes"] += len(text)
        if jf:
            out = []
            jhead = proc.jhead
            last = jlast[0]
            i = 0
            for t, line in zip(tbuf, buf):
                us = t * 1000 + jitter[i & 1023]
                i += 1
                if us <= last:
                    us = last + 1
                last = us
                msg = line[:-1]
                if '"' in msg or "\\" in msg:
                    msg = json.dumps(msg)[1:-1]
                out.append('%s%s","__REALTIME_TIMESTAMP":"%d"}\n' % (jhead, msg, us))
            jlast[0] = last
            jtext = "".join(out)
            jf.write(jtext)
            stats["journald_bytes"] += len(jtext)
        buf.clear()
        tbuf.clear()

    cur_sec = -1
    sec_str = ""

    def stamp(t):
        nonlocal cur_sec, sec_str
        sec, ms = divmod(t, 1000)
        if sec != cur_sec:
            cur_sec = sec
            sec_str = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        return sec_str + ms_z[ms]

    def lifecycle(t, proc, msgs, tid_ctx=None):
        for m in msgs:
            buf.append("%s%s%s\n" % (stamp(t), tid_ctx or proc.main_ctx, m))
            tbuf.append(t)
        stats["lifecycle"] += len(msgs)
        return len(msgs)

    # Restarts at fixed fractions of the log; the second one deploys a Sidekiq upgrade.
    restarts = [int(n_lines * 0.42), int(n_lines * 0.78)]
    versions = ["6.5.12", "6.5.12", "7.2.4"]
    t = START_EPOCH_MS + 6 * 3600 * 1000 + rnd.randrange(3600 * 1000)
    lines = 0
    stats["first_ms"] = t

    # delayed: (due ms, seq, kind index, jid, retry count); retry count -1 marks a scheduler entry.
    delayed = []
    seq = 0
    for i in range(n_regular, len(kinds)):
        period = SCHEDULED[i - n_regular][1] * 1000
        heapq.heappush(delayed, (t + rnd.randrange(period), seq, i, None, -1))
        seq += 1

    generation = 0
    while lines < n_lines:
        proc = Process(rnd, rnd.randrange(10000, 400000), versions[min(generation, 2)])
        stats["pids"].append(proc.pid)
        lines += lifecycle(t, proc, boot_lines(proc)[: n_lines - lines])
        t += rnd.randrange(300, 900)
        lines += lifecycle(t, proc, ["Starting processing, hit Ctrl-C to stop"][: n_lines - lines])
        ctx = proc.ctx
        warn_ctx = [c + "WARN: " for c in ctx]
        gems = proc.gems
        # heap of (next event ms, thread); running[thread] is None (next event: start) or the job in flight.
        heap = [(t + 1 + bits(6), i) for i in range(THREADS)]
        heapq.heapify(heap)
        running = [None] * THREADS
        next_restart = restarts[generation] if generation < len(restarts) else n_lines + 1
        draining = False

        while heap and lines < n_lines:
            if len(buf) >= FLUSH_LINES:
                flush(proc)
            t, ti = heap[0]
            job = running[ti]
            if job is None:
                if draining:
                    heapq.heappop(heap)
                    continue
                if lines >= next_restart:
                    # systemctl restart: quiet, then let running jobs finish before exiting. The lines share
                    # one timestamp so the log stays in time order with the drained jobs' done lines.
                    draining = True
                    msgs = shutdown_lines(proc)
                    lines += lifecycle(t, proc, msgs[:2][: n_lines - lines])
                    lines += lifecycle(t, proc, ["Scheduler exiting..."][: n_lines - lines],
                                       " pid=%d tid=%s INFO: " % (proc.pid, proc.scheduler_tid))
                    lines += lifecycle(t, proc, msgs[3:][: n_lines - lines])
                    heapq.heappop(heap)
                    continue
                # Pick a job: a due retry or scheduler run first, else the weighted mix.
                retry = 0
                if delayed and delayed[0][0] <= t:
                    _, _, k, jid, retry = heapq.heappop(delayed)
                    if retry < 0:  # scheduler: next run one period later
                        period = SCHEDULED[k - n_regular][1] * 1000
                        heapq.heappush(delayed, (t + period, seq, k, None, -1))
                        seq += 1
                        retry = 0
                    else:
                        stats["retries"] += 1
                else:
                    k = pick[bits(12)]
                    jid = None
                if jid is None:
                    if jid_at >= len(jid_pool):
                        jid_pool = rnd.randbytes(12 * 8192).hex()
                        jid_at = 0
                    jid = jid_pool[jid_at:jid_at + 24]
                    jid_at += 24
                mid = head[k] + jid + tail[k]
                buf.append(stamp(t) + ctx[ti] + mid + "INFO: start\n")
                tbuf.append(t)
                lines += 1
                stats["starts"] += 1
                elapsed, ms = pools[k][bits(12)]
                running[ti] = (k, jid, mid, elapsed, retry, t)
                heapq.heapreplace(heap, (t + ms + (bits(2) >> 1), ti))
            else:
                k, jid, mid, elapsed, retry, started = job
                running[ti] = None
                # A retried job fails again more often: the remote end is usually still down.
                failed = rand() < (fail_rates[k] if retry == 0 else 0.35)
                ts = stamp(t)
                if not failed:
                    buf.append(ts + ctx[ti] + mid + "elapsed=" + elapsed + " INFO: done\n")
                    tbuf.append(t)
                    lines += 1
                    stats["dones"] += 1
                else:
                    stats["fails"] += 1
                    block = fail_block(rnd, kinds[k], jid, retry, started, gems)
                    t2 = t + bits(1)  # the error handler's lines may land a millisecond later
                    ts2 = stamp(t2)
                    buf.append(ts + ctx[ti] + mid + "elapsed=" + elapsed + " INFO: fail\n")
                    tbuf.append(t)
                    w = warn_ctx[ti]
                    for m in block[:3]:
                        buf.append(ts2 + w + m + "\n")
                        tbuf.append(t2)
                    for m in block[3:]:
                        buf.append(m + "\n")
                        tbuf.append(t2)
                    lines += 1 + len(block)
                    stats["continuation"] += len(block) - 3
                    if retry < 3 and kinds[k][1] != SCHEDULER_QUEUE:
                        # Sidekiq's backoff: retry_count**4 + 15 + jitter seconds.
                        due = t + (retry ** 4 + 15 + rnd.randrange(10) * (retry + 1)) * 1000
                        heapq.heappush(delayed, (due, seq, k, jid, retry + 1))
                        seq += 1
                if draining:
                    heapq.heappop(heap)
                else:
                    hour = (t // 3600000) % 24
                    heapq.heapreplace(heap, (t + gaps[hour][bits(10)], ti))

        if lines < n_lines:
            # All jobs drained: the process exits; the new one boots a few seconds later.
            t += rnd.randrange(50, 400)
            lines += lifecycle(t, proc, ["Bye!"][: n_lines - lines])
            flush(proc)
            t += rnd.randrange(4000, 9000)
            generation += 1
        else:
            # Cut at exactly n_lines: drop the overshoot of the last event (a fail block's tail).
            excess = lines - n_lines
            if excess:
                cut = buf[-excess:]
                stats["continuation"] -= sum(1 for m in cut if not m[0].isdigit())
                del buf[-excess:]
                del tbuf[-excess:]
                lines = n_lines
            stats["open_at_end"] = sum(1 for r in running if r is not None)
            flush(proc)

    stats["lines"] = lines
    stats["last_ms"] = t
    f.close()
    if jf:
        jf.close()
    return stats


def durations(rnd, median, sigma, cap):
    """POOL lognormal samples as (Ruby's Float#round(3).to_s, ms) pairs."""
    out = []
    mu = math.log(median)
    for _ in range(POOL):
        x = min(cap, max(0.0004, rnd.lognormvariate(mu, sigma)))
        e = round(x, 3)
        out.append((repr(e), max(0, int(x * 1000))))
    return out


def fail_block(rnd, kind, jid, retry, started, gems):
    """The error handler's three WARN messages, then 3-5 backtrace continuation lines (no prefix)."""
    cls, queue, _tags, _pool, _rate, errs = kind
    msg, frames = rnd.choice(ERRORS[errs])
    host = rnd.choice(REMOTE_HOSTS)
    msg = msg.format(host=host, ip="%d.%d.%d.%d" % (rnd.randrange(1, 224), rnd.randrange(256), rnd.randrange(256),
                                                     rnd.randrange(1, 255)), id=rnd.randrange(10**17, 10**18))
    enqueued = started / 1000 - rnd.random() * 2  # queue latency
    created = enqueued - (retry * 40 if retry else rnd.random() / 1000)
    job = '{"retry":%d,"queue":"%s","backtrace":3,"class":"%s","args":%s,"jid":"%s","created_at":%.7f,"enqueued_at":%.7f' % (
        16 if queue == "push" else 8, queue, cls, job_args(rnd, cls, host), jid, created, enqueued)
    if retry:
        error_class, _, error_message = msg.partition(": ")
        job += (',"error_message":%s,"error_class":"%s","failed_at":%.7f,"retry_count":%d,"retried_at":%.7f'
                % (json.dumps(error_message), error_class, enqueued - retry * 30, retry - 1, enqueued))
    block = ['{"context":"Job raised exception","job":%s}}' % job, msg]
    stack = APP_FRAMES[frames] + [gems + f for f in SIDEKIQ_FRAMES]
    block.append(stack[0])
    block += stack[1:1 + 3 + rnd.randrange(3)]
    return block


def job_args(rnd, cls, host):
    if cls == "ActivityPub::DeliveryWorker":
        # Mastodon passes the activity as a JSON string: escaped quotes inside the job JSON.
        body = '{"@context":"https://www.w3.org/ns/activitystreams","id":"https://example.social/users/a/statuses/%d/activity","type":"Create"}' % rnd.randrange(10**17, 10**18)
        return "[%s,%d,%s]" % (json.dumps(body), rnd.randrange(1, 10**6), json.dumps("https://%s/inbox" % host))
    if cls in ("LinkCrawlWorker", "ThreadResolveWorker", "ActivityPub::FetchRepliesWorker"):
        return "[%d]" % rnd.randrange(10**17, 10**18)
    return "[%d]" % rnd.randrange(1, 10**7)
