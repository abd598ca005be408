import Foundation
import ServiceMapCore

/// What every page of a build depends on besides its own values: the theme's files, the options
/// and the code that renders. A manifest written under another identity is not trusted, and the
/// build is a full one.
enum BuildIdentity {
    /// Bumped when the manifest's meaning changes.
    static let formatVersion = 1

    static func fingerprint(theme: URL, options: SiteOptions) throws -> String {
        var fingerprint = Fingerprint()
        fingerprint.add(formatVersion)
        fingerprint.add(options.title)
        fingerprint.add(options.tagline)
        fingerprint.add(options.documentsPerShard)
        fingerprint.add(options.baseURL ?? "\u{0}")
        // Every file of the theme, templates and assets alike, by path and bytes.
        let fm = FileManager.default
        let root = theme.standardizedFileURL.path
        for relative in (fm.subpaths(atPath: root) ?? []).sorted() {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            fingerprint.add(relative)
            fingerprint.add(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        // A new servicemap binary may render differently: its path, size and modification time.
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath(),
           let attributes = try? fm.attributesOfItem(atPath: executable.path) {
            fingerprint.add(executable.path)
            fingerprint.add(attributes[.size] as? Int ?? -1)
            fingerprint.add(Int(((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) * 1000))
        }
        return fingerprint.hex
    }
}
