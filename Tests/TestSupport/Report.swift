import Foundation

/// Prints a line of a test's own report (what a corpus file gave, a check skipped) to standard
/// error. Standard output is not the tests' to write: the command tests capture it, for the whole
/// process, while a command runs, and a line printed by a test running beside them would land in
/// the command's output (it did: a review test once read an HSDS corpus line as its first line).
public func report(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
