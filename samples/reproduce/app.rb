# A Trends-style outage with real parts: Debian's Sidekiq 6.4.1 and sidekiq-cron 1.8.0.
# Used by kiqprof's end-to-end incident and import tests and by `make reproduce` (samples/reproduce/reproduce.sh).
#
#   KIQ_REDIS_SOCK     the Redis UNIX socket
#   KIQ_PERIOD         seconds between firings of both periodic jobs (default 20; < 60 uses six-field cron)
#   KIQ_HOG_SECONDS    how long the hog burns CPU per run (default 8)
#   KIQ_HOG_GROWTH     each run lasts this factor longer than the one before (default 1: steady), as a
#                      trends refresh grows with federation volume
#   KIQ_HOG_MAX_SECONDS the longest a run gets (default 120)
#   KIQ_HOG_MB         how much memory the hog holds while it runs (default 400)
#   KIQ_HOG_THREADS    threads the hog compresses with (default 1); zlib releases Ruby's GVL, so 2 threads
#                      take 2 cores, as a heavy job does when its work runs in C (or in Postgres)
#   KIQ_HOG_RUBY       1: the hog burns its KIQ_HOG_SECONDS as CPU time of its own thread in plain Ruby, so it
#                      holds the GVL and slows every other job of its process (default 0: zlib, wall seconds)
#   KIQ_SLEEP_SECONDS  how long the light job waits per run (default 14)
#   KIQ_CRON           the cron line of both periodic jobs (default: from KIQ_PERIOD)
#   KIQ_CRON_POLL      sidekiq-cron's poll interval in seconds (default 1); "default" keeps sidekiq-cron's own
#                      (30 s in 1.8.0, each wait drawn at random between 15 and 45 s by Sidekiq's poller)
#   FeedInsertJob's CPU per run comes from its argument; samples/reproduce/stream.rb pushes it.
require "sidekiq"
require "sidekiq-cron"
require "zlib"

REDIS = { path: ENV.fetch("KIQ_REDIS_SOCK") }
PERIOD = Integer(ENV.fetch("KIQ_PERIOD", "20"))
HOG_SECONDS = Float(ENV.fetch("KIQ_HOG_SECONDS", "8"))
HOG_GROWTH = Float(ENV.fetch("KIQ_HOG_GROWTH", "1"))
HOG_MAX_SECONDS = Float(ENV.fetch("KIQ_HOG_MAX_SECONDS", "120"))
HOG_THREADS = Integer(ENV.fetch("KIQ_HOG_THREADS", "1"))
HOG_MB = Integer(ENV.fetch("KIQ_HOG_MB", "400"))
SLEEP_SECONDS = Float(ENV.fetch("KIQ_SLEEP_SECONDS", "14"))
HOG_RUBY = ENV.fetch("KIQ_HOG_RUBY", "0") == "1"
CRON_POLL = ENV.fetch("KIQ_CRON_POLL", "1")

# Burns `seconds` of this thread's CPU time in plain Ruby (integer arithmetic that allocates nothing), holding
# the GVL but for Ruby's usual 100 ms hand-overs to other threads that wait for it.
def burn_ruby_cpu(seconds)
  stop = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID) + seconds
  x = 1
  while Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID) < stop
    2_000.times { x = (x * 1_103_515_245 + 12_345) & 0xffff_ffff }
  end
  x
end

Sidekiq.configure_client { |config| config.redis = REDIS }
Sidekiq.configure_server do |config|
  config.redis = REDIS
  # sidekiq-cron polls every 30 s by default; a short period needs a short poll.
  Sidekiq.options[:cron_poll_interval] = Integer(CRON_POLL) unless CRON_POLL == "default"
end

module Scheduler
  module Trends
    # The hog, named as in Mastodon: CPU-bound and memory-hungry, like a trends refresh on a busy server.
    class RefreshScheduler
      include Sidekiq::Worker
      sidekiq_options queue: "scheduler", retry: 0

      def perform
        run = Sidekiq.redis { |conn| conn.incr("reproduce:hog_runs") } - 1
        seconds = [HOG_SECONDS * HOG_GROWTH**run, HOG_MAX_SECONDS].min
        deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
        # 40 MB strings: above glibc's largest mmap threshold, so freeing them returns the memory.
        held = Array.new(HOG_MB / 40) { "x" * 40_000_000 }
        if HOG_RUBY
          burn_ruby_cpu(seconds)
        else
          data = Random.new(run).bytes(1_000_000)
          HOG_THREADS.times.map do
            Thread.new { Zlib::Deflate.deflate(data, 9) while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline }
          end.each(&:join)
        end
        held.clear
        GC.start
      end
    end
  end
end

# The decoy: long, periodic, fires at the same moments as the hog, and only waits (like a slow HTTP fetch).
class RemoteFeedPollJob
  include Sidekiq::Worker
  sidekiq_options queue: "scheduler", retry: 0

  def perform
    sleep SLEEP_SECONDS
  end
end

# Steady background traffic, pushed by steady.rb.
class DeliveryJob
  include Sidekiq::Worker
  sidekiq_options queue: "default"

  def perform(n)
    (1..n).sum
  end
end

# A steady stream of small CPU jobs in plain Ruby (pushed by stream.rb): a hog that holds the GVL slows them.
class FeedInsertJob
  include Sidekiq::Worker
  sidekiq_options queue: "default"

  def perform(cpu_ms)
    burn_ruby_cpu(cpu_ms / 1000.0)
  end
end

cron = ENV["KIQ_CRON"] || (PERIOD < 60 ? "*/#{PERIOD} * * * * *" : "*/#{PERIOD / 60} * * * *")
Sidekiq::Cron::Job.load_from_hash!(
  "trends_refresh_scheduler" => { "class" => "Scheduler::Trends::RefreshScheduler", "cron" => cron, "queue" => "scheduler" },
  "remote_feed_poll" => { "class" => "RemoteFeedPollJob", "cron" => cron, "queue" => "scheduler" },
)
