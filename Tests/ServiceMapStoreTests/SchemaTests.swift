import Foundation
import GRDB
import Testing
@testable import ServiceMapStore

@Suite("The schema's migrations")
struct SchemaTests {
    /// A database written before the checks were rebuilt keeps its rows, its services' rowids (the
    /// search table is keyed by them) and its indexes, and refuses and accepts what it did before.
    @Test func checksRebuiltWithoutListsKeepRowsAndRules() throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v2-contentless-search")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO area (code, name, kind) VALUES ('s12000049', 'Glasgow City', 'council');
                INSERT INTO organisation (id, name, sector) VALUES ('nhs-ggc', 'NHS Greater Glasgow and Clyde', 'health');
                INSERT INTO service (rowid, id, name, organisationId, status, cost) VALUES (7, 'gift', 'GIFT', 'nhs-ggc', 'active', NULL);
                INSERT INTO service (rowid, id, name, status, sector) VALUES (3, 'home-start', 'Home-Start', 'pilot', 'third-sector');
                INSERT INTO serviceSearch (rowid, name, keywords, description) VALUES (7, 'GIFT', '', 'infant mental health');
                INSERT INTO referralRoute (id, fromRole, toServiceId, mode, kind) VALUES ('r1', 'gp', 'gift', 'professional-referral', 'referral');
                INSERT INTO importRun (startedAt, finishedAt, mode, serviceCount, routeCount, errorCount, warningCount, noteCount)
                    VALUES ('2026-01-01', '2026-01-01', 'replace', 2, 1, 0, 0, 0);
                INSERT INTO recordChange (runId, entity, entityId, change, name) VALUES (1, 'service', 'gift', 'added', 'GIFT');
                INSERT INTO importRunDiagnostic (runId, position, severity, code, message) VALUES (1, 0, 'warning', 'W1', 'a note');
                INSERT INTO eligibilityRule (serviceId, position, effect, condition) VALUES ('gift', 0, 'requires', 'pregnant-or-under-5');
                """)
        }
        try Schema.migrator.migrate(queue)
        try queue.read { db in
            #expect(try Schema.migrator.appliedMigrations(db).suffix(3) == ["v3-checks-without-lists", "v4-search-segments", "v5-unread-indexes"])
            #expect(try Int.fetchOne(db, sql: "SELECT v FROM serviceSearch_config WHERE k = 'hashsize'") == 8_388_608)
            let services = try Row.fetchAll(db, sql: "SELECT rowid, id, organisationId FROM service ORDER BY rowid")
            #expect(services.map { $0[0] as Int64 } == [3, 7])
            #expect(services.map { $0[1] as String } == ["home-start", "gift"])
            // The search still finds the service by its rowid.
            #expect(try String.fetchOne(db, sql: """
                SELECT s.id FROM serviceSearch JOIN service AS s ON s.rowid = serviceSearch.rowid WHERE serviceSearch MATCH 'infant'
                """) == "gift")
            for table in ["area", "organisation", "referralRoute", "importRun", "recordChange", "importRunDiagnostic", "eligibilityRule"] {
                #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") == 1, "\(table)")
            }
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
            // The indexes queries read through are there; those none reads are gone.
            #expect(Set(indexes) == ["area_parent", "levelOfNeed_area", "serviceArea_area", "referralRoute_to", "referralRoute_fromService"])
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try !String.fetchAll(db, sql: "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL").contains { $0.contains(" IN (") })
        }
        try queue.write { db in
            // Listed values and NULL pass; anything else is refused, as by the lists before.
            try db.execute(sql: "INSERT INTO service (id, name, status, cost, sector) VALUES ('a', 'A', 'closed', 'varies', NULL)")
            for bad in [
                "INSERT INTO service (id, name, status) VALUES ('b', 'B', 'open')",
                "INSERT INTO service (id, name, status, cost) VALUES ('c', 'C', 'active', 'cheap')",
                "INSERT INTO service (id, name, status, sector) VALUES ('d', 'D', 'active', 'Health')",
                "INSERT INTO area (code, name, kind) VALUES ('x', 'X', 'county')",
                "INSERT INTO referralRoute (id, fromRole, toServiceId, mode, kind) VALUES ('r2', 'gp', 'a', 'fax', 'referral')",
                "INSERT INTO recordChange (runId, entity, entityId, change, name) VALUES (1, 'service', 'a', 'moved', 'A')",
                "INSERT INTO eligibilityRule (serviceId, position, effect, condition) VALUES ('a', 0, 'allows', 'age')",
                "INSERT INTO importRun (startedAt, finishedAt, mode, serviceCount, routeCount, errorCount, warningCount, noteCount) VALUES ('x', 'x', 'append', 0, 0, 0, 0, 0)",
                "INSERT INTO importRunDiagnostic (runId, position, severity, code, message) VALUES (1, 1, 'fatal', 'E', 'm')",
            ] {
                #expect(throws: DatabaseError.self, "\(bad)") { try db.execute(sql: bad) }
            }
        }
    }
}
