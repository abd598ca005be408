import Foundation
import ServiceMapCore

/// What a build left in its output folder, kept there as `.servicemap-manifest` so the next build
/// can tell which files it must write: for every file, the fingerprint of its bytes, its size and,
/// for a page, the fingerprint of the values it was rendered from.
///
/// The identity line names everything that changes every page at once (the theme's files, the
/// site options, the servicemap binary): when it differs, the next build is a full one.
///
/// A step whose whole output depends on a small part of the directory (the coverage pages) records
/// a key for that part: when it is unchanged, the next build keeps the step's files as they are.
///
/// Format, one file per line after the header and step keys, path last so it may hold spaces:
///
///     servicemap site manifest 2
///     identity <32 hex digits>
///     step <32 hex digits> <step name>
///     <content fingerprint> <page inputs fingerprint, or -> <size> <path>
struct SiteManifest: Sendable {
    struct Entry: Sendable, Equatable {
        var content: Digest
        /// The fingerprint of a page's template and values; nil for files that are not pages.
        var inputs: Digest?
        var size: Int
    }

    static let fileName = ".servicemap-manifest"
    static let header = "servicemap site manifest 2"

    var identity: String
    /// The files' paths in order, each once, and their entries, side by side: a rebuild keeps
    /// most of the last build's files and marks them by position (OutputLedger) rather than
    /// copying 122,000 entries from one table by path to another.
    private(set) var paths: [String]
    private(set) var files: [Entry]
    /// Step name → the key of what the step's files were made from.
    var steps: [String: Digest]
    /// The position of each path, for a manifest read from a folder (a rebuild's lookups);
    /// empty for one made in memory, which is looked up by binary search.
    private(set) var positions: [String: Int] = [:]

    init(identity: String, entries: [String: Entry] = [:], steps: [String: Digest] = [:]) {
        let paths = entries.keys.sorted()
        self.init(identity: identity, paths: paths, files: paths.map { entries[$0]! }, steps: steps)
    }

    /// Files already in path order, each path once.
    init(identity: String, paths: [String], files: [Entry], steps: [String: Digest]) {
        self.identity = identity
        self.paths = paths
        self.files = files
        self.steps = steps
    }

    /// The files by path.
    var entries: [String: Entry] { Dictionary(uniqueKeysWithValues: zip(paths, files)) }

    /// Where `path` is in `paths`, if it is there.
    func position(of path: String) -> Int? {
        if !positions.isEmpty { return positions[path] }
        let low = firstPosition(notBefore: path)
        return low < paths.count && paths[low] == path ? low : nil
    }

    /// The positions of the paths that start with `prefix`: a run, the paths being in order.
    func positions(under prefix: String) -> Range<Int> {
        let low = firstPosition(notBefore: prefix)
        var end = low
        while end < paths.count && paths[end].hasPrefix(prefix) { end += 1 }
        return low..<end
    }

    /// The first position whose path is not before `text` (binary search; `paths` is in order).
    private func firstPosition(notBefore text: String) -> Int {
        var low = 0, high = paths.count
        while low < high {
            let middle = (low + high) / 2
            if paths[middle] < text { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The manifest in `folder`, or nil when there is none or it cannot be read (then the build is full).
    static func read(in folder: URL) -> SiteManifest? {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(fileName).path) else { return nil }
        return data.withUnsafeBytes { parse($0) }
    }

    /// The identity a manifest's bytes were written under, read from its first two lines alone:
    /// a build decides from it whether the rest is worth parsing.
    static func identity(of data: Data) -> String? {
        data.withUnsafeBytes { bytes -> String? in
            let prefix = Array((header + "\nidentity ").utf8)
            guard bytes.count > prefix.count, bytes.prefix(prefix.count).elementsEqual(prefix) else { return nil }
            let rest = bytes[prefix.count...]
            guard let end = rest.firstIndex(of: 0x0A) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[prefix.count..<end]), as: UTF8.self)
        }
    }

