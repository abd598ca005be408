import Foundation
import Testing
import ServiceMapCore
import ServiceMapImport

/// The shipped `Data/` folder is the input of the default run: it must import with zero errors
/// and say what the seed documents say. Each check names the seed it comes from.
@Suite("Shipped data")
struct ShippedDataTests {
    static let dataFolder: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data").path

    static let imported: (graph: ServiceGraph, diagnostics: [Diagnostic]) = {
        let result = Importer().read([dataFolder])
        var assembler = GraphAssembler()
        assembler.add(result.fragment)
        let (graph, diagnostics) = assembler.assemble()
        return (graph, result.fragment.diagnostics + diagnostics)
    }()

    var graph: ServiceGraph { Self.imported.graph }

    func service(_ name: String, in area: AreaCode) throws -> Service {
        let matches = graph.sortedServices.filter { $0.name == name && graph.serves($0.areas, within: area) }
        #expect(matches.count == 1, "expected one '\(name)' in \(area), found \(matches.count)")
        return try #require(matches.first)
    }

    func referrers(of service: Service) -> Set<Referrer> {
        Set(graph.routes(into: service.id).map(\.from))
    }

    @Test func importsWithZeroErrors() {
        let errors = Self.imported.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map(\.description).joined(separator: "\n"))")
        #expect(graph.services.count > 60)
    }

    @Test func scotlandHasFourteenBoardsAndThirtyTwoCouncils() throws {
        let boards = graph.areas.values.filter { $0.kind == .healthBoard && $0.parent == "scotland" }
        #expect(boards.count == 14)
        let boardCodes = Set(boards.map(\.code))
        let councils = graph.areas.values.filter { $0.kind == .council && $0.parent.map(boardCodes.contains) == true }
        #expect(councils.count == 32)
        // Public fact: spot-check the council → board mapping.
        let expected: [AreaCode: AreaCode] = [
            "glasgow-city": "nhs-greater-glasgow-and-clyde", "highland": "nhs-highland", "argyll-and-bute": "nhs-highland",
            "east-ayrshire": "nhs-ayrshire-and-arran", "north-ayrshire": "nhs-ayrshire-and-arran", "south-ayrshire": "nhs-ayrshire-and-arran",
            "clackmannanshire": "nhs-forth-valley", "falkirk": "nhs-forth-valley", "stirling": "nhs-forth-valley",
            "moray": "nhs-grampian", "fife": "nhs-fife", "na-h-eileanan-siar": "nhs-western-isles",
        ]
        for (council, board) in expected {
            #expect(graph.areas[council]?.parent == board, "\(council) should be in \(board)")
        }
        #expect(graph.areas["bromley"]?.parent == "london")
        #expect(graph.areas["salford"]?.parent == "greater-manchester")
    }

    @Test func everyLevelMapsToARingInOrder() {
        for area in ["bromley", "scotland", "salford"] as [AreaCode] {
            let framework = graph.framework(for: area)
            #expect(!framework.isEmpty, "no framework for \(area)")
            let rings = framework.map(\.ring)
            #expect(rings.allSatisfy { $0 != nil })
            #expect(rings.compactMap { $0 } == rings.compactMap { $0 }.sorted(), "rings go down in \(area)")
        }
        #expect(graph.framework(for: "bromley").count == 4)  // 000: the 4 levels of need
    }

    @Test func giftIsInGreaterGlasgowAtChildProtectionAndCourtLevels() throws {
        let gift = try service("Glasgow Infant and Family Team (GIFT)", in: "nhs-greater-glasgow-and-clyde")
        let rings = graph.rings(of: gift)
        #expect(rings.contains(.childProtection))
        #expect(rings.contains(.court))
        #expect(!graph.worksBelowStatutory(gift))
        #expect(gift.categories.contains("infant-mental-health"))
        #expect(referrers(of: gift).contains(.role(.court)))
    }

    @Test func bromleyHubReferrersIncludeGPsSchoolsHealthVisitorsAndPolice() throws {
        let hub = try service("Bromley Children and Families Hub", in: "bromley")
        let from = referrers(of: hub)
        for role in [ReferrerRole.gp, .school, .healthVisitor, .police] {
            #expect(from.contains(.role(role)), "hub should be referred to by \(role)")
        }
        #expect(graph.isStatutorySocialWork(hub))
    }

    @Test func bromleyChildrenProjectTakesSelfReferralsAtTiersOneToThree() throws {
        let bcp = try service("Bromley Children Project", in: "bromley")
        #expect(graph.routes(into: bcp.id).contains { $0.from == .role(.self) && $0.mode == .selfReferral })
        let orders = bcp.levels.compactMap { graph.levels[$0] }.filter { $0.area == "bromley" }.map(\.order).sorted()
        #expect(orders == [1, 2, 3])
    }

    /// 004 found only one specialist infant mental health service in Scotland (GIFT). Later seeds
    /// add Wee Minds Matter (000, 2023) and the IPS trial (002); those cite 000/002, not 004.
    @Test func scotlandHasOneSpecialistInfantMentalHealthServiceIn004() throws {
        let scottish = graph.sortedServices.filter { graph.serves($0.areas, within: "scotland") && !$0.areas.isEmpty }
        let fromMapping = scottish.filter { service in
            service.categories.contains("infant-mental-health")
                && service.sources.citations.contains { $0.hasPrefix("004") }
        }
        #expect(fromMapping.map(\.name) == ["Glasgow Infant and Family Team (GIFT)"])
        // Nothing else sourced from 004 is tagged infant mental health: the pockets of
        // parent-infant interventions are not specialist services (004).
        let tagged = graph.sortedServices.filter { $0.categories.contains("infant-mental-health") }
        #expect(tagged.filter { $0.sources.citations.contains { $0.hasPrefix("004") } }.count == 1)
    }

    @Test func salfordStrengtheningFamiliesPathways() throws {
        let b = try service("Strengthening Families Pathway B (pre-birth)", in: "salford")
        let from = referrers(of: b)
        for role in [ReferrerRole.gp, .socialWorker, .midwife] {
            #expect(from.contains(.role(role)))
        }
        let c = try service("Strengthening Families Pathway C (post-birth to school readiness)", in: "salford")
        #expect(graph.routes(outOf: b.id).contains { $0.to == c.id })
        #expect(b.eligibility.contains(EligibilityRule(.requires, .previousChildRemoved)))
    }

    @Test func infantParentSupportInBothTrialSites() throws {
        for area in ["glasgow-city", "bromley"] as [AreaCode] {
            let ips = try service("Infant Parent Support (IPS)", in: area)
            #expect(ips.status == .pilot)
            #expect(ips.eligibility.contains(EligibilityRule(.requires, .allocatedSocialWorker)))
            #expect(ips.eligibility.contains(EligibilityRule(.excludes, .childProtectionPlan)))
            #expect(referrers(of: ips).contains(.role(.socialWorker)))
        }
    }

    @Test func familySupportIsReachableWithoutSocialWork() throws {
        let primaryCare = try service("Primary Care Mental Health Team", in: "glasgow-city")
        #expect(graph.routes(into: primaryCare.id).contains { $0.mode == .selfReferral })
        for name in ["Health and Social Care Connect", "Children and Families Duty Teams", "Social Care Direct"] {
            #expect(graph.isStatutorySocialWork(try service(name, in: "glasgow-city")), "\(name)")
        }
        #expect(!graph.isStatutorySocialWork(try service("Bromley Children Project", in: "bromley")))
    }

    /// Honesty: every record cites a seed or a public fact; nothing is verified; no phone numbers,
    /// addresses or postcodes exist in the seeds for these services; links only where printed.
    @Test func recordsAreCitedAndInventNothing() {
        let printedLinks: Set<String> = [
            "https://www.gla.ac.uk/researchinstitutes/healthwellbeing/research/mentalhealth/research/projects/best/theteamsinvolved/glasgowinfantandfamilyteamgift/",
            "https://learning.nspcc.org.uk/services-children-families/infant-and-family-teams",
        ]
        for service in graph.sortedServices {
            #expect(!service.sources.citations.isEmpty, "\(service.name) cites nothing")
            #expect(service.lastVerified == nil, "\(service.name) claims a verification date")
            #expect(service.contact.phone == nil && service.contact.address == nil && service.contact.postcode == nil,
                    "\(service.name) has contact details the seeds do not print")
            if let website = service.contact.website {
                #expect(printedLinks.contains(website), "\(service.name): \(website) is not printed in the seeds")
            }
        }
        for area in graph.sortedAreas { #expect(!area.sources.citations.isEmpty, "\(area.code)") }
        for level in graph.sortedLevels { #expect(!level.sources.citations.isEmpty, "\(level.id)") }
        for route in graph.sortedRoutes { #expect(!route.sources.citations.isEmpty, "\(route.id)") }
    }
}
