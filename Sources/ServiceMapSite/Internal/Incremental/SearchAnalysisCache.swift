import Foundation
import ServiceMapCore

/// The search analysis of every document of the last build, kept in the site folder as
/// `.servicemap-search-cache` so an incremental build analyses only the services whose inputs
/// changed: the rest take their facets and weighted terms from here.
///
/// Each document is stored under its `SearchIndexWriter.documentKey`, a fingerprint of everything
/// its analysis reads of the service and the records it names. The whole cache is stored under
/// the analysis key, which covers what every document's analysis depends on (the facet
/// numbering, the area and need hierarchies) and the build identity (the code that analyses):
/// a cache under another key is not read. A document's analysis does not depend on its number,
/// so services that only moved keep theirs.
///
/// Every build writes the cache from the analyses of its documents, in document order, with terms
/// numbered by first use: the file is the same whether the build was full or incremental. It is
/// not listed in the manifest and is not part of the published pages; a lost or unreadable cache
/// only means every document is analysed again.
///
/// Format: numbers are LEB128 varints (most are below 128: one byte), keys 16 bytes, the trailer
/// fixed-width little-endian; the terms come last, as they are numbered while documents are added.
///
///     "servicemap search cache 2\n"
///     analysis key
///     per document: key, facet count, facet numbers, term count, terms (term number × 32 + weight)
///     term count, then per term: byte length, UTF-8 bytes
///     UInt64 offset of the term count, UInt64 document count
struct SearchAnalysisCache {
    static let fileName = ".servicemap-search-cache"
    static let magic = Array("servicemap search cache 2\n".utf8)

    /// A fingerprint's digest, as stored.
    typealias Key = Digest

    /// Term texts by number.
    let terms: [String]
    /// Per document, its key, and where its facet count starts in `bytes`.
    let keys: [Key]
    private let starts: [Int]
    /// The file: documents are decoded from it when asked for, not copied into arrays.
    private let bytes: [UInt8]

    var count: Int { keys.count }
    var byteCount: Int { bytes.count }

    static func pack(term: Int32, weight: Int32) -> UInt32 { UInt32(term) << 5 | UInt32(weight) }
    static func term(_ packed: UInt32) -> Int { Int(packed >> 5) }
    static func weight(_ packed: UInt32) -> Int32 { Int32(packed & 31) }

    /// Appends the facet numbers of the document at `position` to `facets`, and its packed terms
    /// to `terms`. (Into arrays rather than through callbacks: a build reads every document, and
    /// a closure's captured arrays are reached through boxes, checked at every append.)
    func read(document position: Int, facets: inout [Int32], terms: inout [UInt32]) {
        bytes.withUnsafeBufferPointer { buffer in
            var offset = starts[position]
            for _ in 0..<Self.varint(buffer, &offset) { facets.append(Int32(truncatingIfNeeded: Self.varint(buffer, &offset))) }
            for _ in 0..<Self.varint(buffer, &offset) { terms.append(UInt32(truncatingIfNeeded: Self.varint(buffer, &offset))) }
        }
    }

    /// The varint at `offset`, moving past it; the caller has checked the bytes are there.
    @inline(__always)
    private static func varint(_ buffer: UnsafeBufferPointer<UInt8>, _ offset: inout Int) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = buffer[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// Builds the next cache's bytes, document by document in document order.
    struct Builder {
        private(set) var bytes: [UInt8] = []
        private var documents = 0

        init(analysisKey: Key, capacity: Int) {
            bytes.reserveCapacity(capacity)
            bytes.append(contentsOf: SearchAnalysisCache.magic)
            append(analysisKey)
        }

        private mutating func append(_ key: Key) {
            withUnsafeBytes(of: key.x.littleEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: key.y.littleEndian) { bytes.append(contentsOf: $0) }
        }

        @inline(__always)
        private mutating func varint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }

        mutating func add(key: Key, facets: some Collection<Int32>, terms: some Collection<UInt32>) {
            append(key)
            varint(UInt64(facets.count))
            for facet in facets { varint(UInt64(UInt32(bitPattern: facet))) }
            varint(UInt64(terms.count))
            for term in terms { varint(UInt64(term)) }
            documents += 1
        }

        /// The file, with the term texts by number.
        mutating func finish(terms: [String]) -> [UInt8] {
            let termsOffset = bytes.count
            varint(UInt64(terms.count))
            for term in terms {
                varint(UInt64(term.utf8.count))
                bytes.append(contentsOf: term.utf8)
            }
            withUnsafeBytes(of: UInt64(termsOffset).littleEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt64(documents).littleEndian) { bytes.append(contentsOf: $0) }
            return bytes
        }
    }

