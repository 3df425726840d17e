# kiqprof's per-run CPU test: jobs whose CPU differs from what their duration suggests, on Debian's
# Sidekiq 6.4.1. Every job writes its thread's own CPU (CLOCK_THREAD_CPUTIME_ID), wall time, Sidekiq tid and
# start (epoch seconds) to the Redis hash `truth` as "cpu wall tid start", keyed by jid: what kiqprof's
# measurement is held to, and which jobs ran on which thread when.
require "sidekiq"

Sidekiq.configure_client { |config| config.redis = { path: ENV.fetch("KIQ_REDIS_SOCK") } }
class ThreadCPUTruth
  def call(_worker, job, _queue)
    cpu0 = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID)
    wall0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    start = Time.now.to_f
    yield
  ensure
    cpu = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID) - cpu0
    wall = Process.clock_gettime(Process::CLOCK_MONOTONIC) - wall0
    # Sidekiq's own tid formula (sidekiq/util.rb), as in its work entries and logs.
    tid = (Thread.current.object_id ^ ::Process.pid).to_s(36)
    Sidekiq.redis { |r| r.hset("truth", job["jid"], format("%.4f %.4f %s %.3f", cpu, wall, tid, start)) }
  end
end

Sidekiq.configure_server do |config|
  config.redis = { path: ENV.fetch("KIQ_REDIS_SOCK") }
  config.server_middleware { |chain| chain.add(ThreadCPUTruth) }
end

# Burns CPU for `secs` of wall time: as much as the GVL and the host give it.
class HogJob
  include Sidekiq::Worker
  def perform(secs)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + secs
    x = 0
    x += 1 while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
  end
end

# Spins until this thread has used `seconds` more CPU, however long the GVL and the host make that take.
def burn_thread_cpu(seconds)
  stop = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID) + seconds
  x = 0
  x += 1 while Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID) < stop
end

# Needs `cpu` seconds of CPU: beside a hog in its process it waits for the GVL, so it lasts much longer.
class VictimJob
  include Sidekiq::Worker
  def perform(cpu) = burn_thread_cpu(cpu)
end

# A small CPU job, the steady stream: milliseconds of CPU each.
class StreamJob
  include Sidekiq::Worker
  def perform(ms) = burn_thread_cpu(ms / 1000.0)
end

# Sleeps: long and nearly free.
class SleepJob
  include Sidekiq::Worker
  def perform(secs)
    sleep secs
  end
end
