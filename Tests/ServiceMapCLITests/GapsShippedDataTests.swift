import Foundation
import Testing
import TestSupport
@testable import ServiceMapCLI
@testable import ServiceMapCore

/// The shipped `Data/`, read once for the coverage and find tests.
enum ShippedData {
    static let folder = repositoryRoot.appendingPathComponent("Data").path
    static let graph: ServiceGraph = ImportPipeline(paths: [folder]).check().graph
    static let today = Day(year: 2026, month: 11, day: 21)
}

/// Issue 7's "done means", on the shipped data: what an executive lead sees.
@Suite("Gaps on the shipped data")
struct GapsShippedDataTests {
    let graph = ShippedData.graph

    /// 004: one specialist infant mental health service in all of Scotland, in Greater Glasgow and
    /// Clyde. The data tags GIFT (004) and, from later seeds, Wee Minds Matter (000) and the Glasgow
    /// IPS trial team (002) as infant mental health: all three are in Greater Glasgow and Clyde.
    @Test func scotlandShowsSpecialistInfantMentalHealthOnlyInGreaterGlasgowAndClyde() throws {
        let matrix = graph.coverage(CoverageScope(areas: ["scotland"]))
        #expect(matrix.columns.count == 14)
        #expect(matrix.columns.allSatisfy { $0.kind == .healthBoard })
        let covered = matrix.columns.filter { (matrix.total($0.code, "infant-mental-health")?.count ?? 0) > 0 }.map(\.code)
        #expect(covered == ["nhs-greater-glasgow-and-clyde"])
        let cell = try #require(matrix.total("nhs-greater-glasgow-and-clyde", "infant-mental-health"))
        #expect(cell.services.map(\.name) == ["Glasgow Infant and Family Team (GIFT)", "Infant Parent Support (IPS)", "Wee Minds Matter"])
        // GIFT is the one 004 mapped; it works in Glasgow City, counted for the board as "only in".
        let gift = try #require(cell.services.first)
        #expect(gift.reach == .part("glasgow-city"))
        #expect(graph.services[gift.service]?.sources.citations.contains { $0.hasPrefix("004") } == true)
        // Every other board's cell is empty, at every ring.
        for column in matrix.columns where column.code != "nhs-greater-glasgow-and-clyde" {
            #expect(matrix.total(column.code, "infant-mental-health")?.state == .empty)
            for ring in ContinuumRing.allCases {
                #expect(matrix.cell(column.code, "infant-mental-health", ring: ring)?.count == 0)
            }
        }
        // The specialist service sits at child protection and court; nothing below statutory social work.
        #expect(matrix.cell("nhs-greater-glasgow-and-clyde", "infant-mental-health", ring: .court)?.services.map(\.name)
            == ["Glasgow Infant and Family Team (GIFT)"])
        #expect(matrix.cell("nhs-greater-glasgow-and-clyde", "infant-mental-health", ring: .earlyHelp)?.state == .empty)
    }

    /// Scotland-wide provision counts for every board, and says so.
    @Test func nationalServicesCountForEveryBoard() throws {
        let matrix = graph.coverage(CoverageScope(areas: ["scotland"], categories: ["early-years"]))
        for column in matrix.columns {
            let bookbug = matrix.total(column.code, "early-years")?.services.first { $0.name == "Bookbug" }
            #expect(bookbug?.reach == .wider("scotland"), "\(column.name)")
        }
        // The Family Nurse Partnership of each board counts for its own board only.
        let perinatal = graph.coverage(CoverageScope(areas: ["scotland"], categories: ["perinatal"]))
        for column in perinatal.columns {
            let fnp = perinatal.total(column.code, "perinatal")?.services.filter { $0.name == "Family Nurse Partnership" } ?? []
            #expect(fnp.count == 1 && fnp[0].reach == .area, "\(column.name)")
        }
    }

    /// Glasgow beside Bromley, compared on the rings.
    @Test func glasgowBesideBromleyOnTheCommonScale() {
        let matrix = graph.coverage(CoverageScope(areas: ["glasgow-city", "bromley"], categories: ["infant-mental-health"]))
        #expect(matrix.columns.map(\.code) == ["glasgow-city", "bromley"])
        // Both IPS teams sit at Child in Need though one is "Intensive support" and the other "Tier 3".
        #expect(matrix.cell("glasgow-city", "infant-mental-health", ring: .childInNeed)?.services.map(\.name) == ["Infant Parent Support (IPS)"])
        #expect(matrix.cell("bromley", "infant-mental-health", ring: .childInNeed)?.services.map(\.name) == ["Infant Parent Support (IPS)"])
        #expect(matrix.columns[0].levels.first { $0.ring == .childInNeed }?.name == "Intensive support (social work involvement)")
        #expect(matrix.columns[1].levels.first { $0.ring == .childInNeed }?.name == "Tier 3")
    }

    /// 000: parents who self-medicate "bounce" between adult mental health and drug and alcohol
    /// services. 000 reports it in both sites, and the shipped data records the two routes in each.
    @Test func theAdultMentalHealthDrugAndAlcoholLoopIsFoundWhereTheDataHasIt() throws {
        let amh = try #require(graph.services.values.first { $0.name == "Adult mental health services (Bromley)" })
        let da = try #require(graph.services.values.first { $0.name == "Drug and alcohol service (Bromley)" })
        #expect(graph.referralLoops().contains([amh.id, da.id].sorted()))
        let findings = graph.graphFindings(GraphFindingOptions(areas: ["bromley"])).filter { $0.kind == .referralLoop }
        let loop = try #require(findings.first { Set($0.services) == [amh.id, da.id] })
        #expect(loop.message.hasPrefix("Families in London Borough of Bromley can bounce between Adult mental health services (Bromley) and Drug and alcohol service (Bromley)"))
        #expect(loop.message.contains("The source notes this 'bounce' as a problem for parents."))
        let glasgowAMH = try #require(graph.services.values.first { $0.name == "Adult mental health services (Glasgow)" })
        let addictions = try #require(graph.services.values.first { $0.name == "Addictions Services" })
        let glasgow = graph.graphFindings(GraphFindingOptions(areas: ["glasgow-city"])).filter { $0.kind == .referralLoop }
        #expect(glasgow.contains { Set($0.services) == [glasgowAMH.id, addictions.id] })
    }

    @Test func shippedRecordsAreAllNeverVerified() {
        let findings = graph.dataQuality(DataQualityOptions(today: ShippedData.today))
        let running = graph.services.values.filter { $0.status != .closed }
        #expect(findings.filter { $0.kind == .neverVerified }.count == running.count)
        #expect(!findings.contains { $0.kind == .stale })
        // Every finding points back at the file it came from.
        #expect(findings.allSatisfy { finding in [".xlsx", ".csv", ".md"].contains { finding.source?.file.hasSuffix($0) == true } })
    }
}
