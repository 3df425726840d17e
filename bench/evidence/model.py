"""The scenario model of the evidence benchmark: one Sidekiq host, simulated in 0.1 s steps, with known truth.

    import model
    scenario = model.make_scenario(seed)      # everything drawn from random.Random(seed)
    sim = model.simulate(scenario)            # job runs, per-step CPU and memory, heartbeats, truth

What is modelled (README.md, "The model"):
  - a host of 2 or 4 CPUs and 2-8 GiB, with a baseline CPU and memory of its own (noise, a slow drift,
    a few unrelated spikes);
  - 1-3 Sidekiq processes of 5-25 threads. Each has a GVL: at any instant a process runs Ruby code on one
    core at most, shared round-robin by its runnable Ruby threads; a phase in GVL-releasing C code (zlib)
    runs beside it on cores of its own. Jobs wait in one queue while every thread is busy;
  - when the demand (baseline + one core per process with runnable Ruby + the C phases) exceeds the CPUs,
    every CPU phase slows by the same factor (the host saturates at 100 %);
  - a job is a pattern of phases (Ruby CPU, C CPU, sleep/IO) repeated `cycles` times; it holds its memory
    from start to end, and may leave some behind (bloat).
Roles: exactly one culprit (a periodic CPU+memory hog under sidekiq-cron 1.x or sidekiq-scheduler, whose
runs may grow and pile up), co-firing light sleepers (same schedule, same ticks, ~no CPU), a stream of
small jobs, a medium job, cheap periodic jobs and one-off jobs.
"""
import bisect
import math
import random

IO, RUBY, CEXT, GVLWAIT = 0, 1, 2, 3
# The GVL's timeslice: a CPU-bound Ruby thread holds the lock this long before it must pass it on.
TIMESLICE = 0.1

# Mastodon's scheduler classes (docs/mastodon.md): any of them may play the culprit, a sleeper or a cheap
# periodic job, so the name never gives the answer away.
SCHEDULER_CLASSES = [
    "Scheduler::Trends::RefreshScheduler",
    "Scheduler::AccountsStatusesCleanupScheduler",
    "Scheduler::IndexingScheduler",
    "Scheduler::VacuumScheduler",
    "Scheduler::FollowRecommendationsScheduler",
    "Scheduler::InstanceRefreshScheduler",
    "Scheduler::UserCleanupScheduler",
    "Scheduler::IpCleanupScheduler",
    "Scheduler::PgheroScheduler",
    "Scheduler::ScheduledStatusesScheduler",
    "Scheduler::SuspendedUserCleanupScheduler",
    "Scheduler::SoftwareUpdateCheckScheduler",
    "Scheduler::AutoCloseRegistrationsScheduler",
    "Scheduler::Trends::ReviewNotificationsScheduler",
    "Scheduler::CollectionItemCleanupScheduler",
    "Scheduler::SelfDestructScheduler",
]
STREAM_CLASSES = [
    ("ActivityPub::DeliveryWorker", "push"),
    ("ActivityPub::ProcessingWorker", "ingress"),
    ("FeedInsertWorker", "default"),
    ("LinkCrawlWorker", "pull"),
    ("DistributionWorker", "default"),
    ("Web::PushNotificationWorker", "push"),
    ("LocalNotificationWorker", "default"),
]
MEDIUM_CLASSES = [
    ("PostProcessMediaWorker", "default"),
    ("BackupWorker", "pull"),
    ("ActivityPub::FetchAllRepliesWorker", "pull"),
    ("RedownloadMediaWorker", "pull"),
    ("Import::RowWorker", "pull"),
]
ONE_OFF_CLASSES = [
    ("AccountDeletionWorker", "pull"),
    ("Admin::DomainPurgeWorker", "pull"),
    ("DomainClearMediaWorker", "pull"),
    ("VerifyAccountLinksWorker", "default"),
    ("ThreadResolveWorker", "pull"),
    ("BulkImportWorker", "pull"),
]
LOG_FORMATS = ["text7", "text8", "json", "journald"]
HOST = "sidekiq-1"


