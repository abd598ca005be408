import Foundation
import ServiceMapCore

/// All printing happens here: diagnostics to standard error in `file:place: severity: message [code]`
/// form, results to standard output, and progress only when standard error is a terminal.
struct Console {
    var showNotes = false
    var quiet = false
    let isTerminal = isatty(STDERR_FILENO) != 0

    func out(_ text: String) {
        print(text)
    }

    func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Progress for long work: `[2/4] reading 12 files`. Shown on a terminal, or always unless quiet.
    func step(_ index: Int, _ count: Int, _ text: String) {
        guard !quiet else { return }
        err("[\(index)/\(count)] \(text)")
    }

    /// Progress already numbered by the library (the site builder says `[2/7] render pages`).
    func progress(_ text: String) {
        guard !quiet else { return }
        err(text)
    }

    func report(_ diagnostics: [Diagnostic]) {
        for d in diagnostics where d.severity != .note || showNotes {
            err(d.description)
        }
    }

    func summary(_ diagnostics: [Diagnostic]) -> String {
        func count(_ s: Severity) -> Int { diagnostics.filter { $0.severity == s }.count }
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return "\(plural(count(.error), "error")), \(plural(count(.warning), "warning")), \(plural(count(.note), "note"))"
    }
}

/// Exit codes: 0 clean (warnings allowed), 1 data errors, 2 usage or environment problems.
enum ExitStatus {
    static func forDiagnostics(_ diagnostics: [Diagnostic]) -> Int32 {
        diagnostics.hasErrors ? 1 : 0
    }
}
