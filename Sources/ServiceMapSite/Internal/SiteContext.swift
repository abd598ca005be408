import Foundation
import ServiceMapCore

/// Everything the build steps share, computed once from the graph: file names, and the indexes
/// that let each page be rendered without scanning the whole graph (routes into a service,
/// services per area, level, category and organisation).
final class SiteContext: @unchecked Sendable {
    let graph: ServiceGraph
    let options: SiteOptions
    let theme: Theme
    /// The folder pages are written to during the build (swapped into place at the end, or the
    /// site's own folder when an incremental build updates it in place).
    let staging: URL
    /// `staging` as a path ending in "/": a page's file is this plus its path. (Appending to a URL
    /// asks the disk whether the result is a folder, a system call per page.)
    let stagingPrefix: String
    /// What the last build wrote, so unchanged pages and files are skipped (OutputLedger).
    var ledger: OutputLedger?

    /// Services in name order (then id): the order of the A–Z, of lists, and of search documents,
    /// which is also ServiceGraph.find's tie-break, so equal scores rank the same on both sides.
    let servicesByName: [Service]
    /// By position in `servicesByName`: whether the service is not closed (closed services are
    /// no search document and serve no one).
    let serviceIsOpen: [Bool]
    let serviceStem: StemTable<ServiceID>
    let areaStem: StemTable<AreaCode>
    let levelStem: StemTable<LevelID>
    let categoryStem: StemTable<CategoryID>
    let organisationStem: StemTable<OrganisationID>

    /// The graph's routes in id order (`ServiceGraph.sortedRoutes`, sorted once).
    let sortedRoutes: [ReferralRoute]
    let routesInto: [ServiceID: [ReferralRoute]]
    let routesOutOf: [ServiceID: [ReferralRoute]]
    /// The services listed on each area, level, need and organisation page, as positions in
    /// `servicesByName` (so in name order): a position costs 8 bytes, a copied Service hundreds.
    let servicesInArea: [AreaCode: [Int]]
    let servicesAtLevel: [LevelID: [Int]]
    let servicesInCategory: [CategoryID: [Int]]
    let servicesOfOrganisation: [OrganisationID: [Int]]
    /// How many of the services listed in an area work at each level (a council's page counts its
    /// own services, not its board's).
    let levelCountsInArea: [AreaCode: [LevelID: Int]]
    let childrenOfArea: [AreaCode: [Area]]
    let childrenOfCategory: [CategoryID: [NeedCategory]]
    let ancestorsOfArea: [AreaCode: [AreaCode]]
    /// How many services a family in each area can use (`LandscapeMap.services`: covering the
    /// area, one above it or one inside it; not closed).
    let servingCount: [AreaCode: Int]
    /// Those services in id order, for the areas small enough to draw (DiagramPages).
    let servingToDraw: [AreaCode: [Service]]
    /// The areas where at least one of those services works at a ring, so a landscape can be drawn.
    let areasWithLandscape: Set<AreaCode>
    let sortedAreas: [Area]
    let sortedLevels: [LevelOfNeed]
    let sortedCategories: [NeedCategory]
    let sortedOrganisations: [Organisation]

    private let pageCounter = Counter()
    /// Each service's item in lists, rendered once with the service page or when first needed
    /// (PageRenderer.listItem); empty until then.
    let listItems: ConcurrentSlots
    /// The services' keys (ServiceKeys), worked out by the first step that needs them.
    let serviceKeys = OnceValue<ServiceKeys>()
    /// The fingerprint of the directory's structure (PageRenderer.structureKey).
    let structureKey = OnceValue<Fingerprint>()

