import ArgumentParser
@testable import ServiceMapCLI

/// Runs a subcommand in-process and returns its exit code.
func run(_ arguments: [String]) -> Int32 {
    do {
        var command = try ServiceMapCommand.parseAsRoot(arguments)
        try command.run()
        return 0
    } catch {
        return ServiceMapCommand.exitCode(for: error).rawValue
    }
}
