import Testing
@testable import ServiceMapCore

/// A hand-built graph from the seeds: Bromley's Hub and Children Project, Glasgow's duty team and GIFT.
func seedGraph() -> ServiceGraph {
    var g = ServiceGraph.empty
    for (code, name, kind, parent) in [("scotland", "Scotland", AreaKind.nation, nil), ("glasgow-city", "Glasgow City", .council, "scotland"),
                                       ("england", "England", .nation, nil), ("bromley", "Bromley", .council, "england")] as [(String, String, AreaKind, String?)] {
        g.areas[AreaCode(code)] = Area(code: AreaCode(code), name: name, kind: kind, parent: parent.map(AreaCode.init))
    }
    let levels: [(String, String, Int, ContinuumRing)] = [
        ("b1", "bromley", 1, .universal), ("b2", "bromley", 2, .earlyHelp), ("b4", "bromley", 4, .childInNeed),
        ("s1", "scotland", 1, .universal), ("s3", "scotland", 3, .childProtection), ("s5", "scotland", 5, .court),
    ]
    for (id, area, order, ring) in levels {
        g.levels[LevelID(id)] = LevelOfNeed(id: LevelID(id), area: AreaCode(area), name: id, order: order, ring: ring)
    }
    func add(_ id: String, _ area: String, _ levels: [String], _ sector: Sector, categories: [CategoryID] = []) {
        g.services[ServiceID(id)] = Service(id: ServiceID(id), name: id, areas: [AreaCode(area)], categories: categories,
                                            levels: levels.map(LevelID.init), sector: sector)
    }
    add("hub", "bromley", ["b4"], .socialWork)
    add("bcp", "bromley", ["b1", "b2"], .socialWork, categories: ["parenting"])
    add("duty-team", "glasgow-city", ["s3"], .socialWork)
    add("gift", "glasgow-city", ["s3", "s5"], .health, categories: ["infant-mental-health"])
    add("hv-glasgow", "glasgow-city", ["s1"], .health)
    g.insert(ReferralRoute(from: .role(.healthVisitor), to: "hub", mode: .frontDoor))
    g.insert(ReferralRoute(from: .role(.gp), to: "hub", mode: .frontDoor))
    g.insert(ReferralRoute(from: .service("hub"), to: "bcp", mode: .frontDoor, kind: .stepDown))
    g.insert(ReferralRoute(from: .role(.healthVisitor), to: "bcp", mode: .professional))
    g.insert(ReferralRoute(from: .role(.self), to: "bcp", mode: .selfReferral))
    g.insert(ReferralRoute(from: .role(.healthVisitor), to: "duty-team", mode: .professional))
    g.insert(ReferralRoute(from: .service("hv-glasgow"), to: "duty-team", mode: .professional, kind: .stepUp))
    g.insert(ReferralRoute(from: .service("duty-team"), to: "gift", mode: .professional))
    g.insert(ReferralRoute(from: .role(.court), to: "gift", mode: .courtDirected))
    g.insert(ReferralRoute(from: .role(.midwife), to: "hv-glasgow", mode: .professional))
    return g
}

@Suite("Referral network questions")
struct ReferralNetworkTests {
    let network = ReferralNetwork(seedGraph())

    @Test func statutorySocialWorkIsRecognised() {
        let g = seedGraph()
        #expect(g.isStatutorySocialWork(g.services["hub"]!))
        #expect(g.isStatutorySocialWork(g.services["duty-team"]!))
        #expect(!g.isStatutorySocialWork(g.services["bcp"]!))  // social work sector, but works below the threshold
        #expect(!g.isStatutorySocialWork(g.services["gift"]!))  // health
    }

    @Test func healthVisitorReachesBromleyChildrenProjectWithoutSocialWork() {
        let reach = network.reachableWithoutSocialWork(from: .healthVisitor)
        #expect(reach.map(\.service).contains("bcp"))
        #expect(!reach.map(\.service).contains("hub"))
        #expect(reach.first { $0.service == "bcp" }?.path.count == 1)
    }

    @Test func giftIsReachableOnlyThroughCourtOrSocialWork() {
        #expect(!network.reachableWithoutSocialWork(from: .healthVisitor).map(\.service).contains("gift"))
        #expect(!network.reachableWithoutSocialWork(from: .midwife).map(\.service).contains("gift"))
        #expect(network.reachableWithoutSocialWork(from: .court).map(\.service) == ["gift"])
        // Through any service, a health visitor does reach GIFT — via the duty team.
        #expect(network.reachable(from: .healthVisitor).contains("gift"))
    }

    @Test func areaLimitsReach() {
        #expect(network.reachableWithoutSocialWork(from: .healthVisitor, in: "glasgow-city").isEmpty)
        #expect(network.reachableWithoutSocialWork(from: .healthVisitor, in: "bromley").map(\.service) == ["bcp"])
    }

    @Test func shortestPathFollowsRoutes() throws {
        let path = try #require(network.shortestPath(from: "hv-glasgow", to: "gift"))
        #expect(path.map(\.to) == ["duty-team", "gift"])
        #expect(network.shortestPath(from: "gift", to: "hv-glasgow") == nil)
        #expect(network.shortestPath(from: "bcp", to: "bcp") == [])
    }

    @Test func findAnswersTheAlternativesQuestion() {
        let g = seedGraph()
        let matches = g.find(.alternatives(area: "bromley", ageMonths: 14, needs: ["parenting"], referrer: .healthVisitor))
        #expect(matches.map(\.service) == ["bcp"])
        #expect(matches[0].selfReferral)
        #expect(matches[0].reasons.contains("a health visitor can refer"))
        // The Hub is statutory: never an alternative to social work.
        #expect(!g.find(.alternatives(area: "bromley", ageMonths: nil, needs: [], referrer: nil)).map(\.service).contains("hub"))
    }
}
