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
