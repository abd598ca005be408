import Foundation

/// Something the referral graph says about an area, explained in words.
public struct GraphFinding: Hashable, Codable, Sendable {
    /// Stable kebab-case names: tools and tests match on these; messages are for people.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The services a family can reach from a referrer without passing through statutory social work.
        case reachableWithoutSocialWork = "reachable-without-social-work"
        /// A service families are referred to that refers on to nothing.
        case deadEnd = "dead-end"
        /// Services that refer to each other in a cycle: families can bounce between them.
        case referralLoop = "referral-loop"
        /// A level of need whose every way in goes through one service.
        case singlePointOfEntry = "single-point-of-entry"
        /// A level of need with no service for some categories of need.
        case levelWithoutService = "level-without-service"

        public var label: String {
            switch self {
            case .reachableWithoutSocialWork: "Reachable without social work"
            case .deadEnd: "Dead end"
            case .referralLoop: "Referral loop"
            case .singlePointOfEntry: "Single point of entry"
            case .levelWithoutService: "Level without a service"
            }
        }
    }

    public var kind: Kind
    /// The area the finding is about.
    public var area: AreaCode?
    /// The services the finding names, in the order the message names them.
    public var services: [ServiceID]
    public var role: ReferrerRole?
    public var level: LevelID?
    public var ring: ContinuumRing?
    public var categories: [CategoryID]
    public var message: String

    public init(
        kind: Kind, area: AreaCode?, services: [ServiceID] = [], role: ReferrerRole? = nil, level: LevelID? = nil,
        ring: ContinuumRing? = nil, categories: [CategoryID] = [], message: String
    ) {
        self.kind = kind
        self.area = area
        self.services = services
        self.role = role
        self.level = level
        self.ring = ring
        self.categories = categories
        self.message = message
    }
}

/// What to look for in the referral graph.
public struct GraphFindingOptions: Hashable, Codable, Sendable {
    /// The areas to report on (each with the services that serve it). Empty: the top-level areas.
    public var areas: [AreaCode]
    /// Referrer roles for reachability; empty means every role that refers to a service in the area.
    public var referrers: [ReferrerRole]
    /// Categories checked for levels without a service; empty means the whole taxonomy.
    public var categories: [CategoryID]
    /// Rings checked for levels without a service and single points of entry; empty means all.
    public var rings: [ContinuumRing]

    public init(areas: [AreaCode] = [], referrers: [ReferrerRole] = [], categories: [CategoryID] = [], rings: [ContinuumRing] = []) {
        self.areas = areas
        self.referrers = referrers
        self.categories = categories
        self.rings = rings
    }
}

extension ServiceGraph {
    func name(_ id: ServiceID) -> String { services[id]?.name ?? id.rawValue }
    func areaName(_ code: AreaCode) -> String { areas[code]?.name ?? code.rawValue }

    /// Every graph finding for the areas asked about, in a stable order: per area, by kind.
    public func graphFindings(_ options: GraphFindingOptions = GraphFindingOptions()) -> [GraphFinding] {
        CoverageBasis(self).graphFindings(options)
    }
}

extension CoverageBasis {
    /// Positions of the running services that serve a family living in `area`, in id order.
    func runningServices(serving area: AreaCode) -> [Int] {
        serving(area).filter { running[$0] }.sorted { idRank[$0] < idRank[$1] }
    }

    /// `ServiceGraph.graphFindings(_:)`, answered from the basis.
    public func graphFindings(_ options: GraphFindingOptions = GraphFindingOptions()) -> [GraphFinding] {
        let areaCodes = options.areas.isEmpty ? graph.coverageColumns(CoverageScope()).columns : options.areas
        var findings: [GraphFinding] = []
        for area in areaCodes {
            let local = runningServices(serving: area)
            findings += reachability(area: area, local: local, referrers: options.referrers)
            findings += deadEnds(area: area, local: local)
            // Loops are found once over the whole graph, then reported for each area they touch.
            if !loops.isEmpty {
                let localIDs = Set(local.map { ids[$0] })
                for loop in loops where loop.allSatisfy(localIDs.contains) {
                    findings.append(graph.loopFinding(loop, area: area, allRoutes: sortedRoutes))
                }
            }
            findings += singlePointsOfEntry(area: area, local: local, rings: options.rings)
            findings += levelsWithoutService(area: area, local: local, categories: options.categories, rings: options.rings)
        }
        return findings
    }

