import Foundation
import ServiceMapCore
import ServiceMapImport
import Testing
@testable import ServiceMapSite

/// Writes the sites the Python browser tests drive (Tests/browser/), when asked:
///
///     SERVICEMAP_BROWSER_FIXTURE=/tmp/servicemap-browser-fixture swift test --filter BrowserFixture
///
/// gives `family/` (the Glasgow and Bromley fixture), `hostile/` (the attacker's graph) and
/// `shipped/` (the directory in Data/).
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
        try Self.coreAnswers(for: SiteFixtures.family()).write(to: base.appendingPathComponent("family-core-answers.json"))
        // The shipped directory (Data/), as the default run would publish it.
        let imported = Importer().read([SiteFixtures.repoRoot.appendingPathComponent("Data").path])
        var assembler = GraphAssembler()
        assembler.add(imported.fragment)
        try SiteFixtures.build(assembler.assemble().0, into: base.appendingPathComponent("shipped"), options: SiteOptions())
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

    /// Queries the browser test asks the site, with ServiceGraph.find's answers (names in order,
    /// and the reasons given), so the site's JavaScript is checked against Core.
    static func coreAnswers(for graph: ServiceGraph) throws -> Data {
        var queries: [(String, ServiceQuery)] = []
        let areas: [AreaCode?] = [nil, "glasgow-city", "nhs-greater-glasgow-and-clyde", "scotland", "bromley"]
        let ages: [Int?] = [nil, -1, 0, 14, 48]
        let needSets: [[CategoryID]] = [[], ["parenting"], ["parental-mental-health", "poverty-and-housing"], ["domestic-abuse", "parenting", "perinatal"]]
        let roles: [ReferrerRole?] = [nil, .healthVisitor, .gp, .self, .socialWorker]
        var n = 0
        for area in areas {
            for age in ages {
                for needs in needSets {
                    for role in roles {
                        n += 1
                        guard n % 7 == 0 || (area == "glasgow-city" && role == .healthVisitor) else { continue }
                        let below: ContinuumRing? = n % 2 == 0 ? .statutorySocialWork : nil
                        let selfOnly = n % 11 == 0
                        var items: [URLQueryItem] = []
                        if let area { items.append(.init(name: "area", value: area.rawValue)) }
                        if let age { items.append(.init(name: "age", value: String(age))) }
                        for need in needs { items.append(.init(name: "need", value: need.rawValue)) }
                        if let role { items.append(.init(name: "role", value: role.rawValue)) }
                        if let below { items.append(.init(name: "below", value: String(below.rawValue))) }
                        if selfOnly { items.append(.init(name: "self", value: "1")) }
                        guard !items.isEmpty else { continue }
                        var components = URLComponents()
                        components.queryItems = items
                        queries.append((components.percentEncodedQuery ?? "", ServiceQuery(
                            area: area, ageMonths: age, needs: needs, referrer: role, below: below, selfReferralOnly: selfOnly)))
                    }
                }
            }
        }
        let answers = queries.map { query, q -> [String: Any] in
            let matches = graph.find(q)
            return ["query": query, "names": matches.map(\.name), "reasons": matches.map(\.reasons)]
        }
        return try JSONSerialization.data(withJSONObject: answers, options: [.prettyPrinted, .sortedKeys])
    }
}
