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
        root = Scratch.folder("test")
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

/// A unique temporary file path (not created), in the process's scratch folder.
public func temporaryPath(_ name: String) -> String {
    Scratch.root.appendingPathComponent("\(UUID().uuidString)-\(name)").path
}

/// One folder per test process for everything the tests write, removed when the process exits,
/// so a run leaves nothing in the system's temporary folder (a test that stops half way included).
public enum Scratch {
    public static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("servicemap-tests-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Scratch.root) }
        return url
    }()

    /// A fresh, unique path in the scratch folder (not created), named for what it holds.
    public static func folder(_ name: String) -> URL {
        root.appendingPathComponent("\(name)-\(UUID().uuidString)")
    }
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
