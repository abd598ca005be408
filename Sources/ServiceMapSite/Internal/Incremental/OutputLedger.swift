import Foundation
import ServiceMapCore

/// Decides, file by file, what a build has to write, and records what the folder holds afterwards
/// for the next build's manifest.
///
/// Every page is `render(template, values)` inside a frame that depends only on the theme and the
/// options (both in the manifest's identity). So a page whose path, template and values fingerprint
/// as they did last time would render to the same bytes: the build keeps the file and skips the
/// render. Other files (search shards, sitemap.xml, the feed, assets) are made in full and written
/// only when their bytes' fingerprint differs. Either way each file's content is exactly what a
/// full build would write, which is why an incremental build's folder equals a full build's.
///
/// Called from many rendering threads at once.
final class OutputLedger: @unchecked Sendable {
    /// The last build's manifest when this build updates its folder in place; nil for a full build.
    let previous: SiteManifest?
    /// The build identity (`BuildIdentity`) the manifest is written under.
    let identity: String
    private let lock = NSLock()
    /// By position in `previous`'s files: what this build made at that path, nil where it made
    /// nothing (yet). A rebuild keeps most files, and marks them here in place.
    private var made: [SiteManifest.Entry?]
    /// How many of `made` are set: when all, no file is left over (`finish`) without checking each.
    private var madeCount = 0
    /// The files at paths the last build did not make (every file, for a full build).
    private var added: [String: SiteManifest.Entry] = [:]
    private var steps: [String: Digest] = [:]
    /// Page inputs fingerprinted before rendering, waiting for the page's bytes.
    private var pendingInputs: [String: Digest] = [:]
    private var written = 0
    private var unchanged = 0

    init(previous: SiteManifest?, identity: String = "") {
        self.previous = previous
        self.identity = identity
        made = Array(repeating: nil, count: previous?.paths.count ?? 0)
        if previous == nil { added.reserveCapacity(1024) }
    }

    var isIncremental: Bool { previous != nil }

    /// True when the page at `path` was rendered last time from the same template and values, so
    /// the file already there is kept as it is. Otherwise remembers the fingerprint for `record`.
    func keepPage(_ path: String, template: String, values: TemplateValue) -> Bool {
        var fingerprint = Fingerprint()
        fingerprint.add(template)
        fingerprint.add(path)
        fingerprint.add(value: values)
        return keepPage(path, inputs: fingerprint)
    }

    /// The same for a page whose inputs are fingerprinted without working out its values
    /// (a service page: `ServiceKeys`).
    func keepPage(_ path: String, inputs fingerprint: Fingerprint) -> Bool {
        let inputs = fingerprint.digest
        // The last manifest is only read: looked up before taking the lock, which the page
        // workers and the search index's thread all want.
        if let previous, let position = previous.position(of: path), previous.files[position].inputs == inputs {
            lock.lock()
            defer { lock.unlock() }
            if made[position] == nil { madeCount += 1 }
            made[position] = previous.files[position]
            unchanged += 1
            return true
        }
        lock.lock()
        defer { lock.unlock() }
        pendingInputs[path] = inputs
        return false
    }

    /// True when the last build made the files under `folder` from inputs with the same `key`:
    /// they are kept as they are, and the step need not run. Otherwise the key is recorded for
    /// the next build, and the step makes its files as usual. Returns the number of files kept
    /// through `kept`.
    func keepStep(_ name: String, key: Fingerprint, folder: String, kept: inout Int) -> Bool {
        let digest = key.digest
        lock.lock()
        defer { lock.unlock() }
        steps[name] = digest
        guard let previous, previous.steps[name] == digest else { return false }
        let positions = previous.positions(under: folder.hasSuffix("/") ? folder : folder + "/")
        for position in positions {
            if made[position] == nil { madeCount += 1 }
            made[position] = previous.files[position]
        }
        kept = positions.count
        unchanged += kept
        return true
    }

    /// Records `text` as the content of `path`; false when the folder already holds exactly it.
    func needsWrite(_ text: String, to path: String) -> Bool {
        var fingerprint = Fingerprint()
        fingerprint.add(text)
        return record(path, content: fingerprint.digest, size: text.utf8.count)
    }

    /// The same for bytes. (Fingerprints the same as the text they spell.)
    func needsWrite(bytes: UnsafeRawBufferPointer, to path: String) -> Bool {
        var fingerprint = Fingerprint()
        fingerprint.add(bytes: bytes)
        return record(path, content: fingerprint.digest, size: bytes.count)
    }

    /// Records `data` as the content of `path`; false when the folder already holds exactly it.
    func needsWrite(_ data: Data, to path: String) -> Bool {
        record(path, content: Fingerprint.of(data), size: data.count)
    }

    private func record(_ path: String, content: Digest, size: Int) -> Bool {
        let position = previous?.position(of: path)
        lock.lock()
        defer { lock.unlock() }
        let entry = SiteManifest.Entry(content: content, inputs: pendingInputs.isEmpty ? nil : pendingInputs.removeValue(forKey: path), size: size)
        if let position, let previous {
            if made[position] == nil { madeCount += 1 }
            made[position] = entry
            if previous.files[position].content == content {
                unchanged += 1
                return false
            }
        } else {
            added[path] = entry
        }
        written += 1
        return true
    }

    /// What the folder holds at the end of the build, and the files the last build left that this
    /// one did not make (an incremental build deletes them), in path order: one pass over the
    /// last build's files, each made again or stale, with the added paths merged in.
    func finish(identity: String) -> (manifest: SiteManifest, stale: [String]) {
        lock.lock()
        defer { lock.unlock() }
        guard let previous else { return (SiteManifest(identity: identity, entries: added, steps: steps), []) }
        let new = added.keys.sorted()
        var paths: [String] = [], files: [SiteManifest.Entry] = []
        paths.reserveCapacity(madeCount + new.count)
        files.reserveCapacity(madeCount + new.count)
        var stale: [String] = []
        var next = 0
        for (position, path) in previous.paths.enumerated() {
            guard let entry = made[position] else {
                stale.append(path)
                continue
            }
            while next < new.count && new[next] < path {
                paths.append(new[next])
                files.append(added[new[next]]!)
                next += 1
            }
            paths.append(path)
            files.append(entry)
        }
        for path in new[next...] {
            paths.append(path)
            files.append(added[path]!)
        }
        return (SiteManifest(identity: identity, paths: paths, files: files, steps: steps), stale)
    }

    var counts: (written: Int, unchanged: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (written, unchanged)
    }
}
