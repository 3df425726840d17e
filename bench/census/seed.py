"""Seeds a Redis with a Mastodon-like Sidekiq 7 backlog, fast, and returns what it wrote.

Payloads are built as text and shipped as RPUSH / ZADD commands of 1,000 elements each, written to the
socket without waiting for replies (they are small and read at the end), so Redis ingests while Python
generates. Argument JSON comes from a per-class pool of pre-rendered args; every job gets its own jid
and timestamps, so no two payloads are equal (ZADD members must be distinct).
"""
import json
import os
import random
from collections import defaultdict

from resp import encode

BATCH = 1000
ARG_POOL = 512
WRAPPER = "ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper"

# Invalid payloads seeded into queue:default; the census must count and locate each of them.
INVALID_PAYLOADS = [
    '{"retry":true,"queue":"default","args":[42],"class":"LinkCrawlWo',  # truncated mid-string
    "this is not json at all",
    '{"retry":true,"queue":"default","args":[1,2},"class":"DistributionWorker"}',  # mismatched bracket
]
INVALID_QUEUE = "default"

WORDS = ("the quick brown fox jumps over lazy dogs while fediverse servers federate posts boosts "
         "replies and media attachments across many instances every single minute").split()


def _filler(rng, n):
    """ASCII words of exactly n characters (no JSON escaping, so sizes stay predictable)."""
    out, size = [], 0
    while size < n:
        w = rng.choice(WORDS)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)[:n]


def _host(rng):
    return rng.choice(["mastodon.social", "hachyderm.io", "fosstodon.org", "mstdn.jp", "infosec.exchange",
                       "chaos.social", "mas.to", "mastodon.online", "social.example.net", "toot.community"])


# Argument builders: (rng, fill) -> args list. `fill` is free text used to reach the target size.
def _delivery_args(rng, fill):
    host = _host(rng)
    status = rng.randrange(10**17, 10**18)
    activity = {"@context": "https://www.w3.org/ns/activitystreams",
                "id": "https://example.com/users/alice/statuses/%d/activity" % status,
                "type": "Create", "object": {"content": fill}}
    # Mastodon passes the signed activity as a JSON *string*, so it is escaped inside the payload.
    return [json.dumps(activity, separators=(",", ":")), rng.randrange(1, 500000),
            "https://%s/inbox" % host, {"synchronize_followers": False}]


def _push_args(rng, fill):
    return [rng.randrange(1, 10**7), rng.randrange(1, 10**8), {"message": fill}]


def _status_args(rng, fill):
    return [rng.randrange(10**17, 10**18), {"note": fill}]


def _processing_args(rng, fill):
    return [rng.randrange(1, 500000), json.dumps({"type": "Like", "actor": "https://%s/users/bob" % _host(rng),
                                                  "summary": fill}, separators=(",", ":")),
            {"delivered_to_account_id": None}]


def _url_args(rng, fill):
    return [rng.randrange(10**17, 10**18), "https://%s/@carol/%s" % (_host(rng), fill.replace(" ", "-"))]


def _account_args(rng, fill):
    return ["carol@%s" % _host(rng), {"request_id": fill.replace(" ", "_")}]


def _mailer_args(rng, fill):
    job = {"job_class": "ActionMailer::MailDeliveryJob", "job_id": os.urandom(16).hex(),
           "provider_job_id": None, "queue_name": "mailers", "priority": None,
           "arguments": ["UserMailer", "confirmation_instructions", "deliver_now",
                         {"args": [{"_aj_globalid": "gid://mastodon/User/%d" % rng.randrange(1, 10**6)},
                                   fill.replace(" ", "")],
                          "_aj_ruby2_keywords": ["args"]}],
           "executions": 0, "exception_executions": {}, "locale": "en", "timezone": "UTC",
           "enqueued_at": "2026-11-22T10:00:00Z"}
    return [job]


def _scheduler_args(rng, fill):
    return [{"cursor": fill}]


