import ArgumentParser
import Foundation
import ServiceMapCore
import ServiceMapStore

struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Find services for a family: by area, age, needs, who refers, level of need and free text.",
        discussion: """
            Example: servicemap find --area "Glasgow City" --age "14 months" --need "parental mental health" \
            --referrer "health visitor" --below "child in need"
            Results are ranked; each says why it matched and how to refer.
            """
    )

    @Option(name: .long, help: "Area code or name; its sub-areas are included.")
    var area: String?

    @Option(name: .long, help: "The child's age: months (\"14 months\", \"14m\"), years (\"2\", \"2 years\") or \"pregnant\".")
    var age: String?

    @Option(name: .long, help: "A need (category name, id or common word such as \"debt\"); repeatable.")
    var need: [String] = []

    @Option(name: .long, help: "Who is referring: health visitor, GP, midwife, school, self …")
    var referrer: String?

    @Option(name: .long, help: "Only services working below this ring of the continuum (\"child in need\" = below statutory social work) or below a level of the area's framework (\"Tier 3\").")
    var below: String?

    @Flag(name: .long, help: "Only services the family can refer themselves to.")
    var selfReferral = false

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    @Option(name: .long, help: "At most this many results.")
    var limit: Int = 20

    @Argument(help: "Free-text words to search for.")
    var words: [String] = []

    @OptionGroup var store: StoreOptions

    func run() throws {
        let console = Console()
        guard FileManager.default.fileExists(atPath: store.database) else {
            console.err("servicemap: no database at \(store.database); run `servicemap import` first")
            throw ExitCode(2)
        }
        let serviceStore = try ServiceStore(path: store.database)
        let graph = try serviceStore.loadGraph()
        var query: ServiceQuery
        switch Self.query(area: area, age: age, needs: need, referrer: referrer, below: below, selfReferral: selfReferral, in: graph) {
        case .success(let q): query = q
        case .failure(let problems):
            for p in problems.messages { console.err("servicemap: \(p)") }
            throw ExitCode(2)
        }
        if !words.isEmpty { query.textMatches = try serviceStore.search(words.joined(separator: " ")) }
        let matches = Array(graph.find(query).prefix(limit))
        console.out(json ? try Self.json(matches) : Self.text(matches, query: query, graph: graph))
    }

    struct Problems: Error {
        var messages: [String]
    }

    /// The question, from what a person typed (free text is added from the store's index).
    static func query(
        area: String?, age: String?, needs: [String], referrer: String?, below: String?, selfReferral: Bool, in graph: ServiceGraph
    ) -> Result<ServiceQuery, Problems> {
        var query = ServiceQuery()
        var problems: [String] = []
        if let area {
            if let code = QueryTerms.area(area, in: graph) { query.area = code } else { problems.append("unknown area '\(area)'") }
        }
        if let age {
            if let months = ChildAge.months(parsing: age) { query.ageMonths = months } else { problems.append("unreadable age '\(age)'") }
        }
        for word in needs {
            if let id = QueryTerms.category(word, in: graph) { query.needs.append(id) } else { problems.append("unknown need '\(word)'") }
        }
        if let referrer {
            query.referrer = ReferrerRole.recognise(referrer) ?? ReferrerRole(Slug.make(referrer))
        }
        if let below {
            if let ring = QueryTerms.ring(below, area: query.area, in: graph) {
                query.below = ring
            } else {
                problems.append("'\(below)' is neither a ring of the continuum nor a level of need")
            }
        }
        query.selfReferralOnly = selfReferral
        return problems.isEmpty ? .success(query) : .failure(Problems(messages: problems))
    }

    static func json(_ matches: [ServiceMatch]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(matches), as: UTF8.self)
    }

    /// Ranked results in plain words: why each matched and how to refer.
    static func text(_ matches: [ServiceMatch], query: ServiceQuery, graph: ServiceGraph) -> String {
        if matches.isEmpty {
            return "No services match. Try fewer needs, a wider area, or no level limit."
        }
        var lines: [String] = []
        for (i, match) in matches.enumerated() {
            guard let service = graph.services[match.service] else { continue }
            lines.append("\(i + 1). \(service.name)\(service.organisation.flatMap { graph.organisations[$0] }.map { " — \($0.name)" } ?? "")")
            lines.append("   why: \(match.reasons.joined(separator: "; "))")
            var how = match.routes.map { route -> String in
                switch route.from {
                case .role(let role) where role == .self: return "the family can refer themselves"
                case .role(let role): return "\(role.label) (\(route.mode.label.lowercased()))"
                    + (route.conditions.map { ", if: \($0)" } ?? "")
                case .service(let id): return "from \(graph.services[id]?.name ?? id.rawValue)"
                }
            }
            // The practitioner asked as a referrer, but only the family's own way in is recorded:
            // say so, rather than imply a referral route that nobody has written down.
            if let referrer = query.referrer, referrer != .self, match.selfReferral,
               !match.routes.contains(where: { $0.from == .role(referrer) || $0.from == .role("any-professional") }) {
                how.append("no \(referrer.label.lowercased()) referral route is recorded: suggest the family refers themselves")
            }
            if !how.isEmpty { lines.append("   how to refer: \(how.joined(separator: "; "))") }
            if let text = service.howToRefer { lines.append("   the source says: \(text)") }
            lines.append("   contact: \(ContactWords.describe(service))")
        }
        return lines.joined(separator: "\n")
    }
}

/// Turns what a person typed into model identifiers.
enum QueryTerms {
    static func area(_ text: String, in graph: ServiceGraph) -> AreaCode? {
        let key = Slug.make(text)
        if graph.areas[AreaCode(key)] != nil { return AreaCode(key) }
        let matches = graph.sortedAreas.filter { Slug.make($0.name) == key }
        if matches.count == 1 { return matches[0].code }
        let loose = graph.sortedAreas.filter { Slug.make($0.name).contains(key) }
        return loose.count == 1 ? loose[0].code : loose.first { $0.kind == .council }?.code
    }

    /// A ring by name or number, or a level of need (id or name) mapped to its ring. With an area,
    /// level names are looked up in that area's framework first ("Tier 3" in Bromley).
    static func ring(_ text: String, area: AreaCode?, in graph: ServiceGraph) -> ContinuumRing? {
        if let ring = ContinuumRing(parsing: text) { return ring }
        let key = Slug.make(text)
        if let level = graph.levels[LevelID(key)] { return level.ring }
        let local = area.map { graph.framework(for: $0) } ?? []
        let named = { (levels: [LevelOfNeed]) in levels.first { Slug.make($0.name) == key }?.ring }
        return named(local) ?? named(graph.sortedLevels)
    }

    static func category(_ text: String, in graph: ServiceGraph) -> CategoryID? {
        let key = Slug.make(text)
        if graph.categories[CategoryID(key)] != nil { return CategoryID(key) }
        let lowered = text.lowercased()
        return graph.sortedCategories.first {
            Slug.make($0.name) == key || $0.synonyms.contains { Slug.make($0) == key || $0 == lowered }
        }?.id
    }
}

enum ContactWords {
    /// Contact details as known; confidential addresses are never printed.
    static func describe(_ service: Service) -> String {
        var parts: [String] = []
        if let phone = service.contact.phone { parts.append(phone) }
        if let email = service.contact.email { parts.append(email) }
        if let web = service.contact.website { parts.append(web) }
        if !service.confidentialAddress, let address = service.contact.address { parts.append(address) }
        return parts.isEmpty ? "not yet verified" : parts.joined(separator: " · ")
    }
}
