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
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)[...]
        guard lines.popFirst() == Substring(header), let identityLine = lines.popFirst(), identityLine.hasPrefix("identity ") else { return nil }
        var manifest = SiteManifest(identity: String(identityLine.dropFirst("identity ".count)))
        manifest.entries.reserveCapacity(lines.count)
        while let line = lines.first, line.hasPrefix("step ") {
            lines.removeFirst()
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { return nil }
            manifest.steps[String(fields[2])] = String(fields[1])
        }
        for line in lines {
            let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, let size = Int(fields[2]) else { return nil }
            manifest.entries[String(fields[3])] = Entry(
                content: String(fields[0]), inputs: fields[1] == "-" ? nil : String(fields[1]), size: size)
        }
        return manifest
    }

    /// The manifest's text: entries in path order, so the same site always gives the same file.
    var text: String {
        var out = Self.header + "\nidentity " + identity + "\n"
        for name in steps.keys.sorted() { out += "step " + steps[name]! + " " + name + "\n" }
        out.reserveCapacity(out.utf8.count + entries.count * 96)
        for path in entries.keys.sorted() {
            let entry = entries[path]!
            out += entry.content
            out += " "
            out += entry.inputs ?? "-"
            out += " "
            out += String(entry.size)
            out += " "
            out += path
            out += "\n"
        }
        return out
    }
}
