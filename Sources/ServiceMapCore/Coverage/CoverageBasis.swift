import Foundation

/// What every coverage question asks of the whole graph, worked out once: services in name
/// order with their rings and needs as bit sets, the services listing each area, the routes into
/// each service, the referral network and its loops.
///
/// Why: the site asks for a matrix, the graph findings and the data quality of every area. Asked
/// of the graph one area at a time, each question sorted and scanned every service and route
/// again (for 100,000 services, minutes). Asked of a basis, an area costs the services that serve
/// it. The answers are the same as `ServiceGraph.coverage`, `graphFindings` and `dataQuality`,
/// which build a basis and ask it.
public struct CoverageBasis: Sendable {
    public let graph: ServiceGraph
    /// Every service, in name order (then id): the order of a cell's entries and of data quality.
    let byName: [Service]
    /// Each service's position in id order: the order of graph findings.
    let idRank: [Int]
    /// Each service's rings as bits (bit r for ring r); 0 when no level maps to a ring.
    let ringBits: [UInt8]
    /// Each category's row membership: `categoryBits[c]` holds, per service, whether it is tagged with
    /// category `c` or a category below it, as words of 64 services.
    let rowCategories: [CategoryID]
    private let rowIndex: [CategoryID: Int]
    private let rowMembers: [[UInt64]]
    /// Positions (in `byName`) of the services listing each area, ascending.
    private let listing: [AreaCode: [Int]]
    let position: [ServiceID: Int]
    let ancestors: [AreaCode: [AreaCode]]
    let descendants: [AreaCode: Set<AreaCode>]
    let sortedRoutes: [ReferralRoute]
    let loops: [[ServiceID]]

    // Per position in `byName`, so the questions asked of every area read arrays rather than
    // copying services (a copy retains each of a service's strings and arrays) or hashing ids.
    /// Each service's id.
    let ids: [ServiceID]
    /// Whether the service counts (`isRunning`).
    let running: [Bool]
    /// Whether the service is statutory social work (`ServiceGraph.isStatutorySocialWork`).
    let statutory: [Bool]
    /// The routes into each service, as indices in `sortedRoutes` (so in route id order).
    let routesIntoPosition: [[Int32]]
    /// The routes leaving each service, as indices in `sortedRoutes`.
    let routesOutOfPosition: [[Int32]]
    /// Per route in `sortedRoutes`: the position of the service it goes to, and of the service
    /// it comes from; -1 for a role, or a service the graph does not hold.
    let routeTo: [Int32]
    let routeFrom: [Int32]