    // MARK: File

    /// Writes a cache's bytes into `folder`: to a temporary file renamed over the last cache, so
    /// the next build reads a whole one or none. Plain POSIX calls, as `SiteContext.write`:
    /// Foundation would sync the file to disk.
    static func write(_ bytes: [UInt8], in folder: URL) throws {
        let path = folder.appendingPathComponent(fileName).path
        let temporary = path + ".new-\(ProcessInfo.processInfo.processIdentifier)"
        func failure(_ what: String) -> SiteBuildError {
            SiteBuildError(step: "", message: "\(path): cannot \(what) (\(String(cString: strerror(errno))))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw failure("create") }
        let complete = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        let error = complete ? nil : failure("write")
        close(fd)
        if let error {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("replace")
            unlink(temporary)
            throw error
        }
    }

    /// The cache in `folder` when it was written under `analysisKey`; nil when there is none, it
    /// is another build's, or it cannot be read.
    static func read(in folder: URL, analysisKey: Key, facetCount: Int) -> SearchAnalysisCache? {
        // Read straight into the array the documents are decoded from: through `Data` the file
        // (tens of megabytes for a large directory) would be copied once more.
        let fd = open(folder.appendingPathComponent(fileName).path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return nil }
        let size = Int(status.st_size)
        var complete = true
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let n = Foundation.read(fd, buffer.baseAddress! + count, size - count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { complete = n == 0 && count == size; break }
                count += n
            }
        }
        guard complete && bytes.count == size else { return nil }
        return parse(bytes, analysisKey: analysisKey, facetCount: facetCount)
    }

    /// Checks every document and term is whole and in range, so decoding later needs no checks.
    static func parse(_ bytes: [UInt8], analysisKey: Key, facetCount facetLimit: Int) -> SearchAnalysisCache? {
        let header = magic.count + 16
        guard bytes.count >= header + 16, bytes.prefix(magic.count).elementsEqual(magic) else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> SearchAnalysisCache? in
            let raw = UnsafeRawBufferPointer(buffer)
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            guard Key(x: u64(magic.count), y: u64(magic.count + 8)) == analysisKey else { return nil }
            let end = bytes.count - 16
            let termsOffset = Int(truncatingIfNeeded: u64(end))
            let documentCount = Int(truncatingIfNeeded: u64(end + 8))
            guard termsOffset >= header && termsOffset <= end && documentCount >= 0 && documentCount <= (termsOffset - header) / 18 else { return nil }
            var offset = 0
            /// A varint that ends before `limit`.
            func varint(_ limit: Int) -> Int? {
                var value = 0
                var shift = 0
                while offset < limit && shift < 63 {
                    let byte = buffer[offset]
                    offset += 1
                    value |= Int(byte & 0x7F) << shift
                    if byte < 0x80 { return value }
                    shift += 7
                }
                return nil
            }
            offset = termsOffset
            guard let termCount = varint(end), termCount <= end - offset else { return nil }
            var terms: [String] = []
            terms.reserveCapacity(termCount)
            for _ in 0..<termCount {
                guard let length = varint(end), length <= end - offset else { return nil }
                terms.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[offset..<offset + length]), as: UTF8.self))
                offset += length
            }
            guard offset == end else { return nil }
            var keys: [Key] = []
            var starts: [Int] = []
            keys.reserveCapacity(documentCount)
            starts.reserveCapacity(documentCount)
            offset = header
            for _ in 0..<documentCount {
                guard offset + 16 <= termsOffset else { return nil }
                keys.append(Key(x: u64(offset), y: u64(offset + 8)))
                offset += 16
                starts.append(offset)
                guard let facets = varint(termsOffset) else { return nil }
                for _ in 0..<facets {
                    guard let facet = varint(termsOffset), facet < facetLimit else { return nil }
                }
                guard let count = varint(termsOffset) else { return nil }
                for _ in 0..<count {
                    guard let packed = varint(termsOffset), packed <= UInt32.max, term(UInt32(packed)) < termCount else { return nil }
                }
            }
            guard offset == termsOffset else { return nil }
            return SearchAnalysisCache(terms: terms, keys: keys, starts: starts, bytes: bytes)
        }
    }
}
