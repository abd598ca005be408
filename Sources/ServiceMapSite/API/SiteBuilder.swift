import Foundation
import ServiceMapCore

/// Renders a `ServiceGraph` into a static site: a page per service, area, level, category and
/// organisation, an A–Z, a sitemap, and a sharded search index the site's own JavaScript reads
/// from `file://` and over HTTP.
///
/// The build is a list of named steps; `progress` receives `[i/n] step` before each, and an error
/// carries the step's name. Pages are rendered in parallel and streamed to disk as they are made.
/// Output goes to a fresh folder beside `output` that replaces it only when every step succeeded.
public struct SiteBuilder: Sendable {
    public let graph: ServiceGraph
    public let theme: URL
    public let output: URL
    public let options: SiteOptions

    /// - Parameters:
    ///   - graph: the directory to publish.
    ///   - theme: the theme folder (`Site/` in the repository), with `templates/` and `assets/`.
    ///   - output: the folder to write (e.g. `_site`); replaced as a whole when the build succeeds.
    public init(graph: ServiceGraph, theme: URL, output: URL, options: SiteOptions = SiteOptions()) {
        self.graph = graph
        self.theme = theme
        self.output = output
        self.options = options
    }

    /// The name of the marker file that tells a later build the folder is a servicemap site it may replace.
    public static let markerFileName = ".servicemap-site"

    /// Builds the site. The library never prints: step names go to `progress`.
    @discardableResult
    public func build(progress: (String) -> Void = { _ in }) throws -> SiteBuildReport {
        let fm = FileManager.default
        let output = self.output.standardizedFileURL
        let parent = output.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(output.lastPathComponent).building-\(ProcessInfo.processInfo.processIdentifier)")
        var context: SiteContext!
        var timings: [SiteBuildReport.Step] = []
        var searchFiles = 0

        let steps: [(String, () throws -> Void)] = [
            ("prepare output and theme", {
                if fm.fileExists(atPath: output.path) {
                    let marker = output.appendingPathComponent(Self.markerFileName).path
                    let contents = (try? fm.contentsOfDirectory(atPath: output.path)) ?? []
                    guard fm.fileExists(atPath: marker) || contents.isEmpty else {
                        throw SiteBuildError(step: "", message: "\(output.path) exists and is not a servicemap site (no \(Self.markerFileName)); refusing to replace it")
                    }
                }
                try? fm.removeItem(at: staging)
                try fm.createDirectory(at: parent, withIntermediateDirectories: true)
                try fm.createDirectory(at: staging, withIntermediateDirectories: true)
                for folder in ["services", "areas", "levels", "categories", "organisations", "a-z", "search", "assets", "coverage", "maps"] {
                    try fm.createDirectory(at: staging.appendingPathComponent(folder), withIntermediateDirectories: true)
                }
                let theme = try Theme(folder: self.theme)
                context = SiteContext(graph: graph, options: options, theme: theme, staging: staging)
            }),
            ("render service pages", { try PageRenderer(context).renderServices() }),
            ("render area, level, category and organisation pages", { try PageRenderer(context).renderBrowsePages() }),
            ("render home, A–Z, sitemap and shortlist", { try PageRenderer(context).renderSitePages() }),
            ("render coverage pages", { try PageRenderer(context).renderCoverage() }),
            ("render maps and pathways", { try PageRenderer(context).renderMaps() }),
            ("render what's new and its Atom feed", { try ChangelogRenderer(context).render() }),
            ("write search index", { searchFiles = try SearchIndexWriter(context).write() }),
            ("copy theme assets", { try copyAssets(from: context.theme.assets, to: staging.appendingPathComponent("assets")) }),
            ("publish", {
                try Data("servicemap static site\n".utf8).write(to: staging.appendingPathComponent(Self.markerFileName))
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
        for (index, (name, run)) in steps.enumerated() {
            progress("[\(index + 1)/\(steps.count)] \(name)")
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                try run()
            } catch let error as SiteBuildError {
                try? fm.removeItem(at: staging)
                throw SiteBuildError(step: name, message: error.message)
            } catch {
                try? fm.removeItem(at: staging)
                throw SiteBuildError(step: name, message: "\(error.localizedDescription)")
            }
            timings.append(.init(name: name, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        }
        var files = 0
        var bytes = 0
        if let walker = fm.enumerator(at: output, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) {
            for case let url as URL in walker {
                let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
                if values?.isRegularFile == true {
                    files += 1
                    bytes += values?.fileSize ?? 0
                }
            }
        }
        return SiteBuildReport(pages: context.pagesWritten, files: files, bytes: bytes, searchFiles: searchFiles, steps: timings)
    }

    private func copyAssets(from source: URL, to destination: URL) throws {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: source, includingPropertiesForKeys: [.isDirectoryKey]) else { return }
        var items: [URL] = []
        for case let url as URL in walker { items.append(url) }
        for url in items.sorted(by: { $0.path < $1.path }) {
            let relative = String(url.standardizedFileURL.path.dropFirst(source.standardizedFileURL.path.count + 1))
            let target = destination.appendingPathComponent(relative)
            if (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                try fm.createDirectory(at: target, withIntermediateDirectories: true)
            } else {
                try fm.copyItem(at: url, to: target)
            }
        }
    }
}
