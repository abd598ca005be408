import ArgumentParser
import Foundation
import ServiceMapCore
import ServiceMapImport

extension ExportCommand {
    /// The directory as servicemap's own xlsx or CSV import layout, or Open Referral HSDS.
    func exportDirectory(_ graph: ServiceGraph, format: Format, to output: String, console: Console) throws {
        let url = URL(fileURLWithPath: output)
        switch format {
        case .xlsx:
            try DirectoryWriter.writeXLSX(graph, to: url)
            console.err("wrote \(graph.services.count) services, \(graph.routes.count) referral routes, \(graph.organisations.count) organisations, \(graph.areas.count) areas and \(graph.levels.count) levels to \(output)")
        case .csv:
            try DirectoryWriter.writeCSV(graph, to: url)
            console.err("wrote \(DirectoryTables.tables(for: graph).count) CSV files (\(graph.services.count) services, \(graph.routes.count) referral routes) to \(output)/")
        case .hsds:
            let written = try HSDSWriter(graph: graph).write(to: url)
            console.err("wrote Open Referral HSDS 3.0: \(graph.services.count) services as JSON (\(written.json.joined(separator: ", "))) and a CSV data package of \(written.tables.count) tables to \(output)/")
        default:
            console.err("servicemap export: --format \(format.rawValue) is not a directory format")
            throw ExitCode(2)
        }
        if format != .hsds {
            for note in DirectoryTables.lossyFields(graph) { console.err("note: \(note)") }
        }
    }
}
