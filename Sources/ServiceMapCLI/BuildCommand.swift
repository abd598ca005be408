import ArgumentParser
import Foundation
import ServiceMapCore
import ServiceMapSite
import ServiceMapStore

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the static site from the database into a folder (default _site/).",
        discussion: """
            Over a site the last build made with the same theme and options, only the pages and files \
            whose content changed are written, and files no longer made are deleted; the folder ends up \
            exactly as a full build would leave it. --full builds a fresh folder and swaps it in.
            """
    )

    @Option(name: .long, help: "Where to write the site.")
    var output: String = "_site"

    @Option(name: .long, help: "The theme folder (templates, CSS, JavaScript).")
    var theme: String = "Site"

    @Option(name: .long, help: "Where the site will be published (https://example.org/directory/), for absolute links in the Atom feed.")
    var baseURL: String?

    @Flag(name: .long, help: "Build a fresh folder and swap it in, instead of updating the last build's folder.")
    var full = false

    @OptionGroup var store: StoreOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        let console = Console(showNotes: outputOptions.notes, quiet: outputOptions.quiet)
        try SiteRunner(database: store.database, output: output, theme: theme, console: console, baseURL: baseURL, incremental: !full).run()
    }
}

/// Builds the site from the store: the site reads the store, never the files.
struct SiteRunner {
    var database: String
    var output: String
    var theme: String
    var console: Console
    var baseURL: String?
    /// Whether the build may update the last build's folder in place (SiteOptions.incremental).
    var incremental = true

    func run() throws {
        guard FileManager.default.fileExists(atPath: database) else {
            console.err("servicemap: no database at \(database); run `servicemap import` first")
            throw ExitCode(2)
        }
        guard FileManager.default.fileExists(atPath: theme + "/templates") else {
            console.err("servicemap: no theme at \(theme) (expected \(theme)/templates); run from the repository folder or give --theme")
            throw ExitCode(2)
        }
        let store = try ServiceStore(path: database)
        // The store's recorded runs become the What's new page and its feed (issue 8), read on a
        // connection of their own beside the graph.
        let (changelog, graph) = ParallelMap.both({ Result { try Changelog.load(from: store) } }, { Result { try store.loadGraph() } })
        // The command ends with the build: what it built from is left for the process's exit to
        // return (SiteOptions.freesMemoryAtEnd), not freed object by object.
        let options = SiteOptions(changelog: try changelog.get(), baseURL: baseURL, incremental: incremental,
                                  freesMemoryAtEnd: false)
        let builder = SiteBuilder(graph: try graph.get(), theme: URL(fileURLWithPath: theme), output: URL(fileURLWithPath: output), options: options)
        defer { KeptUntilExit.keep(builder) }
        do {
            let report = try builder.build { console.progress($0) }
            let how = report.incremental
                ? "updated \(output)/: \(report.filesWritten) of \(report.files) files rewritten, \(report.filesRemoved) removed"
                : "built \(report.pages) pages (\(report.files) files) into \(output)/"
            console.err("\(how) — open \(output)/index.html")
        } catch let error as SiteBuildError {
            console.err("servicemap: \(error)")
            throw ExitCode(1)
        }
    }
}
