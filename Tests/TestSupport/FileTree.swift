import Foundation

/// Writes inline file trees for tests, Hugo-style:
///
///     -- Data/areas.csv --
///     Code,Name,Kind
///     scotland,Scotland,nation
///
/// into a fresh temporary folder, and removes it when asked.
public struct FileTree {
    public let root: URL

    public init(_ text: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("servicemap-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var current: String?
        var lines: [String] = []
        func flush() throws {
            guard let path = current else { return }
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        }
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("-- ") && line.hasSuffix(" --") && line.count > 6 {
                try flush()
                current = String(line.dropFirst(3).dropLast(3))
                lines = []
            } else if current != nil {
                lines.append(line)
            }
        }
        try flush()
    }

    public func path(_ relative: String = "") -> String {
        relative.isEmpty ? root.path : root.appendingPathComponent(relative).path
    }

    public func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// A unique temporary file path (not created).
public func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("servicemap-\(UUID().uuidString)-\(name)").path
}

/// The repository's root folder, found from this source file's place.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shared corpus beside the repository (`../shared/corpus`).
public let corpusRoot: URL = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")

/// Removes a SQLite database and its WAL and shared-memory files.
public func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}
