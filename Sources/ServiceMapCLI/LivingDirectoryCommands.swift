import ArgumentParser
import Foundation

// The living-directory commands arrive with issue 8; each has its own file once written.

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Preview the site on 127.0.0.1, rebuilding on save (arrives with issue 8; not in this build).")
    func run() throws {
        Console().err("servicemap serve: not part of this build yet (issue 8)")
        throw ExitCode(3)
    }
}
