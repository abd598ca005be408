import Foundation
import GRDB
import ServiceMapCore

/// The SQLite store: owns the database connection and the migrator, writes whole import runs
/// atomically and answers queries. (GRDB's `AppDatabase` pattern.)
public final class ServiceStore: Sendable {
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path` in WAL mode and migrates it.
    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // A large import is one transaction: give it room before pages spill to the WAL.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // In WAL mode NORMAL never corrupts the database; it syncs at checkpoints rather than at
            // every commit, which on these disks is most of a large import's time.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try self.init(writer: pool)
    }

    /// An in-memory store, for tests and one-off builds.
    public static func inMemory() throws -> ServiceStore {
        try ServiceStore(writer: DatabaseQueue())
    }

    init(writer: any DatabaseWriter) throws {
        self.writer = writer
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
        public var changes: [RecordChange]
    }

    /// Replaces the stored graph with `graph` and records the run, in one transaction: if anything
    /// fails (a constraint, a full disk), the database is left exactly as it was.
    @discardableResult
    public func apply(
        _ graph: ServiceGraph, mode: String = "replace", files: [StoredFile] = [], diagnostics: [Diagnostic] = [],
        startedAt: Date = Date(), finishedAt: Date = Date()
    ) throws -> RunSummary {
        try writer.write { db in
            let previous = try Self.loadGraph(db)
            let changes = GraphDiff.changes(from: previous, to: graph)
            try Self.deleteGraph(db)
            try Self.insertGraph(graph, db)
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
            for (position, d) in diagnostics.enumerated() {
                try ImportRunDiagnosticRecord(runId: runID, position: position, severity: d.severity.rawValue, code: d.code.rawValue,
                                              location: d.location?.description, message: d.message).insert(db)
            }
            for change in changes {
                try RecordChangeRecord(runId: runID, entity: change.entity, entityId: change.id, change: change.kind.rawValue,
                                       name: change.name, fields: JSONColumn.encode(change.fields)).insert(db)
            }
            return RunSummary(runID: runID, changes: changes)
        }
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

    static func deleteGraph(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM serviceSearch;
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

    /// Writes every record with prepared statements (one per table, reused for every row): a
    /// 100,000-service directory is about a million rows.
    static func insertGraph(_ graph: ServiceGraph, _ db: Database) throws {
        func statement(_ sql: String) throws -> Statement { try db.cachedStatement(sql: sql) }
        let area = try statement("INSERT INTO area (code, name, kind, parentCode, sources) VALUES (?, ?, ?, ?, ?)")
        for a in graph.sortedAreas {
            try area.execute(arguments: [a.code.rawValue, a.name, a.kind.rawValue, a.parent?.rawValue, JSONColumn.encode(a.sources)])
        }
        let level = try statement("INSERT INTO levelOfNeed (id, areaCode, name, position, ring, description, sources) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for l in graph.sortedLevels {
            try level.execute(arguments: [l.id.rawValue, l.area.rawValue, l.name, l.order, l.ring?.rawValue, l.description,
                                          JSONColumn.encode(l.sources)])
        }
        let category = try statement("INSERT INTO category (id, name, parentId, synonyms) VALUES (?, ?, ?, ?)")
        for c in graph.sortedCategories {
            try category.execute(arguments: [c.id.rawValue, c.name, c.parent?.rawValue, JSONColumn.encode(c.synonyms)])
        }
        let organisation = try statement("INSERT INTO organisation (id, name, sector, website, description, sources) VALUES (?, ?, ?, ?, ?, ?)")
        for o in graph.sortedOrganisations {
            try organisation.execute(arguments: [o.id.rawValue, o.name, o.sector?.rawValue, o.website, o.description,
                                                 JSONColumn.encode(o.sources)])
        }
        let service = try statement("""
            INSERT INTO service (id, name, organisationId, description, minAgeMonths, maxAgeMonths, cost, costNote, languages,
                delivery, phone, email, website, address, postcode, confidentialAddress, status, lastVerified, sector, howToRefer,
                attributes, sources)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let serviceArea = try statement("INSERT INTO serviceArea (serviceId, areaCode, position) VALUES (?, ?, ?)")
        let serviceLevel = try statement("INSERT INTO serviceLevel (serviceId, levelId, position) VALUES (?, ?, ?)")
        let serviceCategory = try statement("INSERT INTO serviceCategory (serviceId, categoryId, position) VALUES (?, ?, ?)")
        let rule = try statement("INSERT INTO eligibilityRule (serviceId, position, effect, condition, note) VALUES (?, ?, ?, ?, ?)")
        let search = try statement("INSERT INTO serviceSearch (serviceId, name, keywords, description) VALUES (?, ?, ?, ?)")
        for s in graph.sortedServices {
            let id = s.id.rawValue
            var arguments: StatementArguments = [id, s.name, s.organisation?.rawValue, s.description, s.ages?.minMonths, s.ages?.maxMonths]
            arguments += [s.cost?.rawValue, s.costNote, JSONColumn.encode(s.languages), JSONColumn.encode(s.delivery.map(\.rawValue))]
            arguments += [s.contact.phone, s.contact.email, s.contact.website, s.contact.address, s.contact.postcode]
            arguments += [s.confidentialAddress, s.status.rawValue, s.lastVerified?.description, s.sector?.rawValue, s.howToRefer]
            arguments += [JSONColumn.encode(s.attributes), JSONColumn.encode(s.sources)]
            try service.execute(arguments: arguments)
            for (i, code) in s.areas.enumerated() { try serviceArea.execute(arguments: [id, code.rawValue, i]) }
            for (i, levelID) in s.levels.enumerated() { try serviceLevel.execute(arguments: [id, levelID.rawValue, i]) }
            for (i, categoryID) in s.categories.enumerated() { try serviceCategory.execute(arguments: [id, categoryID.rawValue, i]) }
            for (i, r) in s.eligibility.enumerated() {
                try rule.execute(arguments: [id, i, r.effect.rawValue, r.condition.key, r.note])
            }
            // Keywords: category names and synonyms, organisation and area names, so "debt" finds
            // a service filed under poverty and housing.
            var keywords: [String] = []
            for categoryID in s.categories {
                if let c = graph.categories[categoryID] { keywords.append(c.name); keywords += c.synonyms }
            }
            if let org = s.organisation.flatMap({ graph.organisations[$0] }) { keywords.append(org.name) }
            for code in s.areas { if let a = graph.areas[code] { keywords.append(a.name) } }
            try search.execute(arguments: [id, s.name, keywords.joined(separator: " "), s.description])
        }
        let route = try statement("""
            INSERT INTO referralRoute (id, fromRole, fromServiceId, toServiceId, mode, kind, conditions, notes, sources)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for r in graph.sortedRoutes {
            var fromRole: String?
            var fromService: String?
            switch r.from {
            case .role(let role): fromRole = role.rawValue
            case .service(let id): fromService = id.rawValue
            }
            try route.execute(arguments: [r.id, fromRole, fromService, r.to.rawValue, r.mode.rawValue, r.kind.rawValue, r.conditions,
                                          r.notes, JSONColumn.encode(r.sources)])
        }
    }

    // MARK: Reading

    /// The whole stored graph.
    public func loadGraph() throws -> ServiceGraph {
        try writer.read { db in try Self.loadGraph(db) }
    }

    static func loadGraph(_ db: Database) throws -> ServiceGraph {
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
                                                              synonyms: try JSONColumn.decode([String].self, r.synonyms))
        }
        for r in try OrganisationRecord.fetchAll(db) {
            graph.organisations[OrganisationID(r.id)] = Organisation(
                id: OrganisationID(r.id), name: r.name, sector: r.sector.flatMap(Sector.init(rawValue:)), website: r.website,
                description: r.description, sources: try JSONColumn.decodeSources(r.sources))
        }
        var areas: [String: [AreaCode]] = [:]
        for r in try ServiceAreaRecord.order(Column("serviceId"), Column("position")).fetchAll(db) {
            areas[r.serviceId, default: []].append(AreaCode(r.areaCode))
        }
        var levels: [String: [LevelID]] = [:]
        for r in try ServiceLevelRecord.order(Column("serviceId"), Column("position")).fetchAll(db) {
            levels[r.serviceId, default: []].append(LevelID(r.levelId))
        }
        var categories: [String: [CategoryID]] = [:]
        for r in try ServiceCategoryRecord.order(Column("serviceId"), Column("position")).fetchAll(db) {
            categories[r.serviceId, default: []].append(CategoryID(r.categoryId))
        }
        var rules: [String: [EligibilityRule]] = [:]
        for r in try EligibilityRuleRecord.order(Column("serviceId"), Column("position")).fetchAll(db) {
            guard let effect = EligibilityRule.Effect(rawValue: r.effect) else { continue }
            rules[r.serviceId, default: []].append(EligibilityRule(effect, EligibilityCondition(parsing: r.condition), note: r.note))
        }
        for r in try ServiceRecord.fetchAll(db) {
            var ages: AgeRange?
            if r.minAgeMonths != nil || r.maxAgeMonths != nil { ages = AgeRange(minMonths: r.minAgeMonths, maxMonths: r.maxAgeMonths) }
            graph.services[ServiceID(r.id)] = Service(
                id: ServiceID(r.id), name: r.name, organisation: r.organisationId.map(OrganisationID.init), description: r.description,
                areas: areas[r.id] ?? [], categories: categories[r.id] ?? [], ages: ages, levels: levels[r.id] ?? [],
                eligibility: rules[r.id] ?? [], cost: r.cost.flatMap(Cost.init(rawValue:)), costNote: r.costNote,
                languages: try JSONColumn.decode([String].self, r.languages),
                delivery: try JSONColumn.decode([DeliveryMode].self, r.delivery),
                contact: Contact(phone: r.phone, email: r.email, website: r.website, address: r.address, postcode: r.postcode),
                confidentialAddress: r.confidentialAddress, status: ServiceStatus(rawValue: r.status) ?? .active,
                lastVerified: r.lastVerified.flatMap(Day.init(parsing:)), sector: r.sector.flatMap(Sector.init(rawValue:)),
                howToRefer: r.howToRefer, attributes: try JSONColumn.decode([String: String].self, r.attributes),
                sources: try JSONColumn.decodeSources(r.sources))
        }
        for r in try RouteRecord.fetchAll(db) {
            let from: Referrer = r.fromServiceId.map { .service(ServiceID($0)) } ?? .role(ReferrerRole(r.fromRole ?? ""))
            graph.insert(ReferralRoute(
                from: from, to: ServiceID(r.toServiceId), mode: ReferralMode(rawValue: r.mode) ?? .professional,
                kind: RouteKind(rawValue: r.kind) ?? .referral, conditions: r.conditions, notes: r.notes,
                sources: try JSONColumn.decodeSources(r.sources)))
        }
        return graph
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
            let rows = try Row.fetchAll(db, sql: """
                SELECT serviceId, bm25(serviceSearch, 0.0, 10.0, 4.0, 1.0) AS rank FROM serviceSearch
                WHERE serviceSearch MATCH ? ORDER BY rank LIMIT ?
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