    init(graph: ServiceGraph, options: SiteOptions, theme: Theme, staging: URL) {
        self.graph = graph
        self.options = options
        self.theme = theme
        self.staging = staging
        self.stagingPrefix = staging.path.hasSuffix("/") ? staging.path : staging.path + "/"
        // The name order and the lists built on it take one core; file names, routes and the
        // small sorted lists the other (each part is a tenth of a second or two at 100,000 services).
        let (lookups, listings) = ParallelMap.both({ Lookups(graph) }, { Listings(graph) })
        servicesByName = listings.servicesByName
        serviceIsOpen = listings.isOpen
        listItems = ConcurrentSlots(count: servicesByName.count)
        serviceStem = lookups.serviceStem
        areaStem = lookups.areaStem
        levelStem = lookups.levelStem
        categoryStem = lookups.categoryStem
        organisationStem = lookups.organisationStem
        sortedRoutes = lookups.sortedRoutes
        routesInto = lookups.routesInto
        routesOutOf = lookups.routesOutOf
        sortedAreas = lookups.sortedAreas
        sortedLevels = lookups.sortedLevels
        sortedCategories = lookups.sortedCategories
        sortedOrganisations = lookups.sortedOrganisations
        childrenOfArea = lookups.childrenOfArea
        childrenOfCategory = lookups.childrenOfCategory
        servicesInArea = listings.servicesInArea
        servicesAtLevel = listings.servicesAtLevel
        servicesInCategory = listings.servicesInCategory
        servicesOfOrganisation = listings.servicesOfOrganisation
        levelCountsInArea = listings.levelCountsInArea
        ancestorsOfArea = listings.ancestorsOfArea
        servingCount = listings.servingCount
        servingToDraw = listings.servingToDraw
        areasWithLandscape = listings.areasWithLandscape
    }

    /// The services sorted by (name, id), as Swift orders Strings. Each Service is copied once, out
    /// of the dictionary, and then moved into its place: a copy retains every one of its fields.
    static func inNameOrder(_ services: [ServiceID: Service]) -> [Service] {
        var all = Array(services.values)
        // Each service's name, a NUL and its id, laid end to end: for ASCII, byte order of that is
        // (name, id) order, compared in one block of memory rather than in strings scattered over
        // the heap. A NUL in a name would break that (one in an id would not); such names, and
        // any not in ASCII, are compared as Strings.
        var keys: [UInt8] = []
        var bounds: [Range<Int>] = []
        var plain: [Bool] = []
        keys.reserveCapacity(all.count * 48)
        bounds.reserveCapacity(all.count)
        plain.reserveCapacity(all.count)
        for i in all.indices {
            let start = keys.count
            keys.append(contentsOf: all[i].name.utf8)
            let nameEnd = keys.count
            keys.append(0)
            keys.append(contentsOf: all[i].id.rawValue.utf8)
            bounds.append(start..<keys.count)
            plain.append(keys[start...].allSatisfy { $0 < 0x80 } && !keys[start..<nameEnd].contains(0))
        }
        let order = keys.withUnsafeBufferPointer { keys in
            all.indices.sorted { x, y in
                guard plain[x] && plain[y] else { return (all[x].name, all[x].id) < (all[y].name, all[y].id) }
                return ByteOrder.compare(UnsafeBufferPointer(rebasing: keys[bounds[x]]), UnsafeBufferPointer(rebasing: keys[bounds[y]])) < 0
            }
        }
        // Into order by following each cycle of the permutation with swaps, which move.
        var placed = [Bool](repeating: false, count: all.count)
        all.withUnsafeMutableBufferPointer { all in
            for start in all.indices where !placed[start] {
                var current = start
                while true {
                    placed[current] = true
                    let next = order[current]
                    if next == start { break }
                    all.swapAt(current, next)
                    current = next
                }
            }
        }
        return all
    }

    /// File-safe, unique names for identifiers. Ids that are already lowercase slugs keep their
    /// spelling; anything else (spaces, "../", quotes from a hostile sheet) is slugged and given a
    /// short hash so two ids never share a file.
    static func stems(_ ids: [String]) -> [String: String] {
        var stems = Dictionary(uniqueKeysWithValues: ids.map { ($0, $0) })
        stems.merge(changedStems(ids)) { $1 }
        return stems
    }

    /// `stems(ids)` for the ids whose stem is not their own spelling (usually none).
    static func changedStems(_ ids: [String]) -> [String: String] {
        // Ids made only of lowercase letters, digits and dashes are file-safe as they are
        // ("health-visiting--glasgow-city"); anything else is slugged and given a hash.
        func isPlain(_ id: String) -> Bool {
            !id.isEmpty && id.utf8.count <= 100 && id.first != "-"
                && id.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        }
        // Plain ids are distinct and keep their spelling, so with no other kind there is nothing
        // to order or to tell apart (a generated directory of a hundred thousand, typically).
        if ids.allSatisfy(isPlain) { return [:] }
        var result: [String: String] = [:]
        var used: Set<String> = []
        for id in ids.sorted() {
            let plain = isPlain(id)
            var stem = plain ? id : Slug.make(id)
            if !plain {
                stem = String(stem.prefix(60)) + (stem.isEmpty ? "" : "-") + String(ShardHash.fnv1a(id), radix: 16)
            }
            var candidate = stem
            var n = 2
            while used.contains(candidate) {
                candidate = "\(stem)-\(n)"
                n += 1
            }
            used.insert(candidate)
            if candidate != id { result[id] = candidate }
        }
        return result
    }

