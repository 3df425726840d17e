# An OOM kill with real parts: Debian's Sidekiq 6.4.1 and sidekiq-cron 1.8.0, run inside a memory cgroup.
# Redis is a private server on a UNIX socket given by KIQ_REDIS_SOCK.
#
#   Scheduler::Trends::RefreshScheduler  every KIQ_PERIOD seconds (default 10) under sidekiq-cron; each run adds
#                                        KIQ_GROW_MB (default 80) to a cache it never frees, over KIQ_GROW_SECONDS
#                                        (default 4), as a leaking trends refresh would, until the cgroup's limit
#                                        brings the OOM killer
#   DeliveryJob                          short, light jobs (pushed by the caller)
require "sidekiq"
require "sidekiq-cron"

REDIS = { path: ENV.fetch("KIQ_REDIS_SOCK") }
PERIOD = Integer(ENV.fetch("KIQ_PERIOD", "10"))
GROW_MB = Integer(ENV.fetch("KIQ_GROW_MB", "80"))
GROW_SECONDS = Float(ENV.fetch("KIQ_GROW_SECONDS", "4"))

Sidekiq.configure_client { |config| config.redis = REDIS }
Sidekiq.configure_server do |config|
  config.redis = REDIS
  Sidekiq.options[:cron_poll_interval] = 1
end

# What every refresh keeps: never freed, so the process grows run after run.
CACHE = []

module Scheduler
  module Trends
    class RefreshScheduler
      include Sidekiq::Worker
      sidekiq_options queue: "scheduler", retry: 0

      def perform
        steps = 8
        steps.times do
          # Distinct strings, written: resident memory, not a shared or lazily mapped page.
          CACHE << ("x" * (GROW_MB * 1024 * 1024 / steps)).tap { |s| s.setbyte(0, rand(256)) }
          sleep(GROW_SECONDS / steps)
        end
      end
    end
  end
end

class DeliveryJob
  include Sidekiq::Worker
  sidekiq_options queue: "default"

  def perform(ms)
    sleep(ms / 1000.0)
  end
end

Sidekiq::Cron::Job.load_from_hash!(
  "trends_refresh_scheduler" => { "class" => "Scheduler::Trends::RefreshScheduler", "cron" => "*/#{PERIOD} * * * * *",
                                  "queue" => "scheduler" },
)
