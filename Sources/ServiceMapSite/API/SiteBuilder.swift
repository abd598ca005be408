import Foundation
import ServiceMapCore

/// Renders a `ServiceGraph` into a static site: a page per service, area, level, category and
/// organisation, an A–Z, a sitemap, and a sharded search index the site's own JavaScript reads
/// from `file://` and over HTTP.
///
/// The build is a list of named steps; `progress` receives `[i/n] step` before each, and an error
/// carries the step's name. Pages are rendered in parallel and streamed to disk as they are made.
/// The steps that only read the shared indexes and write their own folders (the search index,
/// coverage, maps) run on threads of their own beside the others, and are waited for in turn.
///
/// A full build writes into a fresh folder beside `output` that replaces it only when every step
/// succeeded. When `output` holds a manifest from a build with the same theme, options and
/// servicemap binary, the build is incremental: it updates `output` in place, rendering only the
/// pages whose values changed and writing only the files whose bytes changed, and deletes the
/// files that are no longer made. The folder it leaves is byte for byte what a full build makes.
/// The manifest is trusted rather than checked against the disk (a stat per file costs as much as
/// the rest of a small rebuild): a file deleted by hand comes back with its next change, or with
/// a build with `SiteOptions.incremental` off.
public struct SiteBuilder: Sendable {
    public let graph: ServiceGraph
    public let theme: URL
    public let output: URL
    public let options: SiteOptions

    /// - Parameters:
    ///   - graph: the directory to publish.
    ///   - theme: the theme folder (`Site/` in the repository), with `templates/` and `assets/`.
    ///   - output: the folder to write (e.g. `_site`); replaced as a whole by a full build, updated
    ///     in place by an incremental one.
    public init(graph: ServiceGraph, theme: URL, output: URL, options: SiteOptions = SiteOptions()) {
        self.graph = graph
        self.theme = theme
        self.output = output
        self.options = options
    }

    /// The name of the marker file that tells a later build the folder is a servicemap site it may replace.
    public static let markerFileName = ".servicemap-site"

    /// The name of the file in the site that lists what the build wrote, for the next incremental build.
    public static let manifestFileName = SiteManifest.fileName