    // MARK: Paths, relative to the site root

    func servicePath(_ id: ServiceID) -> String { "services/\(serviceStem[id] ?? "missing").html" }
    func areaPath(_ code: AreaCode) -> String { "areas/\(areaStem[code] ?? "missing").html" }
    func levelPath(_ id: LevelID) -> String { "levels/\(levelStem[id] ?? "missing").html" }
    func ringPath(_ ring: ContinuumRing) -> String { "levels/ring-\(ring.rawValue)-\(ring.slug).html" }
    func categoryPath(_ id: CategoryID) -> String { "categories/\(categoryStem[id] ?? "missing").html" }
    func organisationPath(_ id: OrganisationID) -> String { "organisations/\(organisationStem[id] ?? "missing").html" }

    /// The list item of the service at a position in `servicesByName`.

    // MARK: Frames

    enum FramePart {
        case text([UInt8])
        case title
        case breadcrumbs
        case content
    }

    private let frameLock = NSLock()
    /// Frames by thread, then by kind and depth: each rendering thread keeps its own copy, so no
    /// two threads retain the same frame (see TemplatePool).
    private var frames: [UInt: [String: [FramePart]]] = [:]

    /// The layout around pages of one kind at one depth, split at the per-page markers.
    func frame(kind: String, root: String, render: () -> String) -> [FramePart] {
        let key = kind + "|" + root
        let thread = TemplatePool.currentThread
        frameLock.lock()
        if let known = frames[thread]?[key] {
            frameLock.unlock()
            return known
        }
        frameLock.unlock()
        var parts: [FramePart] = []
        var rest = render()[...]
        let markers: [(String, FramePart)] = [(Theme.titleMarker, .title), (Theme.breadcrumbsMarker, .breadcrumbs), (Theme.contentMarker, .content)]
        while !rest.isEmpty {
            let next = markers.compactMap { marker -> (Range<Substring.Index>, FramePart)? in
                rest.range(of: marker.0).map { ($0, marker.1) }
            }.min { $0.0.lowerBound < $1.0.lowerBound }
            guard let (range, part) = next else {
                parts.append(.text(Array(rest.utf8)))
                break
            }
            if range.lowerBound > rest.startIndex { parts.append(.text(Array(rest[..<range.lowerBound].utf8))) }
            parts.append(part)
            rest = rest[range.upperBound...]
        }
        frameLock.lock()
        frames[thread, default: [:]][key] = parts
        frameLock.unlock()
        return parts
    }

    // MARK: Writing

    func countPage(_ n: Int = 1) { pageCounter.increment(by: n) }
    var pagesWritten: Int { pageCounter.value }

    /// Files are written by `writer`, off the rendering threads. A full build publishes by
    /// renaming the finished folder, so a crash never leaves a half-written site in place; an
    /// incremental one writes in place but first removes the manifest, so the next build is full.
    let writer = FileWriter()

    func write(_ text: String, to path: String) throws {
        var copy = text
        let changed = copy.withUTF8 { ledger?.needsWrite(bytes: UnsafeRawBufferPointer($0), to: path) ?? true }
        if changed { try writer.enqueue(.text(text), to: stagingPrefix + path) }
    }

    func write(bytes: [UInt8], to path: String) throws {
        let changed = bytes.withUnsafeBytes { ledger?.needsWrite(bytes: $0, to: path) ?? true }
        if changed { try writer.enqueue(.bytes(bytes), to: stagingPrefix + path) }
    }

}

