# Pushes the per-run CPU test's mix for SECS seconds (default 90): every second a few StreamJobs, and every
# few seconds a HogJob (5–9 s: long enough to cross a 5 s heartbeat and be a run), a VictimJob and a SleepJob.
# Seeded, so every run pushes the same.
require_relative "app"

secs = Integer(ENV.fetch("SECS", "90"))
random = Random.new(16)
deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + secs
tick = 0
while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
  3.times { StreamJob.perform_async(10 + random.rand(40)) }
  if tick % 6 == 0
    HogJob.perform_async(5 + random.rand(5))
    SleepJob.perform_async(4 + random.rand(6))
  end
  # A second into each hog: a victim that lands in the hog's process shares the GVL with it all through.
  VictimJob.perform_async((1.5 + random.rand).round(2)) if tick % 6 == 1
  tick += 1
  sleep 1
end
