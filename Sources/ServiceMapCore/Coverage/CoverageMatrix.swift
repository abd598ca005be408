import Foundation

/// How a service reaches the area of a matrix column.
public enum CoverageReach: Hashable, Codable, Sendable {
    /// The service lists the area itself.
    case area
    /// The service covers a wider area that contains this one (a board-wide or Scotland-wide
    /// service serves every council in it), named here.
    case wider(AreaCode)
    /// The service covers only a part of this area (a Glasgow City service counts for NHS Greater
    /// Glasgow and Clyde), named here.
    case part(AreaCode)

    /// Plain words for a cell's evidence: "Scotland-wide", "part: Glasgow City".
    public func words(_ graph: ServiceGraph) -> String? {
        switch self {
        case .area: nil
        case .wider(let code): "covers all of \(graph.areas[code]?.name ?? code.rawValue)"
        case .part(let code): "only in \(graph.areas[code]?.name ?? code.rawValue)"
        }
    }
}

/// One service counted in a cell, with how it reaches the column's area.
public struct CoverageEntry: Hashable, Codable, Sendable {
    public var service: ServiceID
    public var name: String
    public var reach: CoverageReach
}

/// Whether a cell stands out.
public enum CoverageState: String, Codable, Sendable {
    /// No service at all.
    case empty
    /// Exactly one service: a single point of failure.
    case thin
    case covered

    public init(count: Int) {
        self = count == 0 ? .empty : count == 1 ? .thin : .covered
    }
}

/// One cell of a coverage matrix: an area, a category of need, and a ring of the continuum
/// (nil: the services whose level of need is not stated).
public struct CoverageCell: Hashable, Codable, Sendable {
    public var area: AreaCode
    public var category: CategoryID
    /// The ring; nil for "level not stated".
    public var ring: ContinuumRing?
    public var services: [CoverageEntry]

    public var count: Int { services.count }
    public var state: CoverageState { CoverageState(count: count) }

    /// A step on a five-step heat scale for heat maps, always shown with the number itself:
    /// 0 none, 1 one (thin), 2 two, 3 three or four, 4 five or more.
    public var heat: Int {
        switch count {
        case 0: 0
        case 1: 1
        case 2: 2
        case 3...4: 3
        default: 4
        }
    }
}

/// An area × level of need × category of need matrix, compared on the common seven-ring scale
/// because every area has its own framework of levels.
///
/// Which services count for an area is `CoverageMatrix.countingRule`: a service counts for a
/// column when it covers the area itself, a wider area containing it, or a part of it. Closed and
/// inactive services are left out; pilots count. A service counts under a category when it is
/// tagged with it or with a category below it (perinatal mental health counts as parental
/// mental health), and at every ring one of its levels maps to.
public struct CoverageMatrix: Hashable, Codable, Sendable {
    public struct Column: Hashable, Codable, Sendable {
        public var code: AreaCode
        public var name: String
        public var kind: AreaKind?
        /// The column's level framework, as "Level name → ring" pairs, so a reader can see what
        /// each ring means locally.
        public var levels: [LocalLevel]
    }

    public struct LocalLevel: Hashable, Codable, Sendable {
        public var id: LevelID
        public var name: String
        public var ring: ContinuumRing?
    }

    public struct Row: Hashable, Codable, Sendable {
        public var id: CategoryID
        public var name: String
    }

    /// The area asked about (nil when several areas are compared side by side).
    public var root: AreaCode?
    public var title: String
    public var columns: [Column]
    public var rows: [Row]
    /// The rings shown, outermost first. Cells also exist for "level not stated" (ring nil).
    public var rings: [ContinuumRing]
    /// Every cell: for each column, row and ring (plus nil), in that order.
    public var cells: [CoverageCell]
    /// The same matrix with levels collapsed: a cell per column and row with every service at any
    /// level (or none stated).
    public var summary: [CoverageCell]

