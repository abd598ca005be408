import Foundation

/// The whole directory as a graph: areas, need frameworks, categories, organisations, services
/// and the referral routes between them. A plain value: build it, validate it, store it.
public struct ServiceGraph: Hashable, Codable, Sendable {
    public var areas: [AreaCode: Area] = [:]
    public var levels: [LevelID: LevelOfNeed] = [:]
    public var categories: [CategoryID: NeedCategory] = [:]
    public var organisations: [OrganisationID: Organisation] = [:]
    public var services: [ServiceID: Service] = [:]
    public var routes: [String: ReferralRoute] = [:]

    public init() {}

    /// A graph holding the standard category taxonomy and nothing else.
    public static var empty: ServiceGraph {
        var graph = ServiceGraph()
        for category in NeedCategory.standard { graph.categories[category.id] = category }
        return graph
    }

    // MARK: Deterministic views (sorted by id) for storage and rendering

    public var sortedAreas: [Area] { areas.values.sorted { $0.code < $1.code } }
    public var sortedLevels: [LevelOfNeed] {
        levels.values.sorted { ($0.area, $0.order, $0.id) < ($1.area, $1.order, $1.id) }
    }
    public var sortedCategories: [NeedCategory] { categories.values.sorted { $0.id < $1.id } }
    public var sortedOrganisations: [Organisation] { organisations.values.sorted { $0.id < $1.id } }
    public var sortedServices: [Service] { services.values.sorted { $0.id < $1.id } }
    /// Service ids in order, for walking a large graph without a sorted copy of every service.
    public var sortedServiceIDs: [ServiceID] {
        let ids = Array(services.keys)
        return ByteOrder.sortedPositions(ids.map(\.rawValue)).map { ids[$0] }
    }
    /// Sorted by the dictionary's keys, which are the routes' ids: computing `id` (a string built
    /// from four parts) inside the comparison cost seconds for 100,000 routes.
    public var sortedRoutes: [ReferralRoute] {
        sortedRouteIDs.map { routes[$0]! }
    }

    public var sortedRouteIDs: [String] {
        let ids = Array(routes.keys)
        return ByteOrder.sortedPositions(ids).map { ids[$0] }
    }

    public mutating func insert(_ route: ReferralRoute) { routes[route.id] = route }

    // MARK: Areas

    /// The area and every area below it.
    public func areaAndDescendants(of code: AreaCode) -> Set<AreaCode> {
        var children: [AreaCode: [AreaCode]] = [:]
        for area in areas.values {
            if let parent = area.parent { children[parent, default: []].append(area.code) }
        }
        var result: Set<AreaCode> = [code]
        var queue = [code]
        while let next = queue.popLast() {
            for child in children[next] ?? [] where result.insert(child).inserted {
                queue.append(child)
            }
        }
        return result
    }

    /// The area's parents, nearest first. Stops on a cycle (reported by the rules).
    public func ancestors(of code: AreaCode) -> [AreaCode] {
        var result: [AreaCode] = []
        var seen: Set<AreaCode> = [code]
        var current = areas[code]?.parent
        while let parent = current, seen.insert(parent).inserted {
            result.append(parent)
            current = areas[parent]?.parent
        }
        return result
    }

    public func children(of code: AreaCode) -> [Area] {
        areas.values.filter { $0.parent == code }.sorted { $0.name < $1.name }
    }

    /// The levels of need in force in an area: its own framework, or the nearest ancestor's.
    public func framework(for code: AreaCode) -> [LevelOfNeed] {
        for candidate in [code] + ancestors(of: code) {
            let own = levels.values.filter { $0.area == candidate }
            if !own.isEmpty { return own.sorted { $0.order < $1.order } }
        }
        return []
    }

    /// True when a service covering `serviceAreas` serves a family living in `area`: it covers the
    /// area itself, one of its ancestors (a board-wide service serves every council in the board)
    /// or one of its descendants (a Glasgow service is in "Scotland").
    public func serves(_ serviceAreas: [AreaCode], within area: AreaCode) -> Bool {
        AreaScope(self, area).includes(serviceAreas)
    }

    /// An area with everything above and below it, computed once for many services.
    public struct AreaScope: Sendable {
        public let area: AreaCode
        let related: Set<AreaCode>

        public init(_ graph: ServiceGraph, _ area: AreaCode) {
            self.area = area
            related = Set([area] + graph.ancestors(of: area)).union(graph.areaAndDescendants(of: area))
        }

        public func includes(_ serviceAreas: [AreaCode]) -> Bool {
            serviceAreas.contains { related.contains($0) }
        }
    }

    // MARK: Services

    /// The rings of the continuum a service works at.
    public func rings(of service: Service) -> [ContinuumRing] {
        Array(Set(service.levels.compactMap { levels[$0]?.ring })).sorted()
    }

    /// A statutory social-work service: run by social work, and working only at or above the
    /// statutory threshold. A family that reaches one has "gone to social work".
    public func isStatutorySocialWork(_ service: Service) -> Bool {
        let sector = service.sector ?? service.organisation.flatMap { organisations[$0]?.sector }
        guard sector == .socialWork else { return false }
        let rings = rings(of: service)
        guard let lowest = rings.first else { return false }
        return lowest.isStatutory
    }

    /// Whether any of the service's levels sits below the statutory threshold.
    public func worksBelowStatutory(_ service: Service) -> Bool {
        rings(of: service).contains { !$0.isStatutory }
    }

    public func sector(of service: Service) -> Sector? {
        service.sector ?? service.organisation.flatMap { organisations[$0]?.sector }
    }

    /// Routes into a service, sorted by id. Filters before sorting: callers loop over services.
    public func routes(into id: ServiceID) -> [ReferralRoute] {
        routes.values.filter { $0.to == id }.sorted { $0.id < $1.id }
    }

    public func routes(outOf id: ServiceID) -> [ReferralRoute] {
        routes.values.filter { $0.from == .service(id) }.sorted { $0.id < $1.id }
    }

    /// Every category and the categories below it.
    public func categoryAndDescendants(of id: CategoryID) -> Set<CategoryID> {
        var result: Set<CategoryID> = [id]
        var changed = true
        while changed {
            changed = false
            for category in categories.values {
                if let parent = category.parent, result.contains(parent), result.insert(category.id).inserted {
                    changed = true
                }
            }
        }
        return result
    }
}
