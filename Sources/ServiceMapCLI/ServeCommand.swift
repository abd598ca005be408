import ArgumentParser
import Dispatch
import Foundation
import ServiceMapCore
import ServiceMapImport
import ServiceMapSite
import ServiceMapStore

/// `servicemap serve`: build the site, serve it on 127.0.0.1, rebuild on save, reload the page.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Preview the site on 127.0.0.1, re-importing and rebuilding when Data/ or Site/ changes.",
        discussion: """
            Imports the data folder, builds the site into a temporary folder and serves it at \
            http://127.0.0.1:PORT/. Every half second it checks the files under the data folder and the \
            theme; when one changes it re-reads only the changed files, re-assembles, rewrites only the pages \
            and files the change affects (a theme change rebuilds the whole site) and the open page reloads itself. Import \
            errors are printed here and shown on the page (the last good build stays up). Ctrl-C stops it.
            By default the preview keeps its own database, so your servicemap.sqlite is not touched; \
            give --database to preview (and record runs in) a real one.
            """
    )

    @Option(name: .long, help: "The folder of directory files to import and watch.")
    var data: String = "Data"

    @Option(name: .long, help: "The theme folder to build with and watch.")
    var theme: String = "Site"

    @Option(name: .long, help: "The port on 127.0.0.1 (0 picks a free one).")
    var port: UInt16 = 8421

    @Option(name: .long, help: "Where to build the site (default: a temporary folder).")
    var output: String?

    @Option(name: .long, help: "The SQLite database to import into (default: a temporary one).")
    var database: String?

    @Option(name: .long, help: "Seconds between checks for changed files.")
    var interval: Double = 0.5

    func run() throws {
        let console = Console()
        for path in [data, theme] where !FileManager.default.fileExists(atPath: path) {
            console.err("servicemap: no such folder: \(path)")
            throw ExitCode(2)
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("servicemap-serve-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let session = try PreviewSession(
            data: data, theme: theme, output: URL(fileURLWithPath: output ?? scratch.appendingPathComponent("site").path),
            database: database ?? scratch.appendingPathComponent("preview.sqlite").path, port: port, interval: interval,
            log: { console.err($0) })
        // Ctrl-C: stop serving, remove the temporary build, exit 0.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let stop = DispatchSemaphore(value: 0)
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }
        try session.start()
        console.err("serving \(session.url) — watching \(data)/ and \(theme)/; Ctrl-C stops")
        stop.wait()
        session.stop()
        sources.forEach { $0.cancel() }
        console.err("stopped")
    }
}

/// One preview: the store, the build, the server and the watcher, and what the page is told.
/// `start()` builds once and serves; a background thread polls the watched files and rebuilds.
final class PreviewSession: @unchecked Sendable {
    /// Builds the site from the stored graph into a folder; over the last build's folder, an
    /// incremental build that rewrites only what changed (SiteBuilder).
    typealias Publish = @Sendable (_ store: ServiceStore, _ graph: ServiceGraph, _ theme: URL, _ output: URL) throws -> SiteBuildReport

    let data: String
    let theme: String
    let output: URL
    let database: String
    let interval: Double
    let publish: Publish
    let log: @Sendable (String) -> Void
    private let requestedPort: UInt16
    private var server: PreviewHTTPServer?
    private let lock = NSLock()
    private var version = 0
    private var errors: [String] = []
    private var lastReport: SiteBuildReport?
    private var stopped = false
    private var watcher: Thread?
    private let watcherDone = DispatchSemaphore(value: 0)

    init(data: String, theme: String, output: URL, database: String, port: UInt16, interval: Double = 0.5,
         publish: @escaping Publish = PreviewSession.buildSite, log: @escaping @Sendable (String) -> Void) throws {
        self.data = data
        self.theme = theme
        self.output = output
        self.database = database
        self.requestedPort = port
        self.interval = max(0.05, interval)
        self.publish = publish
        self.log = log
    }

    var url: String { "http://127.0.0.1:\(server?.port ?? requestedPort)/" }
    var port: UInt16 { server?.port ?? requestedPort }

    /// What the last good build did: how many files it wrote and left as they were.
    var lastBuild: SiteBuildReport? {
        lock.lock()
        defer { lock.unlock() }
        return lastReport
    }

    /// What the page polls: the build's number and the errors of the last attempt.
    var status: (version: Int, errors: [String]) {
        lock.lock()
        defer { lock.unlock() }
        return (version, errors)
    }

