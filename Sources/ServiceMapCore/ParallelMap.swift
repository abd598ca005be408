import Dispatch
import Foundation

/// Maps over independent items on all cores, returning results in input order.
public enum ParallelMap {
    public static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        if items.count < 2 { return items.map(transform) }
        let results = ResultSlots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            results.set(index, transform(items[index]))
        }
        return results.values
    }

    /// Works out two independent values at once: the first on a thread of its own (a nested
    /// `concurrentPerform`, inside `map`'s, would run its work one item after the other).
    public static func both<A: Sendable, B: Sendable>(_ first: @escaping @Sendable () -> A, _ second: () -> B) -> (A, B) {
        let a = ResultSlots<A>(count: 1)
        let done = DispatchSemaphore(value: 0)
        Thread {
            a.set(0, first())
            done.signal()
        }.start()
        let b = second()
        done.wait()
        return (a.values[0], b)
    }
}

/// Slots written once each from concurrent workers; the lock makes the writes visible.
private final class ResultSlots<R>: @unchecked Sendable {
    private var slots: [R?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: R) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }
    var values: [R] { slots.map { $0! } }
}
