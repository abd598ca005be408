import ArgumentParser
import Foundation
import ServiceMapStore

/// The main job: import the shipped directory and build the site from it.
struct DefaultRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Import Data/ into the database and build the site into _site/ (what `servicemap` alone does)."
    )

    @Option(name: .long, help: "The folder of directory files to import.")
    var data: String = "Data"

    @Option(name: .long, help: "Where to write the site.")
    var output: String = "_site"

    @Option(name: .long, help: "The theme folder (templates, CSS, JavaScript).")
    var theme: String = "Site"

    @OptionGroup var store: StoreOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        let console = Console(showNotes: outputOptions.notes, quiet: outputOptions.quiet)
        let outcome = try ImportRunner(paths: [data], database: store.database, console: console).run()
        guard outcome.applied, !outcome.diagnostics.hasErrors else { throw ExitCode(1) }
        try SiteRunner(database: store.database, output: output, theme: theme, console: console).run()
    }
}
