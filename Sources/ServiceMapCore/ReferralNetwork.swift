import Foundation

/// Questions about the referral graph, answered in memory.
///
/// Why in memory and not recursive SQL: a directory holds thousands of routes at most, which
/// load in milliseconds; the questions (reach without passing a statutory service, shortest
/// path, loops) need per-node rules that are clearer in Swift than in a recursive CTE, and
/// the site and the command line ask the same questions of the same code.
public struct ReferralNetwork: Sendable {
    public let graph: ServiceGraph
    private let outgoing: [ServiceID: [ReferralRoute]]
    private let fromRole: [ReferrerRole: [ReferralRoute]]
    /// The statutory social-work services, worked out once: reach questions are asked per role
    /// and per area, and deciding it means looking up every level of the service.
    private let statutory: Set<ServiceID>

    public init(_ graph: ServiceGraph) {
        self.graph = graph
        var outgoing: [ServiceID: [ReferralRoute]] = [:]
        var fromRole: [ReferrerRole: [ReferralRoute]] = [:]
        for route in graph.sortedRoutes {
            switch route.from {
            case .service(let id): outgoing[id, default: []].append(route)
            case .role(let role): fromRole[role, default: []].append(route)
            }
        }
        self.outgoing = outgoing
        self.fromRole = fromRole
        statutory = Set(graph.services.values.filter(graph.isStatutorySocialWork).map(\.id))
    }

    /// A service a family can reach, and the first route of how.
    public struct Reach: Hashable, Sendable {
        public var service: ServiceID
        /// Routes from the referrer to the service, in order.
        public var path: [ReferralRoute]
    }

    /// The services a family can reach from `role` without passing through a statutory social-work
    /// service: breadth-first over routes, never entering a statutory service. With `area`, only
    /// services serving that area (or its sub-areas) are entered.
    public func reachableWithoutSocialWork(from role: ReferrerRole, in area: AreaCode? = nil) -> [Reach] {
        guard let area else { return reachableWithoutSocialWork(from: role) { graph.services[$0] != nil } }
        let scope = ServiceGraph.AreaScope(graph, area)
        return reachableWithoutSocialWork(from: role) { id in graph.services[id].map { scope.includes($0.areas) } ?? false }
    }

    /// The same, entering only the services `entered` accepts (services the directory holds). The
    /// coverage basis passes the services of an area it has already looked up, instead of each
    /// route's service being looked up and checked against the area again for every area.
    public func reachableWithoutSocialWork(from role: ReferrerRole, entering entered: (ServiceID) -> Bool) -> [Reach] {
        var reached: [ServiceID: [ReferralRoute]] = [:]
        var queue: [ServiceID] = []
        func enter(_ route: ReferralRoute, path: [ReferralRoute]) {
            guard reached[route.to] == nil, !statutory.contains(route.to), entered(route.to) else { return }
            reached[route.to] = path + [route]
            queue.append(route.to)
        }
        for route in fromRole[role] ?? [] { enter(route, path: []) }
        var index = 0
        while index < queue.count {
            let current = queue[index]
            index += 1
            for route in outgoing[current] ?? [] { enter(route, path: reached[current]!) }
        }
        return reached.map { Reach(service: $0.key, path: $0.value) }
            .sorted { ($0.path.count, $0.service) < ($1.path.count, $1.service) }
    }

    /// All services reachable from `role`, through any service (statutory ones included).
    public func reachable(from role: ReferrerRole) -> Set<ServiceID> {
        var reached: Set<ServiceID> = []
        var queue = (fromRole[role] ?? []).map(\.to)
        while let next = queue.popLast() {
            guard reached.insert(next).inserted else { continue }
            queue.append(contentsOf: (outgoing[next] ?? []).map(\.to))
        }
        return reached
    }

    /// The shortest chain of referrals from one service to another (fewest steps; ties broken by
    /// service id so the answer is deterministic), or nil when there is none.
    public func shortestPath(from start: ServiceID, to goal: ServiceID) -> [ReferralRoute]? {
        if start == goal { return [] }
        var previous: [ServiceID: ReferralRoute] = [:]
        var visited: Set<ServiceID> = [start]
        var frontier = [start]
        while !frontier.isEmpty {
            var next: [ServiceID] = []
            for node in frontier {
                for route in (outgoing[node] ?? []).sorted(by: { $0.to < $1.to }) where visited.insert(route.to).inserted {
                    previous[route.to] = route
                    if route.to == goal {
                        var path: [ReferralRoute] = [route]
                        var cursor = node
                        while cursor != start, let step = previous[cursor] {
                            path.insert(step, at: 0)
                            cursor = ServiceID(stepSource(step))
                        }
                        return path
                    }
                    next.append(route.to)
                }
            }
            frontier = next
        }
        return nil
    }

    private func stepSource(_ route: ReferralRoute) -> String {
        if case .service(let id) = route.from { return id.rawValue }
        return ""
    }

    /// The referrers (roles and services) that route directly into a service.
    public func referrers(of id: ServiceID) -> [Referrer] {
        graph.routes(into: id).map(\.from)
    }
}
