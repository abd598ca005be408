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
    /// `previous`'s files, empty for a full build.
    private let previousEntries: [String: SiteManifest.Entry]
    /// The build identity (`BuildIdentity`) the manifest is written under.
    let identity: String
    private let lock = NSLock()
    private var entries: [String: SiteManifest.Entry] = [:]
    private var steps: [String: Digest] = [:]
    /// Page inputs fingerprinted before rendering, waiting for the page's bytes.
    private var pendingInputs: [String: Digest] = [:]
    private var written = 0
    private var unchanged = 0
    /// How many of `entries`' paths the last build's manifest lists too: when all of them, no
    /// file is left over (`finish`) without checking each.
    private var carriedOver = 0
    /// The paths of `entries` the last build's manifest does not list.
    private var added: [String] = []

    init(previous: SiteManifest?, identity: String = "") {
        self.previous = previous
        previousEntries = previous?.entries ?? [:]
        self.identity = identity
        entries.reserveCapacity(previous?.entries.count ?? 1024)
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
        let old = previousEntries[path]
        lock.lock()
        defer { lock.unlock() }
        if let old, old.inputs == inputs {
            if entries.updateValue(old, forKey: path) == nil { carriedOver += 1 }
            unchanged += 1
            return true
        }
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
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        kept = 0
        for (path, entry) in previous.entries where path.hasPrefix(prefix) {
            if entries.updateValue(entry, forKey: path) == nil { carriedOver += 1 }
            kept += 1
        }
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
        let old = previousEntries[path]
        lock.lock()
        defer { lock.unlock() }
        let entry = SiteManifest.Entry(content: content, inputs: pendingInputs.isEmpty ? nil : pendingInputs.removeValue(forKey: path), size: size)
        if entries.updateValue(entry, forKey: path) == nil {
            if old != nil { carriedOver += 1 } else { added.append(path) }
        }
        if let old, old.content == content {
            unchanged += 1
            return false
        }
        written += 1
        return true
    }

    /// What the folder holds at the end of the build, and the files the last build left that this
    /// one did not make (an incremental build deletes them), in path order.
    ///
    /// When the last manifest's paths were in order, both come from one pass over them: each is
    /// still made or is stale, and the added paths are merged in. (A site of 122,000 files took
    /// a lookup per file for each of the two, and a sort.)
    func finish(identity: String) -> (manifest: SiteManifest, stale: [String]) {
        lock.lock()
        defer { lock.unlock() }
        guard let previous else { return (SiteManifest(identity: identity, entries: entries, steps: steps), []) }
        guard let kept = previous.sortedPaths else {
            let stale = carriedOver < previous.entries.count ? previous.entries.keys.filter { entries[$0] == nil }.sorted() : []
            return (SiteManifest(identity: identity, entries: entries, steps: steps), stale)
        }
        let new = added.sorted()
        var paths: [String] = []
        paths.reserveCapacity(entries.count)
        var stale: [String] = []
        var next = 0
        for path in kept {
            guard entries[path] != nil else {
                stale.append(path)
                continue
            }
            while next < new.count && new[next] < path {
                paths.append(new[next])
                next += 1
            }
            paths.append(path)
        }
        paths.append(contentsOf: new[next...])
        return (SiteManifest(identity: identity, entries: entries, steps: steps, sortedPaths: paths), stale)
    }

    var counts: (written: Int, unchanged: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (written, unchanged)
    }
}
