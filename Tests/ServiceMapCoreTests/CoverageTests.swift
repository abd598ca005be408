import Foundation
import Testing
@testable import ServiceMapCore

/// A small landscape for coverage: Scotland with two boards (one with two councils), and Bromley
/// with the adult mental health ↔ drug and alcohol "bounce" of 000 and a front door.
func coverageFixture() -> ServiceGraph {
    var g = ServiceGraph.empty
    let areas: [(String, String, AreaKind, String?)] = [
        ("scotland", "Scotland", .nation, nil),
        ("board-a", "NHS Board A", .healthBoard, "scotland"), ("board-b", "NHS Board B", .healthBoard, "scotland"),
        ("council-a1", "Council A1", .council, "board-a"), ("council-a2", "Council A2", .council, "board-a"),
        ("council-b1", "Council B1", .council, "board-b"),
        ("england", "England", .nation, nil), ("bromley", "Bromley", .council, "england"),
    ]
    for (code, name, kind, parent) in areas {
        g.areas[AreaCode(code)] = Area(code: AreaCode(code), name: name, kind: kind, parent: parent.map(AreaCode.init))
    }
    let levels: [(String, String, String, Int, ContinuumRing)] = [
        ("s-universal", "scotland", "Universal", 1, .universal), ("s-additional", "scotland", "Additional support", 2, .earlyHelp),
        ("s-intensive", "scotland", "Intensive support", 3, .childInNeed), ("s-cp", "scotland", "Child protection", 4, .childProtection),
        ("b-1", "bromley", "Tier 1", 1, .universal), ("b-2", "bromley", "Tier 2", 2, .earlyHelp),
        ("b-3", "bromley", "Tier 3", 3, .childInNeed), ("b-4", "bromley", "Tier 4", 4, .childProtection),
    ]
    for (id, area, name, order, ring) in levels {
        g.levels[LevelID(id)] = LevelOfNeed(id: LevelID(id), area: AreaCode(area), name: name, order: order, ring: ring)
    }
    func add(_ id: String, _ areas: [String], _ categories: [CategoryID], levels: [String] = [], sector: Sector? = nil,
             ages: AgeRange? = nil, status: ServiceStatus = .active, verified: Day? = nil) {
        g.services[ServiceID(id)] = Service(
            id: ServiceID(id), name: id.replacingOccurrences(of: "-", with: " ").capitalized, areas: areas.map(AreaCode.init),
            categories: categories, ages: ages, levels: levels.map(LevelID.init), status: status, lastVerified: verified, sector: sector)
    }
    // Scotland-wide, board-wide and council services.
    add("bookbug", ["scotland"], ["early-years", "parenting"], levels: ["s-universal"], ages: AgeRange(minMonths: 0, maxMonths: 59),
        verified: Day(year: 2026, month: 1, day: 10))
    add("imh-team", ["council-a1"], ["infant-mental-health"], levels: ["s-cp"], sector: .health, ages: AgeRange(minMonths: 0, maxMonths: 59))
    add("perinatal-team", ["board-a"], ["perinatal-mental-health"], sector: .health, verified: Day(year: 2025, month: 11, day: 21))
    add("old-group", ["board-b"], ["infant-mental-health"], status: .closed)
    add("duty-team", ["council-a1"], ["safeguarding"], levels: ["s-intensive", "s-cp"], sector: .socialWork)
    add("family-centre", ["council-a1"], ["parenting"], levels: ["s-additional"], ages: AgeRange(minMonths: 0, maxMonths: 59))
    // Bromley: a front door at Tier 4 and the bounce.
    add("hub", ["bromley"], ["safeguarding"], levels: ["b-4"], sector: .socialWork)
    add("social-work", ["bromley"], ["safeguarding"], levels: ["b-4"], sector: .socialWork)
    add("amh", ["bromley"], ["parental-mental-health"], sector: .health, ages: AgeRange(minMonths: 216, maxMonths: nil))
    add("drug-and-alcohol", ["bromley"], ["substance-use"], sector: .health)
    add("children-project", ["bromley"], ["parenting"], levels: ["b-1", "b-2", "b-3"], ages: AgeRange(minMonths: 0, maxMonths: 215))
    func route(_ from: Referrer, _ to: String, _ mode: ReferralMode, notes: String? = nil) {
        g.insert(ReferralRoute(from: from, to: ServiceID(to), mode: mode, notes: notes))
    }
    route(.role(.healthVisitor), "hub", .frontDoor)
    route(.role(.gp), "hub", .frontDoor)
    route(.service("hub"), "social-work", .frontDoor)
    route(.service("hub"), "children-project", .frontDoor)
    route(.role(.self), "children-project", .selfReferral)
    route(.role(.gp), "amh", .professional)
    route(.service("amh"), "drug-and-alcohol", .professional, notes: "parents 'bounce' between the two")
    route(.service("drug-and-alcohol"), "amh", .professional)
    route(.role(.healthVisitor), "family-centre", .professional)
    route(.role(.healthVisitor), "duty-team", .professional)
    route(.service("duty-team"), "imh-team", .professional)
    return g
}

