import ArgumentParser
import Foundation
import ServiceMapCore
import ServiceMapSite

extension ExportCommand {
    /// The referral graph as DOT, Mermaid or GraphML (issue 6), written by ServiceMapSite's
    /// `ReferralGraphExport` so the site and the command line share one writer.
    func exportGraph(_ graph: ServiceGraph, format: Format, to output: String, console: Console) throws {
        guard let graphFormat = ReferralGraphExport.Format(rawValue: format.rawValue) else {
            console.err("servicemap export: \(format.rawValue) is not a graph format")
            throw ExitCode(2)
        }
        let text = ReferralGraphExport.render(graph, as: graphFormat)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            console.err("servicemap export: cannot write \(output): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        console.out("wrote \(graph.services.count) services and \(graph.routes.count) routes as \(format.rawValue) to \(output)")
    }
}
