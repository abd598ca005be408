import Foundation
import ServiceMapCore

/// The choices offered by the search and "alternatives to social work" forms on the home page.
/// The same lists go into the search metadata, so the page and the index agree.
struct HomeForm {
    let context: SiteContext

    /// Ages a practitioner can choose, in months (−1 is pregnancy). The search index holds a
    /// posting for each, so an age query needs no service records (search.js rounds down to one).
    static let ageChoices: [(months: Int, label: String)] = {
        var choices: [(Int, String)] = [(-1, "Pregnant (unborn baby)"), (0, "Newborn (under 1 month)")]
        for m in 1...23 { choices.append((m, m == 1 ? "1 month" : "\(m) months")) }
        for y in 2...18 { choices.append((y * 12, "\(y) years")) }
        choices.append((19 * 12, "19 years or older"))
        return choices
    }()

    static let roles: [ReferrerRole] = [.healthVisitor, .gp, .midwife, .school, .self, "family-nurse",
                                        "mental-health-worker", "drug-and-alcohol-worker", .socialWorker, .police]

    func values() -> [String: Any] {
        let graph = context.graph
        var areaOptions: [[String: Any]] = []
        func visit(_ area: Area, depth: Int) {
            areaOptions.append(["value": area.code.rawValue,
                                "label": String(repeating: "\u{2003}", count: depth) + area.name])
            for child in context.childrenOfArea[area.code] ?? [] { visit(child, depth: depth + 1) }
        }
        for area in context.sortedAreas where area.parent == nil || graph.areas[area.parent!] == nil { visit(area, depth: 0) }
        let needs = context.sortedCategories.filter { $0.parent == nil || graph.categories[$0.parent!] == nil }
            .flatMap { top in [top] + (context.childrenOfCategory[top.id] ?? []) }
            .map { ["value": $0.id.rawValue, "label": $0.name, "sub": $0.parent != nil] as [String: Any] }
        return [
            "areas": areaOptions,
            "ages": Self.ageChoices.map { ["value": String($0.months), "label": $0.label] },
            "needs": needs,
            "roles": Self.roles.map { ["value": $0.rawValue, "label": $0.label] },
            "levels": context.sortedLevels.map { ["value": $0.id.rawValue, "label": "\($0.name) (\(graph.areas[$0.area]?.name ?? $0.area.rawValue))"] },
            "rings": ContinuumRing.allCases.dropFirst().map { ["value": String($0.rawValue), "label": "Below \($0.name)", "default": $0 == .statutorySocialWork] as [String: Any] },
            "costs": Cost.allCases.map { ["value": $0.rawValue, "label": $0.label] },
            "languages": SearchIndexWriter.languages(graph).map { ["value": Slug.make($0), "label": $0] },
            "serviceCount": context.servicesByName.count.grouped,
            "areaCount": graph.areas.count,
        ]
    }
}
