import Foundation
import ServiceMapCore
import ZIPFoundation

/// An OOXML or ODF package: a zip archive whose parts are found by name, case-insensitively and
/// with Windows backslashes read as slashes (both occur in the wild). Every read is bounded by
/// `ReaderLimits`: declared sizes are checked before inflating, and the inflated bytes are counted
/// while streaming, so a zip bomb that lies about its sizes is stopped as soon as it overflows.
final class ZipPackage {
    let path: String
    let limits: ReaderLimits
    private let archive: Archive
    /// Entries by normalised part name (lowercased, no leading slash, forward slashes).
    private let entries: [String: Entry]
    /// Uncompressed bytes produced so far by every read of this package.
    private var totalBytes: UInt64 = 0
    /// Byte ranges of the entries, so inflating can be bounded by us (see `ZipDirectory`).
    private let directory: ZipDirectory?

    /// Opens `path`, telling apart the usual ways a "spreadsheet" is not a zip at all.
    init(path: String, limits: ReaderLimits, kind: String) throws {
        self.path = path
        self.limits = limits
        let location = SourceLocation(file: path)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImportFailure(.unreadableFile, "could not open the file", at: location)
        }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.close()
        if head.isEmpty {
            throw ImportFailure(.truncatedFile, "the file is empty (0 bytes); a \(kind) workbook is a zip archive", at: location)
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw ImportFailure(.encryptedWorkbook,
                "this is an OLE compound file: a password-protected workbook or a legacy .xls; remove the password or save it as .\(kind)",
                at: location)
        }
        if !head.starts(with: [0x50, 0x4B]) {
            let looksLikeText = head.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || ($0 >= 0x20 && $0 < 0x7F) || $0 >= 0x80 }
            throw ImportFailure(.notAZip,
                looksLikeText
                    ? "this file is text, not a .\(kind) workbook (a CSV saved with the wrong extension?)"
                    : "this file is not a zip archive, so it cannot be a .\(kind) workbook",
                at: location)
        }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw ImportFailure(.truncatedFile,
                "the zip archive's directory is missing or damaged (\(size) bytes; the file may be truncated): \(error)",
                at: location)
        }
        self.archive = archive
        var entries: [String: Entry] = [:]
        for entry in archive where entry.type == .file {
            entries[Self.normalise(entry.path)] = entry
        }
        self.entries = entries
        directory = (try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
            .flatMap { ZipDirectory(bytes: $0, normalise: Self.normalise) }
    }

    static func normalise(_ name: String) -> String {
        var name = name.replacingOccurrences(of: "\\", with: "/")
        while name.hasPrefix("/") { name.removeFirst() }
        return name.lowercased()
    }

    func contains(_ part: String) -> Bool { entries[Self.normalise(part)] != nil }

    var partNames: [String] { entries.values.map(\.path).sorted() }

    /// The whole part, for the small ones (relationships, workbook, styles, manifest).
    func read(_ part: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try stream(part) { chunk in bytes.append(contentsOf: chunk) }
        return bytes
    }

    /// Streams a part's inflated bytes in chunks, enforcing the size and ratio limits as it goes.
    func stream(_ part: String, _ consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        let location = SourceLocation(file: path)
        guard let entry = entries[Self.normalise(part)] else {
            throw ImportFailure(.missingPart, "the package has no part '\(part)'", at: location)
        }
        let declared = entry.uncompressedSize
        let compressed = max(entry.compressedSize, 1)
        func bomb(_ why: String) -> ImportFailure {
            ImportFailure(.zipBomb, "part '\(entry.path)' \(why); refused as a possible zip bomb", at: location)
        }
        if declared > limits.maxEntryBytes {
            throw bomb("declares \(declared) uncompressed bytes, over the limit of \(limits.maxEntryBytes)")
        }
        if declared > 1 << 20 && declared / compressed > limits.maxCompressionRatio {
            throw bomb("expands \(declared / compressed)× (limit \(limits.maxCompressionRatio)×)")
        }
        if totalBytes + declared > limits.maxTotalBytes {
            throw bomb("would take the archive past \(limits.maxTotalBytes) uncompressed bytes")
        }
        var produced: UInt64 = 0
        // Declared sizes can lie (a bomb declares little), so the inflated bytes are checked too:
        // against the per-entry limit, the ratio, and the declared size with slack for writers
        // whose central directory is slightly off (calamine's issue252 file is 2 bytes over).
        let entryLimit = min(limits.maxEntryBytes, declared + (1 << 20))
        do {
            let consumer: (Data) throws -> Void = { [self] data in
                produced += UInt64(data.count)
                totalBytes += UInt64(data.count)
                if produced > entryLimit {
                    throw bomb("inflates past its declared size of \(declared) bytes")
                }
                if produced > 1 << 20 && produced / compressed > limits.maxCompressionRatio {
                    throw bomb("expands more than \(limits.maxCompressionRatio)×")
                }
                if totalBytes > limits.maxTotalBytes {
                    throw bomb("takes the archive past \(limits.maxTotalBytes) uncompressed bytes")
                }
                try data.withUnsafeBytes { try consume($0) }
            }
            let source = Inflation(archive: archive, entry: entry,
                                   span: directory.flatMap { d in d.spans[Self.normalise(part)].map { (d, $0) } })
            // A large part (a sheet of thousands of rows) is inflated on a thread of its own, a
            // few chunks ahead of the parsing, which keeps its core to itself: a 100,000-row
            // sheet's 147 MB took a quarter of a second to inflate. The limits are checked here as
            // the chunks arrive, so a bomb is stopped as before.
            if declared >= Self.inflateAheadBytes {
                try ReadAhead.run(ahead: 8, produce: { try source.inflate($0) }, consume: consumer)
            } else {
                try source.inflate(consumer)
            }
        } catch let failure as ImportFailure {
            throw failure
        } catch let stop as StopReading {
            throw stop
        } catch {
            throw ImportFailure(.truncatedFile,
                "part '\(entry.path)' could not be inflated (the file is damaged or truncated): \(error)", at: location)
        }
    }
}

extension ZipPackage {
    /// The size from which a part is inflated beside its parsing (`ReadAhead`).
    static let inflateAheadBytes: UInt64 = 4 << 20

    /// What inflating one part needs, handed to the thread that inflates it; nothing else reads
    /// the archive meanwhile.
    private struct Inflation: @unchecked Sendable {
        let archive: Archive
        let entry: Entry
        /// The entry's place in the file, when the zip's directory could be read by `ZipDirectory`.
        let span: (ZipDirectory, ZipDirectory.Span)?

        func inflate(_ consume: (Data) throws -> Void) throws {
            if let (directory, span) = span, span.method == 8 {
                // Feed the inflater ourselves: asked for input past the entry's end, the stream is
                // damaged, and we say so instead of letting the inflate loop spin.
                _ = try Data.decompress(size: Int64(span.compressedSize), bufferSize: 256 * 1024, skipCRC32: true,
                                        provider: { position, size in
                                            let chunk = directory.chunk(of: span, at: Int(position), size: size)
                                            if chunk.isEmpty { throw TruncatedStream() }
                                            return chunk
                                        }, consumer: consume)
            } else {
                _ = try archive.extract(entry, bufferSize: 256 * 1024, skipCRC32: true, consumer: consume)
            }
        }
    }
}

/// Thrown by a consumer to stop inflating a part once it has what it needs.
struct StopReading: Error {}

/// A deflate stream that needed more input than its entry holds.
struct TruncatedStream: Error, CustomStringConvertible {
    var description: String { "the compressed data ends before the stream does" }
}
