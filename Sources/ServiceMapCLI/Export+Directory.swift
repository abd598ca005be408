import ArgumentParser
import Foundation
import ServiceMapCore

extension ExportCommand {
    /// The directory as servicemap's own xlsx or CSV import layout, or Open Referral HSDS (issue 8).
    func exportDirectory(_ graph: ServiceGraph, format: Format, to output: String, console: Console) throws {
        console.err("servicemap export: --format \(format.rawValue) is not part of this build yet (issue 8)")
        throw ExitCode(3)
    }
}
