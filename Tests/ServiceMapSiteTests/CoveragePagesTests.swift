import Foundation
import ServiceMapCore
import ServiceMapImport
import Testing
import TestSupport
@testable import ServiceMapSite

/// The coverage section of the site, built from the shipped `Data/`.
@Suite("Coverage pages", .serialized)
struct CoveragePagesTests {
    static let shipped: ServiceGraph = {
        let result = Importer().read([repositoryRoot.appendingPathComponent("Data").path])
        var assembler = GraphAssembler()
        assembler.add(result.fragment)
        return assembler.assemble().0
    }()

    static let site: URL = {
        let out = SiteFixtures.temporaryFolder("coverage-site")
        _ = try! SiteFixtures.build(shipped, into: out)
        return out
    }()

    func page(_ path: String) throws -> String {
        try String(contentsOf: Self.site.appendingPathComponent(path), encoding: .utf8)
    }

    /// The row of a table whose header cell is `name`, as text between <tr> and </tr>.
    func row(_ html: String, _ name: String) -> String? {
        html.components(separatedBy: "<tr").first { $0.contains(">\(name)</th>") || $0.contains(">\(name)</a></th>") }
    }

    @Test func theIndexComparesTheFourteenBoardsAndShowsSpecialistInfantMentalHealthOnlyInGreaterGlasgow() throws {
        let html = try page("coverage/index.html")
        #expect(html.contains("<h2 id=\"m-scotland-heading\">Scotland: 14 areas side by side</h2>"))
        #expect(html.contains(CoverageMatrix.countingRule.replacingOccurrences(of: "\"", with: "&quot;")))
        let scotland = html.components(separatedBy: "id=\"m-scotland-heading\"")[1].components(separatedBy: "</section>")[0]
        let imh = try #require(row(scotland, "Infant mental health"))
        // Fourteen cells: one with 3 (Greater Glasgow and Clyde), thirteen empty and saying so in words.
        #expect(imh.components(separatedBy: "<td class=\"heat heat-0\">").count - 1 == 13)
        #expect(imh.contains("aria-label=\"NHS Greater Glasgow and Clyde, infant mental health: 3 services\"><span class=\"count\">3</span></a>"))
        #expect(imh.components(separatedBy: "<span class=\"word\">none</span>").count - 1 == 13)
        #expect(html.contains("<h2 id=\"m-glasgow-bromley-heading\">Glasgow City beside London Borough of Bromley</h2>"))
    }

    @Test func everyBoardAndCouncilHasAPrintableReport() throws {
        let boards = Self.shipped.areas.values.filter { $0.kind == .healthBoard || $0.kind == .council }
        #expect(boards.count >= 46)
        for area in boards {
            let path = Self.site.appendingPathComponent("coverage/\(Slug.make(area.code.rawValue)).html").path
            #expect(FileManager.default.fileExists(atPath: path), "\(area.code)")
        }
        let ggc = try page("coverage/nhs-greater-glasgow-and-clyde.html")
        #expect(ggc.contains("<h1>Coverage: NHS Greater Glasgow and Clyde</h1>"))
        #expect(ggc.contains("data-print>Print this report</button>"))
        // The board's councils side by side, then its own needs by ring with the services named.
        #expect(ggc.contains("NHS Greater Glasgow and Clyde: 6 areas side by side"))
        let imh = try #require(row(ggc.components(separatedBy: "levels-heading").last ?? "", "Infant mental health"))
        #expect(imh.contains("Glasgow Infant and Family Team (GIFT)</a> <span class=\"hint\">only in Glasgow City</span>"))
        #expect(imh.contains("Wee Minds Matter"))
        let bromley = try page("coverage/bromley.html")
        #expect(bromley.contains("can bounce between Adult mental health services (Bromley) and Drug and alcohol service (Bromley)"))
        #expect(bromley.contains("Tier 3"))  // the local level under its ring
        let borders = try page("coverage/nhs-borders.html")
        #expect(borders.contains("Bookbug</a> <span class=\"hint\">covers all of Scotland</span>"))
    }

    @Test func coverageIsInTheNavigationAndTheBuildIsDeterministic() throws {
        #expect(try page("index.html").contains("<a href=\"coverage/index.html\">Coverage</a>"))
        let again = SiteFixtures.temporaryFolder("coverage-site-2")
        _ = try SiteFixtures.build(Self.shipped, into: again)
        for path in ["coverage/index.html", "coverage/bromley.html", "coverage/scotland.html"] {
            #expect(try String(contentsOf: again.appendingPathComponent(path), encoding: .utf8) == page(path), "\(path)")
        }
    }
}