@Suite("Coverage matrices")
struct CoverageMatrixTests {
    let graph = coverageFixture()

    @Test func aNationIsComparedBoardByBoard() {
        let matrix = graph.coverage(CoverageScope(areas: ["scotland"]))
        #expect(matrix.columns.map(\.code) == ["board-a", "board-b"])
        #expect(matrix.columns[0].levels.map(\.ring) == [.universal, .earlyHelp, .childInNeed, .childProtection])
        #expect(matrix.rows.first?.id == "parental-mental-health")  // taxonomy order, not alphabetical
        // Infant mental health: only in board A, through a council service; the closed one does not count.
        let imhA = matrix.total("board-a", "infant-mental-health")
        #expect(imhA?.services.map(\.service) == ["imh-team"])
        #expect(imhA?.services.first?.reach == .part("council-a1"))
        #expect(imhA?.state == .thin)
        #expect(matrix.total("board-b", "infant-mental-health")?.state == .empty)
        // At its ring, and nowhere else.
        #expect(matrix.cell("board-a", "infant-mental-health", ring: .childProtection)?.count == 1)
        #expect(matrix.cell("board-a", "infant-mental-health", ring: .universal)?.count == 0)
    }

    @Test func wideServicesServeEveryAreaWithinThemAndSaySo() {
        let matrix = graph.coverage(CoverageScope(areas: ["board-a"]))
        #expect(matrix.columns.map(\.code) == ["council-a1", "council-a2"])
        let early = matrix.total("council-a2", "early-years")
        #expect(early?.services.map(\.service) == ["bookbug"])
        #expect(early?.services.first?.reach == .wider("scotland"))
        #expect(early?.services.first?.reach.words(graph) == "covers all of Scotland")
        // The board-wide perinatal team counts for both councils, under parental mental health too
        // (perinatal mental health is below it), and at "level not stated".
        for council in ["council-a1", "council-a2"] as [AreaCode] {
            #expect(matrix.total(council, "parental-mental-health")?.services.map(\.service) == ["perinatal-team"])
            #expect(matrix.cell(council, "perinatal-mental-health", ring: nil)?.count == 1)
        }
        #expect(CoverageMatrix.countingRule.contains("Scotland-wide or board-wide service serves every board or council"))
    }

    @Test func areasCompareSideBySideOnTheCommonRings() {
        let matrix = graph.coverage(CoverageScope(areas: ["council-a1", "bromley"], categories: ["parenting"], rings: [.universal, .earlyHelp, .childInNeed]))
        #expect(matrix.title == "Council A1 beside Bromley")
        #expect(matrix.rows.map(\.id) == ["parenting"])
        #expect(matrix.rings == [.universal, .earlyHelp, .childInNeed])
        // Bookbug (Scotland universal) and the family centre (additional = early help) beside the
        // Children Project (tiers 1–3 = universal, early help, child in need).
        #expect(matrix.cell("council-a1", "parenting", ring: .universal)?.services.map(\.service) == ["bookbug"])
        #expect(matrix.cell("council-a1", "parenting", ring: .earlyHelp)?.services.map(\.service) == ["family-centre"])
        #expect(matrix.cell("council-a1", "parenting", ring: .childInNeed)?.state == .empty)
        #expect(matrix.cell("bromley", "parenting", ring: .childInNeed)?.services.map(\.service) == ["children-project"])
        #expect(matrix.total("bromley", "parenting")?.count == 1)
    }
}

@Suite("Graph findings")
struct GraphFindingTests {
    let graph = coverageFixture()

    @Test func theAdultMentalHealthDrugAndAlcoholBounceIsALoop() {
        #expect(graph.referralLoops() == [["amh", "drug-and-alcohol"]])
        let loops = graph.graphFindings(GraphFindingOptions(areas: ["bromley"])).filter { $0.kind == .referralLoop }
        #expect(loops.count == 1)
        #expect(loops.first?.services == ["amh", "drug-and-alcohol"])
        #expect(loops.first?.message.contains("can bounce between Amh and Drug And Alcohol") == true)
        #expect(loops.first?.message.contains("'bounce'") == true)
        // Not reported for Scotland, where neither service is.
        #expect(!graph.graphFindings(GraphFindingOptions(areas: ["scotland"])).contains { $0.kind == .referralLoop })
    }

