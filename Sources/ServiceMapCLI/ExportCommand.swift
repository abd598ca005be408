import ArgumentParser
import Foundation
import ServiceMapCore
import ServiceMapStore

/// `servicemap export`: the directory or its referral graph in other tools' formats. Each format
/// is written by its own extension (`Export+Graph.swift`, `Export+Directory.swift`).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the directory (xlsx, csv, hsds) or the referral graph (dot, mermaid, graphml).",
        discussion: "Formats not in this build exit with status 3 and say so."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case xlsx, csv, hsds, dot, mermaid, graphml
    }

    @Option(name: .long, help: "One of: \(Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: Format

    @Option(name: .shortAndLong, help: "The file or folder to write.")
    var output: String

    @OptionGroup var store: StoreOptions

    func run() throws {
        let console = Console()
        guard FileManager.default.fileExists(atPath: store.database) else {
            console.err("servicemap: no database at \(store.database); run `servicemap import` first")
            throw ExitCode(2)
        }
        let graph = try ServiceStore(path: store.database).loadGraph()
        switch format {
        case .dot, .mermaid, .graphml:
            try exportGraph(graph, format: format, to: output, console: console)
        case .xlsx, .csv, .hsds:
            try exportDirectory(graph, format: format, to: output, console: console)
        }
    }
}
