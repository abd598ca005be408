import Foundation
import Testing
import TestSupport
@testable import ServiceMapCLI
@testable import ServiceMapCore
@testable import ServiceMapImport
@testable import ServiceMapStore

@Suite("servicemap review", .serialized)
struct ReviewTests {
    static let fixture = """
    -- areas.csv --
    Code,Name,Kind,Parent
    scotland,Scotland,nation,
    glasgow-city,Glasgow City,council,scotland
    -- levels.csv --
    ID,Area,Name,Order,Ring
    glasgow-universal,scotland,Universal,1,Universal
    -- organisations.csv --
    ID,Name,Sector
    family-trust,Family Trust,third-sector
    city-council,City Council,social-work
    -- services.csv --
    Name,Organisation,Area,Phone,Last verified,Status
    Stale Group,family-trust,glasgow-city,0141 000 0001,2024-01-10,active
    Fresh Group,family-trust,glasgow-city,0141 000 0002,2026-09-01,active
    Never Checked,city-council,glasgow-city,,,active
    Orphan Service,,glasgow-city,,2020-05-05,active
    """

    @Test func listsWhatIsDueGroupedByOrganisation() throws {
        let tree = try FileTree(Self.fixture)
        defer { tree.remove() }
        let database = temporaryPath("review.sqlite")
        defer { try? FileManager.default.removeItem(atPath: database) }
        #expect(runCapturing(["import", tree.path(), "--database", database, "--quiet"]).status == 0)
        let result = runCapturing(["review", "--database", database, "--today", "2026-11-21"])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "Due for review on 2026-11-21 (never verified, or last verified 12 months ago or more): 3 of 4 services")
        // Organisations A–Z, services with no organisation last.
        let headings = lines.filter { !$0.hasPrefix(" ") && $0.hasSuffix(")") && !$0.hasPrefix("Due") }
        #expect(headings == ["City Council (1)", "Family Trust (1)", "Services with no organisation (1)"])
        #expect(result.output.contains("  never-checked--glasgow-city  Never Checked — never verified"))
        #expect(result.output.contains("  stale-group--glasgow-city  Stale Group — last verified 2024-01-10, 34 months ago"))
        #expect(!result.output.contains("Fresh Group"))
        // A shorter cycle makes the fresh one due too.
        #expect(runCapturing(["review", "--database", database, "--today", "2026-11-21", "--months", "2"]).output.contains("Fresh Group"))
        #expect(runCapturing(["review", "--database", database, "--today", "not a day"]).status == 2)
    }

    /// The review cycle end to end: workbooks out, one filled in, imported with --merge: the
    /// verified date and the corrected phone update the record, nothing else changes, and the
    /// record's history shows the change.
    @Test func aFilledReviewWorkbookUpdatesTheRecordAndKeepsItsHistory() throws {
        let tree = try FileTree(Self.fixture)
        defer { tree.remove() }
        let database = temporaryPath("review-merge.sqlite")
        let folder = temporaryPath("review-workbooks")
        defer { try? FileManager.default.removeItem(atPath: database); try? FileManager.default.removeItem(atPath: folder) }
        #expect(runCapturing(["import", tree.path(), "--database", database, "--quiet"]).status == 0)
        #expect(runCapturing(["review", "--database", database, "--today", "2026-11-21", "--workbooks", folder]).status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files == ["city-council.xlsx", "family-trust.xlsx", "no-organisation.xlsx"])

        // The workbook as written reads back as the same services, unchanged.
        let store = try ServiceStore(path: database)
        let before = try store.loadGraph()
        let workbook = (folder as NSString).appendingPathComponent("family-trust.xlsx")
        let asWritten = ImportPipeline(paths: [workbook]).check(base: before)
        #expect(!asWritten.diagnostics.hasErrors, "\(asWritten.diagnostics.map(\.description))")
        #expect(GraphDiff.changes(from: before, to: asWritten.graph).isEmpty)

        // The provider fills it in: the phone was wrong, and the row is verified today.
        let plan = ReviewPlan(graph: before, today: Day(year: 2026, month: 11, day: 21))
        var group = try #require(plan.groups.first { $0.fileStem == "family-trust" })
        group.items[0].service.contact.phone = "0141 000 0099"
        group.items[0].service.lastVerified = Day(year: 2026, month: 11, day: 20)
        try ReviewWorkbook.xlsx(group, graph: before, today: plan.today, file: workbook).write(to: URL(fileURLWithPath: workbook))

        #expect(runCapturing(["import", "--merge", workbook, "--database", database, "--quiet"]).status == 0)
        let after = try store.loadGraph()
        let id: ServiceID = "stale-group--glasgow-city"
        #expect(after.services[id]?.lastVerified == Day(year: 2026, month: 11, day: 20))
        #expect(after.services[id]?.contact.phone == "0141 000 0099")
        #expect(after.services.count == before.services.count)
        let changes = GraphDiff.changes(from: before, to: after)
        #expect(changes.map(\.id) == [id.rawValue])
        #expect(Set(changes[0].fields.map(\.field)) == ["last verified", "phone"])

        let history = try store.history(entity: "service", id: id.rawValue)
        #expect(history.map(\.change.kind) == [.added, .changed])
        #expect(history.last?.change.fields.first { $0.field == "last verified" }?.new == "2026-11-20")
        #expect(history.last?.run.mode == "merge")
        let printed = runCapturing(["review", "--database", database, "--history", id.rawValue]).output
        #expect(printed.contains("last verified: '2024-01-10' → '2026-11-20'"))
        // Now verified, it is no longer due.
        #expect(!runCapturing(["review", "--database", database, "--today", "2026-11-21"]).output.contains("Stale Group"))
    }
}