    @Test func longerLoopsAreFoundToo() {
        var g = coverageFixture()
        g.insert(ReferralRoute(from: .service("children-project"), to: "amh", mode: .professional))
        g.insert(ReferralRoute(from: .service("drug-and-alcohol"), to: "children-project", mode: .professional))
        // Both elementary cycles: the two-service bounce and the three-service round.
        #expect(g.referralLoops() == [["amh", "drug-and-alcohol"], ["amh", "drug-and-alcohol", "children-project"]])
        let message = g.graphFindings(GraphFindingOptions(areas: ["bromley"])).filter { $0.kind == .referralLoop }.last?.message
        #expect(message?.contains("can bounce around Amh, Drug And Alcohol, Children Project") == true)
        #expect(message?.contains("Children Project refers to Amh (professional referral), and so back to the start.") == true)
    }

    @Test func reachWithoutSocialWorkStopsAtTheStatutoryFrontDoor() {
        let findings = graph.graphFindings(GraphFindingOptions(areas: ["bromley"], referrers: [.healthVisitor, .self]))
            .filter { $0.kind == .reachableWithoutSocialWork }
        #expect(findings.map(\.role) == [.healthVisitor, .self])
        // The health visitor's only Bromley route is to the statutory hub: nothing reachable.
        #expect(findings[0].services.isEmpty)
        #expect(findings[0].message.contains("can reach no recorded service without passing through statutory social work"))
        #expect(findings[1].services == ["children-project"])
    }

    @Test func deadEndsAndSinglePointsOfEntry() {
        let findings = graph.graphFindings(GraphFindingOptions(areas: ["bromley"]))
        let deadEnds = findings.filter { $0.kind == .deadEnd }.flatMap(\.services)
        #expect(deadEnds == ["children-project", "social-work"])
        // Tiers 1–3 have one service (the Children Project); at Tier 4 every way in from outside
        // the level goes to the hub, not to social work.
        let single = findings.filter { $0.kind == .singlePointOfEntry }
        #expect(single.map(\.level) == ["b-1", "b-2", "b-3", "b-4"])
        #expect(single.map { $0.services.first } == ["children-project", "children-project", "children-project", "hub"])
        #expect(single.last?.message == "In Bromley, every recorded way into Tier 4 (Child Protection) goes to Hub; "
            + "the level's 1 other service is reached only from inside the level or not at all.")
    }

    @Test func levelsWithNoServiceForANeed() {
        let findings = graph.graphFindings(GraphFindingOptions(areas: ["council-a2"], categories: ["parenting", "infant-mental-health"]))
            .filter { $0.kind == .levelWithoutService }
        // Universal has Bookbug (parenting) but no infant mental health; the rest have neither.
        #expect(findings.map(\.level) == ["s-universal", "s-additional", "s-intensive", "s-cp"])
        #expect(findings[0].categories == ["infant-mental-health"])
        #expect(findings[1].categories == ["parenting", "infant-mental-health"])
    }
}

@Suite("Data quality")
struct DataQualityTests {
    let graph = coverageFixture()

    @Test func staleIsRelativeToTodayAndTheThreshold() {
        let today = Day(year: 2026, month: 11, day: 21)
        func stale(_ months: Int, _ day: Day) -> [ServiceID] {
            graph.dataQuality(DataQualityOptions(staleAfterMonths: months, today: day)).filter { $0.kind == .stale }.map(\.service)
        }
        // perinatal-team was verified exactly 12 months ago: not yet "longer ago than" 12 months.
        #expect(stale(12, today) == [])
        #expect(stale(12, Day(year: 2026, month: 11, day: 22)) == ["perinatal-team"])
        #expect(stale(6, today) == ["bookbug", "perinatal-team"])
        let message = graph.dataQuality(DataQualityOptions(staleAfterMonths: 6, today: today)).first { $0.kind == .stale }?.message
        #expect(message == "Bookbug was last verified on 2026-01-10, 10 months before 2026-11-21 (more than 6 months): check it is still running and its details are right.")
    }

