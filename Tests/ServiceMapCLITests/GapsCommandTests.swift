import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import ServiceMapCLI
@testable import ServiceMapCore
import ServiceMapImport
import ServiceMapStore


@Suite("servicemap gaps", .serialized)
struct GapsCommandTests {
    /// The shipped data in a store, once.
    static let database: String = {
        let path = temporaryPath("gaps-shipped.sqlite")
        try? FileManager.default.removeItem(atPath: path)
        let store = try! ServiceStore(path: path)
        _ = try! ImportPipeline(paths: [ShippedData.folder]).run(into: store)
        return path
    }()

    @Test func everyFormatWritesAndExitsZero() throws {
        let out = temporaryPath("gaps-out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let base = ["gaps", "--database", Self.database, "--area", "Scotland", "--today", "2026-11-21"]
        for format in ["table", "csv", "json", "xlsx"] {
            #expect(run(base + ["--format", format, "-o", "\(out)/gaps.\(format)"]) == 0, "\(format)")
        }
        let table = try String(contentsOfFile: "\(out)/gaps.table", encoding: .utf8)
        #expect(table.hasPrefix("COVERAGE — Scotland: 14 areas side by side\n"))
        #expect(table.split(separator: "\n").allSatisfy { $0.count <= 100 })
        #expect(table.contains("NHS Greater Glasgow and Clyde"))
        let json = try JSONDecoder().decode(GapsReport.self, from: Data(contentsOf: URL(fileURLWithPath: "\(out)/gaps.json")))
        #expect(json.matrix.columns.count == 14)
        #expect(json.today == Day(year: 2026, month: 11, day: 21))
        let csv = try String(contentsOfFile: "\(out)/gaps.csv", encoding: .utf8)
        #expect(csv.contains("cell,nhs-greater-glasgow-and-clyde,NHS Greater Glasgow and Clyde,infant-mental-health,Infant mental health,any,Any level,3,covered,"))
        // The workbook reads back through servicemap's own reader, sheet by sheet.
        let book = try XLSXReader(path: "\(out)/gaps.xlsx")
        let sheets = try book.sheets()
        #expect(sheets.map(\.name) == ["About", "Summary", "Cells", "Graph findings", "Data quality"])
        var diagnostics: [Diagnostic] = []
        var rows = 0
        try book.forEachRow(in: sheets[1], diagnostics: &diagnostics) { _ in rows += 1 }
        #expect(rows == 15)  // header + 14 boards
        #expect(diagnostics.isEmpty)
    }

    @Test func xlsxNeedsAnOutputFileAndBadTermsAreUsageErrors() {
        #expect(run(["gaps", "--database", Self.database, "--format", "xlsx"]) == 2)
        #expect(run(["gaps", "--database", Self.database, "--area", "Atlantis"]) == 2)
        #expect(run(["gaps", "--database", Self.database, "--today", "yesterday"]) == 2)
        #expect(run(["gaps", "--database", Self.database, "--level", "tier 9"]) == 2)
        #expect(run(["gaps", "--database", "/no/such.sqlite"]) == 2)
    }

    @Test func optionsReadAreasNeedsLevelsAndRings() throws {
        let graph = ShippedData.graph
        let options = try GapsCommand.options(
            area: ["bromley", "Glasgow City"], category: ["low mood", "drug and alcohol"], level: ["Tier 3", "court", "2"],
            referrer: ["health visitor"], staleAfter: 6, today: "2026-01-31", in: graph).get()
        #expect(options.areas == ["bromley", "glasgow-city"])
        #expect(options.categories == ["parental-mental-health", "substance-use"])
        #expect(options.rings == [.childInNeed, .court, .earlyHelp])
        #expect(options.referrers == [.healthVisitor])
        #expect(options.staleAfterMonths == 6)
        #expect(options.today == Day(year: 2026, month: 1, day: 31))
    }
}