    func start() throws {
        let output = self.output
        let server = try PreviewHTTPServer(
            port: requestedPort, root: { output },
            special: { [weak self] path in self?.answer(path) },
            transform: { html in PreviewSession.injectReload(html) })
        self.server = server
        rebuild(reason: "first build")
        server.start()
        let thread = Thread { [self] in watch() }
        thread.name = "servicemap watch"
        watcher = thread
        thread.start()
    }

    func stop() {
        lock.lock()
        let already = stopped
        stopped = true
        lock.unlock()
        guard !already else { return }
        server?.stop()
        if watcher != nil { watcherDone.wait() }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    // MARK: Building

    /// Re-imports the data folder (replacing the preview store's graph) and rebuilds the site. On
    /// import errors the last good site stays up and the errors go to the terminal and the page.
    func rebuild(reason: String) {
        let started = Date()
        var problems: [String] = []
        var report: SiteBuildReport?
        do {
            let store = try ServiceStore(path: database)
            let outcome = try importChanged(into: store)
            let shown = outcome.diagnostics.filter { $0.severity == .error }
            for d in outcome.diagnostics where d.severity != .note { log(d.description) }
            if outcome.applied {
                report = try publish(store, outcome.graph, URL(fileURLWithPath: theme), output)
            } else {
                problems = shown.map(\.description)
            }
        } catch {
            problems = ["build failed: \(error)"]
        }
        lock.lock()
        version += 1
        errors = problems
        if let report { lastReport = report }
        let number = version
        lock.unlock()
        let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
        if problems.isEmpty {
            let written = report.map { $0.incremental ? ": \($0.filesWritten) of \($0.files) files rewritten, \($0.filesRemoved) removed" : ": full build" } ?? ""
            log("[\(reason)] built #\(number) in \(seconds) s\(written)")
        } else {
            log("[\(reason)] \(problems.count) error\(problems.count == 1 ? "" : "s"): the page shows them; serving the last good build")
        }
    }

    /// Files read at the last build, by path: their stamp (modification time and size) and what
    /// reading them gave. Only files whose stamp changed are read again.
    private var readCache: [String: (stamp: String, fragment: GraphFragment, hash: String)] = [:]
    /// How many files the last build read again (the rest came from `readCache`).
    private(set) var filesReadLastBuild = 0

    /// `ImportPipeline.run` for the preview, re-reading only the files that changed since the last
    /// build (a mapping file changes how every file reads, so any mapping file means a full read).
    func importChanged(into store: ServiceStore) throws -> ImportPipeline.Outcome {
        let started = Date()
        let files = Importer.inputFiles([data])
        if files.contains(where: { InputFormat.forPath($0) == .mapping }) {
            readCache = [:]
            filesReadLastBuild = files.count
            return try ImportPipeline(paths: [data]).run(into: store)
        }
        let importer = Importer()
        var fragment = GraphFragment()
        var stored: [ServiceStore.StoredFile] = []
        var reread = 0
        var fresh: [String: (stamp: String, fragment: GraphFragment, hash: String)] = [:]
        for file in files {
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            let stamp = "\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)/\(attributes?[.size] as? Int ?? -1)"
            let entry = readCache[file].flatMap { $0.stamp == stamp ? $0 : nil } ?? {
                reread += 1
                let read = importer.readFile(file)
                return (stamp, read.fragment, read.hash)
            }()
            fresh[file] = entry
            fragment.append(entry.fragment)
            stored.append(.init(path: file, format: InputFormat.forPath(file)?.rawValue ?? "unknown", sha256: entry.hash,
                                records: entry.fragment.recordCount))
        }
        readCache = fresh
        filesReadLastBuild = reread
        var assembler = GraphAssembler()
        assembler.add(fragment)
        let (graph, found) = assembler.assemble()
        let diagnostics = ImportPipeline.sorted(found)
        var outcome = ImportPipeline.Outcome(graph: graph, diagnostics: diagnostics, files: [], run: nil)
        guard !diagnostics.hasErrors else { return outcome }
        outcome.run = try store.apply(
            graph, mode: "replace", files: stored,
            diagnostics: diagnostics, startedAt: started, finishedAt: Date())
        return outcome
    }

    /// The default publisher: the static site, as `servicemap build` makes it.
    static let buildSite: Publish = { store, graph, theme, output in
        try SiteRunner.publish(store: store, graph: graph, theme: theme, output: output)
    }

    // MARK: Watching

    /// Files under the data folder and the theme, with their modification times and sizes.
    func snapshot() -> [String: String] {
        var result: [String: String] = [:]
        let fm = FileManager.default
        for folder in [data, theme] {
            for child in fm.subpaths(atPath: folder) ?? [] {
                let path = (folder as NSString).appendingPathComponent(child)
                guard let attributes = try? fm.attributesOfItem(atPath: path), attributes[.type] as? FileAttributeType == .typeRegular else { continue }
                let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                result[path] = "\(modified)/\(attributes[.size] as? Int ?? 0)"
            }
        }
        return result
    }

    private func watch() {
        defer { watcherDone.signal() }
        var last = snapshot()
        while !isStopped {
            Thread.sleep(forTimeInterval: interval)
            if isStopped { return }
            let now = snapshot()
            guard now != last else { continue }
            // Let an editor finish writing (save-as-temp-then-rename writes twice).
            Thread.sleep(forTimeInterval: min(interval, 0.2))
            let settled = snapshot()
            let changed = Set(settled.keys).union(last.keys).filter { settled[$0] != last[$0] }.sorted()
            last = settled
            let names = changed.prefix(3).map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
            rebuild(reason: "\(names)\(changed.count > 3 ? " and \(changed.count - 3) more" : "") changed")
        }
    }

    // MARK: What the page asks

    static let statusPath = "/__servicemap/status"
    static let scriptPath = "/__servicemap/reload.js"

    func answer(_ path: String) -> PreviewHTTPServer.Response? {
        switch path {
        case Self.statusPath:
            let (version, errors) = status
            let body: [String: Any] = ["version": version, "errors": errors]
            let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
            return .init(status: 200, contentType: "application/json", body: data)
        case Self.scriptPath:
            return .init(status: 200, contentType: "text/javascript; charset=utf-8", body: Data(Self.reloadScript.utf8))
        default:
            // Before any good build there is no site: every page is the error page.
            let index = output.appendingPathComponent("index.html").path
            if !FileManager.default.fileExists(atPath: index), path.hasSuffix("/") || path.hasSuffix(".html") {
                let (_, errors) = status
                let items = errors.map { "<li><code>\(Self.escape($0))</code></li>" }.joined()
                let html = "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>servicemap preview: not built</title></head><body><h1>The site could not be built</h1><ul>\(items)</ul></body></html>"
                return .init(status: 503, contentType: "text/html; charset=utf-8", body: Self.injectReload(Data(html.utf8)))
            }
            return nil
        }
    }

    /// Puts the reload script before `</body>` (or at the end when there is none).
    static func injectReload(_ html: Data) -> Data {
        let tag = Data("<script src=\"\(scriptPath)\"></script>".utf8)
        guard let range = html.range(of: Data("</body>".utf8), options: .backwards) else { return html + tag }
        var result = html
        result.insert(contentsOf: tag, at: range.lowerBound)
        return result
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Polls the status once a second; reloads when the build number changes; shows the last
    /// import's errors in a box at the foot of the page. Same origin only: no external request.
    static let reloadScript = """
        (function () {
          var seen = null;
          function show(errors) {
            var box = document.getElementById('servicemap-errors');
            if (!errors.length) { if (box) box.remove(); return; }
            if (!box) {
              box = document.createElement('div');
              box.id = 'servicemap-errors';
              box.setAttribute('role', 'alert');
              box.style.cssText = 'position:fixed;left:0;right:0;bottom:0;max-height:50%;overflow:auto;background:#fff4f4;color:#6b0000;' +
                'border-top:4px solid #b00;padding:1em;font:14px/1.45 monospace;white-space:pre-wrap;z-index:2147483647';
              document.body.appendChild(box);
            }
            box.textContent = 'servicemap: the last import had errors, so this is the last good build.\\n\\n' + errors.join('\\n');
          }
          function poll() {
            fetch('\(statusPath)', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (s) {
              if (seen === null) { seen = s.version; show(s.errors); }
              else if (s.version !== seen) { location.reload(); return; }
              setTimeout(poll, 1000);
            }).catch(function () { setTimeout(poll, 2000); });
          }
          poll();
        })();
        """
}

extension SiteRunner {
    /// Builds the static site from a graph, with the store's recent runs as "What's new".
    @discardableResult
    static func publish(store: ServiceStore, graph: ServiceGraph, theme: URL, output: URL, baseURL: String? = nil) throws -> SiteBuildReport {
        let options = SiteOptions(changelog: try Changelog.load(from: store), baseURL: baseURL)
        return try SiteBuilder(graph: graph, theme: theme, output: output, options: options).build()
    }
}
