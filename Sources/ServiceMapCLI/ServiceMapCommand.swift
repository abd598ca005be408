import ArgumentParser
import Foundation
import ServiceMapCore

/// `servicemap`: with no subcommand, imports the shipped `Data/` and builds the site.
public struct ServiceMapCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "servicemap",
        abstract: "Map the services around struggling families: import directories, build a searchable site.",
        discussion: """
            Run with no subcommand to import the shipped Data/ folder into servicemap.sqlite and build \
            the site into _site/.
            """,
        subcommands: [DefaultRun.self, ImportCommand.self, CheckCommand.self, BuildCommand.self, FindCommand.self,
                      GapsCommand.self, ExportCommand.self, DiffCommand.self, ReviewCommand.self, ServeCommand.self],
        defaultSubcommand: DefaultRun.self
    )

    public init() {}
}

/// Options every command that touches the store shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite database file.")
    var database: String = "servicemap.sqlite"
}

struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Also print notes (merged duplicates, skipped sheets, unrecognised columns).")
    var notes = false

    @Flag(name: .long, help: "Print nothing but errors and warnings.")
    var quiet = false
}
