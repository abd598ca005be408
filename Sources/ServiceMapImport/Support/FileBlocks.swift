import Foundation

/// A file read from start to end a block at a time, into one buffer reused from block to block
/// (a fresh block each time was a fresh mapping of memory to fault in), closed when done with.
/// A large directory's file is never held whole beside the records made from it.
final class FileBlocks {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        static var fromErrno: Failure { Failure(description: String(cString: strerror(errno))) }
    }

    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(_ path: String) throws {
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw Failure.fromErrno }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw Failure(description: "not a regular file")
        }
    }

    deinit { close(descriptor) }

    /// Reads the next `count` bytes (fewer at the end of the file, none after it) and hands them
    /// to `body`, valid only during the call; returns how many were read.
    @discardableResult
    func next(_ count: Int, _ body: (ArraySlice<UInt8>) throws -> Void = { _ in }) throws -> Int {
        if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
        var filled = 0
        try buffer.withUnsafeMutableBytes { bytes in
            while filled < count {
                let read = Foundation.read(descriptor, bytes.baseAddress! + filled, count - filled)
                if read < 0 && errno == EINTR { continue }
                guard read >= 0 else { throw Failure.fromErrno }
                if read == 0 { break }
                filled += read
            }
        }
        try body(buffer[..<filled])
        return filled
    }

    /// Everything not yet read, in one array: for text that must be converted as a whole.
    func rest() throws -> [UInt8] {
        var all: [UInt8] = []
        while try next(1 << 20, { all.append(contentsOf: $0) }) > 0 {}
        return all
    }
}