def schedule_name(job_class):
    """`Scheduler::Trends::RefreshScheduler` -> `trends_refresh_scheduler`, as in Mastodon's YAML."""
    short = job_class.split("::", 1)[1] if job_class.startswith("Scheduler::") else job_class
    out = []
    for part in short.split("::"):
        s = ""
        for i, ch in enumerate(part):
            if ch.isupper() and i > 0:
                s += "_"
            s += ch.lower()
        out.append(s)
    return "_".join(out)


def base36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while n:
        n, r = divmod(n, 36)
        s = digits[r] + s
    return s or "0"


class JobClass:
    def __init__(self, name, role, queue, **kw):
        self.name = name
        self.role = role  # culprit, sleeper, light, stream, medium, oneoff
        self.queue = queue
        self.schedule = None  # {"source", "name", "cron"/"every", "period"}
        self.cpar = 1  # cores of one C (GVL-free) phase
        self.mem_mb = 0.0
        self.bloat_mb = 0.0
        self.fail_p = 0.0
        self.__dict__.update(kw)


class Scenario:
    """All parameters of one scenario, drawn from `seed`; `arrivals` holds every job that will be enqueued."""

    def describe(self):
        c = self.classes[self.culprit]
        return ("seed %d: %d CPU, %.0f GiB, %d proc (%s), %s%s, culprit %s every %ds, %s, %.0f min" % (
            self.seed, self.ncpu, self.mem_total_mb / 1024, self.nproc, "/".join(str(x) for x in self.concurrency),
            self.scheduler, " poll %ds" % self.poll if self.scheduler == "sidekiq-cron" else "", c.name, c.schedule["period"],
            self.log_format, self.duration / 60))


def _pattern_cycles(total_time, cycle):
    return max(1, int(round(total_time / cycle)))


