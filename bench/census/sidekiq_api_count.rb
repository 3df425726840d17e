# Counts jobs per class the way a Sidekiq user would without kiqprof: through Sidekiq's own Ruby API.
#
# Usage: ruby sidekiq_api_count.rb SOCKET_PATH
# Prints {"classes": {class => count}, "unparseable": n, "total": n} on stdout, progress on stderr.
# Uses the API as shipped (Debian's sidekiq 6.4.1 pages queues and sets by 50 and parses every payload);
# counting by "wrapped" || class matches what kiqprof reports for ActiveJob wrappers.
require "json"
require "sidekiq"
require "sidekiq/api"

socket = ARGV.fetch(0)
Sidekiq.logger.level = Logger::WARN # the client logs its Redis options at INFO
Sidekiq.configure_client { |config| config.redis = { path: socket, size: 1 } }

counts = Hash.new(0)
unparseable = 0
seen = 0
started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
tally = lambda do |job|
  name = job["wrapped"] || job.klass # both nil when the payload is not valid JSON
  if name
    counts[name] += 1
  else
    unparseable += 1
  end
  seen += 1
  if (seen % 100_000).zero?
    elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
    warn format("  sidekiq api: %d jobs read, %.1f s", seen, elapsed)
  end
end

Sidekiq::Queue.all.each { |queue| queue.each(&tally) }
Sidekiq::RetrySet.new.each(&tally)
Sidekiq::ScheduledSet.new.each(&tally)
Sidekiq::DeadSet.new.each(&tally)

puts JSON.generate("classes" => counts, "unparseable" => unparseable, "total" => counts.values.sum)
