import Foundation

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
        var content: String
        /// The fingerprint of a page's template and values; nil for files that are not pages.
        var inputs: String?
        var size: Int
    }

    static let fileName = ".servicemap-manifest"
    static let header = "servicemap site manifest 2"

    var identity: String
    var entries: [String: Entry]
    /// Step name → the key of what the step's files were made from.
    var steps: [String: String]

    init(identity: String, entries: [String: Entry] = [:], steps: [String: String] = [:]) {
        self.identity = identity
        self.entries = entries
        self.steps = steps
    }

    /// The manifest in `folder`, or nil when there is none or it cannot be read (then the build is full).
    static func read(in folder: URL) -> SiteManifest? {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(fileName).path) else { return nil }
        return data.withUnsafeBytes { parse($0) }
    }

    /// Reads the manifest from its bytes. A large site's manifest has a line per file, and
    /// splitting its text by characters took half a second; it is read by bytes instead.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> SiteManifest? {
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
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
        manifest.entries.reserveCapacity(lines.count)
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
        for line in lines.dropFirst(2) {
            // Step keys come first; after them every line is a file's, whatever its path.
            if !entriesBegun && line.count > 5 && text(line.lowerBound..<line.lowerBound + 5) == "step " {
                guard let f = fields(line, 2) else { return nil }
                manifest.steps[text(f[2])] = text(f[1])
                continue
            }
            entriesBegun = true
            guard let f = fields(line, 3), let size = Int(text(f[2])) else { return nil }
            let inputs = text(f[1])
            manifest.entries[text(f[3])] = Entry(content: text(f[0]), inputs: inputs == "-" ? nil : inputs, size: size)
        }
        return manifest
    }

    /// The manifest's text: entries in path order, so the same site always gives the same file.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The text as UTF-8 bytes (a line per file of the site: built without String appends).
    var bytes: [UInt8] {
        var out = Array((Self.header + "\nidentity " + identity + "\n").utf8)
        for name in steps.keys.sorted() { out.append(contentsOf: ("step " + steps[name]! + " " + name + "\n").utf8) }
        out.reserveCapacity(out.count + entries.count * 100)
        for (path, entry) in entries.sorted(by: { $0.key < $1.key }) {
            out.append(contentsOf: entry.content.utf8)
            out.append(0x20)
            out.append(contentsOf: (entry.inputs ?? "-").utf8)
            out.append(0x20)
            out.append(contentsOf: String(entry.size).utf8)
            out.append(0x20)
            out.append(contentsOf: path.utf8)
            out.append(0x0A)
        }
        return out
    }
}
