import Foundation

/// A whole file read into one byte array. Going through `Data` and then `[UInt8](data)` held the
/// file twice at once, 140 MB for a 70 MB CSV, at the point where an import's memory peaks.
enum FileBytes {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw Failure(description: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure(description: String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw Failure(description: "not a regular file") }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while filled < buffer.count {
                let count = Foundation.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { throw Failure(description: String(cString: strerror(errno))) }
                if count == 0 { break }  // the file shrank while it was read
                filled += count
            }
        }
        // A file that grew while it was read is read as it was when opened.
        if filled < bytes.count { bytes.removeLast(bytes.count - filled) }
        return bytes
    }
}

/// A file read from start to end a block at a time, into one buffer reused from block to block
/// (a fresh block each time was a fresh mapping of memory to fault in), closed when done with.
final class FileBlocks {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(_ path: String) throws {
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw FileBytes.Failure(description: String(cString: strerror(errno))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw FileBytes.Failure(description: "not a regular file")
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
                guard read >= 0 else { throw FileBytes.Failure(description: String(cString: strerror(errno))) }
                if read == 0 { break }
                filled += read
            }
        }
        try body(buffer[..<filled])
        return filled
    }
}