    // MARK: Reach

    func reachability(area: AreaCode, local: [Int], referrers: [ReferrerRole]) -> [GraphFinding] {
        // The services a family in the area can be referred to, whatever their status (as AreaScope).
        let inArea = serving(area)
        // The routes from each role into them, in route id order: where every walk from a role starts.
        var fromRole: [ReferrerRole: [Int32]] = [:]
        for i in inArea {
            for r in routesIntoPosition[i] {
                if case .role(let role) = sortedRoutes[Int(r)].from { fromRole[role, default: []].append(r) }
            }
        }
        var roles = referrers
        if roles.isEmpty {
            var seen: Set<ReferrerRole> = []
            for i in local {
                for r in routesIntoPosition[i] {
                    if case .role(let role) = sortedRoutes[Int(r)].from { seen.insert(role) }
                }
            }
            roles = ReferrerRole.known.map(\.role).filter(seen.contains) + seen.subtracting(ReferrerRole.known.map(\.role)).sorted()
        }
        var entered = Array(repeating: false, count: byName.count)
        for i in inArea { entered[i] = true }
        // The route each service was reached by (its path is its parent's path and this route),
        // and how many steps in; reset after each role.
        var via = Array(repeating: Int32(-1), count: byName.count)
        var steps = Array(repeating: Int32(0), count: byName.count)
        return roles.map { role in
            // `ReferralNetwork.reachableWithoutSocialWork(from:entering:)` over positions: breadth
            // first from the role's routes in route order, never entering a statutory service,
            // each service reached by the first route that gets there.
            var queue: [Int] = []
            func enter(_ r: Int32, depth: Int32) {
                let to = Int(routeTo[Int(r)])
                guard to >= 0, via[to] < 0, !statutory[to], entered[to] else { return }
                via[to] = r
                steps[to] = depth
                queue.append(to)
            }
            for r in (fromRole[role] ?? []).sorted() { enter(r, depth: 1) }
            var index = 0
            while index < queue.count {
                let current = queue[index]
                index += 1
                for r in routesOutOfPosition[current] { enter(r, depth: steps[current] + 1) }
            }
            let reaches = queue.sorted { (steps[$0], ids[$0]) < (steps[$1], ids[$1]) }
            /// The services a reach passes through before its own, in order.
            /// A route from a role starts a walk; any other came from the service reached before.
            func through(_ i: Int) -> [Int] {
                var chain: [Int] = []
                var from = Int(routeFrom[Int(via[i])])
                while from >= 0 {
                    chain.append(from)
                    from = Int(routeFrom[Int(via[from])])
                }
                return chain.reversed()
            }
            let who = role == .self ? "Self-referral: a family" : "Referred by \(role.label) (\(role.rawValue)): a family"
            let message: String
            if reaches.isEmpty {
                message = "\(who) in \(graph.areaName(area)) can reach no recorded service without passing through statutory social work."
            } else {
                // Named up to a readable length; the finding's services list carries them all.
                let named = 25
                var list = reaches.prefix(named).map { i -> String in
                    let chain = through(i)
                    return chain.isEmpty ? byName[i].name : "\(byName[i].name) (via \(chain.map { byName[$0].name }.joined(separator: " → ")))"
                }
                if reaches.count > named { list.append("and \(reaches.count - named) more") }
                message = "\(who) in \(graph.areaName(area)) can reach \(reaches.count) service\(reaches.count == 1 ? "" : "s") "
                    + "without passing through statutory social work: \(list.joined(separator: "; "))."
            }
            for i in queue { via[i] = -1 }
            return GraphFinding(kind: .reachableWithoutSocialWork, area: area, services: reaches.map { ids[$0] }, role: role, message: message)
        }
    }

    // MARK: Dead ends

    /// Services families are referred into (they have a route in) that refer on to no service.
    /// Services with no route at all are a data-quality finding (`missing-referral-routes`), not a dead end.
    func deadEnds(area: AreaCode, local: [Int]) -> [GraphFinding] {
        local.compactMap { i -> GraphFinding? in
            let ins = routesIntoPosition[i].count
            guard ins > 0, routesOutOfPosition[i].isEmpty else { return nil }
            let name = byName[i].name
            return GraphFinding(
                kind: .deadEnd, area: area, services: [ids[i]],
                message: "\(name) takes referrals (\(ins) route\(ins == 1 ? "" : "s") in) but has no recorded onward "
                    + "route: a family whose needs outgrow it, or who leave it, has nowhere recorded to go next.")
        }
    }