# (class, wrapped class or None, options JSON fragment placed before "queue", args builder)
C = {
    "delivery": ("ActivityPub::DeliveryWorker", None, '"retry":16,"dead":false', _delivery_args),
    "webpush": ("Web::PushNotificationWorker", None, '"retry":5', _push_args),
    "distribution": ("DistributionWorker", None, '"retry":true', _status_args),
    "ap_distribution": ("ActivityPub::DistributionWorker", None, '"retry":true', _status_args),
    "processing": ("ActivityPub::ProcessingWorker", None, '"retry":8,"backtrace":true', _processing_args),
    "local_notification": ("LocalNotificationWorker", None, '"retry":true', _push_args),
    "thread_resolve": ("ThreadResolveWorker", None, '"retry":3', _url_args),
    "link_crawl": ("LinkCrawlWorker", None, '"retry":0', _url_args),
    "fetch_replies": ("ActivityPub::FetchRepliesWorker", None, '"retry":3', _url_args),
    "resolve_account": ("ResolveAccountWorker", None, '"retry":true', _account_args),
    "mailer": (WRAPPER, "ActionMailer::MailDeliveryJob", '"retry":true', _mailer_args),
    "trends": ("Scheduler::Trends::RefreshScheduler", None, '"retry":0,"lock":"until_executed"', _scheduler_args),
    "cleanup": ("Scheduler::AccountsStatusesCleanupScheduler", None, '"retry":0,"lock":"until_executed"',
                _scheduler_args),
    "indexing": ("Scheduler::IndexingScheduler", None, '"retry":0,"lock":"until_executed"', _scheduler_args),
    "publish": ("PublishScheduledStatusWorker", None, '"retry":true', _status_args),
    "unmute": ("UnmuteWorker", None, '"retry":true', _push_args),
}
QUEUE_OF = {"delivery": "push", "webpush": "push", "mailer": "mailers", "trends": "scheduler",
            "cleanup": "scheduler", "indexing": "scheduler", "link_crawl": "pull", "fetch_replies": "pull",
            "resolve_account": "pull"}

# Skewed like a busy Mastodon instance: push dwarfs everything, scheduler is a trickle.
QUEUES = [
    ("push", 0.47, [("delivery", 0.88), ("webpush", 0.12)]),
    ("default", 0.25, [("distribution", 0.30), ("processing", 0.25), ("local_notification", 0.20),
                       ("ap_distribution", 0.15), ("thread_resolve", 0.10)]),
    ("pull", 0.18, [("link_crawl", 0.45), ("fetch_replies", 0.35), ("resolve_account", 0.20)]),
    ("mailers", 0.07, [("mailer", 1.0)]),
    ("scheduler", 0.03, [("trends", 0.4), ("cleanup", 0.3), ("indexing", 0.3)]),
]
RETRY_MIX = [("delivery", 0.70), ("processing", 0.10), ("fetch_replies", 0.08), ("thread_resolve", 0.06),
             ("webpush", 0.04), ("mailer", 0.02)]
SCHEDULE_MIX = [("publish", 0.45), ("unmute", 0.25), ("delivery", 0.15), ("distribution", 0.10), ("mailer", 0.05)]
ERRORS = [("HTTP::TimeoutError", "Timed out after using the allocated 10 seconds"),
          ("Mastodon::UnexpectedResponseError", "https://gone.example/inbox returned code 410"),
          ("OpenSSL::SSL::SSLError", "SSL_connect returned=1 errno=0 state=error: certificate verify failed"),
          ("HTTP::ConnectionError", "failed to connect: Connection refused - connect(2) for 203.0.113.9:443"),
          ("Mastodon::RaceConditionError", "Lock acquisition failed")]


def _apportion(total, weights):
    """Integer split of `total` by `weights`, remainder to the first (largest) share."""
    counts = [int(total * w) for w in weights]
    counts[0] += total - sum(counts)
    return counts


class Dataset:
    """What was seeded: the census must report exactly this."""

    def __init__(self):
        self.by_class = defaultdict(lambda: defaultdict(int))  # display class -> location -> count
        self.elements = 0  # every list/zset element, invalid ones included
        self.invalid = []  # (key, index)
        self.payload_bytes = 0
        self.queues = []

    @property
    def valid(self):
        return self.elements - len(self.invalid)

    def class_totals(self):
        return {cls: sum(locs.values()) for cls, locs in self.by_class.items()}


