import Foundation

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
/// Format, integers little-endian:
///
///     "servicemap search cache 1\n"
///     analysis key (16 bytes)
///     UInt32 term count, then per term: UInt32 byte length, UTF-8 bytes
///     UInt32 document count, then per document: key (16 bytes), UInt32 facet count, facet
///     numbers (UInt32 each), UInt32 term count, terms (UInt32 each: term number × 32 + weight)
struct SearchAnalysisCache {
    static let fileName = ".servicemap-search-cache"
    static let magic = Array("servicemap search cache 1\n".utf8)

    /// A fingerprint's digest, as stored.
    struct Key: Hashable, Sendable {
        var x: UInt64
        var y: UInt64
        init(_ fingerprint: Fingerprint) { (x, y) = fingerprint.digest }
        init(x: UInt64, y: UInt64) { self.x = x; self.y = y }
    }

    var analysisKey: Key
    /// Term texts by number.
    var terms: [String] = []
    /// Per document: its key, and where its facets and terms end in the flat lists.
    var keys: [Key] = []
    var facetEnds: [Int] = []
    var facets: [Int32] = []
    var termEnds: [Int] = []
    /// Term number × 32 + weight (a weight is at most 30).
    var packedTerms: [UInt32] = []

    init(analysisKey: Key) { self.analysisKey = analysisKey }

    var count: Int { keys.count }

    func facets(of document: Int) -> ArraySlice<Int32> {
        facets[(document == 0 ? 0 : facetEnds[document - 1])..<facetEnds[document]]
    }

    func terms(of document: Int) -> ArraySlice<UInt32> {
        packedTerms[(document == 0 ? 0 : termEnds[document - 1])..<termEnds[document]]
    }

    mutating func append(key: Key, facets documentFacets: some Sequence<Int32>, terms documentTerms: some Sequence<UInt32>) {
        keys.append(key)
        facets.append(contentsOf: documentFacets)
        facetEnds.append(facets.count)
        packedTerms.append(contentsOf: documentTerms)
        termEnds.append(packedTerms.count)
    }

    static func pack(term: Int32, weight: Int32) -> UInt32 { UInt32(term) << 5 | UInt32(weight) }
    static func term(_ packed: UInt32) -> Int { Int(packed >> 5) }
    static func weight(_ packed: UInt32) -> Int32 { Int32(packed & 31) }

    // MARK: File

    var data: Data { Data(bytes) }

    var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(64 + terms.count * 12 + keys.count * 40 + (facets.count + packedTerms.count) * 4)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        out.append(contentsOf: Self.magic)
        u64(analysisKey.x)
        u64(analysisKey.y)
        u32(UInt32(terms.count))
        for term in terms {
            u32(UInt32(term.utf8.count))
            out.append(contentsOf: term.utf8)
        }
        u32(UInt32(keys.count))
        for document in 0..<keys.count {
            u64(keys[document].x)
            u64(keys[document].y)
            let documentFacets = self.facets(of: document)
            u32(UInt32(documentFacets.count))
            for facet in documentFacets { u32(UInt32(bitPattern: facet)) }
            let documentTerms = self.terms(of: document)
            u32(UInt32(documentTerms.count))
            for term in documentTerms { u32(term) }
        }
        return out
    }

    /// Writes the cache into `folder`: to a temporary file renamed over the last cache, so the
    /// next build reads a whole one or none. Plain POSIX calls, as `SiteContext.write`: Foundation
    /// would sync the file to disk.
    func write(in folder: URL) throws {
        let path = folder.appendingPathComponent(Self.fileName).path
        let temporary = path + ".new-\(ProcessInfo.processInfo.processIdentifier)"
        func failure(_ what: String) -> SiteBuildError {
            SiteBuildError(step: "", message: "\(path): cannot \(what) (\(String(cString: strerror(errno))))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw failure("create") }
        let bytes = self.bytes
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
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(fileName).path) else { return nil }
        return data.withUnsafeBytes { parse($0, analysisKey: analysisKey, facetCount: facetCount) }
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, analysisKey: Key, facetCount facetLimit: Int) -> SearchAnalysisCache? {
        var offset = 0
        func u32() -> UInt32? {
            guard offset + 4 <= bytes.count else { return nil }
            defer { offset += 4 }
            return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        }
        func u64() -> UInt64? {
            guard offset + 8 <= bytes.count else { return nil }
            defer { offset += 8 }
            return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        guard bytes.count >= magic.count, bytes.prefix(magic.count).elementsEqual(magic) else { return nil }
        offset = magic.count
        guard let kx = u64(), let ky = u64(), Key(x: kx, y: ky) == analysisKey else { return nil }
        var cache = SearchAnalysisCache(analysisKey: analysisKey)
        guard let termCount = u32() else { return nil }
        cache.terms.reserveCapacity(Int(termCount))
        for _ in 0..<termCount {
            guard let length = u32().map(Int.init), offset + length <= bytes.count else { return nil }
            cache.terms.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self))
            offset += length
        }
        guard let documentCount = u32() else { return nil }
        cache.keys.reserveCapacity(Int(documentCount))
        cache.facetEnds.reserveCapacity(Int(documentCount))
        cache.termEnds.reserveCapacity(Int(documentCount))
        for _ in 0..<documentCount {
            guard let x = u64(), let y = u64(), let facetCount = u32().map(Int.init), offset + facetCount * 4 <= bytes.count else { return nil }
            cache.keys.append(Key(x: x, y: y))
            for _ in 0..<facetCount {
                let facet = Int32(bitPattern: u32()!)
                guard facet >= 0 && Int(facet) < facetLimit else { return nil }
                cache.facets.append(facet)
            }
            cache.facetEnds.append(cache.facets.count)
            guard let count = u32().map(Int.init), offset + count * 4 <= bytes.count else { return nil }
            for _ in 0..<count {
                let packed = u32()!
                guard term(packed) < cache.terms.count else { return nil }
                cache.packedTerms.append(packed)
            }
            cache.termEnds.append(cache.packedTerms.count)
        }
        guard offset == bytes.count else { return nil }
        return cache
    }
}
