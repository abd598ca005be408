import Foundation
import Testing
import TestSupport
@testable import ServiceMapCLI
@testable import ServiceMapCore

/// Issue 7's practitioner: the command-line twin of the site's alternatives view, on the shipped data.
@Suite("Find on the shipped data")
struct FindShippedDataTests {
    let graph = ShippedData.graph

    func query(area: String? = nil, age: String? = nil, needs: [String] = [], referrer: String? = nil, below: String? = nil,
               selfReferral: Bool = false) throws -> ServiceQuery {
        try FindCommand.query(area: area, age: age, needs: needs, referrer: referrer, below: below, selfReferral: selfReferral, in: graph).get()
    }

    /// product.md: "a mother in Glasgow with a 14-month-old, low mood …, not in crisis" — services
    /// below statutory social work that her health visitor can refer her to, or point her to.
    ///
    /// In the shipped data no Glasgow parental mental health service has a recorded health-visitor
    /// route (000 names only the self-referral into the Primary Care Mental Health Team), so the
    /// answer is the services the family can refer themselves to, and the output says so.
    @Test func aGlasgowFamilyWithA14MonthOldAndLowMoodGetsServicesBelowSocialWork() throws {
        let q = try query(area: "Glasgow City", age: "14 months", needs: ["low mood"], referrer: "health visitor", below: "child in need")
        #expect(q == ServiceQuery(area: "glasgow-city", ageMonths: 14, needs: ["parental-mental-health"], referrer: .healthVisitor, below: .childInNeed))
        let matches = graph.find(q)
        #expect(matches.map(\.name) == ["Primary Care Mental Health Team"])
        for match in matches {
            let service = try #require(graph.services[match.service])
            #expect(!graph.isStatutorySocialWork(service))
            #expect(graph.rings(of: service).allSatisfy { !$0.isStatutory })
            #expect(graph.serves(service.areas, within: "glasgow-city"))
            // Reachable for this practitioner: her own route, any professional's, or the family's own.
            #expect(match.routes.contains { [.role(.healthVisitor), .role("any-professional"), .role(.self)].contains($0.from) })
            #expect(match.reasons.contains("helps with parental mental health"))
        }
        let text = FindCommand.text(matches, query: q, graph: graph)
        #expect(text.contains("how to refer: the family can refer themselves; no health visitor referral route is recorded: suggest the family refers themselves"))
        // Statutory social work is what "below" keeps out: without it, the social work teams appear.
        var withSocialWork = q
        withSocialWork.below = nil
        withSocialWork.referrer = nil
        #expect(graph.find(withSocialWork).contains { $0.name == "Adult Mental Health Social Work Teams" })
        #expect(!matches.contains { $0.name == "Adult Mental Health Social Work Teams" })
    }

    /// The same family in Bromley: the Children Project takes self-referrals and any professional's.
    @Test func aHealthVisitorInBromleyReachesTheChildrenProject() throws {
        let matches = graph.find(try query(area: "bromley", age: "14 months", needs: ["parenting"], referrer: "health visitor", below: "Tier 3"))
        #expect(matches.first?.name == "Bromley Children Project")
        #expect(matches.first?.reasons.contains("a health visitor can refer") == true)
        #expect(!matches.contains { $0.name == "Bromley Children and Families Hub" })
    }

    @Test func belowTakesALocalLevelOrARing() throws {
        #expect(try query(area: "bromley", below: "Tier 3").below == .childInNeed)
        #expect(try query(area: "glasgow-city", below: "Intensive support (social work involvement)").below == .childInNeed)
        #expect(try query(below: "3").below == .childInNeed)
        #expect(try query(age: "pregnant").ageMonths == -1)
        #expect(try query(age: "2 years").ageMonths == 24)
        #expect((try? query(below: "Tier 9")) == nil)
        #expect((try? query(area: "Atlantis")) == nil)
    }

    /// Pregnancy: Salford's Pathway B is for pregnant parents whom a midwife refers.
    @Test func aMidwifeWithAPregnantMotherInSalford() throws {
        let matches = graph.find(try query(area: "salford", age: "pregnant", referrer: "midwife"))
        let b = try #require(matches.first { $0.name == "Strengthening Families Pathway B (pre-birth)" })
        #expect(b.reasons.contains("works with pregnant parents"))
        #expect(b.routes.contains { $0.from == .role(.midwife) })
    }

    @Test func jsonIsTheRankedMatches() throws {
        let q = try query(area: "bromley", age: "14 months", referrer: "health visitor", below: "child in need")
        let matches = graph.find(q)
        let decoded = try JSONDecoder().decode([ServiceMatch].self, from: Data(FindCommand.json(matches).utf8))
        #expect(decoded == matches)
        #expect(decoded.map(\.score) == decoded.map(\.score).sorted(by: >))
    }
}
