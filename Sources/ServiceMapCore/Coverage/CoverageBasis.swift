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
    /// Routes into each service, in route id order.
    let routesInto: [ServiceID: [ReferralRoute]]
    /// Services some route leaves from.
    let refersOn: Set<ServiceID>
    let sortedRoutes: [ReferralRoute]
    let loops: [[ServiceID]]
    let network: ReferralNetwork

    public init(_ graph: ServiceGraph) {
        self.graph = graph
        let byName = graph.services.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        self.byName = byName
        var position: [ServiceID: Int] = [:]
        position.reserveCapacity(byName.count)
        for (i, service) in byName.enumerated() { position[service.id] = i }
        self.position = position
        var rank = Array(repeating: 0, count: byName.count)
        for (r, i) in byName.indices.sorted(by: { byName[$0].id < byName[$1].id }).enumerated() { rank[i] = r }
        idRank = rank
        ringBits = byName.map { service in
            var bits: UInt8 = 0
            for level in service.levels { if let ring = graph.levels[level]?.ring { bits |= 1 << UInt8(ring.rawValue) } }
            return bits
        }
        let rowCategories = graph.categories.keys.sorted()
        self.rowCategories = rowCategories
        rowIndex = Dictionary(uniqueKeysWithValues: rowCategories.enumerated().map { ($1, $0) })
        let words = (byName.count + 63) / 64
        let serviceCategories = byName.map { Set($0.categories) }
        rowMembers = rowCategories.map { row in
            let set = graph.categoryAndDescendants(of: row)
            var bits = Array(repeating: UInt64(0), count: words)
            for (i, categories) in serviceCategories.enumerated() where !set.isDisjoint(with: categories) {
                bits[i >> 6] |= 1 << UInt64(i & 63)
            }
            return bits
        }
        var listing: [AreaCode: [Int]] = [:]
        for (i, service) in byName.enumerated() {
            for area in Set(service.areas) { listing[area, default: []].append(i) }
        }
        self.listing = listing
        var ancestors: [AreaCode: [AreaCode]] = [:]
        var descendants: [AreaCode: Set<AreaCode>] = [:]
        for code in graph.areas.keys {
            ancestors[code] = graph.ancestors(of: code)
            descendants[code] = graph.areaAndDescendants(of: code)
        }
        self.ancestors = ancestors
        self.descendants = descendants
        sortedRoutes = graph.sortedRoutes
        var into: [ServiceID: [ReferralRoute]] = [:]
        var onward: Set<ServiceID> = []
        for route in sortedRoutes {
            into[route.to, default: []].append(route)
            if case .service(let id) = route.from { onward.insert(id) }
        }
        routesInto = into
        refersOn = onward
        loops = graph.referralLoops()
        network = ReferralNetwork(graph)
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
            for i in serving(code) {
                let service = byName[i]
                guard isRunning(service) else { continue }
                let reach: CoverageReach
                if service.areas.contains(code) {
                    reach = .area
                } else if let wider = service.areas.first(where: above.contains) {
                    reach = .wider(wider)
                } else if let part = service.areas.first(where: below.contains) {
                    reach = .part(part)
                } else {
                    continue
                }
                let entry = CoverageEntry(service: service.id, name: service.name, reach: reach)
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
