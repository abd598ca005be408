import Foundation
import GRDB

/// The database schema, as named migrations. Shipped migrations are never edited: add a new one.
/// Constraints live here, in the schema, so a bug in Swift cannot store an impossible graph.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-graph") { db in
            try db.execute(sql: """
                CREATE TABLE area (
                    code TEXT PRIMARY KEY NOT NULL CHECK (code <> ''),
                    name TEXT NOT NULL CHECK (name <> ''),
                    kind TEXT NOT NULL CHECK (kind IN ('nation', 'region', 'health-board', 'council', 'locality')),
                    parentCode TEXT REFERENCES area(code) DEFERRABLE INITIALLY DEFERRED,
                    sources TEXT NOT NULL DEFAULT '{}'
                );
                CREATE INDEX area_parent ON area(parentCode);

                CREATE TABLE levelOfNeed (
                    id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
                    areaCode TEXT NOT NULL REFERENCES area(code) DEFERRABLE INITIALLY DEFERRED,
                    name TEXT NOT NULL CHECK (name <> ''),
                    position INTEGER NOT NULL,
                    ring INTEGER CHECK (ring BETWEEN 1 AND 7),
                    description TEXT NOT NULL DEFAULT '',
                    sources TEXT NOT NULL DEFAULT '{}'
                );
                CREATE INDEX levelOfNeed_area ON levelOfNeed(areaCode);

                CREATE TABLE category (
                    id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
                    name TEXT NOT NULL,
                    parentId TEXT REFERENCES category(id) DEFERRABLE INITIALLY DEFERRED,
                    synonyms TEXT NOT NULL DEFAULT '[]'
                );

                CREATE TABLE organisation (
                    id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
                    name TEXT NOT NULL CHECK (name <> ''),
                    sector TEXT CHECK (sector IN ('health', 'social-work', 'education-and-early-years', 'third-sector', 'justice')),
                    website TEXT,
                    description TEXT NOT NULL DEFAULT '',
                    sources TEXT NOT NULL DEFAULT '{}'
                );

                CREATE TABLE service (
                    id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
                    name TEXT NOT NULL CHECK (name <> ''),
                    organisationId TEXT REFERENCES organisation(id) DEFERRABLE INITIALLY DEFERRED,
                    description TEXT NOT NULL DEFAULT '',
                    minAgeMonths INTEGER,
                    maxAgeMonths INTEGER,
                    cost TEXT CHECK (cost IN ('free', 'low-cost', 'paid', 'varies')),
                    costNote TEXT,
                    languages TEXT NOT NULL DEFAULT '[]',
                    delivery TEXT NOT NULL DEFAULT '[]',
                    phone TEXT,
                    email TEXT,
                    website TEXT,
                    address TEXT,
                    postcode TEXT,
                    confidentialAddress BOOLEAN NOT NULL DEFAULT 0,
                    status TEXT NOT NULL CHECK (status IN ('active', 'pilot', 'inactive', 'closed')),
                    lastVerified TEXT CHECK (lastVerified IS NULL OR lastVerified GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                    sector TEXT CHECK (sector IN ('health', 'social-work', 'education-and-early-years', 'third-sector', 'justice')),
                    howToRefer TEXT,
                    attributes TEXT NOT NULL DEFAULT '{}',
                    sources TEXT NOT NULL DEFAULT '{}',
                    CHECK (minAgeMonths IS NULL OR maxAgeMonths IS NULL OR minAgeMonths <= maxAgeMonths)
                );
                CREATE INDEX service_organisation ON service(organisationId);

                CREATE TABLE serviceArea (
                    serviceId TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                    areaCode TEXT NOT NULL REFERENCES area(code),
                    position INTEGER NOT NULL,
                    PRIMARY KEY (serviceId, areaCode)
                ) WITHOUT ROWID;
                CREATE INDEX serviceArea_area ON serviceArea(areaCode);

                CREATE TABLE serviceLevel (
                    serviceId TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                    levelId TEXT NOT NULL REFERENCES levelOfNeed(id),
                    position INTEGER NOT NULL,
                    PRIMARY KEY (serviceId, levelId)
                ) WITHOUT ROWID;
                CREATE INDEX serviceLevel_level ON serviceLevel(levelId);

                CREATE TABLE serviceCategory (
                    serviceId TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                    categoryId TEXT NOT NULL REFERENCES category(id),
                    position INTEGER NOT NULL,
                    PRIMARY KEY (serviceId, categoryId)
                ) WITHOUT ROWID;
                CREATE INDEX serviceCategory_category ON serviceCategory(categoryId);

                CREATE TABLE eligibilityRule (
                    serviceId TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    effect TEXT NOT NULL CHECK (effect IN ('requires', 'excludes')),
                    condition TEXT NOT NULL CHECK (condition <> ''),
                    note TEXT,
                    PRIMARY KEY (serviceId, position)
                ) WITHOUT ROWID;

                CREATE TABLE referralRoute (
                    id TEXT PRIMARY KEY NOT NULL,
                    fromRole TEXT,
                    fromServiceId TEXT REFERENCES service(id) ON DELETE CASCADE,
                    toServiceId TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                    mode TEXT NOT NULL CHECK (mode IN ('self-referral', 'professional-referral', 'via-front-door', 'court-directed', 'hearing-directed', 'signposting')),
                    kind TEXT NOT NULL CHECK (kind IN ('referral', 'step-up', 'step-down')),
                    conditions TEXT,
                    notes TEXT,
                    sources TEXT NOT NULL DEFAULT '{}',
                    CHECK ((fromRole IS NULL) <> (fromServiceId IS NULL))
                );
                CREATE INDEX referralRoute_to ON referralRoute(toServiceId);
                CREATE INDEX referralRoute_fromService ON referralRoute(fromServiceId);
                CREATE INDEX referralRoute_fromRole ON referralRoute(fromRole);

                CREATE TABLE importRun (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    startedAt TEXT NOT NULL,
                    finishedAt TEXT NOT NULL,
                    mode TEXT NOT NULL CHECK (mode IN ('replace', 'merge')),
                    serviceCount INTEGER NOT NULL,
                    routeCount INTEGER NOT NULL,
                    errorCount INTEGER NOT NULL,
                    warningCount INTEGER NOT NULL,
                    noteCount INTEGER NOT NULL
                );

                CREATE TABLE importRunFile (
                    runId INTEGER NOT NULL REFERENCES importRun(id) ON DELETE CASCADE,
                    path TEXT NOT NULL,
                    format TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    records INTEGER NOT NULL,
                    PRIMARY KEY (runId, path)
                ) WITHOUT ROWID;

                CREATE TABLE importRunDiagnostic (
                    runId INTEGER NOT NULL REFERENCES importRun(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    severity TEXT NOT NULL CHECK (severity IN ('note', 'warning', 'error')),
                    code TEXT NOT NULL,
                    location TEXT,
                    message TEXT NOT NULL,
                    PRIMARY KEY (runId, position)
                ) WITHOUT ROWID;

                -- What each run changed, so a directory's history can be listed and diffed.
                CREATE TABLE recordChange (
                    runId INTEGER NOT NULL REFERENCES importRun(id) ON DELETE CASCADE,
                    entity TEXT NOT NULL CHECK (entity IN ('service', 'route', 'area', 'level', 'organisation')),
                    entityId TEXT NOT NULL,
                    change TEXT NOT NULL CHECK (change IN ('added', 'removed', 'changed')),
                    name TEXT NOT NULL,
                    fields TEXT NOT NULL DEFAULT '[]',
                    PRIMARY KEY (runId, entity, entityId)
                ) WITHOUT ROWID;

                -- Full-text search over services, with Porter stemming ("counselling" finds "counsel").
                CREATE VIRTUAL TABLE serviceSearch USING fts5(
                    serviceId UNINDEXED, name, keywords, description,
                    tokenize = 'porter unicode61 remove_diacritics 2'
                );
                """)
        }
        // The search table indexes services without keeping its own copy of their text: it was the
        // largest table (every description twice) and a third of a large import's writing. Its
        // rowids are the services' rowids; a search joins back to `service` for the id.
        migrator.registerMigration("v2-contentless-search") { db in
            try db.execute(sql: """
                DROP TABLE serviceSearch;
                CREATE VIRTUAL TABLE serviceSearch USING fts5(
                    name, keywords, description, content = '',
                    tokenize = 'porter unicode61 remove_diacritics 2'
                );
                INSERT INTO serviceSearch (rowid, name, keywords, description)
                SELECT s.rowid, s.name,
                    trim(coalesce((SELECT group_concat(c.name || ' ' || (SELECT coalesce(group_concat(j.value, ' '), '') FROM json_each(c.synonyms) AS j), ' ')
                                   FROM serviceCategory AS sc JOIN category AS c ON c.id = sc.categoryId WHERE sc.serviceId = s.id), '')
                         || ' ' || coalesce((SELECT o.name FROM organisation AS o WHERE o.id = s.organisationId), '')
                         || ' ' || coalesce((SELECT group_concat(a.name, ' ') FROM serviceArea AS sa JOIN area AS a ON a.code = sa.areaCode
                                             WHERE sa.serviceId = s.id), '')),
                    s.description
                FROM service AS s;
                """)
        }
        // A CHECK of the form `x IN ('a', 'b')` builds a small temporary table every time a row is
        // written by a reused statement (SQLite makes it once per statement run, and a bulk write
        // runs the statement once per row): on a 100,000-service import that was 0.4 s for the
        // service table alone. The same rules written as `x = 'a' OR x = 'b'` cost nothing extra
        // and accept and refuse exactly the same values (NULL included), so the tables written
        // row by row are rebuilt with them. The rows, and the services' rowids that the search
        // table is keyed by, are copied as they are.
        migrator.registerMigration("v3-checks-without-lists") { db in
            try rebuild(db, "area", rowids: true, columns: """
                code TEXT PRIMARY KEY NOT NULL CHECK (code <> ''),
                name TEXT NOT NULL CHECK (name <> ''),
                kind TEXT NOT NULL CHECK (\(oneOf("kind", "nation", "region", "health-board", "council", "locality"))),
                parentCode TEXT REFERENCES area(code) DEFERRABLE INITIALLY DEFERRED,
                sources TEXT NOT NULL DEFAULT '{}'
                """, indexes: ["CREATE INDEX area_parent ON area(parentCode)"])
            try rebuild(db, "organisation", rowids: true, columns: """
                id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
                name TEXT NOT NULL CHECK (name <> ''),
                sector TEXT CHECK (\(oneOf("sector", sectors))),
                website TEXT,
                description TEXT NOT NULL DEFAULT '',
                sources TEXT NOT NULL DEFAULT '{}'
                """)
            try rebuild(db, "service", rowids: true, columns: """
                id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
                name TEXT NOT NULL CHECK (name <> ''),
                organisationId TEXT REFERENCES organisation(id) DEFERRABLE INITIALLY DEFERRED,
                description TEXT NOT NULL DEFAULT '',
                minAgeMonths INTEGER,
                maxAgeMonths INTEGER,
                cost TEXT CHECK (\(oneOf("cost", "free", "low-cost", "paid", "varies"))),
                costNote TEXT,
                languages TEXT NOT NULL DEFAULT '[]',
                delivery TEXT NOT NULL DEFAULT '[]',
                phone TEXT,
                email TEXT,
                website TEXT,
                address TEXT,
                postcode TEXT,
                confidentialAddress BOOLEAN NOT NULL DEFAULT 0,
                status TEXT NOT NULL CHECK (\(oneOf("status", "active", "pilot", "inactive", "closed"))),
                lastVerified TEXT CHECK (lastVerified IS NULL OR lastVerified GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                sector TEXT CHECK (\(oneOf("sector", sectors))),
                howToRefer TEXT,
                attributes TEXT NOT NULL DEFAULT '{}',
                sources TEXT NOT NULL DEFAULT '{}',
                CHECK (minAgeMonths IS NULL OR maxAgeMonths IS NULL OR minAgeMonths <= maxAgeMonths)
                """, indexes: ["CREATE INDEX service_organisation ON service(organisationId)"])
            try rebuild(db, "referralRoute", rowids: true, columns: """
                id TEXT PRIMARY KEY NOT NULL,
                fromRole TEXT,
                fromServiceId TEXT REFERENCES service(id) ON DELETE CASCADE,
                toServiceId TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                mode TEXT NOT NULL CHECK (\(oneOf("mode", "self-referral", "professional-referral", "via-front-door", "court-directed",
                                                   "hearing-directed", "signposting"))),
                kind TEXT NOT NULL CHECK (\(oneOf("kind", "referral", "step-up", "step-down"))),
                conditions TEXT,
                notes TEXT,
                sources TEXT NOT NULL DEFAULT '{}',
                CHECK ((fromRole IS NULL) <> (fromServiceId IS NULL))
                """, indexes: [
                    "CREATE INDEX referralRoute_to ON referralRoute(toServiceId)",
                    "CREATE INDEX referralRoute_fromService ON referralRoute(fromServiceId)",
                    "CREATE INDEX referralRoute_fromRole ON referralRoute(fromRole)",
                ])
            try rebuild(db, "eligibilityRule", rowids: false, withoutRowID: true, columns: """
                serviceId TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                effect TEXT NOT NULL CHECK (\(oneOf("effect", "requires", "excludes"))),
                condition TEXT NOT NULL CHECK (condition <> ''),
                note TEXT,
                PRIMARY KEY (serviceId, position)
                """)
            // Its `id` is its rowid, so copying the columns copies the rowids.
            try rebuild(db, "importRun", rowids: false, columns: """
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                startedAt TEXT NOT NULL,
                finishedAt TEXT NOT NULL,
                mode TEXT NOT NULL CHECK (\(oneOf("mode", "replace", "merge"))),
                serviceCount INTEGER NOT NULL,
                routeCount INTEGER NOT NULL,
                errorCount INTEGER NOT NULL,
                warningCount INTEGER NOT NULL,
                noteCount INTEGER NOT NULL
                """)
            try rebuild(db, "importRunDiagnostic", rowids: false, withoutRowID: true, columns: """
                runId INTEGER NOT NULL REFERENCES importRun(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                severity TEXT NOT NULL CHECK (\(oneOf("severity", "note", "warning", "error"))),
                code TEXT NOT NULL,
                location TEXT,
                message TEXT NOT NULL,
                PRIMARY KEY (runId, position)
                """)
            try rebuild(db, "recordChange", rowids: false, withoutRowID: true, columns: """
                runId INTEGER NOT NULL REFERENCES importRun(id) ON DELETE CASCADE,
                entity TEXT NOT NULL CHECK (\(oneOf("entity", "service", "route", "area", "level", "organisation"))),
                entityId TEXT NOT NULL,
                change TEXT NOT NULL CHECK (\(oneOf("change", "added", "removed", "changed"))),
                name TEXT NOT NULL,
                fields TEXT NOT NULL DEFAULT '[]',
                PRIMARY KEY (runId, entity, entityId)
                """)
        }
        // The search index gathers new entries in memory and writes them out as a segment each
        // time they pass its hash size (1 MB unless set), and merges the segments as it goes.
        // In 8 MB segments, writing 100,000 services' entries took 0.71 s rather than 0.92 s, for
        // at most 7 MB more memory while writing.
        migrator.registerMigration("v4-search-segments") { db in
            try db.execute(sql: "INSERT INTO serviceSearch (serviceSearch, rank) VALUES ('hashsize', 8388608)")
        }
        // Indexes no query reads through, each written at every import: the site and the commands
        // read services and their lists by service id (the tables' own keys), and ask only for
        // the services in an area (`serviceArea_area`) and the routes into and out of a service.
        // The foreign keys they would serve are checked by `PRAGMA foreign_key_check`, which looks
        // each parent up by its primary key, and parents are only ever deleted all at once with
        // enforcement off. Dropping them took a 100,000-service import from 6.9 s to 6.3 s.
        migrator.registerMigration("v5-unread-indexes") { db in
            try db.execute(sql: """
                DROP INDEX serviceLevel_level;
                DROP INDEX serviceCategory_category;
                DROP INDEX service_organisation;
                DROP INDEX referralRoute_fromRole;
                """)
        }
        return migrator
    }

    private static let sectors = ["health", "social-work", "education-and-early-years", "third-sector", "justice"]

    /// `column = 'a' OR column = 'b' …`: true for the values listed, false for any other, NULL
    /// (which a CHECK accepts) for NULL, like `column IN ('a', 'b', …)`.
    static func oneOf(_ column: String, _ values: String...) -> String { oneOf(column, values) }

    static func oneOf(_ column: String, _ values: [String]) -> String {
        values.map { "\(column) = '\($0)'" }.joined(separator: " OR ")
    }

    /// Rebuilds `table` with new column definitions, SQLite's way (its documentation's "other kinds
    /// of table schema changes"): a new table, the rows copied, the old table dropped and the new
    /// one renamed, then the indexes made again. Foreign keys are off during migrations and checked
    /// when the migration ends. `rowids` copies a rowid table's rowids too (one whose rowid is a
    /// column of its own copies them anyway).
    private static func rebuild(_ db: Database, _ table: String, rowids: Bool, withoutRowID: Bool = false, columns: String,
                                indexes: [String] = []) throws {
        let names = try db.columns(in: table).map { "\"\($0.name)\"" }.joined(separator: ", ")
        let (into, from) = rowids ? ("rowid, \(names)", "rowid, \(names)") : (names, names)
        try db.execute(sql: """
            CREATE TABLE "\(table)_rebuilt" (\(columns))\(withoutRowID ? " WITHOUT ROWID" : "");
            INSERT INTO "\(table)_rebuilt" (\(into)) SELECT \(from) FROM "\(table)";
            DROP TABLE "\(table)";
            ALTER TABLE "\(table)_rebuilt" RENAME TO "\(table)";
            """)
        for index in indexes { try db.execute(sql: index) }
    }
}