    /// Builds the site. The library never prints: step names go to `progress`.
    @discardableResult
    public func build(progress: (String) -> Void = { _ in }) throws -> SiteBuildReport {
        let fm = FileManager.default
        let output = self.output.standardizedFileURL
        let parent = output.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(output.lastPathComponent).building-\(ProcessInfo.processInfo.processIdentifier)")
        var context: SiteContext!
        var ledger: OutputLedger!
        var identity = ""
        // Where this build writes: `staging` for a full build, `output` itself for an incremental one.
        var target = staging
        var timings: [SiteBuildReport.Step] = []
        var searchFiles = 0
        var removed = 0
        var published: SiteManifest?

        let steps: [(String, () throws -> Void)] = [
            ("prepare output and theme", {
                let marker = output.appendingPathComponent(Self.markerFileName).path
                if fm.fileExists(atPath: output.path) {
                    let contents = (try? fm.contentsOfDirectory(atPath: output.path)) ?? []
                    guard fm.fileExists(atPath: marker) || contents.isEmpty else {
                        throw SiteBuildError(step: "", message: "\(output.path) exists and is not a servicemap site (no \(Self.markerFileName)); refusing to replace it")
                    }
                }
                let theme = try Theme(folder: self.theme)
                identity = try BuildIdentity.fingerprint(theme: self.theme, options: options)
                // The manifest's lines are parsed beside the context (each is a tenth of a second
                // in a large site), once its identity line says they are worth parsing.
                let saved = options.incremental && fm.fileExists(atPath: marker)
                    ? fm.contents(atPath: output.appendingPathComponent(SiteManifest.fileName).path) : nil
                let incremental = saved.flatMap(SiteManifest.identity(of:)) == identity
                if incremental {
                    // Until this build finishes, the folder matches no manifest: should it stop half
                    // way, the next build is a full one.
                    try fm.removeItem(at: output.appendingPathComponent(SiteManifest.fileName))
                    target = output
                } else {
                    try? fm.removeItem(at: staging)
                    try fm.createDirectory(at: parent, withIntermediateDirectories: true)
                    try fm.createDirectory(at: staging, withIntermediateDirectories: true)
                }
                func folders(in target: URL) throws {
                    for folder in ["services", "areas", "levels", "categories", "organisations", "a-z", "search", "assets", "coverage", "maps"] {
                        try fm.createDirectory(at: target.appendingPathComponent(folder), withIntermediateDirectories: true)
                    }
                }
                try folders(in: target)
                let (previous, made) = ParallelMap.both({ incremental ? saved?.withUnsafeBytes { SiteManifest.parse($0) } : nil }) {
                    SiteContext(graph: graph, options: options, theme: theme, staging: target)
                }
                context = made
                if incremental && previous == nil {
                    // The identity line matched but a later line did not parse: a full build after all,
                    // with a context (and its file writer) for the fresh folder.
                    made.writer.close()
                    target = staging
                    try? fm.removeItem(at: staging)
                    try fm.createDirectory(at: staging, withIntermediateDirectories: true)
                    try folders(in: staging)
                    context = SiteContext(graph: graph, options: options, theme: theme, staging: staging)
                }
                ledger = OutputLedger(previous: previous, identity: identity)
                context.ledger = ledger
            }),
            ("render service pages", { try PageRenderer(context).renderServices() }),
            ("render area, level, category and organisation pages", { try PageRenderer(context).renderBrowsePages() }),
            ("render home, A–Z, sitemap and shortlist", { try PageRenderer(context).renderSitePages() }),
            ("render coverage pages", { try PageRenderer(context).renderCoverage() }),
            ("render maps and pathways", { try PageRenderer(context).renderMaps() }),
            ("render what's new and its Atom feed", { try ChangelogRenderer(context).render() }),
            ("write search index", { searchFiles = try SearchIndexWriter(context).write() }),
            ("copy theme assets", { try copyAssets(from: context.theme.assets, to: target, ledger: ledger) }),
            ("publish", {
                let (manifest, stale) = ledger.finish(identity: identity)
                published = manifest
                if ledger.isIncremental {
                    for path in stale {
                        try? fm.removeItem(at: output.appendingPathComponent(path))
                        removed += 1
                    }
                    try Self.replace(output.appendingPathComponent(SiteManifest.fileName), with: Data(manifest.bytes))
                    return
                }
                try Data("servicemap static site\n".utf8).write(to: staging.appendingPathComponent(Self.markerFileName))
                try Data(manifest.bytes).write(to: staging.appendingPathComponent(SiteManifest.fileName))
                if fm.fileExists(atPath: output.path) {
                    let old = parent.appendingPathComponent(".\(output.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
                    try? fm.removeItem(at: old)
                    try fm.moveItem(at: output, to: old)
                    try fm.moveItem(at: staging, to: output)
                    try? fm.removeItem(at: old)
                } else {
                    try fm.moveItem(at: staging, to: output)
                }
            }),
        ]
        // Steps that only read the context and write their own folders run on threads of their
        // own, started after the step named here, on the cores that the other steps' serial parts
        // and the file writer leave idle: the search index (search/) beside all the page steps;
        // coverage and maps (coverage/, maps/) beside the browse and site pages. Each is waited
        // for at its place in the list, which is where an error it meets is reported.
        let startsAfter = [
            "write search index": "prepare output and theme",
            "render coverage pages": "render service pages",
            "render maps and pathways": "render service pages",
        ]
        var beside: [String: BesideStep] = [:]
        func stop() {
            for step in beside.values { step.wait() }
            try? context?.writer.drain()
            context?.writer.close()
            if target == staging { try? fm.removeItem(at: staging) }
        }
        for (index, (name, run)) in steps.enumerated() {
            progress("[\(index + 1)/\(steps.count)] \(name)")
            let start = DispatchTime.now().uptimeNanoseconds
            // A step ends when its files are on disk: the writer's queue is drained, and a file it
            // could not write fails this step.
            do {
                if let started = beside[name] {
                    try started.wait().get()
                    timings.append(.init(name: name, seconds: started.seconds))
                    continue
                }
                try run()
                try context?.writer.drain()
            } catch let error as SiteBuildError {
                stop()
                throw SiteBuildError(step: name, message: error.message)
            } catch {
                stop()
                throw SiteBuildError(step: name, message: "\(error.localizedDescription)")
            }
            timings.append(.init(name: name, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            for (later, work) in steps where startsAfter[later] == name { beside[later] = BesideStep(work) }
        }
        context.writer.close()
        if !options.freesMemoryAtEnd { KeptUntilExit.keep(context as SiteContext) }
        let manifest = published ?? ledger.finish(identity: identity).manifest
        let (written, unchanged) = ledger.counts
        return SiteBuildReport(
            pages: context.pagesWritten, files: manifest.files.count, bytes: manifest.files.reduce(0) { $0 + $1.size },
            searchFiles: searchFiles, steps: timings, incremental: ledger.isIncremental, filesWritten: written,
            filesUnchanged: unchanged, filesRemoved: removed)
    }

    /// Writes `data` to a temporary file beside `url` and renames it over `url`, so a reader sees
    /// the old file or the new one, never half of one.
    static func replace(_ url: URL, with data: Data) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).new-\(ProcessInfo.processInfo.processIdentifier)")
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw SiteBuildError(step: "", message: "\(url.path): cannot replace (\(reason))")
        }
    }

    /// Copies the theme's `assets/` into the site's, writing only the files whose bytes changed.
    private func copyAssets(from source: URL, to site: URL, ledger: OutputLedger) throws {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: source, includingPropertiesForKeys: [.isDirectoryKey]) else { return }
        var items: [URL] = []
        for case let url as URL in walker { items.append(url) }
        for url in items.sorted(by: { $0.path < $1.path }) {
            let relative = "assets/" + String(url.standardizedFileURL.path.dropFirst(source.standardizedFileURL.path.count + 1))
            let target = site.appendingPathComponent(relative)
            if (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                try fm.createDirectory(at: target, withIntermediateDirectories: true)
            } else {
                let data = try Data(contentsOf: url)
                if ledger.needsWrite(data, to: relative) { try data.write(to: target) }
            }
        }
    }
}

/// A build step run on a thread of its own (see `startsAfter` in SiteBuilder.build), waited for by name.
private final class BesideStep: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Void, Error> = .success(())
    private var finished = false
    private(set) var seconds = 0.0

    /// The step's closure shares the build's state, which its steps only touch through locks
    /// (the ledger, the writer, the context's once-made values) or not at all (search/).
    private struct Work: @unchecked Sendable { let run: () throws -> Void }

    init(_ run: @escaping () throws -> Void) {
        let work = Work(run: run)
        let thread = Thread { [self] in
            let start = DispatchTime.now().uptimeNanoseconds
            result = Result { try work.run() }
            seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            done.signal()
        }
        // Rendering recurses through templates; the main thread's stack size, not a worker's.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the step (once; later calls return at once) and gives its outcome.
    @discardableResult
    func wait() -> Result<Void, Error> {
        if !finished {
            done.wait()
            finished = true
        }
        return result
    }
}
