import ArgumentParser
import Foundation

struct GapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Coverage matrices and gaps for executive leads (arrives with issue 7; not in this build).",
        discussion: "This build does not compute coverage yet: the command exits with status 3."
    )

    func run() throws {
        Console().err("servicemap gaps: coverage reports are not part of this build yet (issue 7)")
        throw ExitCode(3)
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the directory as xlsx, csv, Open Referral HSDS, or the referral graph as DOT/Mermaid/GraphML (arrives with issues 6 and 8; not in this build).",
        discussion: "This build cannot export yet: the command exits with status 3."
    )

    func run() throws {
        Console().err("servicemap export: exporting is not part of this build yet (issues 6 and 8)")
        throw ExitCode(3)
    }
}
