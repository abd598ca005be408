import Foundation
import Testing
@testable import ServiceMapSite

/// The site's file writer: files written off the rendering threads, failures not lost.
@Suite("File writer")
struct FileWriterTests {
    @Test func writesEveryQueuedFileAndReportsAFailure() throws {
        let folder = SiteFixtures.temporaryFolder("writer")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let writer = FileWriter(limit: 4)
        defer { writer.close() }
        for i in 0..<50 { try writer.enqueue(.text("page \(i)"), to: folder.appendingPathComponent("p\(i).html").path) }
        try writer.drain()
        #expect(try String(contentsOf: folder.appendingPathComponent("p49.html"), encoding: .utf8) == "page 49")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 50)
        // A file that cannot be created fails the next drain, and later writes, with its path.
        try writer.enqueue(.bytes(Array("x".utf8)), to: folder.appendingPathComponent("missing/p.html").path)
        #expect { try writer.drain() } throws: { "\($0)".contains("missing/p.html") }
        #expect(throws: SiteBuildError.self) { try writer.enqueue(.text("late"), to: folder.appendingPathComponent("late.html").path) }
    }
}
