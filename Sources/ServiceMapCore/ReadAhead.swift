import Foundation

/// Runs a producer on a thread of its own, a few items ahead of the consumer on this one: a large
/// zip part is inflated on one core while the other parses what it has already given; a run's
/// changes are worked out on one while the other writes them.
///
/// To the caller it is as if the producer called `consume` itself: items arrive in order, and a
/// producer's error is thrown after the items it made before it. If `consume` throws, the
/// producer is stopped (its next hand-over throws) and that error is thrown. Either way the
/// producer has finished when `run` returns, so what it reads may be used again.
public enum ReadAhead {
    public static func run<Item: Sendable>(
        ahead: Int, produce: @escaping @Sendable (_ handOver: (Item) throws -> Void) throws -> Void,
        consume: (Item) throws -> Void
    ) throws {
        let queue = HandOverQueue<Item>(capacity: ahead)
        // The producer on a thread of its own, the consumer on this one.
        let (produced, consumed) = ParallelMap.both({ () -> Error? in
            defer { queue.close() }
            do {
                try produce { item in
                    guard queue.put(item) else { throw Stopped() }
                }
                return nil
            } catch is Stopped {
                return nil
            } catch {
                return error
            }
        }) { () -> Error? in
            while let item = queue.take() {
                do {
                    try consume(item)
                } catch {
                    queue.stop()
                    return error
                }
            }
            return nil
        }
        if let consumed { throw consumed }
        if let produced { throw produced }
    }

    /// Thrown inside the producer to stop it once the consumer has given up.
    private struct Stopped: Error {}
}

/// Items from the producer's thread to the consumer's, at most `capacity` waiting.
private final class HandOverQueue<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var items: [Item] = []
    private var closed = false
    private var stopped = false

    init(capacity: Int) { self.capacity = max(capacity, 1) }

    /// Waits for room; false once the consumer has stopped, so the producer should stop too.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !stopped { condition.wait() }
        if stopped { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, waiting for it; nil once the producer has finished and all are taken.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        if items.isEmpty { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
