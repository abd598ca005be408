import Foundation
import CSQLiteTuning
import GRDB
import ServiceMapCore

/// The SQLite store: owns the database connection and the migrator, writes whole import runs
/// atomically and answers queries. (GRDB's `AppDatabase` pattern.)
public final class ServiceStore: Sendable {
    let writer: any DatabaseWriter
    /// Set for a database created by `forImport(path:)`: it is switched to WAL once written.
    private let switchesToWALWhenWritten: Bool

    /// Opens (creating if needed) the database at `path` in WAL mode and migrates it.
    public convenience init(path: String) throws {
        _ = Self.tuneSQLite
        // In WAL mode NORMAL never corrupts the database; it syncs at checkpoints rather than at
        // every commit, which on these disks is most of a large import's time.
        let pool = try DatabasePool(path: path, configuration: Self.configuration(synchronous: "NORMAL"))
        try self.init(writer: pool)
    }

    /// Opens the database at `path` for an import. One that exists is opened as `init(path:)`
    /// opens it. One that does not is created with SQLite's rollback journal and switched to WAL
    /// once the import is written: in WAL mode every page of a first import is written twice,
    /// into the log and again when the log is copied into the database (for 100,000 services,
    /// 276 MB twice, and a second of the import), while a rollback journal saves only pages that
    /// existed before the transaction, and a new file has almost none. A crash part-way leaves the
    /// new database empty, as the journal rolls it back.
    ///
    /// A new database is also given 16 KiB pages rather than SQLite's 4 KiB: a service's row is
    /// about a kilobyte, and with four times fewer pages to fill, link and write, SQLite stored a
    /// 100,000-service directory a fifth quicker (1.26-1.29 s against 1.54-1.60 s of its own time).
    public static func forImport(path: String) throws -> ServiceStore {
        if FileManager.default.fileExists(atPath: path) { return try ServiceStore(path: path) }
        _ = Self.tuneSQLite
        // FULL: outside WAL mode, NORMAL could leave a database damaged by a power cut; the import
        // is one transaction, so FULL costs one more sync.
        let queue = try DatabaseQueue(path: path, configuration: Self.configuration(synchronous: "FULL", pageSize: 16384))
        return try ServiceStore(writer: queue, switchesToWALWhenWritten: true)
    }

