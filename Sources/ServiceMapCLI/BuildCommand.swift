import ArgumentParser
import Foundation
import ServiceMapCore
import ServiceMapStore

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the static site from the database into a folder (default _site/)."
    )

    @Option(name: .long, help: "Where to write the site.")
    var output: String = "_site"

    @Option(name: .long, help: "The theme folder (templates, CSS, JavaScript).")
    var theme: String = "Site"

    @OptionGroup var store: StoreOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        let console = Console(showNotes: outputOptions.notes, quiet: outputOptions.quiet)
        try SiteRunner(database: store.database, output: output, theme: theme, console: console).run()
    }
}

/// Builds the site from the store. The site generator lands with issue 5; until then this says so.
struct SiteRunner {
    var database: String
    var output: String
    var theme: String
    var console: Console

    func run() throws {
        guard FileManager.default.fileExists(atPath: database) else {
            console.err("servicemap: no database at \(database); run `servicemap import` first")
            throw ExitCode(2)
        }
        console.err("servicemap: the site generator is not part of this build yet (issue 5); the import above is complete and stored in \(database)")
        throw ExitCode(3)
    }
}