    /// Reads the manifest from its bytes. A large site's manifest has a line per file, and
    /// splitting its text by characters took half a second; it is read by bytes instead.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> SiteManifest? {
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        func digest(_ range: Range<Int>) -> Digest? { Digest(hex: UnsafeRawBufferPointer(rebasing: bytes[range])) }
        // The non-empty lines, as byte ranges.
        var lines: [Range<Int>] = []
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x0A {
            if index > start { lines.append(start..<index) }
            start = index + 1
        }
        guard lines.count >= 2, text(lines[0]) == header else { return nil }
        let identityLine = text(lines[1])
        guard identityLine.hasPrefix("identity ") else { return nil }
        var manifest = SiteManifest(identity: String(identityLine.dropFirst("identity ".count)))
        /// The line's first `count` space-separated fields and the rest of it (which may hold spaces).
        func fields(_ line: Range<Int>, _ count: Int) -> [Range<Int>]? {
            var result: [Range<Int>] = []
            var from = line.lowerBound
            var index = from
            while index < line.upperBound && result.count < count {
                if bytes[index] == 0x20 {
                    result.append(from..<index)
                    from = index + 1
                }
                index += 1
            }
            guard result.count == count else { return nil }
            result.append(from..<line.upperBound)
            return result
        }
        var entriesBegun = false
        var paths: [String] = [], files: [Entry] = []
        paths.reserveCapacity(lines.count)
        files.reserveCapacity(lines.count)
        var ascending = true
        for line in lines.dropFirst(2) {
            // Step keys come first; after them every line is a file's, whatever its path.
            if !entriesBegun && line.count > 5 && text(line.lowerBound..<line.lowerBound + 5) == "step " {
                guard let f = fields(line, 2), let key = digest(f[1]) else { return nil }
                manifest.steps[text(f[2])] = key
                continue
            }
            entriesBegun = true
            guard let f = fields(line, 3), let content = digest(f[0]), let size = Int(text(f[2])) else { return nil }
            let isPage = !(f[1].count == 1 && bytes[f[1].lowerBound] == UInt8(ascii: "-"))
            var inputs: Digest?
            if isPage {
                guard let key = digest(f[1]) else { return nil }
                inputs = key
            }
            let path = text(f[3])
            if let last = paths.last, !(last < path) { ascending = false }
            paths.append(path)
            files.append(Entry(content: content, inputs: inputs, size: size))
        }
        if ascending {
            manifest.paths = paths
            manifest.files = files
        } else {
            // Repeated paths (a manifest edited by hand) are read as the last line says, and sorted afresh.
            var byPath: [String: Entry] = [:]
            for (path, entry) in zip(paths, files) { byPath[path] = entry }
            manifest.paths = byPath.keys.sorted()
            manifest.files = manifest.paths.map { byPath[$0]! }
        }
        manifest.positions.reserveCapacity(manifest.paths.count)
        for (position, path) in manifest.paths.enumerated() { manifest.positions[path] = position }
        return manifest
    }

    /// The manifest's text: entries in path order, so the same site always gives the same file.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The text as UTF-8 bytes (a line per file of the site). The lines are written in two halves
    /// on two cores, each into one buffer of the right size rather than appended to.
    var bytes: [UInt8] {
        var out = Array((Self.header + "\nidentity " + identity + "\n").utf8)
        for name in steps.keys.sorted() {
            out.append(contentsOf: "step ".utf8)
            steps[name]!.append(to: &out)
            out.append(contentsOf: (" " + name + "\n").utf8)
        }
        let half = paths.count / 2
        let (paths, files) = (self.paths, self.files)
        let (first, second) = ParallelMap.both({ Self.lines(paths[..<half], files[..<half]) }, { Self.lines(paths[half...], files[half...]) })
        out.reserveCapacity(out.count + first.count + second.count)
        out.append(contentsOf: first)
        out.append(contentsOf: second)
        return out
    }

    /// The lines of the files at `paths`, in that order.
    private static func lines(_ paths: ArraySlice<String>, _ files: ArraySlice<Entry>) -> [UInt8] {
        let lines = zip(paths, files)
        // Two digests, three spaces, a newline and up to 20 digits of size, then the path.
        var capacity = 0
        for path in paths { capacity += 32 + 32 + 3 + 1 + 20 + path.utf8.count }
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var at = 0
            func put(_ byte: UInt8) {
                buffer[at] = byte
                at += 1
            }
            var digits: [UInt8] = []
            for (path, entry) in lines {
                at = entry.content.write(into: buffer, at: at)
                put(0x20)
                if let inputs = entry.inputs { at = inputs.write(into: buffer, at: at) } else { put(UInt8(ascii: "-")) }
                put(0x20)
                digits.removeAll(keepingCapacity: true)
                var size = entry.size
                repeat {
                    digits.append(UInt8(ascii: "0") + UInt8(size % 10))
                    size /= 10
                } while size > 0
                for digit in digits.reversed() { put(digit) }
                put(0x20)
                for byte in path.utf8 { put(byte) }
                put(0x0A)
            }
            count = at
        }
    }
}
