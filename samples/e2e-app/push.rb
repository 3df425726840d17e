# Pushes the end-to-end test's jobs and prints "Class jid" per job on stdout.
require_relative "app"

jobs = [
  [CpuBurnJob, 16], [SleepJob, 18], [SlowFailJob, 8], [SlowPoisonJob, 9],
]
jobs.each { |klass, arg| puts "#{klass} #{klass.perform_async(arg)}" }
10.times { |i| QuickJob.perform_async(1000 + i) }
