import Foundation
import ServiceMapCore
import Testing
@testable import ServiceMapSite

/// Writes the sites the Python browser tests drive (Tests/browser/), when asked:
///
///     SERVICEMAP_BROWSER_FIXTURE=/tmp/servicemap-browser-fixture swift test --filter BrowserFixture
///
/// gives `family/` (the Glasgow and Bromley fixture) and `hostile/` (the attacker's graph).
/// With SERVICEMAP_SITE_BENCH=N it also builds N synthetic services into `synthetic/` and prints
/// the time each step took (a measurement, not a timed test).
@Suite("Browser fixture")
struct BrowserFixture {
    @Test func writeFixtureSites() throws {
        guard let folder = ProcessInfo.processInfo.environment["SERVICEMAP_BROWSER_FIXTURE"], !folder.isEmpty else { return }
        let base = URL(fileURLWithPath: folder)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try SiteFixtures.build(SiteFixtures.family(), into: base.appendingPathComponent("family"))
        try SiteFixtures.build(SiteFixtures.hostile(), into: base.appendingPathComponent("hostile"))
        if let n = ProcessInfo.processInfo.environment["SERVICEMAP_SITE_BENCH"].flatMap(Int.init), n > 0 {
            let graph = SiteFixtures.synthetic(count: n)
            let start = Date()
            let report = try SiteBuilder(graph: graph, theme: SiteFixtures.theme, output: base.appendingPathComponent("synthetic"),
                                         options: SiteOptions(title: "Synthetic directory (benchmark data)")).build()
            print("synthetic \(n): \(String(format: "%.2f", Date().timeIntervalSince(start))) s, \(report.pages) pages, \(report.files) files, \(report.bytes / 1_048_576) MiB")
            for step in report.steps { print("  \(step.name): \(String(format: "%.2f", step.seconds)) s") }
        }
        #expect(FileManager.default.fileExists(atPath: base.appendingPathComponent("family/index.html").path))
    }
}
