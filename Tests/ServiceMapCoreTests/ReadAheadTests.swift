import Foundation
import Testing
import ServiceMapCore

/// `ReadAhead` must look to its caller exactly like a producer calling the consumer itself.
@Suite("Reading ahead on another thread")
struct ReadAheadTests {
    private struct Broken: Error, Equatable { var at: Int }

    @Test(arguments: [1, 3, 64]) func everyItemArrivesInOrder(ahead: Int) throws {
        var received: [Int] = []
        try ReadAhead.run(ahead: ahead, produce: { handOver in
            for i in 0..<10_000 { try handOver(i) }
        }, consume: { received.append($0) })
        #expect(received == Array(0..<10_000))
    }

    @Test func aProducersErrorComesAfterTheItemsBeforeIt() {
        var received: [Int] = []
        #expect(throws: Broken(at: 500)) {
            try ReadAhead.run(ahead: 4, produce: { handOver in
                for i in 0..<500 { try handOver(i) }
                throw Broken(at: 500)
            }, consume: { received.append($0) })
        }
        #expect(received == Array(0..<500))
    }

    @Test func aConsumersErrorStopsTheProducer() {
        let produced = Counter()
        #expect(throws: Broken(at: 10)) {
            try ReadAhead.run(ahead: 4, produce: { handOver in
                for i in 0..<1_000_000 {
                    try handOver(i)
                    produced.add()
                }
            }, consume: { if $0 == 10 { throw Broken(at: 10) } })
        }
        // The producer can be at most the queue's length past the failing item, then stops.
        #expect(produced.value <= 10 + 4 + 1)
    }

    @Test func nothingToProduceEndsAtOnce() throws {
        var received = 0
        try ReadAhead.run(ahead: 2, produce: { (_: (Int) throws -> Void) in }, consume: { _ in received += 1 })
        #expect(received == 0)
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.lock(); count += 1; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    }
}