    public init(_ graph: ServiceGraph) {
        self.graph = graph
        // Sorted as positions, then gathered: sorting the services themselves moves (and retains)
        // whole services at every step.
        let services = Array(graph.services.values)
        let keys = services.map { ($0.name, $0.id) }
        let byName = keys.indices.sorted { keys[$0] < keys[$1] }.map { services[$0] }
        self.byName = byName
        let ids = byName.map(\.id)
        self.ids = ids
        var position: [ServiceID: Int] = [:]
        position.reserveCapacity(byName.count)
        for (i, id) in ids.enumerated() { position[id] = i }
        self.position = position
        var rank = Array(repeating: 0, count: byName.count)
        for (r, i) in ids.indices.sorted(by: { ids[$0] < ids[$1] }).enumerated() { rank[i] = r }
        idRank = rank
        let rowCategories = graph.categories.keys.sorted()
        self.rowCategories = rowCategories
        rowIndex = Dictionary(uniqueKeysWithValues: rowCategories.enumerated().map { ($1, $0) })
        // The rows each category counts under: its own and every row above it.
        var rowsOf: [CategoryID: [Int]] = [:]
        for (row, id) in rowCategories.enumerated() {
            for member in graph.categoryAndDescendants(of: id) { rowsOf[member, default: []].append(row) }
        }
        let words = (byName.count + 63) / 64
        var rowMembers = Array(repeating: Array(repeating: UInt64(0), count: words), count: rowCategories.count)
        var listing: [AreaCode: [Int]] = [:]
        var ringBits = Array(repeating: UInt8(0), count: byName.count)
        var running = Array(repeating: false, count: byName.count)
        var statutory = Array(repeating: false, count: byName.count)
        // One pass, reading each service's fields in place (`for service in byName` would copy each).
        for i in byName.indices {
            for category in byName[i].categories {
                for row in rowsOf[category] ?? [] { rowMembers[row][i >> 6] |= 1 << UInt64(i & 63) }
            }
            let areas = byName[i].areas
            for (k, area) in areas.enumerated() where !areas[..<k].contains(area) { listing[area, default: []].append(i) }
            var bits: UInt8 = 0
            for level in byName[i].levels { if let ring = graph.levels[level]?.ring { bits |= 1 << UInt8(ring.rawValue) } }
            ringBits[i] = bits
            let status = byName[i].status
            running[i] = status != .closed && status != .inactive
            // `ServiceGraph.isStatutorySocialWork`: run by social work, its lowest ring statutory.
            let sector = byName[i].sector ?? byName[i].organisation.flatMap { graph.organisations[$0]?.sector }
            if sector == .socialWork, bits != 0 {
                let lowest = ContinuumRing(rawValue: bits.trailingZeroBitCount)
                statutory[i] = lowest?.isStatutory ?? false
            }
        }
        self.rowMembers = rowMembers
        self.listing = listing
        self.ringBits = ringBits
        self.running = running
        self.statutory = statutory
        var ancestors: [AreaCode: [AreaCode]] = [:]
        var descendants: [AreaCode: Set<AreaCode>] = [:]
        for code in graph.areas.keys {
            ancestors[code] = graph.ancestors(of: code)
            descendants[code] = graph.areaAndDescendants(of: code)
        }
        self.ancestors = ancestors
        self.descendants = descendants
        let sortedRoutes = graph.sortedRoutes
        self.sortedRoutes = sortedRoutes
        var intoPosition = Array(repeating: [Int32](), count: byName.count)
        var outOfPosition = Array(repeating: [Int32](), count: byName.count)
        var routeTo = Array(repeating: Int32(-1), count: sortedRoutes.count)
        var routeFrom = Array(repeating: Int32(-1), count: sortedRoutes.count)
        for (r, route) in sortedRoutes.enumerated() {
            if let to = position[route.to] {
                routeTo[r] = Int32(to)
                intoPosition[to].append(Int32(r))
            }
            if case .service(let id) = route.from, let from = position[id] {
                routeFrom[r] = Int32(from)
                outOfPosition[from].append(Int32(r))
            }
        }
        routesIntoPosition = intoPosition
        routesOutOfPosition = outOfPosition
        self.routeTo = routeTo
        self.routeFrom = routeFrom
        loops = graph.referralLoops(sortedRoutes: sortedRoutes)
    }

    func ancestors(of code: AreaCode) -> [AreaCode] { ancestors[code] ?? graph.ancestors(of: code) }
    func areaAndDescendants(of code: AreaCode) -> Set<AreaCode> { descendants[code] ?? graph.areaAndDescendants(of: code) }