    /// `pageSize` applies to a database that has no tables yet; SQLite ignores it for others.
    private static func configuration(synchronous: String, pageSize: Int? = nil) -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            if let pageSize { try db.execute(sql: "PRAGMA page_size = \(pageSize)") }
            // 16 MiB of page cache: a 100,000-service import writes in key order, so a larger cache
            // saved no time (measured with 64 MiB) and only added to the import's peak memory.
            try db.execute(sql: "PRAGMA cache_size = \(ServiceStore.cacheSize)")
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        return configuration
    }

    /// An in-memory store, for tests and one-off builds.
    public static func inMemory() throws -> ServiceStore {
        _ = tuneSQLite
        return try ServiceStore(writer: DatabaseQueue())
    }

    /// SQLite's process-wide options (`servicemap_sqlite_tune`), set once, before the first
    /// connection: they take effect only while SQLite is not yet initialised.
    private static let tuneSQLite: Void = { _ = servicemap_sqlite_tune() }()

    init(writer: any DatabaseWriter, switchesToWALWhenWritten: Bool = false) throws {
        self.writer = writer
        self.switchesToWALWhenWritten = switchesToWALWhenWritten
        try Schema.migrator.migrate(writer)
    }

    /// The migrations applied, in order.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Schema.migrator.appliedMigrations(db) }
    }

    public var journalMode: String {
        get throws { try writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" } }
    }

    // MARK: Writing

    /// What a run wrote.
    public struct RunSummary: Sendable, Codable {
        public var runID: Int64
        /// How many services the run added, changed and removed. Every change, of every kind of
        /// record, is stored with the run (`changes(inRun:)`).
        public var servicesAdded = 0
        public var servicesChanged = 0
        public var servicesRemoved = 0
    }

    /// Replaces the stored graph with `graph` and records the run, in one transaction: if anything
    /// fails (a constraint, a full disk), the database is left exactly as it was.
    @discardableResult
    public func apply(
        _ graph: ServiceGraph, mode: String = "replace", files: [StoredFile] = [], diagnostics: [Diagnostic] = [],
        startedAt: Date = Date(), finishedAt: Date = Date()
    ) throws -> RunSummary {
        // Foreign keys are checked once, over the whole graph, just before the commit, rather than
        // row by row as each is written: that cost a million index lookups on a 100,000-service
        // import (1.4 of its 9 seconds) for references the graph's rules had already checked.
        // (SQLite only switches the pragma outside a transaction.)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            var summary: RunSummary?
            try db.inTransaction {
                summary = try Self.apply(graph, mode: mode, files: files, diagnostics: diagnostics, startedAt: startedAt,
                                         finishedAt: finishedAt, db)
                try Self.checkForeignKeys(db)
                return .commit
            }
            if switchesToWALWhenWritten { try db.execute(sql: "PRAGMA journal_mode = WAL") }
            return summary!
        }
    }

    /// Throws on the first row whose reference names no record; the caller's transaction then
    /// rolls back, leaving the store as it was.
    static func checkForeignKeys(_ db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") else { return }
        let table: String = row["table"] ?? "?", parent: String = row["parent"] ?? "?"
        let rowID: Int64? = row["rowid"]
        throw DatabaseError(resultCode: .SQLITE_CONSTRAINT_FOREIGNKEY,
                            message: "a row of \(table)\(rowID.map { " (rowid \($0))" } ?? "") refers to no row of \(parent)")
    }

    private static func apply(
        _ graph: ServiceGraph, mode: String, files: [StoredFile], diagnostics: [Diagnostic], startedAt: Date, finishedAt: Date,
        _ db: Database
    ) throws -> RunSummary {
        // A first import has nothing to compare with: loading and diffing an empty graph would
        // only cost time, and every record is simply added.
        let old: ServiceGraph
        if try Self.holdsGraph(db) {
            old = try Self.loadGraph(db)
            try Self.deleteGraph(db)
        } else {
            old = ServiceGraph()
        }
        var run = ImportRunRecord(
            id: nil, startedAt: ISO8601DateFormatter().string(from: startedAt),
            finishedAt: ISO8601DateFormatter().string(from: finishedAt), mode: mode,
            serviceCount: graph.services.count, routeCount: graph.routes.count,
            errorCount: diagnostics.filter { $0.severity == .error }.count,
            warningCount: diagnostics.filter { $0.severity == .warning }.count,
            noteCount: diagnostics.filter { $0.severity == .note }.count)
        try run.insert(db)
        let runID = run.id!
        for file in files {
            try ImportRunFileRecord(runId: runID, path: file.path, format: file.format, sha256: file.sha256, records: file.records).insert(db)
        }
        var diagnostic = try RawStatement(db, """
            INSERT INTO importRunDiagnostic (runId, position, severity, code, location, message) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for (position, d) in diagnostics.enumerated() {
            diagnostic.bind(Int(runID)); diagnostic.bind(position); diagnostic.bind(d.severity.rawValue); diagnostic.bind(d.code.rawValue)
            diagnostic.bind(d.location?.description); diagnostic.bind(d.message)
            try diagnostic.run(db)
        }
        // The services' ids are sorted on another core while the changes are written.
        let (serviceIDs, written) = ParallelMap.both({ graph.sortedServiceIDs }) {
            Result { try Self.writeChanges(from: old, to: graph, runID: runID, db) }
        }
        let summary = try written.get()
        try Self.insertGraph(graph, serviceIDs: serviceIDs, db)
        return summary
    }

    /// Records the run's changes from `old` to `graph`. They are worked out on another core, a
    /// few batches ahead, and written here as they come: never all held at once (a first import
    /// of 100,000 services is 150,000).
    private static func writeChanges(from old: ServiceGraph, to graph: ServiceGraph, runID: Int64, _ db: Database) throws -> RunSummary {
        var summary = RunSummary(runID: runID)
        var change = try RawStatement(db, "INSERT INTO recordChange (runId, entity, entityId, change, name, fields) VALUES (?, ?, ?, ?, ?, ?)")
        try ReadAhead.run(ahead: 4, produce: { (handOver: ([EncodedChange]) throws -> Void) in
            var batch: [EncodedChange] = []
            try GraphDiff.forEachChange(from: old, to: graph) { c in
                batch.append(EncodedChange(change: c, fields: JSONColumn.encode(c.fields)))
                if batch.count == 512 {
                    try handOver(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try handOver(batch) }
        }, consume: { batch in
            for e in batch {
                let c = e.change
                change.bind(Int(runID)); change.bind(c.entity); change.bind(c.id); change.bind(c.kind.rawValue); change.bind(c.name)
                change.bind(e.fields)
                try change.run(db)
                guard c.entity == "service" else { continue }
                switch c.kind {
                case .added: summary.servicesAdded += 1
                case .changed: summary.servicesChanged += 1
                case .removed: summary.servicesRemoved += 1
                }
            }
        })
        return summary
    }

    /// A change with its fields' JSON, encoded where the change was found.
    private struct EncodedChange: Sendable {
        var change: RecordChange
        var fields: String
    }

    public struct StoredFile: Sendable {
        public var path: String
        public var format: String
        public var sha256: String
        public var records: Int
        public init(path: String, format: String, sha256: String, records: Int) {
            self.path = path
            self.format = format
            self.sha256 = sha256
            self.records = records
        }
    }

    /// Whether any graph record is stored (categories alone come with every graph).
    static func holdsGraph(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM service) OR EXISTS (SELECT 1 FROM area) OR EXISTS (SELECT 1 FROM organisation)
                OR EXISTS (SELECT 1 FROM levelOfNeed) OR EXISTS (SELECT 1 FROM category) OR EXISTS (SELECT 1 FROM referralRoute)
            """) ?? true
    }

    static func deleteGraph(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO serviceSearch (serviceSearch) VALUES ('delete-all');
            DELETE FROM referralRoute;
            DELETE FROM eligibilityRule;
            DELETE FROM serviceCategory;
            DELETE FROM serviceLevel;
            DELETE FROM serviceArea;
            DELETE FROM service;
            DELETE FROM organisation;
            DELETE FROM category;
            DELETE FROM levelOfNeed;
            DELETE FROM area;
            """)
    }

    /// Writes every record with prepared statements, one per table, reused for every row and bound
    /// through SQLite's C interface (see `RawStatement`): a 100,000-service directory is about a
    /// million rows.
    /// `ids` are the graph's service ids, sorted (`sortedServiceIDs`).
    static func insertGraph(_ graph: ServiceGraph, serviceIDs ids: [ServiceID], _ db: Database) throws {
        var area = try RawStatement(db, "INSERT INTO area (code, name, kind, parentCode, sources) VALUES (?, ?, ?, ?, ?)")
        for a in graph.sortedAreas {
            area.bind(a.code.rawValue); area.bind(a.name); area.bind(a.kind.rawValue); area.bind(a.parent?.rawValue)
            area.bind(JSONColumn.encode(a.sources))
            try area.run(db)
        }
        var level = try RawStatement(db, "INSERT INTO levelOfNeed (id, areaCode, name, position, ring, description, sources) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for l in graph.sortedLevels {
            level.bind(l.id.rawValue); level.bind(l.area.rawValue); level.bind(l.name); level.bind(l.order); level.bind(l.ring?.rawValue)
            level.bind(l.description); level.bind(JSONColumn.encode(l.sources))
            try level.run(db)
        }
        var category = try RawStatement(db, "INSERT INTO category (id, name, parentId, synonyms) VALUES (?, ?, ?, ?)")
        for c in graph.sortedCategories {
            category.bind(c.id.rawValue); category.bind(c.name); category.bind(c.parent?.rawValue); category.bind(JSONColumn.encode(c.synonyms))
            try category.run(db)
        }
        var organisation = try RawStatement(db, "INSERT INTO organisation (id, name, sector, website, description, sources) VALUES (?, ?, ?, ?, ?, ?)")
        for o in graph.sortedOrganisations {
            organisation.bind(o.id.rawValue); organisation.bind(o.name); organisation.bind(o.sector?.rawValue); organisation.bind(o.website)
            organisation.bind(o.description); organisation.bind(JSONColumn.encode(o.sources))
            try organisation.run(db)
        }
        var rows = try ServiceRows(db)
        // Keywords: category names and synonyms, organisation and area names, so "debt" finds a
        // service filed under poverty and housing. Each category's words are joined once.
        var categoryWords: [CategoryID: String] = [:]
        for c in graph.categories.values { categoryWords[c.id] = ([c.name] + c.synonyms).joined(separator: " ") }
        let words = categoryWords
        // Sorted ids, each service looked up: a sorted copy of 100,000 services was tens of MB.
        // The services' JSON columns and search keywords (most of the Swift side of writing them)
        // are encoded a run ahead, on another core, while SQLite writes the run before.
        let run = 2048
        @Sendable func encoded(_ range: Range<Int>) -> [EncodedService] {
            ids[range].map { EncodedService(graph.services[$0]!, graph, categoryWords: words) }
        }
        var ahead = encoded(0..<min(run, ids.count))
        var start = 0
        while start < ids.count {
            let end = min(start + run, ids.count)
            let next = end..<min(end + run, ids.count)
            let current = ahead
            let (following, written) = ParallelMap.both({ encoded(next) }) {
                Result {
                    for (offset, id) in ids[start..<end].enumerated() { try rows.write(graph.services[id]!, current[offset], db) }
                }
            }
            try written.get()
            ahead = following
            start = end
        }
        var route = try RawStatement(db, """
            INSERT INTO referralRoute (id, fromRole, fromServiceId, toServiceId, mode, kind, conditions, notes, sources)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        // By id, each route looked up, rather than through sorted copies of them all (15 MB for
        // 50,000 routes).
        for id in graph.sortedRouteIDs {
            let r = graph.routes[id]!
            var fromRole: String?
            var fromService: String?
            switch r.from {
            case .role(let role): fromRole = role.rawValue
            case .service(let id): fromService = id.rawValue
            }
            route.bind(r.id); route.bind(fromRole); route.bind(fromService); route.bind(r.to.rawValue); route.bind(r.mode.rawValue)
            route.bind(r.kind.rawValue); route.bind(r.conditions); route.bind(r.notes); route.bind(JSONColumn.encode(r.sources))
            try route.run(db)
        }
    }

    /// The statements a service's rows are written with: its own, its areas', levels', needs' and
    /// eligibility rules', and its search entry.
    private struct ServiceRows {
        var service: RawStatement
        var area: RawStatement
        var level: RawStatement
        var category: RawStatement
        var rule: RawStatement
        var search: RawStatement

        init(_ db: Database) throws {
            service = try RawStatement(db, """
                INSERT INTO service (id, name, organisationId, description, minAgeMonths, maxAgeMonths, cost, costNote, languages,
                    delivery, phone, email, website, address, postcode, confidentialAddress, status, lastVerified, sector, howToRefer,
                    attributes, sources)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            area = try RawStatement(db, "INSERT INTO serviceArea (serviceId, areaCode, position) VALUES (?, ?, ?)")
            level = try RawStatement(db, "INSERT INTO serviceLevel (serviceId, levelId, position) VALUES (?, ?, ?)")
            category = try RawStatement(db, "INSERT INTO serviceCategory (serviceId, categoryId, position) VALUES (?, ?, ?)")
            rule = try RawStatement(db, "INSERT INTO eligibilityRule (serviceId, position, effect, condition, note) VALUES (?, ?, ?, ?, ?)")
            // The search table is contentless: its rows are keyed by the service's rowid.
            search = try RawStatement(db, "INSERT INTO serviceSearch (rowid, name, keywords, description) VALUES (?, ?, ?, ?)")
        }

        mutating func write(_ s: Service, _ e: EncodedService, _ db: Database) throws {
            let id = s.id.rawValue
            service.bind(id); service.bind(s.name); service.bind(s.organisation?.rawValue); service.bind(s.description)
            service.bind(s.ages?.minMonths); service.bind(s.ages?.maxMonths); service.bind(s.cost?.rawValue); service.bind(s.costNote)
            service.bind(e.languages); service.bind(e.delivery)
            service.bind(s.contact.phone); service.bind(s.contact.email); service.bind(s.contact.website); service.bind(s.contact.address)
            service.bind(s.contact.postcode); service.bind(s.confidentialAddress); service.bind(s.status.rawValue)
            service.bind(e.lastVerified); service.bind(s.sector?.rawValue); service.bind(s.howToRefer)
            service.bind(e.attributes); service.bind(e.sources)
            try service.run(db)
            let rowID = db.lastInsertedRowID
            for (i, code) in s.areas.enumerated() {
                area.bind(id); area.bind(code.rawValue); area.bind(i)
                try area.run(db)
            }
            for (i, levelID) in s.levels.enumerated() {
                level.bind(id); level.bind(levelID.rawValue); level.bind(i)
                try level.run(db)
            }
            for (i, categoryID) in s.categories.enumerated() {
                category.bind(id); category.bind(categoryID.rawValue); category.bind(i)
                try category.run(db)
            }
            for (i, r) in s.eligibility.enumerated() {
                rule.bind(id); rule.bind(i); rule.bind(r.effect.rawValue); rule.bind(r.condition.key); rule.bind(r.note)
                try rule.run(db)
            }
            search.bind(Int(rowID)); search.bind(s.name); search.bind(e.keywords); search.bind(s.description)
            try search.run(db)
        }
    }

    /// What a service's row holds besides its plain columns: its JSON columns and search keywords,
    /// encoded away from the thread that writes (`insertGraph`).
    private struct EncodedService: Sendable {
        var languages: String
        var delivery: String
        var attributes: String
        var sources: String
        var lastVerified: String?
        var keywords: String

        init(_ s: Service, _ graph: ServiceGraph, categoryWords: [CategoryID: String]) {
            languages = JSONColumn.encode(s.languages)
            delivery = JSONColumn.encode(s.delivery.map(\.rawValue))
            attributes = JSONColumn.encode(s.attributes)
            sources = JSONColumn.encode(s.sources)
            lastVerified = s.lastVerified?.description
            var keywords: [String] = []
            for categoryID in s.categories { if let words = categoryWords[categoryID] { keywords.append(words) } }
            if let org = s.organisation.flatMap({ graph.organisations[$0] }) { keywords.append(org.name) }
            for code in s.areas { if let a = graph.areas[code] { keywords.append(a.name) } }
            self.keywords = keywords.joined(separator: " ")
        }
    }

    // MARK: Reading

    /// The whole stored graph.
    public func loadGraph() throws -> ServiceGraph {
        guard let pool = writer as? DatabasePool else { return try writer.read { db in try Self.loadGraph(db) } }
        // Three connections share the work: one reads the upper half of the services (by id),
        // one everything but the services (routes are most of it), and this one the lower half.
        // All are opened while the writer is held, so they see the same committed state.
        // The upper half's thread also files its services by id, in a table sized for all of them,
        // while the lower half is still being read: only the lower half's filing is left at the end.
        let upper = Loading<[ServiceID: Service]>()
        let frame = Loading<ServiceGraph>()
        var lower: [Service] = []
        try pool.writeWithoutTransaction { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM service") ?? 0
            let split = try String.fetchOne(db, sql: "SELECT id FROM service ORDER BY id LIMIT 1 OFFSET ?", arguments: [count / 2])
            pool.spawnConcurrentRead { connection in
                upper.finish(Result {
                    let db = try connection.get()
                    try Self.readingOnce(db)
                    defer { try? db.execute(sql: "PRAGMA cache_size = \(Self.cacheSize)") }
                    var byID = [ServiceID: Service](minimumCapacity: count)
                    for service in try Self.loadServices(db, from: split, to: nil) { byID[service.id] = service }
                    return byID
                })
            }
            pool.spawnConcurrentRead { connection in
                frame.finish(Result {
                    let db = try connection.get()
                    try Self.readingOnce(db)
                    defer { try? db.execute(sql: "PRAGMA cache_size = \(Self.cacheSize)") }
                    return try Self.loadFrame(db)
                })
            }
            try Self.readingOnce(db)
            defer { try? db.execute(sql: "PRAGMA cache_size = \(Self.cacheSize)") }
            lower = try Self.loadServices(db, from: nil, to: split)
        }
        var graph = try frame.wait()
        graph.services = try upper.wait()
        for service in lower { graph.services[service.id] = service }
        return graph
    }

    /// The page cache of a connection used for writing: 16 MiB (see `init(path:)`).
    static let cacheSize = -16384

    /// A small page cache for a connection that reads every page once, in order, as loading the
    /// graph does: its pages are not read again, and a large cache only took fresh memory.
    static func readingOnce(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = -1024")
    }

    /// A part of the graph read by another connection (`loadGraph()`).
    private final class Loading<Value>: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var result: Result<Value, Error>?

        func finish(_ result: Result<Value, Error>) {
            self.result = result
            done.signal()
        }

        /// Waits for the part (once) and gives it, or throws what stopped its reading.
        func wait() throws -> Value {
            done.wait()
            return try result!.get()
        }
    }

    static func loadGraph(_ db: Database) throws -> ServiceGraph {
        var graph = try loadFrame(db)
        let services = try loadServices(db, from: nil, to: nil)
        graph.services.reserveCapacity(services.count)
        for service in services { graph.services[service.id] = service }
        return graph
    }

    /// Everything but the services: areas, levels, needs, organisations and referral routes.
    static func loadFrame(_ db: Database) throws -> ServiceGraph {
        var graph = ServiceGraph()
        for r in try AreaRecord.fetchAll(db) {
            guard let kind = AreaKind(rawValue: r.kind) else { continue }
            graph.areas[AreaCode(r.code)] = Area(code: AreaCode(r.code), name: r.name, kind: kind, parent: r.parentCode.map(AreaCode.init),
                                                 sources: try JSONColumn.decodeSources(r.sources))
        }
        for r in try LevelRecord.fetchAll(db) {
            graph.levels[LevelID(r.id)] = LevelOfNeed(id: LevelID(r.id), area: AreaCode(r.areaCode), name: r.name, order: r.position,
                                                      ring: r.ring.flatMap(ContinuumRing.init(rawValue:)), description: r.description,
                                                      sources: try JSONColumn.decodeSources(r.sources))
        }
        for r in try CategoryRecord.fetchAll(db) {
            graph.categories[CategoryID(r.id)] = NeedCategory(id: CategoryID(r.id), name: r.name, parent: r.parentId.map(CategoryID.init),
                                                              synonyms: try JSONColumn.decodeStrings(r.synonyms))
        }
        for r in try OrganisationRecord.fetchAll(db) {
            graph.organisations[OrganisationID(r.id)] = Organisation(
                id: OrganisationID(r.id), name: r.name, sector: r.sector.flatMap(Sector.init(rawValue:)), website: r.website,
                description: r.description, sources: try JSONColumn.decodeSources(r.sources))
        }
        let interner = TextInterner()
        let routes = try RawStatement(db, "SELECT fromRole, fromServiceId, toServiceId, mode, kind, conditions, notes, sources FROM referralRoute")
        graph.routes.reserveCapacity(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM referralRoute") ?? 0)
        while try routes.step(db) {
            let from: Referrer = routes.text(1).map { .service(ServiceID($0)) } ?? .role(ReferrerRole(routes.withBytes(0, interner.string)))
            graph.insert(ReferralRoute(
                from: from, to: ServiceID(routes.text(2) ?? ""), mode: routes.text(3).flatMap(ReferralMode.init(rawValue:)) ?? .professional,
                kind: routes.text(4).flatMap(RouteKind.init(rawValue:)) ?? .referral, conditions: routes.text(5), notes: routes.text(6),
                sources: try routes.withBytes(7) { try JSONColumn.decodeSources($0, interner: interner) }))
        }
        return graph
    }

    /// The services whose ids are at least `from` and below `to` (either nil for no bound), in id order.
    static func loadServices(_ db: Database, from: String?, to: String?) throws -> [Service] {
        // Services and their lists are read through SQLite's C interface (see RawStatement): a
        // 100,000-service directory is half a million rows, and the site is rebuilt from this
        // after every change. Repeated texts (area codes, level ids, file names) are made into
        // Strings once (see `TextInterner`). Services and their lists are read side by side in
        // service id order, each list's rows taken as its service comes up, so no list is kept
        // in a table by id and looked up again.
        let interner = TextInterner()
        // The range as SQL on a column, and its bounds to bind.
        func range(_ column: String) -> String {
            [from.map { _ in "\(column) >= ?" }, to.map { _ in "\(column) < ?" }].compactMap { $0 }.map { " AND " + $0 }.joined()
        }
        let bounds = [from, to].compactMap { $0 }
        func list(_ columns: String, _ table: String) -> (String, [String]) {
            ("SELECT \(columns) FROM \(table) WHERE 1\(range("serviceId")) ORDER BY serviceId", bounds)
        }
        var areas = try ListCursor(db, list("serviceId, areaCode, position", "serviceArea")) { row in
            AreaCode(row.withBytes(1, interner.string))
        }
        var levels = try ListCursor(db, list("serviceId, levelId, position", "serviceLevel")) { row in
            LevelID(row.withBytes(1, interner.string))
        }
        var categories = try ListCursor(db, list("serviceId, categoryId, position", "serviceCategory")) { row in
            CategoryID(row.withBytes(1, interner.string))
        }
        var rules = try ListCursor(db, list("serviceId, condition, position, effect, note", "eligibilityRule")) { row in
            row.text(3).flatMap(EligibilityRule.Effect.init(rawValue:)).map { EligibilityRule($0, EligibilityCondition(parsing: row.text(1) ?? ""), note: row.text(4)) }
        }
        var services = try RawStatement(db, """
            SELECT id, name, organisationId, description, minAgeMonths, maxAgeMonths, cost, costNote, languages, delivery, phone,
                email, website, address, postcode, confidentialAddress, status, lastVerified, sector, howToRefer, attributes, sources
            FROM service WHERE 1\(range("id")) ORDER BY id
            """)
        for bound in bounds { services.bind(bound) }
        var loaded: [Service] = []
        while try services.step(db) {
            // The service's page is fingerprinted from its rows (Service.storedDigest): every
            // column, then its lists as read.
            var rows = Fingerprint()
            rows.add("service rows 1")
            services.addColumns(22, to: &rows)
            let id = services.text(0) ?? ""
            let minAge = services.int(4), maxAge = services.int(5)
            let ages = minAge != nil || maxAge != nil ? AgeRange(minMonths: minAge, maxMonths: maxAge) : nil
            let (areaList, levelList, categoryList, ruleList) = try services.withBytes(0) { id in
                (try areas.take(id, db), try levels.take(id, db), try categories.take(id, db), try rules.take(id, db).compactMap { $0 })
            }
            for list in [areaList.map(\.rawValue), levelList.map(\.rawValue), categoryList.map(\.rawValue)] {
                rows.add(list.count)
                for item in list { rows.add(item) }
            }
            rows.add(ruleList.count)
            for rule in ruleList {
                rows.add(rule.effect.rawValue)
                rows.add(rule.description)
                if let note = rule.note {
                    rows.add(1)
                    rows.add(note)
                } else {
                    rows.add(0)
                }
            }
            var service = Service(
                id: ServiceID(id), name: services.text(1) ?? "", organisation: services.withBytes(2, interner.optionalString).map(OrganisationID.init),
                description: services.text(3) ?? "", areas: areaList,
                categories: categoryList, ages: ages, levels: levelList,
                eligibility: ruleList, cost: services.text(6).flatMap(Cost.init(rawValue:)), costNote: services.text(7),
                languages: try services.withBytes(8, JSONColumn.decodeStrings),
                delivery: try services.withBytes(9, JSONColumn.decodeStrings).compactMap(DeliveryMode.init(rawValue:)),
                contact: Contact(phone: services.text(10), email: services.text(11), website: services.text(12), address: services.text(13),
                                 postcode: services.text(14)),
                confidentialAddress: services.int(15).map { $0 != 0 } ?? false,
                status: services.text(16).flatMap(ServiceStatus.init(rawValue:)) ?? .active,
                lastVerified: services.text(17).flatMap(Day.init(parsing:)), sector: services.text(18).flatMap(Sector.init(rawValue:)),
                howToRefer: services.text(19), attributes: try services.withBytes(20, JSONColumn.decodeStringMap),
                sources: try services.withBytes(21) { try JSONColumn.decodeSources($0, interner: interner) })
            service.remember(storedDigest: rows.digest)
            loaded.append(service)
        }
        return loaded
    }

    // MARK: Queries

    /// Services covering `area` or any area below it, found with a recursive query over the
    /// area hierarchy.
    public func services(in area: AreaCode) throws -> [ServiceID] {
        try writer.read { db in
            try String.fetchAll(db, sql: """
                WITH RECURSIVE within(code) AS (
                    SELECT code FROM area WHERE code = ?
                    UNION SELECT area.code FROM area JOIN within ON area.parentCode = within.code
                )
                SELECT DISTINCT serviceArea.serviceId FROM serviceArea JOIN within ON serviceArea.areaCode = within.code
                ORDER BY serviceArea.serviceId
                """, arguments: [area.rawValue]).map(ServiceID.init)
        }
    }

    /// Routes into a service, with their referrers.
    public func routes(into service: ServiceID) throws -> [ReferralRoute] {
        try loadRoutes(sql: "SELECT * FROM referralRoute WHERE toServiceId = ? ORDER BY id", service)
    }

    /// Routes from a service to others.
    public func routes(outOf service: ServiceID) throws -> [ReferralRoute] {
        try loadRoutes(sql: "SELECT * FROM referralRoute WHERE fromServiceId = ? ORDER BY id", service)
    }

    private func loadRoutes(sql: String, _ service: ServiceID) throws -> [ReferralRoute] {
        try writer.read { db in
            try RouteRecord.fetchAll(db, sql: sql, arguments: [service.rawValue]).map { r in
                ReferralRoute(from: r.fromServiceId.map { .service(ServiceID($0)) } ?? .role(ReferrerRole(r.fromRole ?? "")),
                              to: ServiceID(r.toServiceId), mode: ReferralMode(rawValue: r.mode) ?? .professional,
                              kind: RouteKind(rawValue: r.kind) ?? .referral, conditions: r.conditions, notes: r.notes,
                              sources: try JSONColumn.decodeSources(r.sources))
            }
        }
    }

    /// Full-text search with stemming. Returns services with a relevance in 0…1 (1 = best).
    /// Every word must match, as a prefix, so "perinat" and "counsel" work as people type.
    public func search(_ text: String, limit: Int = 500) throws -> [ServiceID: Double] {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).prefix(12)
        guard !words.isEmpty else { return [:] }
        let query = words.map { "\"\($0)\"*" }.joined(separator: " ")
        return try writer.read { db in
            // The search table is contentless (it indexes the text without keeping a second copy):
            // its rowids are the services' rowids.
            let rows = try Row.fetchAll(db, sql: """
                SELECT service.id AS serviceId, hit.rank AS rank
                FROM (SELECT rowid, bm25(serviceSearch, 10.0, 4.0, 1.0) AS rank FROM serviceSearch
                      WHERE serviceSearch MATCH ? ORDER BY rank LIMIT ?) AS hit
                JOIN service ON service.rowid = hit.rowid
                ORDER BY hit.rank
                """, arguments: [query, limit])
            guard let best = rows.first.map({ -($0["rank"] as Double) }), best > 0 else {
                return Dictionary(rows.map { (ServiceID($0["serviceId"] as String), 1.0) }, uniquingKeysWith: max)
            }
            return Dictionary(rows.map { (ServiceID($0["serviceId"] as String), max(0.05, -($0["rank"] as Double) / best)) },
                              uniquingKeysWith: max)
        }
    }

    /// The services a family can reach from a referrer role without passing through statutory
    /// social work (see `ReferralNetwork` for why this runs in memory).
    public func reachableWithoutSocialWork(from role: ReferrerRole, in area: AreaCode? = nil) throws -> [ReferralNetwork.Reach] {
        ReferralNetwork(try loadGraph()).reachableWithoutSocialWork(from: role, in: area)
    }

    /// The shortest chain of referrals between two services.
    public func shortestPath(from start: ServiceID, to goal: ServiceID) throws -> [ReferralRoute]? {
        ReferralNetwork(try loadGraph()).shortestPath(from: start, to: goal)
    }

    // MARK: History

    /// What one run changed, counted, with the first few changes (`changeOverview(inRun:listing:)`).
    public struct ChangeOverview: Sendable, Hashable {
        /// Changes by entity ("service", "route", …) and kind.
        public var counts: [String: [RecordChange.Kind: Int]]
        /// The first changes in listing order.
        public var listed: [RecordChange]

        public init(counts: [String: [RecordChange.Kind: Int]], listed: [RecordChange]) {
            self.counts = counts
            self.listed = listed
        }

        public var total: Int { counts.values.reduce(0) { $0 + $1.values.reduce(0, +) } }
    }

    public struct Run: Sendable, Codable, Hashable {
        public var id: Int64
        public var startedAt: String
        public var finishedAt: String
        public var mode: String
        public var serviceCount: Int
        public var routeCount: Int
        public var errorCount: Int
        public var warningCount: Int
        public var files: [String]
    }

    /// Every recorded run, oldest first.
    public func runs() throws -> [Run] {
        try writer.read { db in
            try ImportRunRecord.order(Column("id")).fetchAll(db).map { r in
                let files = try String.fetchAll(db, sql: "SELECT path FROM importRunFile WHERE runId = ? ORDER BY path", arguments: [r.id])
                return Run(id: r.id!, startedAt: r.startedAt, finishedAt: r.finishedAt, mode: r.mode, serviceCount: r.serviceCount,
                           routeCount: r.routeCount, errorCount: r.errorCount, warningCount: r.warningCount, files: files)
            }
        }
    }

    /// What a run changed.
    public func changes(inRun id: Int64) throws -> [RecordChange] {
        let records = try writer.read { db in
            try RecordChangeRecord.fetchAll(db, sql: "SELECT * FROM recordChange WHERE runId = ? ORDER BY entity, entityId", arguments: [id])
        }
        return try records.map { r in
            let kind = RecordChange.Kind(rawValue: r.change) ?? .changed
            let fields = try JSONColumn.decode([RecordChange.FieldChange].self, r.fields)
            return RecordChange(entity: r.entity, id: r.entityId, kind: kind, name: r.name, fields: fields)
        }
    }

    /// A run's changes in brief: how many records of each entity it added, changed and removed,
    /// and the first `limit` changes in listing order (services, routes, organisations, areas,
    /// levels; then by name and id, in code point order). A first import records a change per
    /// record, so a page of recent history asks for this rather than every change.
    public func changeOverview(inRun id: Int64, listing limit: Int) throws -> ChangeOverview {
        try writer.read { db in
            var counts: [String: [RecordChange.Kind: Int]] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT entity, change, COUNT(*) FROM recordChange WHERE runId = ? GROUP BY entity, change",
                                        arguments: [id])
            for row in rows {
                let entity: String = row[0], change: String = row[1], n: Int = row[2]
                counts[entity, default: [:]][RecordChange.Kind(rawValue: change) ?? .changed, default: 0] += n
            }
            let listed = try RecordChangeRecord.fetchAll(db, sql: """
                SELECT * FROM recordChange WHERE runId = ?
                ORDER BY CASE entity WHEN 'service' THEN 0 WHEN 'route' THEN 1 WHEN 'organisation' THEN 2 WHEN 'area' THEN 3
                    WHEN 'level' THEN 4 ELSE 9 END, name, entityId
                LIMIT ?
                """, arguments: [id, limit])
            return ChangeOverview(counts: counts, listed: try listed.map { r in
                RecordChange(entity: r.entity, id: r.entityId, kind: RecordChange.Kind(rawValue: r.change) ?? .changed, name: r.name,
                             fields: try JSONColumn.decode([RecordChange.FieldChange].self, r.fields))
            })
        }
    }

    /// Counts of rows per table, for checks and for tests proving an import left nothing behind.
    public func tableCounts() throws -> [String: Int] {
        try writer.read { db in
            var counts: [String: Int] = [:]
            for table in ["area", "levelOfNeed", "category", "organisation", "service", "serviceArea", "serviceLevel", "serviceCategory",
                          "eligibilityRule", "referralRoute", "importRun", "importRunFile", "importRunDiagnostic", "recordChange"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }
}
