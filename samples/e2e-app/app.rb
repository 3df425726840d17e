# A small Sidekiq app for kiqprof's end-to-end test: real jobs on Debian's Sidekiq 6.4.1.
# Redis is a private server on a UNIX socket given by KIQ_REDIS_SOCK.
require "sidekiq"

Sidekiq.configure_server { |config| config.redis = { path: ENV.fetch("KIQ_REDIS_SOCK") } }
Sidekiq.configure_client { |config| config.redis = { path: ENV.fetch("KIQ_REDIS_SOCK") } }

# Burns CPU for `secs` wall-clock seconds: the hog whose process CPU must rise while it runs.
class CpuBurnJob
  include Sidekiq::Worker
  def perform(secs)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + secs
    x = 0
    x += 1 while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
  end
end

# Sleeps: long but light.
class SleepJob
  include Sidekiq::Worker
  def perform(secs)
    sleep secs
  end
end

# Works a while, then fails: lands in `retry`.
class SlowFailJob
  include Sidekiq::Worker
  sidekiq_options retry: 3
  def perform(secs)
    sleep secs
    raise IOError, "upstream timed out after #{secs}s"
  end
end

# Works a while, then fails with no retries: lands in `dead`.
class SlowPoisonJob
  include Sidekiq::Worker
  sidekiq_options retry: 0
  def perform(secs)
    sleep secs
    raise ArgumentError, "invalid payload"
  end
end

# The steady traffic of short jobs, too short to cross a heartbeat.
class QuickJob
  include Sidekiq::Worker
  def perform(n)
    (1..n).sum
  end
end
