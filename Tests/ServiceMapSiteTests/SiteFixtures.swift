import Foundation
import TestSupport
import ServiceMapCore
@testable import ServiceMapSite

/// Small graphs drawn from the domain (Glasgow and Bromley, 000/002/004), for site tests.
/// Contact details are placeholders (example.org, Ofcom drama numbers), never real ones.
enum SiteFixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let theme = repoRoot.appendingPathComponent("Site")

    static func temporaryFolder(_ name: String = "site") -> URL {
        let url = Scratch.folder("site").appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        return url
    }

    static let refugeAddress = "12 Hidden Lane, Glasgow G99 9ZZ"

    static func family() -> ServiceGraph {
        var g = ServiceGraph.empty
        func area(_ code: AreaCode, _ name: String, _ kind: AreaKind, _ parent: AreaCode?) {
            g.areas[code] = Area(code: code, name: name, kind: kind, parent: parent, sources: Sources(citations: ["public fact"]))
        }
        area("scotland", "Scotland", .nation, nil)
        area("nhs-greater-glasgow-and-clyde", "NHS Greater Glasgow and Clyde", .healthBoard, "scotland")
        area("glasgow-city", "Glasgow City", .council, "nhs-greater-glasgow-and-clyde")
        area("east-renfrewshire", "East Renfrewshire", .council, "nhs-greater-glasgow-and-clyde")
        area("england", "England", .nation, nil)
        area("bromley", "London Borough of Bromley", .council, "england")

        func level(_ id: LevelID, _ area: AreaCode, _ name: String, _ order: Int, _ ring: ContinuumRing, _ text: String) {
            g.levels[id] = LevelOfNeed(id: id, area: area, name: name, order: order, ring: ring, description: text)
        }
        level("scotland-universal", "scotland", "Universal", 1, .universal, "Help every child and family gets (GIRFEC).")
        level("scotland-additional", "scotland", "Additional support", 2, .earlyHelp, "Extra help from a named person and partners.")
        level("scotland-intensive", "scotland", "Intensive support", 3, .childInNeed, "Social work is involved.")
        level("bromley-level-1", "bromley", "Level 1: universal", 1, .universal, "Needs met by universal services.")
        level("bromley-level-2", "bromley", "Level 2: early help", 2, .earlyHelp, "Early help with the family's consent.")
        level("bromley-level-3", "bromley", "Level 3: complex", 3, .childInNeed, "Child in Need, statutory social care.")
        level("bromley-level-4", "bromley", "Level 4: acute", 4, .childProtection, "Child protection.")

        g.organisations["nhs-ggc"] = Organisation(id: "nhs-ggc", name: "NHS Greater Glasgow and Clyde", sector: .health)
        g.organisations["home-start"] = Organisation(id: "home-start", name: "Home-Start Glasgow", sector: .thirdSector, website: "https://example.org/home-start")
        g.organisations["bromley-council"] = Organisation(id: "bromley-council", name: "Bromley Council", sector: .socialWork)
        g.organisations["womens-aid"] = Organisation(id: "womens-aid", name: "Women's Aid (example)", sector: .thirdSector)

        let cite = Sources(locations: [SourceLocation(file: "glasgow.xlsx", sheet: "Services", row: 4)], citations: ["000 Phase 1 findings, Glasgow"])
        g.services["perinatal-mh-ggc"] = Service(
            id: "perinatal-mh-ggc", name: "Perinatal Mental Health Service", organisation: "nhs-ggc",
            description: "Specialist help for parents with moderate to severe mental illness in pregnancy and the first year.\n\nCounselling and psychiatric care.",
            areas: ["nhs-greater-glasgow-and-clyde"], categories: ["perinatal-mental-health", "perinatal"],
            ages: AgeRange(minMonths: -9, maxMonths: 11), levels: ["scotland-additional"], cost: .free,
            languages: ["English"], delivery: [.inPerson, .homeVisit],
            contact: Contact(phone: "01632 960001", website: "https://example.org/perinatal"),
            lastVerified: Day(year: 2025, month: 3, day: 1), howToRefer: "Referral by GP, midwife or health visitor.",
            sources: cite)
        g.services["home-start-glasgow"] = Service(
            id: "home-start-glasgow", name: "Home-Start Glasgow North", organisation: "home-start",
            description: "Volunteers visit families with young children at home. Befriending and practical support.",
            areas: ["glasgow-city"], categories: ["parenting", "social-isolation"],
            ages: AgeRange(minMonths: -9, maxMonths: 59), levels: ["scotland-universal", "scotland-additional"],
            cost: .free, languages: ["English", "Polish"], delivery: [.homeVisit],
            contact: Contact(phone: "01632 960002", email: "hello@example.org"), sources: cite)
        g.services["money-advice-glasgow"] = Service(
            id: "money-advice-glasgow", name: "Money Advice for Families", description: "Debt, benefits and housing advice.",
            areas: ["glasgow-city"], categories: ["poverty-and-housing"], levels: ["scotland-universal"], cost: .free,
            contact: Contact(phone: "01632 960003"), sources: cite)
        g.services["refuge-glasgow"] = Service(
            id: "refuge-glasgow", name: "Glasgow Refuge", organisation: "womens-aid",
            description: "Safe accommodation for women and children escaping domestic abuse.",
            areas: ["glasgow-city"], categories: ["domestic-abuse"], levels: ["scotland-additional"], cost: .free,
            contact: Contact(phone: "01632 960004", address: refugeAddress, postcode: "G99 9ZZ"),
            confidentialAddress: true, attributes: ["Warden flat": refugeAddress], sources: cite)
        g.services["bromley-csc"] = Service(
            id: "bromley-csc", name: "Bromley Children's Social Care", organisation: "bromley-council",
            description: "Statutory assessments and child protection.", areas: ["bromley"],
            categories: ["safeguarding"], ages: AgeRange(minMonths: -9, maxMonths: 215), levels: ["bromley-level-3", "bromley-level-4"],
            sources: Sources(citations: ["000 Phase 1 findings, Bromley"]))
        g.services["bromley-family-hubs"] = Service(
            id: "bromley-family-hubs", name: "Bromley Family Hubs", description: "Early help and parenting groups.",
            areas: ["bromley"], categories: ["parenting", "early-years"], ages: AgeRange(minMonths: 0, maxMonths: 215),
            levels: ["bromley-level-2"], cost: .free, sources: Sources(citations: ["000 Phase 1 findings, Bromley"]))
        g.services["closed-service"] = Service(
            id: "closed-service", name: "Old Parenting Course", areas: ["glasgow-city"], categories: ["parenting"], status: .closed)

        g.insert(ReferralRoute(from: .role(.gp), to: "perinatal-mh-ggc", mode: .professional))
        g.insert(ReferralRoute(from: .role(.healthVisitor), to: "perinatal-mh-ggc", mode: .professional))
        g.insert(ReferralRoute(from: .role(.midwife), to: "perinatal-mh-ggc", mode: .professional, conditions: "moderate to severe illness"))
        g.insert(ReferralRoute(from: .role(.self), to: "home-start-glasgow", mode: .selfReferral))
        g.insert(ReferralRoute(from: .role(.healthVisitor), to: "home-start-glasgow", mode: .professional))
        g.insert(ReferralRoute(from: .role(.self), to: "money-advice-glasgow", mode: .selfReferral))
        g.insert(ReferralRoute(from: .role(.self), to: "refuge-glasgow", mode: .selfReferral))
        g.insert(ReferralRoute(from: .role("any-professional"), to: "bromley-csc", mode: .frontDoor))
        g.insert(ReferralRoute(from: .role(.healthVisitor), to: "bromley-family-hubs", mode: .professional))
        g.insert(ReferralRoute(from: .service("bromley-family-hubs"), to: "bromley-csc", mode: .frontDoor, kind: .stepUp))
        g.insert(ReferralRoute(from: .service("bromley-csc"), to: "bromley-family-hubs", mode: .professional, kind: .stepDown))
        return g
    }

    /// A graph an attacker wrote: markup in names, script URLs, quotes in links, ids with paths.
    static func hostile() -> ServiceGraph {
        var g = family()
        g.areas["x\"><script>alert(1)</script>"] = Area(code: "x\"><script>alert(1)</script>", name: "<img src=x onerror=alert('area')>", kind: .locality, parent: "glasgow-city")
        g.organisations["evil-org"] = Organisation(id: "evil-org", name: "<script>alert('org')</script>", website: "javascript:alert('orgsite')")
        g.services["../../evil"] = Service(
            id: "../../evil", name: "<script>alert('name')</script><img src=x onerror=alert('img')>",
            organisation: "evil-org",
            description: "</script><script>alert('desc')</script>\u{2028}line <b onmouseover=alert(1)>bold</b> & \"quotes\"",
            areas: ["glasgow-city", "x\"><script>alert(1)</script>"], categories: ["parenting"],
            languages: ["<svg onload=alert('lang')>"],
            contact: Contact(phone: "javascript:alert('tel')", email: "a@b.org\" onmouseover=\"alert(1)",
                             website: "https://example.org/\"onmouseover=\"alert('q')", address: "<iframe src=javascript:alert(1)>"),
            howToRefer: "<a href=\"javascript:alert('refer')\">click</a>",
            attributes: ["<th>": "<script>alert('attr')</script>"],
            sources: Sources(citations: ["<script>alert('cite')</script>"]))
        g.services["js-site"] = Service(
            id: "js-site", name: "Service With Script Link", areas: ["glasgow-city"],
            contact: Contact(email: "javascript:alert(1)", website: "JaVaScRiPt:alert('web')"))
        g.services["tab-site"] = Service(
            id: "tab-site", name: "Service With Tab Link", areas: ["glasgow-city"],
            contact: Contact(website: "java\tscript:alert('tab')"))
        // A quote followed by a combining mark is one character: escaping by character once let
        // it through unescaped, ending an attribute.
        g.services["combining-quote"] = Service(
            id: "combining-quote", name: "Quote\"\u{301} onfocus=alert('combining') autofocus x=\"\u{301}", areas: ["glasgow-city"],
            languages: ["'\u{301} onmouseover=alert('lang2') '"], sources: Sources(citations: ["synthetic"]))
        g.insert(ReferralRoute(from: .service("combining-quote"), to: "../../evil", mode: .professional))
        g.insert(ReferralRoute(from: .role(.self), to: "../../evil", mode: .selfReferral, conditions: "<script>alert('cond')</script>"))
        return g
    }

    /// Generated services, labelled synthetic: for timing and memory, never shipped.
    static func synthetic(count: Int) -> ServiceGraph {
        var g = family()
        let categories = NeedCategory.standard.map(\.id)
        let councils: [AreaCode] = ["glasgow-city", "east-renfrewshire", "bromley"]
        let words = ["support", "parents", "babies", "counselling", "groups", "advice", "outreach", "wellbeing", "play", "housing", "debt", "recovery", "peer", "family", "home"]
        for i in 0..<count {
            let id = ServiceID("synthetic-\(i)")
            let area = councils[i % councils.count]
            let levels: [LevelID] = area == "bromley" ? [LevelID("bromley-level-\(1 + i % 4)")] : [LevelID("scotland-\(["universal", "additional", "intensive"][i % 3])")]
            g.services[id] = Service(
                id: id, name: "Synthetic service \(i) \(words[i % words.count]) \(words[(i / 7) % words.count])",
                description: "Synthetic record \(i) for benchmarks: \(words[(i * 3) % words.count]) and \(words[(i * 5) % words.count]) for families.",
                areas: [area], categories: [categories[i % categories.count], categories[(i / 3) % categories.count]],
                ages: AgeRange(minMonths: i % 5 == 0 ? -9 : 0, maxMonths: 12 * (1 + i % 18) - 1), levels: levels,
                cost: Cost.allCases[i % 4], languages: i % 10 == 0 ? ["English", "Polish"] : ["English"],
                contact: Contact(phone: "01632 96\(String(format: "%04d", i % 10000))"),
                lastVerified: i % 3 == 0 ? nil : Day(year: 2024, month: 1 + i % 12, day: 1 + i % 28),
                sources: Sources(citations: ["synthetic"]))
            if i % 2 == 0 { g.insert(ReferralRoute(from: .role(.self), to: id, mode: .selfReferral)) }
            g.insert(ReferralRoute(from: .role(.healthVisitor), to: id, mode: .professional))
        }
        return g
    }

    /// Every file under a folder, by relative path.
    static func files(in folder: URL) -> [String: Data] {
        var result: [String: Data] = [:]
        let base = folder.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [:] }
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            result[String(url.standardizedFileURL.path.dropFirst(base.count + 1))] = try? Data(contentsOf: url)
        }
        return result
    }

    @discardableResult
    static func build(_ graph: ServiceGraph, into output: URL, options: SiteOptions = SiteOptions(documentsPerShard: 3)) throws -> SiteBuildReport {
        try SiteBuilder(graph: graph, theme: theme, output: output, options: options).build()
    }
}
