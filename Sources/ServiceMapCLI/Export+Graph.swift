import ArgumentParser
import Foundation
import ServiceMapCore

extension ExportCommand {
    /// The referral graph as DOT, Mermaid or GraphML (issue 6).
    func exportGraph(_ graph: ServiceGraph, format: Format, to output: String, console: Console) throws {
        console.err("servicemap export: --format \(format.rawValue) is not part of this build yet (issue 6)")
        throw ExitCode(3)
    }
}