    /// Whether the service at `i` is tagged with row category `row` or one below it.
    func isInRow(_ i: Int, _ row: Int) -> Bool {
        rowMembers[row][i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    /// Whether the service at a position counts under a need: tagged with it or a need below it.
    /// A need the graph does not hold has no bits; its membership is worked out as the graph does.
    func rowTest(_ category: CategoryID) -> (Int) -> Bool {
        if let row = rowIndex[category] { return { isInRow($0, row) } }
        let set = graph.categoryAndDescendants(of: category)
        return { !set.isDisjoint(with: byName[$0].categories) }
    }

    /// The positions of the services that serve a family in `code` (`AreaScope.includes`): those
    /// listing the area, an area above it or an area below it. Ascending, so in name order.
    func serving(_ code: AreaCode) -> [Int] {
        var lists: [[Int]] = []
        for area in Set(ancestors(of: code)).union(areaAndDescendants(of: code)) {
            if let list = listing[area] { lists.append(list) }
        }
        if lists.count == 1 { return lists[0] }
        var all = lists.flatMap { $0 }
        all.sort()
        var unique: [Int] = []
        unique.reserveCapacity(all.count)
        for i in all where unique.last != i { unique.append(i) }
        return unique
    }

    func isRunning(_ service: Service) -> Bool { service.status != .closed && service.status != .inactive }

    // MARK: Coverage

    /// `ServiceGraph.coverage(_:)`, answered from the basis.
    public func coverage(_ scope: CoverageScope = CoverageScope()) -> CoverageMatrix {
        let (root, columnCodes) = graph.coverageColumns(scope)
        let rowCategories: [NeedCategory] = scope.categories.isEmpty
            ? graph.categoriesInTaxonomyOrder
            : scope.categories.map { graph.categories[$0] ?? NeedCategory(id: $0, name: $0.rawValue) }
        let rings = scope.rings.isEmpty ? ContinuumRing.allCases : scope.rings.sorted()
        var shownBits: UInt8 = 0
        for ring in rings { shownBits |= 1 << UInt8(ring.rawValue) }
        let rowTests = rowCategories.map { rowTest($0.id) }
        let slots = rings.count + 1  // the shown rings, then "level not stated"

        var columns: [CoverageMatrix.Column] = []
        var cells: [CoverageCell] = []
        var summary: [CoverageCell] = []
        for code in columnCodes {
            let area = graph.areas[code]
            columns.append(.init(
                code: code, name: area?.name ?? code.rawValue, kind: area?.kind,
                levels: graph.framework(for: code).map { .init(id: $0.id, name: $0.name, ring: $0.ring) }))
            let above = Set(ancestors(of: code))
            let below = areaAndDescendants(of: code).subtracting([code])
            var rowEntries = Array(repeating: Array(repeating: [CoverageEntry](), count: slots), count: rowCategories.count)
            var rowTotals = Array(repeating: [CoverageEntry](), count: rowCategories.count)
            for i in serving(code) where running[i] {
                // Read in place: a copy of the service would retain each of its fields.
                let areas = byName[i].areas
                let reach: CoverageReach
                if areas.contains(code) {
                    reach = .area
                } else if let wider = areas.first(where: above.contains) {
                    reach = .wider(wider)
                } else if let part = areas.first(where: below.contains) {
                    reach = .part(part)
                } else {
                    continue
                }
                let entry = CoverageEntry(service: ids[i], name: byName[i].name, reach: reach)
                let own = ringBits[i]
                for (r, inRow) in rowTests.enumerated() where inRow(i) {
                    if own == 0 {
                        rowEntries[r][slots - 1].append(entry)
                    } else {
                        for (s, ring) in rings.enumerated() where own & (1 << UInt8(ring.rawValue)) != 0 {
                            rowEntries[r][s].append(entry)
                        }
                    }
                    // The total respects the ring filter: services at a shown ring, or with none stated.
                    if own == 0 || own & shownBits != 0 { rowTotals[r].append(entry) }
                }
            }
            for (r, row) in rowCategories.enumerated() {
                for (s, ring) in (rings as [ContinuumRing?] + [nil]).enumerated() {
                    cells.append(CoverageCell(area: code, category: row.id, ring: ring, services: rowEntries[r][s]))
                }
                summary.append(CoverageCell(area: code, category: row.id, ring: nil, services: rowTotals[r]))
            }
        }
        let title: String
        if let root, let area = graph.areas[root] {
            title = columnCodes == [root] ? area.name : "\(area.name): \(columnCodes.count) areas side by side"
        } else {
            title = columns.map(\.name).joined(separator: " beside ")
        }
        return CoverageMatrix(
            root: root, title: title, columns: columns,
            rows: rowCategories.map { .init(id: $0.id, name: $0.name) }, rings: rings, cells: cells, summary: summary)
    }
}