    // MARK: Single points of entry

    /// For each level of the area's framework: the ways in from outside the level (routes from a
    /// role, or from a service not at the level). When every way in lands on one service, or comes
    /// from one service, the level is reachable only through that service.
    func singlePointsOfEntry(area: AreaCode, local: [Int], rings: [ContinuumRing]) -> [GraphFinding] {
        var findings: [GraphFinding] = []
        for level in graph.framework(for: area) where rings.isEmpty || level.ring.map(rings.contains) == true {
            let atLevel = local.filter { byName[$0].levels.contains(level.id) }
            guard !atLevel.isEmpty else { continue }
            let members = Set(atLevel)
            var doorSet: Set<Int> = []
            // Whether every way in comes from one referrer, and which.
            var source: Referrer?
            var severalSources = false
            for i in atLevel {
                for r in routesIntoPosition[i] {
                    let from = Int(routeFrom[Int(r)])
                    if from >= 0 && members.contains(from) { continue }
                    doorSet.insert(i)
                    if severalSources { continue }
                    let referrer = sortedRoutes[Int(r)].from
                    if source == nil { source = referrer } else if source != referrer { severalSources = true }
                }
            }
            guard !doorSet.isEmpty else { continue }
            let levelName = "\(level.name)\(level.ring.map { " (\($0.name))" } ?? "")"
            if doorSet.count == 1 {
                let door = ids[doorSet.first!]
                let others = atLevel.count - 1
                findings.append(GraphFinding(
                    kind: .singlePointOfEntry, area: area, services: [door], level: level.id, ring: level.ring,
                    message: "In \(graph.areaName(area)), every recorded way into \(levelName) goes to \(graph.name(door))"
                        + (others > 0 ? "; the level's \(others) other service\(others == 1 ? " is" : "s are") reached only from inside the level or not at all." : ".")))
            } else if !severalSources, case .service(let gate) = source! {
                // Sorted only here: a level with several doors and several sources is no finding.
                let doors = doorSet.map { ids[$0] }.sorted()
                findings.append(GraphFinding(
                    kind: .singlePointOfEntry, area: area, services: [gate] + doors, level: level.id, ring: level.ring,
                    message: "In \(graph.areaName(area)), \(levelName) is reachable only through \(graph.name(gate)): every recorded route into the level comes from it."))
            }
        }
        return findings
    }

    // MARK: Levels without a service

    /// For each level of the area's framework, the categories of need with no running service at it.
    func levelsWithoutService(area: AreaCode, local: [Int], categories wanted: [CategoryID], rings: [ContinuumRing]) -> [GraphFinding] {
        let rows = wanted.isEmpty ? graph.categoriesInTaxonomyOrder.map(\.id) : wanted
        let tests = rows.map(rowTest)
        var findings: [GraphFinding] = []
        for level in graph.framework(for: area) where rings.isEmpty || level.ring.map(rings.contains) == true {
            // A service at any level mapping to the same ring serves the level (a Scotland-wide
            // service at "Universal" serves Glasgow's universal level).
            let ringBit: UInt8 = level.ring.map { 1 << UInt8($0.rawValue) } ?? 0
            let atLevel = local.filter { i in byName[i].levels.contains(level.id) || ringBits[i] & ringBit != 0 }
            let missing = zip(rows, tests).filter { _, inRow in !atLevel.contains(where: inRow) }.map(\.0)
            guard !missing.isEmpty else { continue }
            let names = missing.map { graph.categories[$0]?.name.lowercased() ?? $0.rawValue }
            findings.append(GraphFinding(
                kind: .levelWithoutService, area: area, level: level.id, ring: level.ring, categories: missing,
                message: "In \(graph.areaName(area)), at \(level.name)\(level.ring.map { " (\($0.name))" } ?? ""), no service is recorded for "
                    + "\(missing.count) of \(rows.count) need\(rows.count == 1 ? "" : "s"): \(names.joined(separator: ", "))."))
        }
        return findings
    }
}

extension ServiceGraph {
    // MARK: Loops

