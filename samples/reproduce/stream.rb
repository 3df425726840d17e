# Pushes FeedInsertJob (KIQ_STREAM_CPU_MS of plain-Ruby CPU each, default 50) at KIQ_STREAM_RATE jobs a
# second on average (default 5), with random (Poisson) gaps so the stream has no period of its own, for
# KIQ_STREAM_SECONDS (default: until killed), then exits.
require_relative "app"

rate = Float(ENV.fetch("KIQ_STREAM_RATE", "5"))
cpu_ms = Integer(ENV.fetch("KIQ_STREAM_CPU_MS", "50"))
seconds = ENV["KIQ_STREAM_SECONDS"]&.then { Float(_1) }
random = Random.new(Integer(ENV.fetch("KIQ_SEED", "1")))
clock = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
started = clock.call
due = started
loop do
  due += -Math.log(1 - random.rand) / rate
  break if seconds && due - started >= seconds
  pause = due - clock.call
  sleep(pause) if pause > 0
  FeedInsertJob.perform_async(cpu_ms)
end