    @Test func neverVerifiedMissingRoutesAgesAndAreas() {
        var g = graph
        g.services["nowhere"] = Service(id: "nowhere", name: "Nowhere Group", categories: ["parenting"])
        let findings = g.dataQuality(DataQualityOptions(today: Day(year: 2026, month: 11, day: 21)))
        func of(_ kind: DataQualityFinding.Kind) -> Set<ServiceID> { Set(findings.filter { $0.kind == kind }.map(\.service)) }
        #expect(!of(.neverVerified).contains("bookbug"))
        #expect(of(.neverVerified).contains("amh"))
        #expect(of(.missingReferralRoutes) == ["bookbug", "perinatal-team", "nowhere"])
        #expect(of(.missingAges) == ["perinatal-team", "duty-team", "hub", "social-work", "drug-and-alcohol", "nowhere"])
        #expect(of(.missingArea) == ["nowhere"])
        #expect(!of(.neverVerified).contains("old-group"))  // closed services are not checked
        // With an area, only its services, and no area-less ones.
        let bromley = g.dataQuality(DataQualityOptions(areas: ["bromley"], today: Day(year: 2026, month: 11, day: 21)))
        #expect(Set(bromley.map(\.service)).isSubset(of: ["hub", "social-work", "amh", "drug-and-alcohol", "children-project"]))
    }

    @Test func addingMonthsClampsToTheMonth() {
        #expect(Day(year: 2024, month: 3, day: 31).adding(months: -1) == Day(year: 2024, month: 2, day: 29))
        #expect(Day(year: 2026, month: 1, day: 15).adding(months: -12) == Day(year: 2025, month: 1, day: 15))
        #expect(Day(year: 2026, month: 1, day: 15).adding(months: -13) == Day(year: 2024, month: 12, day: 15))
    }
}

@Suite("Gaps report output")
struct GapsReportOutputTests {
    let graph = coverageFixture()
    var report: GapsReport { graph.gaps(GapsOptions(areas: ["scotland"], today: Day(year: 2026, month: 11, day: 21))) }

    @Test func theTableFitsOneHundredColumnsAndMarksEmptyAndThinCells() {
        let text = report.table(graph)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.count <= 100, "too wide: \(line)")
        }
        #expect(text.contains("COVERAGE — Scotland: 2 areas side by side"))
        #expect(text.contains("Key: - no service (empty); 1! one service (thin)."))
        // Board B: infant mental health empty, early years thin (Bookbug only).
        let boardB = text.split(separator: "\n").first { $0.hasPrefix("NHS Board B") }.map(String.init) ?? ""
        let cells = boardB.split(separator: " ").suffix(16).map(String.init)
        #expect(cells[2] == "-")  // IMH
        #expect(cells[10] == "1!")  // EY
        #expect(text.contains("Early years and play: only Bookbug, in all 2 areas."))
    }

    @Test func csvHasOneShapeForEveryRow() {
        let csv = report.csv(graph)
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines[0] == "section,area,area_name,category,category_name,ring,ring_name,count,state,services,how_they_reach,kind,role,level,message,source")
        #expect(lines.contains("cell,board-a,NHS Board A,infant-mental-health,Infant mental health,5,Child Protection,1,thin,Imh Team,only in Council A1,,,,,"))
        #expect(lines.contains { $0.hasPrefix("quality,") && $0.contains(",never-verified,") })
        #expect(lines[1].hasPrefix("rule,"))
    }

    @Test func jsonRoundTrips() throws {
        let data = try JSONEncoder().encode(report)
        let back = try JSONDecoder().decode(GapsReport.self, from: data)
        #expect(back == report)
    }
}

@Suite("Find: services for parents")
struct FindParentServiceTests {
    let graph = coverageFixture()

    @Test func anAdultServiceServesTheFamilyOfAChildOfAnyAge() {
        for age in [-1, 0, 14, 60] {
            let matches = graph.find(ServiceQuery(area: "bromley", ageMonths: age, needs: ["parental-mental-health"]))
            #expect(matches.map(\.service) == ["amh"], "age \(age)")
            #expect(matches.first?.reasons.contains("a service for parents (18 years and over)") == true)
        }
        // A children's range still excludes an older child.
        #expect(graph.find(ServiceQuery(area: "council-a1", ageMonths: 72, needs: ["parenting"])).isEmpty)
        #expect(AgeRange(minMonths: 216, maxMonths: nil).servesFamily(ofChildAged: 14))
        #expect(!AgeRange(minMonths: 0, maxMonths: 59).servesFamily(ofChildAged: 72))
        #expect(!AgeRange(minMonths: 192, maxMonths: 300).isForParents)  // a 16–25 service is not "for parents"
    }
}