    /// The cycles of service-to-service routes: every elementary cycle, each starting from its
    /// lowest id, shortest first. Found within strongly connected groups (Tarjan). Deterministic.
    public func referralLoops() -> [[ServiceID]] { referralLoops(sortedRoutes: sortedRoutes) }

    /// The same, over routes already sorted (the coverage basis sorts them once).
    func referralLoops(sortedRoutes: [ReferralRoute]) -> [[ServiceID]] {
        var outgoing: [ServiceID: [ServiceID]] = [:]
        for route in sortedRoutes {
            if case .service(let from) = route.from, services[route.to] != nil, services[from] != nil {
                outgoing[from, default: []].append(route.to)
            }
        }
        for key in outgoing.keys { outgoing[key] = Array(Set(outgoing[key]!)).sorted() }
        // Tarjan's strongly connected components, iteratively over sorted nodes.
        var index = 0
        var indices: [ServiceID: Int] = [:], low: [ServiceID: Int] = [:]
        var stack: [ServiceID] = [], onStack: Set<ServiceID> = []
        var components: [[ServiceID]] = []
        for start in outgoing.keys.sorted() where indices[start] == nil {
            var work: [(ServiceID, Int)] = [(start, 0)]
            indices[start] = index; low[start] = index; index += 1
            stack.append(start); onStack.insert(start)
            while let (node, next) = work.last {
                let targets = outgoing[node] ?? []
                if next < targets.count {
                    work[work.count - 1].1 += 1
                    let target = targets[next]
                    if indices[target] == nil {
                        indices[target] = index; low[target] = index; index += 1
                        stack.append(target); onStack.insert(target)
                        work.append((target, 0))
                    } else if onStack.contains(target) {
                        low[node] = min(low[node]!, indices[target]!)
                    }
                } else {
                    work.removeLast()
                    if let parent = work.last?.0 { low[parent] = min(low[parent]!, low[node]!) }
                    if low[node] == indices[node] {
                        var component: [ServiceID] = []
                        while let top = stack.popLast() {
                            onStack.remove(top)
                            component.append(top)
                            if top == node { break }
                        }
                        let selfLoop = component.count == 1 && (outgoing[node] ?? []).contains(node)
                        if component.count > 1 || selfLoop { components.append(component) }
                    }
                }
            }
        }
        // Every elementary cycle in each component (Johnson's idea, simply: cycles are listed from
        // their lowest member, through higher members only, so each is found once). Directories
        // have few service-to-service routes; `limit` keeps a pathological graph from running away.
        let limit = 200
        var cycles: [[ServiceID]] = []
        for component in components {
            let members = Set(component)
            for start in component.sorted() {
                var path = [start]
                var onPath: Set<ServiceID> = [start]
                func extend(_ node: ServiceID) {
                    for target in outgoing[node] ?? [] where members.contains(target) && target >= start {
                        if cycles.count >= limit { return }
                        if target == start {
                            cycles.append(path)
                        } else if !onPath.contains(target) {
                            path.append(target); onPath.insert(target)
                            extend(target)
                            path.removeLast(); onPath.remove(target)
                        }
                    }
                }
                extend(start)
            }
        }
        return cycles.sorted { ($0.count, $0.map(\.rawValue).joined(separator: ">")) < ($1.count, $1.map(\.rawValue).joined(separator: ">")) }
    }

    func loopFinding(_ loop: [ServiceID], area: AreaCode, allRoutes: [ReferralRoute]) -> GraphFinding {
        var steps: [String] = []
        var bounce = false
        for (i, id) in loop.enumerated() {
            let next = loop[(i + 1) % loop.count]
            let route = allRoutes.first { $0.from == .service(id) && $0.to == next }
            let text = (route?.notes ?? "") + " " + (route?.conditions ?? "")
            if text.lowercased().contains("bounce") { bounce = true }
            steps.append("\(name(id)) refers to \(name(next))\(route.map { " (\($0.mode.label.lowercased()))" } ?? "")")
        }
        let names = loop.map(name)
        let between = names.count == 2 ? "between \(names[0]) and \(names[1])" : "around \(names.joined(separator: ", "))"
        var message = "Families in \(areaName(area)) can bounce \(between): \(steps.joined(separator: "; "))"
            + (names.count == 2 ? "." : ", and so back to the start.")
        if bounce { message += " The source notes this 'bounce' as a problem for parents." }
        return GraphFinding(kind: .referralLoop, area: area, services: loop, message: message)
    }
}
