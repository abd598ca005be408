import Foundation

/// A practitioner's question: services for this family, here, below social work, that I can refer to.
/// The command line's `find` and the site's alternatives view ask the same question of this code.
public struct ServiceQuery: Hashable, Sendable, Codable {
    public var area: AreaCode?
    /// The child's age in months; −1 for an unborn child (pregnancy).
    public var ageMonths: Int?
    public var needs: [CategoryID]
    public var referrer: ReferrerRole?
    /// Keep only services working below this ring (the statutory threshold for "alternatives").
    public var below: ContinuumRing?
    public var selfReferralOnly: Bool
    /// Services whose text matched the free-text part of the query, found by the store's full-text
    /// index; nil when the query has no free text.
    public var textMatches: [ServiceID: Double]?

    public init(
        area: AreaCode? = nil, ageMonths: Int? = nil, needs: [CategoryID] = [], referrer: ReferrerRole? = nil,
        below: ContinuumRing? = nil, selfReferralOnly: Bool = false, textMatches: [ServiceID: Double]? = nil
    ) {
        self.area = area
        self.ageMonths = ageMonths
        self.needs = needs
        self.referrer = referrer
        self.below = below
        self.selfReferralOnly = selfReferralOnly
        self.textMatches = textMatches
    }

    /// The "alternatives to social work" question.
    public static func alternatives(area: AreaCode?, ageMonths: Int?, needs: [CategoryID], referrer: ReferrerRole?) -> ServiceQuery {
        ServiceQuery(area: area, ageMonths: ageMonths, needs: needs, referrer: referrer, below: .statutorySocialWork)
    }
}

/// One answer: a service, its score, why it matched and how to get there.
public struct ServiceMatch: Hashable, Sendable, Codable {
    public var service: ServiceID
    public var name: String
    public var score: Double
    public var reasons: [String]
    /// Ways in that fit the query: the family's own (self-referral) first, then the referrer's.
    public var routes: [ReferralRoute]
    public var selfReferral: Bool
}

extension ServiceGraph {
    /// Answers a query: filters, then ranks by how well each service fits. Deterministic.
    public func find(_ query: ServiceQuery) -> [ServiceMatch] {
        let needSets = query.needs.map { (need: $0, ids: categoryAndDescendants(of: $0)) }
        var matches: [ServiceMatch] = []
        var routesInto: [ServiceID: [ReferralRoute]] = [:]
        for route in sortedRoutes { routesInto[route.to, default: []].append(route) }
        let scope = query.area.map { AreaScope(self, $0) }
        let ancestorsOfArea = Set(query.area.map { ancestors(of: $0) } ?? [])
        for service in sortedServices where service.status != .closed {
            var score = 0.0
            var reasons: [String] = []
            if let area = query.area {
                guard scope!.includes(service.areas) else { continue }
                if service.areas.contains(area) {
                    score += 1
                    reasons.append("serves \(areas[area]?.name ?? area.rawValue)")
                } else if let wider = service.areas.first(where: { ancestorsOfArea.contains($0) }) {
                    reasons.append("serves all of \(areas[wider]?.name ?? wider.rawValue), including \(areas[area]?.name ?? area.rawValue)")
                } else {
                    reasons.append("serves part of \(areas[area]?.name ?? area.rawValue)")
                }
            }
            if let age = query.ageMonths {
                if let ages = service.ages {
                    guard ages.servesFamily(ofChildAged: age) else { continue }
                    if ages.contains(months: age) {
                        reasons.append(age < 0 ? "works with pregnant parents" : "ages \(ages)")
                    } else {
                        reasons.append("a service for parents (\(ages))")
                    }
                    score += 0.5
                } else {
                    reasons.append("ages not stated")
                }
            }
            if !needSets.isEmpty {
                let met = needSets.filter { !$0.ids.isDisjoint(with: service.categories) }
                guard !met.isEmpty else { continue }
                score += 3 * Double(met.count)
                reasons.append("helps with " + met.map { categories[$0.need]?.name.lowercased() ?? $0.need.rawValue }.joined(separator: ", "))
            }
            if let below = query.below {
                let rings = rings(of: service)
                if rings.isEmpty {
                    guard !isStatutorySocialWork(service) && sector(of: service) != .socialWork || !below.isStatutory else { continue }
                    reasons.append("level of need not stated")
                } else {
                    guard let lowest = rings.first, lowest < below else { continue }
                    reasons.append("works at \(lowest.name.lowercased()) level, below \(below.name.lowercased())")
                }
            }
            let into = routesInto[service.id] ?? []
            let selfRoute = into.first { $0.from == .role(.self) }
            if query.selfReferralOnly {
                guard selfRoute != nil else { continue }
            }
            var usable: [ReferralRoute] = []
            if let selfRoute { usable.append(selfRoute) }
            if let referrer = query.referrer {
                let own = into.filter { $0.from == .role(referrer) || ($0.from == .role("any-professional") && referrer != .self) }
                if referrer == .self {
                    guard selfRoute != nil else { continue }
                } else if own.isEmpty && selfRoute == nil {
                    continue
                }
                if !own.isEmpty {
                    score += 2
                    // For the family itself, "the family can refer themselves" below says it.
                    if referrer != .self { reasons.append("a \(referrer.label.lowercased()) can refer") }
                }
                usable += own.filter { !usable.contains($0) }
            }
            if selfRoute != nil {
                score += 2
                reasons.append("the family can refer themselves")
            }
            if let textMatches = query.textMatches {
                guard let rank = textMatches[service.id] else { continue }
                score += 4 * rank
                reasons.append("matches the search words")
            }
            matches.append(ServiceMatch(service: service.id, name: service.name, score: score, reasons: reasons,
                                        routes: usable, selfReferral: selfRoute != nil))
        }
        return matches.sorted { ($0.score, $1.name, $1.service) > ($1.score, $0.name, $0.service) }
    }
}

extension AgeRange {
    /// Adulthood, in months: 18 years.
    public static let adulthood = 216

    /// A service for parents: its youngest age is 18 or over.
    public var isForParents: Bool { (minMonths ?? Int.min) >= Self.adulthood }

    /// Whether a service with these ages helps the family of a child aged `months` (−1: unborn):
    /// the child's age is in the range, or the service is for the parents, who are adults
    /// whatever the child's age. `find` and the site's age facet both use this rule.
    public func servesFamily(ofChildAged months: Int) -> Bool {
        contains(months: months) || isForParents
    }
}
