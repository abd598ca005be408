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

    /// Form (issue 4): each area's services and referral routes are one workbook,
    /// `<area>/<area>-directory.xlsx`, with a "Services" and a "Referral routes" sheet; no CSV
    /// copy of them sits beside it (importing both would duplicate every record). Areas, levels
    /// and organisations stay CSV at the top of `Data/`.
    @Test func eachAreaIsOneTwoSheetWorkbook() throws {
        let fm = FileManager.default
        for area in ["glasgow", "bromley", "scotland", "salford"] {
            let folder = (Self.dataFolder as NSString).appendingPathComponent(area)
            let workbook = (folder as NSString).appendingPathComponent("\(area)-directory.xlsx")
            let sheets = try XLSXReader(path: workbook).sheets().map(\.name)
            #expect(sheets == ["Services", "Referral routes"], "\(area): \(sheets)")
            let files = try fm.contentsOfDirectory(atPath: folder)
            #expect(!files.contains { $0.hasSuffix("-services.csv") || $0.hasSuffix("-routes.csv") }, "\(area): \(files)")
        }
        for table in ["areas.csv", "levels.csv", "organisations.csv"] {
            #expect(fm.fileExists(atPath: (Self.dataFolder as NSString).appendingPathComponent(table)), "\(table)")
        }
        // Provenance points into the workbook's sheets.
        let hub = try service("Bromley Children and Families Hub", in: "bromley")
        #expect(hub.sources.locations.contains { $0.file.hasSuffix("bromley/bromley-directory.xlsx") && $0.sheet == "Services" },
                "\(hub.sources.locations)")
        // Routes come from the "Referral routes" sheet, or from a service row's "Referred by" cell.
        let routeSheets = Set(graph.sortedRoutes.flatMap { $0.sources.locations.compactMap(\.sheet) })
        #expect(routeSheets == ["Referral routes", "Services"])
        let recordFiles = graph.sortedServices.flatMap { $0.sources.locations.map(\.file) }
            + graph.sortedRoutes.flatMap { $0.sources.locations.map(\.file) }
        #expect(recordFiles.allSatisfy { $0.hasSuffix("-directory.xlsx") || $0.hasSuffix(".md") || $0.hasSuffix("-weblinks.html") },
                "\(Set(recordFiles.filter { !$0.hasSuffix(".xlsx") && !$0.hasSuffix(".md") && !$0.hasSuffix(".html") }))")
    }

    /// 000 calls these adult services (§RQ2 Social Work: Glasgow "Adult mental health SW systems";
    /// §AMH in Glasgow; §Drug and Alcohol Services "adults (including parents)"; §Adult Mental
    /// Health (AMH) Services): their ages are 18+, so find offers them to parents of a child of any age.
    @Test func adultServicesAreForEighteenAndOver() throws {
        let adult: [(String, AreaCode)] = [
            ("Adult Mental Health Social Work Teams", "glasgow-city"), ("Primary Care Mental Health Team", "glasgow-city"),
            ("Community Mental Health Teams", "glasgow-city"), ("Adult mental health services (Glasgow)", "glasgow-city"),
            ("Addictions Services", "glasgow-city"), ("Parental assertive outreach (Addictions Services)", "glasgow-city"),
            ("Adult mental health services (Bromley)", "bromley"), ("Drug and alcohol service (Bromley)", "bromley"),
            ("Co-occurring Mental Health, Alcohol and Drugs (CoMHAD) Lead", "bromley"),
        ]
        for (name, area) in adult {
            let ages = try #require(try service(name, in: area).ages, "\(name) has no ages")
            #expect(ages.minMonths == 216 && ages.maxMonths == nil, "\(name): \(ages)")
        }
    }

    /// 000 §Appropriateness of assessments: 'bounce' between AMH and D&A services for parents, reported
    /// by D&A practitioners in both areas and the AMH stakeholder (Glasgow's); in Glasgow the two
    /// "still operate as separate bodies" (§Drug and Alcohol Services: Glasgow).
    @Test func adultMentalHealthAndDrugAndAlcoholBounceBothWaysInBothSites() throws {
        let pairs: [(String, String, AreaCode)] = [
            ("Adult mental health services (Glasgow)", "Addictions Services", "glasgow-city"),
            ("Adult mental health services (Bromley)", "Drug and alcohol service (Bromley)", "bromley"),
        ]
        for (amh, da, area) in pairs {
            let a = try service(amh, in: area), d = try service(da, in: area)
            #expect(graph.routes(outOf: a.id).contains { $0.to == d.id }, "\(amh) -> \(da)")
            #expect(graph.routes(outOf: d.id).contains { $0.to == a.id }, "\(da) -> \(amh)")
        }
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