/// The name order, and what is built on it: the services listed per area, level, need and
/// organisation, and how many services a family in each area can use. Worked out on one core
/// while `Lookups` takes the other.
private struct Listings: @unchecked Sendable {
    let servicesByName: [Service]
    let isOpen: [Bool]
    let servicesInArea: [AreaCode: [Int]]
    let servicesAtLevel: [LevelID: [Int]]
    let servicesInCategory: [CategoryID: [Int]]
    let servicesOfOrganisation: [OrganisationID: [Int]]
    let levelCountsInArea: [AreaCode: [LevelID: Int]]
    let ancestorsOfArea: [AreaCode: [AreaCode]]
    let servingCount: [AreaCode: Int]
    let servingToDraw: [AreaCode: [Service]]
    let areasWithLandscape: Set<AreaCode>

    init(_ graph: ServiceGraph) {
        let byName = SiteContext.inNameOrder(graph.services)
        servicesByName = byName
        var inArea: [AreaCode: [Int]] = [:]
        var atLevel: [LevelID: [Int]] = [:]
        var inCategory: [CategoryID: [Int]] = [:]
        var ofOrganisation: [OrganisationID: [Int]] = [:]
        var levelCounts: [AreaCode: [LevelID: Int]] = [:]
        var open: [Bool] = []
        var placedOnRing: [Bool] = []
        open.reserveCapacity(byName.count)
        placedOnRing.reserveCapacity(byName.count)
        // One pass, by position, reading each list once: a loop variable would copy each service
        // whole, and every read of a field is a trip to wherever that service lives in memory.
        for i in byName.indices {
            let areas = byName[i].areas.distinct
            let levels = byName[i].levels.distinct
            for area in areas {
                inArea[area, default: []].append(i)
                for level in levels { levelCounts[area, default: [:]][level, default: 0] += 1 }
            }
            for level in levels { atLevel[level, default: []].append(i) }
            for category in byName[i].categories.distinct { inCategory[category, default: []].append(i) }
            if let org = byName[i].organisation { ofOrganisation[org, default: []].append(i) }
            open.append(byName[i].status != .closed)
            placedOnRing.append(levels.contains { graph.levels[$0]?.ring != nil })
        }
        servicesInArea = inArea
        levelCountsInArea = levelCounts
        servicesAtLevel = atLevel
        servicesInCategory = inCategory
        servicesOfOrganisation = ofOrganisation
        isOpen = open

        var ancestors: [AreaCode: [AreaCode]] = [:]
        for code in graph.areas.keys { ancestors[code] = graph.ancestors(of: code) }
        ancestorsOfArea = ancestors

        // Served areas from the services listed in each related area, instead of a scan of every
        // service per area: areas × services is what made large directories slow.
        // Positions, not ids: a service is marked with the area being counted, so no set of ids
        // is hashed per area (a nation's count visits most of the directory).
        var count: [AreaCode: Int] = [:]
        var toDraw: [AreaCode: [Service]] = [:]
        var withLandscape: Set<AreaCode> = []
        var countedFor = [Int](repeating: -1, count: byName.count)
        for (areaNumber, code) in graph.areas.keys.enumerated() {
            var serving = 0
            var positions: [Int] = []
            var landscape = false
            for related in graph.areaAndDescendants(of: code).union(ancestors[code] ?? []) {
                for i in inArea[related] ?? [] where open[i] && countedFor[i] != areaNumber {
                    countedFor[i] = areaNumber
                    serving += 1
                    if serving <= PageRenderer.mostServicesToDraw { positions.append(i) }
                    if placedOnRing[i] { landscape = true }
                }
            }
            count[code] = serving
            if serving <= PageRenderer.mostServicesToDraw {
                toDraw[code] = positions.map { byName[$0] }.sorted { $0.id < $1.id }
            }
            if landscape { withLandscape.insert(code) }
        }
        servingCount = count
        servingToDraw = toDraw
        areasWithLandscape = withLandscape
    }
}

/// What `SiteContext` needs besides the name order and its lists (`Listings`), worked out beside
/// them on another core.
/// (Sendable by hand: the stem tables' closures only read dictionaries captured by value.)
private struct Lookups: @unchecked Sendable {
    let serviceStem: StemTable<ServiceID>
    let areaStem: StemTable<AreaCode>
    let levelStem: StemTable<LevelID>
    let categoryStem: StemTable<CategoryID>
    let organisationStem: StemTable<OrganisationID>
    let sortedRoutes: [ReferralRoute]
    let routesInto: [ServiceID: [ReferralRoute]]
    let routesOutOf: [ServiceID: [ReferralRoute]]
    let sortedAreas: [Area]
    let sortedLevels: [LevelOfNeed]
    let sortedCategories: [NeedCategory]
    let sortedOrganisations: [Organisation]
    let childrenOfArea: [AreaCode: [Area]]
    let childrenOfCategory: [CategoryID: [NeedCategory]]

