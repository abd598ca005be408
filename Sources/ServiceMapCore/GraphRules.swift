import Foundation

/// The model's own rules, run over a whole graph. Each rule's code is declared beside it.
public enum GraphRules {
    public static func check(_ graph: ServiceGraph) -> [Diagnostic] {
        var found: [Diagnostic] = []
        checkAreas(graph, into: &found)
        checkLevels(graph, into: &found)
        // Services (in two halves) and routes are checked at once, on both cores: each check only
        // reads the graph, and their findings are joined in the order one pass gives.
        let ids = graph.sortedServiceIDs
        let half = ids.count / 2
        let parts = ParallelMap.map([0, 1, 2]) { part -> [Diagnostic] in
            var found: [Diagnostic] = []
            switch part {
            case 0: checkServices(graph, ids[..<half], into: &found)
            case 1: checkServices(graph, ids[half...], into: &found)
            default: checkRoutes(graph, into: &found)
            }
            return found
        }
        return found + parts.joined()
    }

    static func checkAreas(_ graph: ServiceGraph, into found: inout [Diagnostic]) {
        for area in graph.sortedAreas {
            let location = area.sources.locations.first
            if let parent = area.parent {
                if graph.areas[parent] == nil {
                    found.append(.error(.unknownArea, "area '\(area.name)' names unknown parent '\(parent)'", at: location))
                } else if graph.ancestors(of: area.code).contains(area.code) || parent == area.code {
                    found.append(.error(.areaCycle, "area '\(area.name)' is its own ancestor", at: location))
                } else if let parentArea = graph.areas[parent], parentArea.kind > area.kind {
                    found.append(.warning(.areaKindOrder,
                        "\(area.kind.label.lowercased()) '\(area.name)' sits under \(parentArea.kind.label.lowercased()) '\(parentArea.name)'",
                        at: location))
                }
            }
        }
    }

    static func checkLevels(_ graph: ServiceGraph, into found: inout [Diagnostic]) {
        var orders: [AreaCode: [Int: LevelOfNeed]] = [:]
        for level in graph.sortedLevels {
            let location = level.sources.locations.first
            if graph.areas[level.area] == nil {
                found.append(.error(.unknownArea, "level '\(level.name)' belongs to unknown area '\(level.area)'", at: location))
            }
            if level.ring == nil {
                found.append(.error(.levelWithoutRing,
                    "level '\(level.name)' maps to no ring of the continuum (Universal, Early Help, Child in Need, Unidentified Child Protection, Child Protection, Pre-proceedings, Court)",
                    at: location))
            }
            if let clash = orders[level.area]?[level.order] {
                found.append(.error(.duplicateLevelOrder,
                    "levels '\(clash.name)' and '\(level.name)' both have position \(level.order) in the framework of '\(level.area)'",
                    at: location))
            }
            orders[level.area, default: [:]][level.order] = level
        }
        // Within a framework, a higher position must not map to a lower ring.
        for (area, byOrder) in orders {
            let ordered = byOrder.values.sorted { $0.order < $1.order }
            for (a, b) in zip(ordered, ordered.dropFirst()) {
                if let ra = a.ring, let rb = b.ring, rb < ra {
                    found.append(.warning(.levelRingOrder,
                        "in the framework of '\(area)', '\(b.name)' comes after '\(a.name)' but maps to a lower ring (\(rb.name) < \(ra.name))",
                        at: b.sources.locations.first))
                }
            }
        }
    }

    /// Checks the services `ids` names, which are sorted.
    static func checkServices(_ graph: ServiceGraph, _ ids: ArraySlice<ServiceID>, into found: inout [Diagnostic]) {
        // Every service's levels are checked against its areas' ancestors: find each area's once.
        var ancestors: [AreaCode: [AreaCode]] = [:]
        func ancestorsOf(_ area: AreaCode) -> [AreaCode] {
            if let known = ancestors[area] { return known }
            let list = graph.ancestors(of: area)
            ancestors[area] = list
            return list
        }
        // Sorted ids rather than `sortedServices`: a sorted copy of 100,000 services was tens of MB.
        for id in ids {
            let service = graph.services[id]!
            let location = service.sources.locations.first
            if let ages = service.ages, ages.isReversed {
                found.append(.error(.reversedAgeRange,
                    "age range of '\(service.name)' is reversed: from \(Self.words(months: ages.minMonths!)) to \(Self.words(months: ages.maxMonths!)) (minimum above maximum)",
                    at: service.sources.fields["ages"] ?? location))
            }
            if service.areas.isEmpty {
                found.append(.warning(.serviceWithoutArea, "service '\(service.name)' has no area", at: location))
            }
            for area in service.areas where graph.areas[area] == nil {
                found.append(.error(.unknownArea, "service '\(service.name)' names unknown area '\(area)'", at: location))
            }
            for id in service.levels {
                guard let level = graph.levels[id] else {
                    found.append(.error(.unknownLevel, "service '\(service.name)' names unknown level '\(id)'", at: location))
                    continue
                }
                let applies = service.areas.contains { area in
                    area == level.area || ancestorsOf(area).contains(level.area) || ancestorsOf(level.area).contains(area)
                }
                if !applies && !service.areas.isEmpty {
                    found.append(.warning(.levelOutsideArea,
                        "service '\(service.name)' is at level '\(level.name)' of '\(level.area)', which is not its area's framework",
                        at: service.sources.fields["levels"] ?? location))
                }
            }
            if let org = service.organisation, graph.organisations[org] == nil {
                found.append(.error(.unknownOrganisation, "service '\(service.name)' names unknown organisation '\(org)'", at: location))
            }
            for category in service.categories where graph.categories[category] == nil {
                found.append(.error(.unknownCategory, "service '\(service.name)' names unknown category '\(category)'", at: location))
            }
            if service.sources.isEmpty {
                found.append(.warning(.uncitedRecord, "service '\(service.name)' cites no source", at: nil))
            }
        }
    }