class Seeder:
    def __init__(self, redis, rng_seed=20261122):
        self.redis = redis
        self.rng = random.Random(rng_seed)
        self.now = 1795714000.0  # fixed base keeps runs comparable; kiqprof takes its own `now`
        self.data = Dataset()
        self.commands = 0
        self.pools = {key: self._arg_pool(spec[3]) for key, spec in C.items()}
        self.templates = {key: self._template(key) for key in C}

    def _arg_pool(self, builder):
        """Pre-rendered args JSON, sizes spread over ~50-500 bytes (floored by each class's fixed part)."""
        pool = []
        for _ in range(ARG_POOL):
            target = self.rng.randint(50, 500)
            state = self.rng.getstate()  # build twice from the same state: empty, then padded to target
            base = len(json.dumps(builder(self.rng, ""), separators=(",", ":")))
            fill = _filler(random.Random(target), max(0, target - base))
            self.rng.setstate(state)
            pool.append(json.dumps(builder(self.rng, fill), separators=(",", ":")))
        return pool

    def _template(self, key):
        cls, wrapped, options, _ = C[key]
        queue = QUEUE_OF.get(key, "default")
        wrapped_part = '"wrapped":"%s",' % wrapped if wrapped else ""
        # Sidekiq 7 key order: options, queue, (wrapped), args, class, jid, created_at, enqueued_at.
        return ('{%s,"queue":"%s",%s"args":' % (options, queue, wrapped_part), ',"class":"%s","jid":"' % cls,
                wrapped or cls)

    def _payloads(self, keys, kind):
        """Payload strings for the given class keys. kind: 'queue', 'retry' or 'schedule'."""
        rng = self.rng
        rand = rng.random
        jids = os.urandom(12 * len(keys)).hex()
        out = []
        now = self.now
        for i, key in enumerate(keys):
            head, mid, _ = self.templates[key]
            pool = self.pools[key]
            args = pool[int(rand() * ARG_POOL)]
            jid = jids[24 * i:24 * i + 24]
            created = now - 86400.0 * rand() ** 3  # mostly recent, with a long tail of old jobs
            if kind == "queue":
                tail = '","created_at":%r,"enqueued_at":%r}' % (created, created + 0.0000250339508)
            elif kind == "schedule":
                tail = '","created_at":%r}' % created
            else:
                error_class, message = ERRORS[int(rand() * len(ERRORS))]
                count = int(rand() * 12)
                failed = created + 5.0
                tail = ('","created_at":%r,"enqueued_at":%r,"error_message":"%s","error_class":"%s",'
                        '"failed_at":%r,"retry_count":%d%s}' % (
                            created, created + 0.0000250339508, message, error_class, failed, count,
                            ',"retried_at":%r' % (failed + 60.0 * count) if count else ""))
            out.append(head + args + mid + jid + tail)
        return out

    def _choose(self, mix, n):
        keys, weights = zip(*mix)
        return self.rng.choices(keys, weights, k=n)

    def _rpush(self, key, payloads):
        parts = ["*%d\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n" % (len(payloads) + 2, len(key), key)]
        parts += ["$%d\r\n%s\r\n" % (len(p), p) for p in payloads]  # ASCII only, so len == byte length
        self._send("".join(parts))

    def _zadd(self, key, scores, payloads):
        parts = ["*%d\r\n$4\r\nZADD\r\n$%d\r\n%s\r\n" % (2 * len(payloads) + 2, len(key), key)]
        for s, p in zip(scores, payloads):
            sr = repr(s)
            parts.append("$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(sr), sr, len(p), p))
        self._send("".join(parts))

    def _send(self, text):
        data = text.encode("ascii")
        self.data.payload_bytes += len(data)
        self.redis.send_raw(data)
        self.commands += 1

    def _tally(self, keys, location):
        counts = self.data.by_class
        for key in keys:
            counts[self.templates[key][2]][location] += 1

    def seed_queues(self, total):
        names = [q[0] for q in QUEUES]
        self.data.queues = names
        self.redis.send_raw(encode("SADD", "queues", *names))
        self.commands += 1
        for (name, _, mix), count in zip(QUEUES, _apportion(total, [q[1] for q in QUEUES])):
            key = "queue:" + name
            bad = {}
            if name == INVALID_QUEUE:
                positions = [count // 4, count // 2, count - 1]  # near the start, middle and the very end
                bad = dict(zip(positions, INVALID_PAYLOADS))
                self.data.invalid += [(key, p) for p in positions]
            for start in range(0, count, BATCH):
                n = min(BATCH, count - start)
                keys = [k for i, k in enumerate(self._choose(mix, n)) if start + i not in bad]
                payloads = self._payloads(keys, "queue")
                self._tally(keys, key)
                for pos in sorted(p for p in bad if start <= p < start + n):
                    payloads.insert(pos - start, bad[pos])
                self._rpush(key, payloads)
            self.data.elements += count

    def seed_set(self, key, total, mix, kind):
        rand = self.rng.random
        for start in range(0, total, BATCH):
            n = min(BATCH, total - start)
            keys = self._choose(mix, n)
            payloads = self._payloads(keys, kind)
            if kind == "retry":  # next retry time: recent past to a few hours ahead
                scores = [self.now - 600.0 + 14400.0 * rand() for _ in range(n)]
            else:  # scheduled run time: up to a week ahead
                scores = [self.now + 604800.0 * rand() for _ in range(n)]
            self._tally(keys, key)
            self._zadd(key, scores, payloads)
        self.data.elements += total

    def finish(self):
        """Reads the pipelined replies; any error reply raises."""
        for _ in range(self.commands):
            self.redis.read_reply()
        self.commands = 0


def seed(redis, jobs, retry, scheduled):
    s = Seeder(redis)
    s.seed_queues(jobs)
    s.seed_set("retry", retry, RETRY_MIX, "retry")
    s.seed_set("schedule", scheduled, SCHEDULE_MIX, "schedule")
    s.finish()
    return s.data