    /// How services are counted for areas, said in the output of every format.
    public static let countingRule = """
        A service counts for an area when it covers that area, a wider area containing it (a \
        Scotland-wide or board-wide service serves every board or council within it), or only a \
        part of it (a Glasgow City service counts for NHS Greater Glasgow and Clyde, marked \
        "only in"). Closed and inactive services are not counted; pilots are. A service counts \
        under a need when tagged with it or a need below it, and at each ring of the continuum \
        its levels map to; services with no level stated are counted under "level not stated". \
        Empty cells have no service; thin cells have exactly one.
        """

    public func cell(_ area: AreaCode, _ category: CategoryID, ring: ContinuumRing?) -> CoverageCell? {
        // Cells are laid out column by column, row by row, ring by ring: look there first, and
        // search only when the matrix was put together some other way.
        let slot = ring == nil ? rings.count : rings.firstIndex(of: ring!)
        if let c = columns.firstIndex(where: { $0.code == area }), let r = rows.firstIndex(where: { $0.id == category }), let s = slot {
            let i = (c * rows.count + r) * (rings.count + 1) + s
            if cells.indices.contains(i), cells[i].area == area, cells[i].category == category, cells[i].ring == ring { return cells[i] }
        }
        return cells.first { $0.area == area && $0.category == category && $0.ring == ring }
    }

    /// The cell with every level together.
    public func total(_ area: AreaCode, _ category: CategoryID) -> CoverageCell? {
        if let c = columns.firstIndex(where: { $0.code == area }), let r = rows.firstIndex(where: { $0.id == category }) {
            let i = c * rows.count + r
            if summary.indices.contains(i), summary[i].area == area, summary[i].category == category { return summary[i] }
        }
        return summary.first { $0.area == area && $0.category == category }
    }
}

/// What to put in a matrix.
public struct CoverageScope: Hashable, Codable, Sendable {
    /// One area: its sub-areas side by side (or the area itself when it has none). Several areas:
    /// those areas side by side ("Glasgow beside Bromley"). Empty: the top-level areas.
    public var areas: [AreaCode]
    /// Rows; empty means every category of the taxonomy.
    public var categories: [CategoryID]
    /// Rings shown; empty means all seven.
    public var rings: [ContinuumRing]
    /// With one area: compare its sub-areas (true), or show the area alone (false).
    public var subAreas: Bool

    public init(areas: [AreaCode] = [], categories: [CategoryID] = [], rings: [ContinuumRing] = [], subAreas: Bool = true) {
        self.areas = areas
        self.categories = categories
        self.rings = rings
        self.subAreas = subAreas
    }
}

extension ServiceGraph {
    /// The columns a scope compares.
    public func coverageColumns(_ scope: CoverageScope) -> (root: AreaCode?, columns: [AreaCode]) {
        switch scope.areas.count {
        case 0:
            return (nil, sortedAreas.filter { $0.parent == nil || areas[$0.parent!] == nil }.sorted { $0.name < $1.name }.map(\.code))
        case 1:
            let root = scope.areas[0]
            let children = scope.subAreas ? children(of: root).map(\.code) : []
            return (root, children.isEmpty ? [root] : children)
        default:
            return (nil, scope.areas)
        }
    }

    /// The categories in taxonomy order: the standard ones as servicemap lists them, then any
    /// the data added, by name.
    public var categoriesInTaxonomyOrder: [NeedCategory] {
        let standard = NeedCategory.standard.map(\.id)
        let known = standard.compactMap { categories[$0] }
        let extra = categories.values.filter { !standard.contains($0.id) }.sorted { $0.name < $1.name }
        return known + extra
    }

    /// Builds the area × level × category matrix for a scope. Pure and deterministic.
    public func coverage(_ scope: CoverageScope = CoverageScope()) -> CoverageMatrix {
        CoverageBasis(self).coverage(scope)
    }
}