    init(_ graph: ServiceGraph) {
        serviceStem = StemTable(SiteContext.changedStems(graph.services.keys.map(\.rawValue))) { [services = graph.services] in services[$0] != nil }
        areaStem = StemTable(SiteContext.changedStems(graph.areas.keys.map(\.rawValue))) { [areas = graph.areas] in areas[$0] != nil }
        levelStem = StemTable(SiteContext.changedStems(graph.levels.keys.map(\.rawValue))) { [levels = graph.levels] in levels[$0] != nil }
        categoryStem = StemTable(SiteContext.changedStems(graph.categories.keys.map(\.rawValue))) { [categories = graph.categories] in
            categories[$0] != nil
        }
        organisationStem = StemTable(SiteContext.changedStems(graph.organisations.keys.map(\.rawValue))) { [organisations = graph.organisations] in
            organisations[$0] != nil
        }

        var into: [ServiceID: [ReferralRoute]] = [:]
        var out: [ServiceID: [ReferralRoute]] = [:]
        sortedRoutes = graph.sortedRoutes
        for route in sortedRoutes {
            into[route.to, default: []].append(route)
            if case .service(let from) = route.from { out[from, default: []].append(route) }
        }
        routesInto = into
        routesOutOf = out

        sortedAreas = graph.areas.values.sorted { ($0.name, $0.code) < ($1.name, $1.code) }
        sortedLevels = graph.sortedLevels
        sortedCategories = graph.categories.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        sortedOrganisations = graph.organisations.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        var areaChildren: [AreaCode: [Area]] = [:]
        for area in sortedAreas { if let p = area.parent { areaChildren[p, default: []].append(area) } }
        childrenOfArea = areaChildren
        var categoryChildren: [CategoryID: [NeedCategory]] = [:]
        for category in sortedCategories { if let p = category.parent { categoryChildren[p, default: []].append(category) } }
        childrenOfCategory = categoryChildren
    }
}

/// The file stems of one kind of identifier: an id known to the graph is its own stem unless
/// `SiteContext.stems` had to change it, so a directory of plain ids stores nothing.
struct StemTable<ID: StringIdentifier> {
    private let changed: [String: String]
    private let isKnown: (ID) -> Bool

    init(_ changed: [String: String], isKnown: @escaping (ID) -> Bool) {
        self.changed = changed
        self.isKnown = isKnown
    }

    subscript(_ id: ID) -> String? {
        if !changed.isEmpty, let stem = changed[id.rawValue] { return stem }
        return isKnown(id) ? id.rawValue : nil
    }

    /// The stem of an id the caller has just found in the graph, without looking it up again.
    func stem(ofKnown id: ID) -> String {
        if !changed.isEmpty, let stem = changed[id.rawValue] { return stem }
        return id.rawValue
    }
}

/// Strings filled in by parallel workers, one slot each, read after the workers finish.
final class ConcurrentSlots: @unchecked Sendable {
    private var slots: [String]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: "", count: count) }
    func set(_ index: Int, _ value: String) { lock.lock(); slots[index] = value; lock.unlock() }
    func get(_ index: Int) -> String { lock.lock(); defer { lock.unlock() }; return slots[index] }
}

/// A value worked out once, by the first caller that asks, whichever thread it is on.
final class OnceValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    func value(_ make: () -> Value) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let stored { return stored }
        let made = make()
        stored = made
        return made
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment(by n: Int = 1) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

extension Array where Element: Equatable {
    /// The elements without repeats, first occurrence kept. A service's lists are a few items
    /// long, so this compares in place rather than hashing into a Set per service.
    var distinct: [Element] {
        if count < 2 { return self }
        var seen: [Element] = []
        seen.reserveCapacity(count)
        for element in self where !seen.contains(element) { seen.append(element) }
        return seen
    }
}