    static func checkRoutes(_ graph: ServiceGraph, into found: inout [Diagnostic]) {
        // By id, each looked up, rather than a sorted copy of every route (7 MB for 50,000).
        for id in graph.sortedRouteIDs {
            let route = graph.routes[id]!
            let location = route.sources.locations.first
            if graph.services[route.to] == nil {
                found.append(.error(.unknownService, "referral route to unknown service '\(route.to)'", at: location))
            }
            if case .service(let from) = route.from {
                if graph.services[from] == nil {
                    found.append(.error(.unknownService, "referral route from unknown service '\(from)'", at: location))
                } else if from == route.to {
                    found.append(.warning(.selfLoop, "service '\(from)' refers to itself", at: location))
                }
            }
            if route.mode == .selfReferral && route.from != .role(.self) {
                found.append(.warning(.selfReferralFromOther,
                    "a self-referral route must come from the family, not \(route.from)", at: location))
            }
        }
    }
}

extension DiagnosticCode {
    public static let reversedAgeRange: DiagnosticCode = "reversed-age-range"
    public static let levelWithoutRing: DiagnosticCode = "level-without-ring"
    public static let duplicateLevelOrder: DiagnosticCode = "duplicate-level-order"
    public static let levelRingOrder: DiagnosticCode = "level-ring-order"
    public static let levelOutsideArea: DiagnosticCode = "level-outside-area"
    public static let areaCycle: DiagnosticCode = "area-cycle"
    public static let areaKindOrder: DiagnosticCode = "area-kind-order"
    public static let serviceWithoutArea: DiagnosticCode = "service-without-area"
    public static let unknownOrganisation: DiagnosticCode = "unknown-organisation"
    public static let uncitedRecord: DiagnosticCode = "uncited-record"
    public static let selfLoop: DiagnosticCode = "route-to-itself"
    public static let selfReferralFromOther: DiagnosticCode = "self-referral-from-professional"
}

extension GraphRules {
    /// "10 years", "14 months", "pregnancy": ages in diagnostics as a person wrote them.
    static func words(months: Int) -> String {
        if months < 0 { return "pregnancy" }
        if months >= 24 { return "\(months / 12) years" }
        return "\(months) months"
    }

    /// The graph without the records that break a hard rule, for importing "the valid rows only":
    /// services with reversed ages, levels without a ring, and references to records that are not
    /// there are dropped; everything else is kept as it was.
    public static func keepingValidRecords(_ graph: ServiceGraph) -> ServiceGraph {
        var result = graph
        for (code, area) in result.areas where area.parent.map({ result.areas[$0] == nil }) ?? false {
            result.areas[code]?.parent = nil
        }
        result.levels = result.levels.filter { $0.value.ring != nil && result.areas[$0.value.area] != nil }
        for (id, category) in result.categories where category.parent.map({ result.categories[$0] == nil }) ?? false {
            result.categories[id]?.parent = nil
        }
        result.services = result.services.filter { !($0.value.ages?.isReversed ?? false) }
        for (id, service) in result.services {
            var s = service
            s.areas = s.areas.filter { result.areas[$0] != nil }
            s.levels = s.levels.filter { result.levels[$0] != nil }
            s.categories = s.categories.filter { result.categories[$0] != nil }
            if let org = s.organisation, result.organisations[org] == nil { s.organisation = nil }
            result.services[id] = s
        }
        result.routes = result.routes.filter { _, route in
            guard result.services[route.to] != nil else { return false }
            if case .service(let from) = route.from { return result.services[from] != nil }
            return true
        }
        return result
    }
}
