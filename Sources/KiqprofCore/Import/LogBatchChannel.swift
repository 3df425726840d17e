import Foundation

/// A bounded hand-off between the log import's two threads. Bounded so memory stays flat whichever side
/// is slower; the producer's error travels to the consumer, and a consumer that gives up stops the producer.
final class LogBatchChannel<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var queue: [Element] = []
    private var ended = false
    private var cancelled = false
    private var failure: (any Error)?

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Producer: waits for room; false once the consumer has cancelled.
    func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append(element)
        condition.broadcast()
        return true
    }

    /// Producer's last call: the end of the stream, or the error that cut it short.
    func finish(_ error: (any Error)?) {
        condition.lock()
        ended = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: the next element in order, nil at the end; throws the producer's error after its elements.
    func take() throws -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !ended { condition.wait() }
        if !queue.isEmpty {
            condition.broadcast()
            return queue.removeFirst()
        }
        if let failure { throw failure }
        return nil
    }

    /// Consumer: gives up, stops the producer at its next `put`, and waits until it has finished.
    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        while !ended { condition.wait() }
        condition.unlock()
    }
}