def make_scenario(seed, dt=0.05):
    rng = random.Random(seed)
    sc = Scenario()
    sc.seed = seed
    sc.dt = dt
    sc.ncpu = rng.choice([2, 4])
    sc.mem_total_mb = rng.choice([2, 3, 4, 6, 8]) * 1024.0
    sc.nproc = rng.choice([1, 2, 2, 3])
    sc.concurrency = [rng.randint(5, 25) for _ in range(sc.nproc)]
    sc.pids = [rng.randint(1000, 60000) for _ in range(sc.nproc)]
    sc.nonces = ["%012x" % rng.getrandbits(48) for _ in range(sc.nproc)]
    sc.identities = ["%s:%d:%s" % (HOST, sc.pids[p], sc.nonces[p]) for p in range(sc.nproc)]
    sc.tids = []
    for p in range(sc.nproc):
        seen = set()
        names = []
        while len(names) < sc.concurrency[p]:
            name = base36(rng.randint(36 * 36, 36 ** 3 - 1))
            if name not in seen:
                seen.add(name)
                names.append(name)
        sc.tids.append(names)
    sc.scheduler = "sidekiq-cron" if rng.random() < 0.5 else "sidekiq-scheduler"
    sc.poll = rng.choice([30, 30, 30, 10, 15]) if sc.scheduler == "sidekiq-cron" else None
    sc.log_format = LOG_FORMATS[seed % len(LOG_FORMATS)]
    sc.sidekiq_version = {"text7": rng.choice(["6.5.12", "7.3.10"]), "text8": "8.0.10", "journald": "8.0.10",
                          "json": rng.choice(["6.5.12", "7.3.10", "8.0.10"])}[sc.log_format]
    sc.sar_style = rng.choice(["utc", "tz"])
    sc.sar_psi = rng.random() < 0.5

    period = rng.choice([60, 120, 300, 600])
    first_tick = rng.uniform(30, 90)
    sc.duration = round(min(45 * 60, max(rng.uniform(20, 35) * 60, first_tick + 3.5 * period)))
    # Whole hours from a fixed day, minus the lead to the first tick: cron ticks are multiples of the period.
    hour = 1795737600 + 3600 * rng.randint(0, 23)  # 2026-11-27T00:00Z + h
    sc.t0 = float(math.floor(hour - first_tick))

    names = SCHEDULER_CLASSES[:]
    rng.shuffle(names)
    classes = []

    # --- the culprit -----------------------------------------------------------------------------------
    cpar_choices = [1, 1, 1, 2] if sc.ncpu == 2 else [1, 2, 2, 3]
    cpar = rng.choice(cpar_choices)
    f_r = rng.uniform(0.35, 0.85)
    f_c = rng.uniform(0.0, min(0.55, 0.95 - f_r)) if rng.random() < 0.6 else 0.0
    f_io = 1.0 - f_r - f_c
    cycle = rng.uniform(0.5, 1.5)
    pileup = rng.random() < 0.4
    culprit = JobClass(names.pop(), "culprit", "scheduler", cpar=cpar,
                       pattern=((RUBY, f_r * cycle), (CEXT, f_c * cycle * cpar), (IO, f_io * cycle)),
                       cycle=cycle, mem_mb=round(rng.uniform(0.05, 0.15) * sc.mem_total_mb),
                       bloat_mb=rng.choice([0.0, 0.0, 0.0, rng.uniform(1, 8)]), fail_p=rng.choice([0.0, 0.0, 0.05]),
                       pileup=pileup, growth=rng.uniform(1.15, 1.4) if pileup else 1.0,
                       d0=max(8.0, (rng.uniform(0.3, 0.6) if pileup else rng.uniform(0.08, 0.45)) * period))
    culprit.nominal_cores = (f_r + f_c * cpar) / (f_r + f_c + f_io)
    classes.append(culprit)
    sc.culprit = 0

    def schedule_for(job_class, period_s):
        if sc.scheduler == "sidekiq-cron":
            minutes = period_s // 60
            cron = "* * * * *" if minutes == 1 else "*/%d * * * *" % minutes
            return {"source": "sidekiq-cron", "name": schedule_name(job_class), "cron": cron, "every": None, "period": period_s}
        every = "%dm" % (period_s // 60) if period_s % 60 == 0 else "%ds" % period_s
        return {"source": "sidekiq-scheduler", "name": schedule_name(job_class), "cron": None, "every": every, "period": period_s}

    culprit.schedule = schedule_for(culprit.name, period)

    # --- co-firing light sleepers: same schedule, same ticks, 10-40 s of waiting ---------------------------
    for _ in range(2 if rng.random() < 0.3 else 1):
        sleeper = JobClass(names.pop(), "sleeper", "scheduler", mem_mb=rng.uniform(5, 25), fail_p=rng.choice([0.0, 0.05, 0.1]),
                           wait=rng.uniform(10, 40))
        sleeper.schedule = schedule_for(sleeper.name, period)
        sleeper.schedule["ticks_with"] = culprit.name
        classes.append(sleeper)

    # --- cheap periodic jobs ---------------------------------------------------------------------------
    for _ in range(rng.randint(2, 4)):
        light = JobClass(names.pop(), "light", "scheduler", mem_mb=rng.uniform(1, 10), fail_p=rng.choice([0.0, 0.0, 0.03]),
                         cpu=rng.uniform(0.01, 0.2), wait=rng.uniform(0.0, 2.0))
        light.schedule = schedule_for(light.name, rng.choice([60, 120, 300, 600, 900]))
        classes.append(light)

    # --- the stream: 1-10 small jobs a second, 20-100 ms of Ruby CPU each ----------------------------------
    streams = rng.sample(STREAM_CLASSES, rng.choice([1, 2]))
    mean_cpu = rng.uniform(0.02, 0.1)
    rate = rng.uniform(1, 10)
    rate = min(rate, 0.45 * sc.nproc / mean_cpu)  # keep the stream below ~half of each process's GVL
    shares = [1.0] if len(streams) == 1 else [w / 10.0 for w in (lambda a: (a, 10 - a))(rng.randint(3, 7))]
    for (name, queue), share in zip(streams, shares):
        classes.append(JobClass(name, "stream", queue, mem_mb=rng.uniform(1, 6), fail_p=rng.uniform(0, 0.03),
                                rate=rate * share, cpu=mean_cpu * rng.uniform(0.8, 1.2),
                                segments=rng.randint(3, 12), io=rng.uniform(0.01, 0.15)))

    # --- a medium job: ~2 s of CPU at random times -------------------------------------------------------
    name, queue = rng.choice(MEDIUM_CLASSES)
    classes.append(JobClass(name, "medium", queue, mem_mb=rng.uniform(20, 120), fail_p=rng.uniform(0, 0.05),
                            bloat_mb=rng.choice([0.0, 0.0, rng.uniform(1, 6)]), interval=rng.uniform(30, 180),
                            cpu=rng.uniform(1.2, 3.0)))

    # --- one-off jobs ----------------------------------------------------------------------------------
    for name, queue in rng.sample(ONE_OFF_CLASSES, rng.randint(2, 3)):
        classes.append(JobClass(name, "oneoff", queue, mem_mb=rng.uniform(5, 60), fail_p=0.2, runs=rng.randint(1, 2)))
    sc.classes = classes

    # --- the host's own load ----------------------------------------------------------------------------
    seconds = int(sc.duration) + 2
    base_cores = rng.uniform(0.03, 0.12) * sc.ncpu
    noise = 0.0
    sc.base_cpu = []  # cores, per second
    for s in range(seconds):
        noise = 0.8 * noise + rng.gauss(0, 0.02 * sc.ncpu)
        sc.base_cpu.append(max(0.0, base_cores * (1 + 0.2 * math.sin(s / 900.0 * math.pi)) + noise))
    for _ in range(rng.randint(0, 3)):  # unrelated spikes (a backup, a logrotate): 10-40 s of 0.3-1 core
        at, length, extra = rng.uniform(0, seconds - 60), rng.uniform(10, 40), rng.uniform(0.3, 1.0)
        for s in range(int(at), min(seconds, int(at + length))):
            sc.base_cpu[s] += extra
    base_mem = rng.uniform(0.15, 0.3) * sc.mem_total_mb
    drift = 0.0
    sc.base_mem = []  # MB, per second
    for s in range(seconds):
        drift += rng.gauss(0, 0.5)
        sc.base_mem.append(base_mem + drift + rng.gauss(0, 4))
    sc.proc_base_rss = [rng.uniform(0.03, 0.07) * sc.mem_total_mb for _ in range(sc.nproc)]
    sc.fetch_latency = 0.002

    sc.arrivals = _arrivals(sc, rng)
    return sc


def _poll_times(sc, rng, end):
    """sidekiq-cron 1.x: every process polls every poll × U(0.5, 1.5) (Sidekiq's random_poll_interval)."""
    times = []
    for _ in range(sc.nproc):
        t = rng.uniform(0, sc.poll)
        while t < end:
            times.append(t)
            t += sc.poll * rng.uniform(0.5, 1.5)
    times.sort()
    return times


def _arrivals(sc, rng):
    """Every job that will be enqueued: (time, class index, pattern, cycles, failed), times from t0."""
    end = sc.duration
    arrivals = []
    polls = _poll_times(sc, rng, end + 120) if sc.scheduler == "sidekiq-cron" else None
    every_phase = {}

    def ticks(job_class):
        """Moments a scheduled class is due to be enqueued, relative to t0 (the jitter of each job comes on top)."""
        period = job_class.schedule["period"]
        out = []
        if sc.scheduler == "sidekiq-cron":
            # A cron tick is enqueued by the first poll after it, of whichever process polls first.
            k = int(math.ceil(sc.t0 / period))
            while k * period - sc.t0 < end:
                i = bisect.bisect_left(polls, k * period - sc.t0)
                if i < len(polls) and polls[i] < end:
                    out.append(polls[i])
                k += 1
        else:
            # rufus `every`: schedules of one period started together keep one phase; the culprit's first
            # tick comes 30-90 s into the scenario like a cron tick would.
            key = job_class.schedule.get("ticks_with") or job_class.name
            if key not in every_phase:
                if key == sc.classes[sc.culprit].name:
                    phase = math.ceil(sc.t0 / period) * period - sc.t0
                    every_phase[key] = phase if phase > 0 else period
                else:
                    every_phase[key] = rng.uniform(0, period)
            t = every_phase[key]
            while t < end:
                out.append(t)
                t += period
        return out

    def jitter():
        # sidekiq-cron: the poll enqueues its due jobs one after another; sidekiq-scheduler: rufus's < 1 s.
        return rng.uniform(0.001, 0.02) if sc.scheduler == "sidekiq-cron" else rng.uniform(0.0, 0.6)

    culprit = sc.classes[sc.culprit]
    culprit_ticks = ticks(culprit)
    culprit.enqueued = len(culprit_ticks)
    for k, t in enumerate(culprit_ticks):
        d = culprit.d0 * (culprit.growth ** k) * rng.uniform(0.9, 1.1)
        d = min(d, 3.0 * culprit.schedule["period"])
        arrivals.append((t + jitter(), sc.culprit, culprit.pattern, _pattern_cycles(d, culprit.cycle), rng.random() < culprit.fail_p))
    for index, job_class in enumerate(sc.classes):
        role = job_class.role
        if role == "sleeper":
            for t in culprit_ticks:  # the culprit's very ticks
                t += jitter()
                wait = job_class.wait * rng.uniform(0.8, 1.2)
                pattern = ((RUBY, rng.uniform(0.005, 0.02)), (IO, wait), (RUBY, rng.uniform(0.002, 0.01)))
                arrivals.append((t, index, pattern, 1, rng.random() < job_class.fail_p))
        elif role == "light":
            for t in ticks(job_class):
                t += jitter()
                pattern = ((RUBY, job_class.cpu * rng.uniform(0.7, 1.3)), (IO, job_class.wait * rng.uniform(0.5, 1.5)))
                arrivals.append((t, index, pattern, 1, rng.random() < job_class.fail_p))
        elif role == "stream":
            t = rng.expovariate(job_class.rate)
            while t < end:
                cpu = rng.lognormvariate(math.log(job_class.cpu) - 0.125, 0.5)
                segments = rng.randint(2, job_class.segments)
                io = rng.uniform(0.002, job_class.io) / segments
                arrivals.append((t, index, ((RUBY, cpu / segments), (IO, io)), segments, rng.random() < job_class.fail_p))
                t += rng.expovariate(job_class.rate)
        elif role == "medium":
            t = rng.uniform(0, job_class.interval)
            while t < end:
                cpu = job_class.cpu * rng.uniform(0.8, 1.2)
                pattern = ((RUBY, 0.25), (IO, rng.uniform(0.02, 0.2)))
                arrivals.append((t, index, pattern, max(1, int(round(cpu / 0.25))), rng.random() < job_class.fail_p))
                t += rng.expovariate(1.0 / job_class.interval)
        elif role == "oneoff":
            for _ in range(job_class.runs):
                pattern = ((RUBY, rng.uniform(0.05, 4.0)), (IO, rng.uniform(0.0, 10.0)))
                arrivals.append((rng.uniform(0, end - 30), index, pattern, 1, rng.random() < job_class.fail_p))
    arrivals.sort(key=lambda a: a[0])
    return arrivals


class Job:
    __slots__ = ("cls", "jid", "proc", "tid", "enq", "start", "end", "pattern", "pidx", "cycles", "kind", "rem",
                 "mem", "failed", "cpu")

    def __init__(self, cls, enq, pattern, cycles, failed):
        self.cls = cls
        self.enq = enq
        self.pattern = pattern
        self.cycles = cycles
        self.pidx = 0
        self.kind, self.rem = pattern[0]
        self.failed = failed
        self.start = None
        self.end = None
        self.cpu = 0.0


class Simulation:
    """What happened: jobs with exact start/end, per-step CPU work (core-seconds) of the host and of each
    process, per-step process RSS and host memory (MB), and the truth."""


def simulate(sc):
    rng = random.Random(sc.seed * 7919 + 17)
    dt = sc.dt
    nsteps = int(round(sc.duration / dt))
    steps_per_second = int(round(1 / dt))
    nproc = sc.nproc
    classes = sc.classes
    culprit_index = sc.culprit
    cpar_of = [c.cpar for c in classes]
    mem_of = [c.mem_mb for c in classes]
    bloat_of = [c.bloat_mb for c in classes]
    mem_cap = 0.98 * sc.mem_total_mb
    uniform = rng.uniform

    free = [list(reversed(sc.tids[p])) for p in range(nproc)]
    running = [[] for _ in range(nproc)]
    queue = []
    qhead = 0
    rss = list(sc.proc_base_rss)
    jobs = []
    jid_bits = rng.getrandbits
    # Per process: how long the threads now runnable in Ruby hold the GVL before a newcomer gets it
    # (each up to a timeslice); a thread that comes back from IO, or starts, waits part of that.
    gvl_queue = [0.0] * nproc

    host_work = [0.0] * nsteps
    proc_work = [[0.0] * nsteps for _ in range(nproc)]
    proc_rss = [[0.0] * nsteps for _ in range(nproc)]
    host_mem = [0.0] * nsteps
    runnable = [0.0] * nsteps
    scale_of = [1.0] * nsteps
    # Truth: the culprit's CPU work, its running time, and that time as it would have been unsaturated.
    cul_work = 0.0
    cul_time = 0.0
    cul_shadow = 0.0
    solo_work = 0.0  # the same while only one culprit run is going
    solo_shadow = 0.0
    cul_busy_steps = 0
    cul_sat_steps = 0
    saturated_steps = 0
    mem_capped_steps = 0

    arrivals = sc.arrivals
    na = len(arrivals)
    ai = 0

    def start_job(job, p, t):
        job.proc = p
        job.tid = free[p].pop()
        job.start = t
        rss[p] += mem_of[job.cls]
        running[p].append(job)
        if job.kind == RUBY and gvl_queue[p] > 0:
            job.kind, job.rem = GVLWAIT, gvl_queue[p] * uniform(0.3, 1.0)

    def pick_process():
        total = 0
        for p in range(nproc):
            total += len(free[p])
        if total == 0:
            return -1
        r = rng.randrange(total)
        for p in range(nproc):
            if r < len(free[p]):
                return p
            r -= len(free[p])
        return -1

    for k in range(nsteps):
        t = k * dt
        t1 = t + dt
        # Arrivals: to a free thread of any process (BRPOP), else the queue.
        while ai < na and arrivals[ai][0] < t1 and arrivals[ai][0] + sc.fetch_latency < sc.duration:
            at, cls, pattern, cycles, failed = arrivals[ai]
            ai += 1
            job = Job(cls, at, pattern, cycles, failed)
            job.jid = "%024x" % jid_bits(96)
            jobs.append(job)
            p = pick_process()
            if p >= 0:
                start_job(job, p, at + sc.fetch_latency)
            else:
                queue.append(job)

        # Demand: baseline + one core per process with runnable Ruby + the C phases.
        base = sc.base_cpu[k // steps_per_second]
        demand = base
        nruby = [0] * nproc
        n_culprit = 0
        for p in range(nproc):
            n = 0
            hold = 0.0
            for job in running[p]:
                if job.cls == culprit_index:
                    n_culprit += 1
                kind = job.kind
                if kind == RUBY:
                    n += 1
                    hold += job.rem if job.rem < TIMESLICE else TIMESLICE
                elif kind == CEXT:
                    demand += cpar_of[job.cls]
            nruby[p] = n
            gvl_queue[p] = hold
            if n:
                demand += 1.0
        scale = 1.0 if demand <= sc.ncpu else sc.ncpu / demand
        scale_of[k] = scale
        runnable[k] = demand
        if scale < 1.0:
            saturated_steps += 1
        work_total = base * scale * dt
        cul_here = False
        solo = n_culprit == 1

        for p in range(nproc):
            ruby_rate = scale / (nruby[p] if nruby[p] else 1)
            hold = gvl_queue[p]
            work_p = 0.0
            finished = None
            for job in running[p]:
                budget = t1 - job.start if job.start > t else dt
                is_culprit = job.cls == culprit_index
                if is_culprit:
                    cul_here = True
                cpar = cpar_of[job.cls]
                while budget > 1e-12:
                    kind = job.kind
                    if kind == RUBY:
                        rate = ruby_rate
                    elif kind == CEXT:
                        rate = cpar * scale
                    else:
                        rate = 1.0
                    need = job.rem / rate
                    if need <= budget:
                        spent = need
                        amount = job.rem
                        done = True
                    else:
                        spent = budget
                        amount = rate * budget
                        done = False
                    budget -= spent
                    if kind == RUBY or kind == CEXT:
                        work_p += amount
                        job.cpu += amount
                        if is_culprit:
                            cul_work += amount
                            cul_shadow += spent * scale
                            if solo:
                                solo_work += amount
                                solo_shadow += spent * scale
                    elif is_culprit:
                        cul_shadow += spent
                        if solo:
                            solo_shadow += spent
                    if is_culprit:
                        cul_time += spent
                    if not done:
                        job.rem -= amount
                        break
                    if kind == GVLWAIT:  # got the GVL: now the Ruby phase it was waiting for
                        job.kind, job.rem = job.pattern[job.pidx]
                        continue
                    job.pidx += 1
                    if job.pidx == len(job.pattern):
                        job.pidx = 0
                        job.cycles -= 1
                        if job.cycles == 0:
                            job.end = t1 - budget
                            if finished is None:
                                finished = []
                            finished.append(job)
                            break
                    job.kind, job.rem = job.pattern[job.pidx]
                    if job.kind == RUBY and kind != RUBY and hold > 0:
                        job.kind, job.rem = GVLWAIT, hold * uniform(0.3, 1.0)
            proc_work[p][k] = work_p
            work_total += work_p
            if finished:
                for job in finished:
                    running[p].remove(job)
                    free[p].append(job.tid)
                    rss[p] += bloat_of[job.cls] - mem_of[job.cls]
                    # The freed thread takes the oldest queued job at once.
                    if qhead < len(queue) and job.end + sc.fetch_latency < sc.duration:
                        nxt = queue[qhead]
                        qhead += 1
                        start_job(nxt, p, job.end + sc.fetch_latency)
        if cul_here:
            cul_busy_steps += 1
            if scale < 1.0:
                cul_sat_steps += 1
        host_work[k] = work_total
        for p in range(nproc):
            proc_rss[p][k] = rss[p]
        used = sc.base_mem[k // steps_per_second] + sum(rss)
        if used > mem_cap:  # the rest is in swap
            used = mem_cap
            mem_capped_steps += 1
        host_mem[k] = used

    sim = Simulation()
    sim.jobs = [j for j in jobs if j.start is not None]
    sim.all_jobs = jobs  # with those still queued at the end
    sim.nsteps = nsteps
    sim.host_work = host_work
    sim.proc_work = proc_work
    sim.proc_rss = proc_rss
    sim.host_mem = host_mem
    sim.runnable = runnable
    sim.scale = scale_of
    sim.queued_at_end = len(queue) - qhead
    culprit = classes[culprit_index]
    # The truth: the cores one run uses while it is the only run of its class and the host is not saturated
    # (the CPU phases' time as it would have been unsaturated); GVL sharing with the other classes counts.
    all_cores = cul_work / cul_shadow if cul_shadow > 0 else culprit.nominal_cores
    truth_cores = solo_work / solo_shadow if solo_shadow >= 5.0 else all_cores
    actual_cores = cul_work / cul_time if cul_time > 0 else 0.0
    cul_jobs = [j for j in sim.jobs if j.cls == culprit_index]
    overlaps = 0
    latest = -1.0
    for j in sorted(cul_jobs, key=lambda j: j.start):
        if j.start < latest:
            overlaps += 1
        latest = max(latest, j.end if j.end is not None else float("inf"))
    periodic = sorted({c.name for c in classes if c.schedule is not None})
    sim.truth = {
        "seed": sc.seed,
        "culprit": culprit.name,
        "culprit_cpu_pp": round(truth_cores / sc.ncpu * 100, 3),
        "culprit_cpu_pp_actual": round(actual_cores / sc.ncpu * 100, 3),
        "culprit_cpu_pp_all_instances": round(all_cores / sc.ncpu * 100, 3),
        "culprit_solo_s": round(solo_shadow, 1),
        "culprit_cpu_pp_nominal": round(culprit.nominal_cores / sc.ncpu * 100, 3),
        "culprit_mem_mb": round(culprit.mem_mb, 1),
        "culprit_period_s": culprit.schedule["period"],
        "culprit_runs": len(cul_jobs),
        "culprit_overlaps": overlaps,
        "culprit_pileup": culprit.pileup,
        "culprit_cpar": culprit.cpar,
        "culprit_saturated_share": round(cul_sat_steps / cul_busy_steps, 3) if cul_busy_steps else 0.0,
        "host_saturated_share": round(saturated_steps / nsteps, 3),
        "host_memory_full_share": round(mem_capped_steps / nsteps, 3),
        "periodic": periodic,
        "streams": sorted(c.name for c in classes if c.role == "stream"),
        "sleepers": sorted(c.name for c in classes if c.role == "sleeper"),
        "cofiring_light": _cofiring(sim.jobs, classes, culprit_index),
        "roles": {c.name: c.role for c in classes},
        "ncpu": sc.ncpu,
        "mem_total_mb": sc.mem_total_mb,
        "nproc": sc.nproc,
        "concurrency": sc.concurrency,
        "scheduler": sc.scheduler,
        "poll_interval_s": sc.poll,
        "log_format": sc.log_format,
        "sidekiq_version": sc.sidekiq_version,
        "t0": sc.t0,
        "duration_s": sc.duration,
        "runs_by_class": _count_by_class(sim.jobs, classes),
        "queued_at_end": sim.queued_at_end,
    }
    return sim


def _cofiring(jobs, classes, culprit_index):
    """Light scheduled classes (sleepers, cheap periodic jobs) whose runs mostly start with the culprit's:
    at least half of them, and at least two, within 2 s of a culprit start."""
    culprit_starts = sorted(j.start for j in jobs if j.cls == culprit_index)
    out = []
    for index, job_class in enumerate(classes):
        if job_class.role not in ("sleeper", "light"):
            continue
        starts = [j.start for j in jobs if j.cls == index]
        near = 0
        for s in starts:
            i = bisect.bisect_left(culprit_starts, s - 2.0)
            if i < len(culprit_starts) and culprit_starts[i] <= s + 2.0:
                near += 1
        if starts and near >= 2 and near >= 0.5 * len(starts):
            out.append(job_class.name)
    return sorted(out)


def _count_by_class(jobs, classes):
    counts = {}
    for j in jobs:
        name = classes[j.cls].name
        counts[name] = counts.get(name, 0) + 1
    return counts
