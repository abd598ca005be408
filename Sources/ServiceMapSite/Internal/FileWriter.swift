import Foundation

/// Writes the site's files on a thread of its own while the rendering threads go on rendering.
///
/// Creating a file takes its folder's lock in the kernel, and a hundred thousand service pages
/// all go in `services/`: two rendering threads creating files there spent their time waiting
/// on each other, spinning. One writer never contends with itself, and its kernel time overlaps
/// the renderers' work. At most `limit` files wait to be written, so memory stays flat.
///
/// A failure is kept and thrown to the next caller of `enqueue` or `drain`, which the build
/// calls at the end of every step, so an error is reported by the step that caused it.
final class FileWriter: @unchecked Sendable {
    enum Content {
        case bytes([UInt8])
        case text(String)
    }

    private let condition = NSCondition()
    private var queue: [(path: String, content: Content)] = []
    private var writing = 0
    private var closed = false
    private var failure: Error?
    private let limit: Int

    init(limit: Int = 256) {
        self.limit = limit
        let thread = Thread { [self] in run() }
        thread.name = "servicemap site writer"
        thread.start()
    }

    /// Queues `content` to be written to the absolute `path`; waits while the queue is full.
    func enqueue(_ content: Content, to path: String) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= limit && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append((path, content))
        condition.broadcast()
    }

    /// Waits until every queued file is written; throws the first failure.
    func drain() throws {
        condition.lock()
        defer { condition.unlock() }
        while (!queue.isEmpty || writing > 0) && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Ends the writer's thread once the queue is empty.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty && closed {
                condition.unlock()
                return
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            writing = batch.count
            condition.broadcast()
            condition.unlock()
            var error: Error?
            for item in batch where error == nil {
                do {
                    switch item.content {
                    case .bytes(let bytes): try bytes.withUnsafeBytes { try Self.write($0, to: item.path) }
                    case .text(var text): try text.withUTF8 { try Self.write(UnsafeRawBufferPointer($0), to: item.path) }
                    }
                } catch let failed {
                    error = failed
                }
            }
            condition.lock()
            writing = 0
            if let error, failure == nil { failure = error }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Writes a file with plain POSIX calls: Foundation's `Data.write` syncs every file to disk,
    /// which for a hundred thousand pages costs more than rendering them.
    static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SiteBuildError(step: "", message: "\(path): cannot create (\(String(cString: strerror(errno))))") }
        defer { Foundation.close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SiteBuildError(step: "", message: "\(path): cannot write (\(String(cString: strerror(errno))))")
            }
            offset += n
        }
    }
}
