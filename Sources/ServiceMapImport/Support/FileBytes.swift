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
