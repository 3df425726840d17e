# Pushes DeliveryJob at random intervals (0.2–0.8 s) until killed: the steady background traffic.
require_relative "app"

srand(Integer(ENV.fetch("KIQ_SEED", "1")))
loop do
  DeliveryJob.perform_async(rand(50..300))
  sleep(0.2 + rand * 0.6)
end
