import Foundation
import Testing
import TestSupport
import ServiceMapCore
@testable import ServiceMapImport

/// Workbooks built in the test: a researcher's messy directory, and hostile packages.
@Suite struct XLSXReaderTests {
    typealias V = XLSXTestWorkbook.Value

    /// 2024-03-01 as an Excel serial (1900 system).
    static let march1st2024 = 45352.0

    static let messy = XLSXTestWorkbook(sheets: [
        .init(name: "Services", rows: [
            [.text("Glasgow family support directory")],
            [.text("Compiled by the mapping team, spring 2024")],
            [],
            [.text("Service name"), .text("Provider"), .text("Ages"), .text("Self-referral?"), .text("Area covered"), .text("Last checked")],
            [.text("Perinatal services")],
            [.text("Bump Start"), .text("NHS GG&C"), .text("pre-birth to 3"), .text("Y"), .text("Glasgow"), .date(march1st2024)],
            [.text("Dad Matters"), .text("Home-Start"), .text("0–5 years"), .text("yes"), .text("Glasgow"), .text("01/03/2024")],
            [.text("Early years")],
            [.text("Stay and Play"), .text("Glasgow City Council"), .text("under 5s"), .text("✓"), .text("Glasgow"), nil],
            [.text("Teen Talk"), .text("Youth Scotland"), .text("sometimes"), .text("n/a"), .text("Glasgow"), nil],
            [.text("Adult Learning"), .text("Glasgow Life"), .text("18+"), .text("N"), .text("Glasgow"), .error("#N/A")],
        ]),
        .init(name: "Old list", rows: [[.text("Service"), .text("Ages")], [.text("Retired service"), .text("0-5")]], hidden: true),
    ])

    @Test func messyResearcherWorkbookMapsToServicesAndCellWarnings() throws {
        let path = try Self.messy.write(name: "glasgow.xlsx")
        let fragment = try TableMapper(options: ImportOptions()).map(XLSXReader(path: path), file: path)
        var assembler = GraphAssembler()
        assembler.add(fragment)
        let (graph, diagnostics) = assembler.assemble()
        let services = graph.services.values.sorted { $0.name < $1.name }
        #expect(services.map(\.name) == ["Adult Learning", "Bump Start", "Dad Matters", "Stay and Play", "Teen Talk"])
        let bump = try #require(services.first { $0.name == "Bump Start" })
        #expect(bump.lastVerified == Day(year: 2024, month: 3, day: 1))
        #expect(bump.ages == (try? AgeRangeParser.parse("pre-birth to 3").get()))
        let dad = try #require(services.first { $0.name == "Dad Matters" })
        #expect(dad.lastVerified == Day(year: 2024, month: 3, day: 1))
        #expect(dad.ages == (try? AgeRangeParser.parse("0-5").get()))
        #expect(services.first { $0.name == "Stay and Play" }?.ages == (try? AgeRangeParser.parse("under 5s").get()))
        #expect(services.first { $0.name == "Adult Learning" }?.ages == (try? AgeRangeParser.parse("18+").get()))

        func at(_ code: DiagnosticCode) -> [String] {
            diagnostics.filter { $0.code == code }.compactMap { $0.location?.description }
        }
        #expect(at(.unreadableAge) == ["\(path):Services!C10"])
        #expect(at(.cellError) == ["\(path):Services!F11"])
        #expect(at(.hiddenSheetSkipped) == ["\(path):Old list"])
        #expect(!services.contains { $0.name == "Retired service" })
    }

    @Test func valuesAndLocations() throws {
        let path = try Self.messy.write()
        let sheets = try readWorkbook(path)
        #expect(sheets.map(\.info.name) == ["Services", "Old list"])
        let services = sheets[0]
        #expect(services["A1"] == .text("Glasgow family support directory"))
        #expect(services["B6"] == .text("NHS GG&C"))
        #expect(services["F6"] == .date(Day(year: 2024, month: 3, day: 1), seconds: 0))
        #expect(services["F11"] == .error("#N/A"))
        #expect(!services.rows.contains { $0.number == 3 })  // blank rows are not delivered
    }

    // MARK: - Hostile and broken packages

    @Test func documentTypeDeclarationsAreRefused() throws {
        var workbook = Self.messy
        workbook.overrides["xl/worksheets/sheet1.xml"] = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">\
            <c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>
            """
        #expect(failureCode(try workbook.write()) == .xmlEntityExpansion)
    }

    @Test func compressionBombsAreRefused() throws {
        // 8 MiB of one byte deflates ~1000×: over the ratio limit.
        var workbook = Self.messy
        workbook.overrides["xl/sharedStrings.xml"] = String(repeating: " ", count: 8 << 20)
        workbook.overrides["xl/_rels/workbook.xml.rels"] = """
            <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>\
            <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>\
            </Relationships>
            """
        let path = try workbook.write()
        #expect(failureCode(path) == .zipBomb)
        // And the per-entry and total limits, on an ordinary workbook.
        var small = ReaderLimits()
        small.maxEntryBytes = 100
        #expect(failureCode(try Self.messy.write(), limits: small) == .zipBomb)
        var total = ReaderLimits()
        total.maxTotalBytes = 1_000
        #expect(failureCode(try Self.messy.write(), limits: total) == .zipBomb)
    }

    @Test func cellLimits() throws {
        var limits = ReaderLimits()
        limits.maxRows = 5
        #expect(failureCode(try Self.messy.write(), limits: limits) == .tooManyCells)
        limits = ReaderLimits()
        limits.maxCellsPerSheet = 10
        #expect(failureCode(try Self.messy.write(), limits: limits) == .tooManyCells)
    }

    @Test func brokenFilesFailClearly() throws {
        let dir = Scratch.folder("sheets")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let good = try Data(contentsOf: URL(fileURLWithPath: try Self.messy.write()))
        func file(_ name: String, _ data: Data) throws -> String {
            let url = dir.appendingPathComponent(name)
            try data.write(to: url)
            return url.path
        }
        #expect(failureCode(try file("empty.xlsx", Data())) == .truncatedFile)
        #expect(failureCode(try file("half.xlsx", good.prefix(good.count / 2))) == .truncatedFile)
        #expect(failureCode(try file("notes.xlsx", Data("name,age\nA,3\n".utf8))) == .notAZip)
        #expect(failureCode(try file("old.xlsx", Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)))) == .encryptedWorkbook)
        let ods = try Data(contentsOf: URL(fileURLWithPath: SpreadsheetCorpus.path("ods", "openspout__one_sheet_with_strings.ods")))
        #expect(failureCode(try file("renamed.xlsx", ods)) == .wrongFileType)
        #expect(failureCode(try file("renamed.ods", good)) == .wrongFileType)
        // Damaged deflate data inside an intact directory.
        var damaged = good
        if let range = damaged.range(of: Data("xl/worksheets/sheet1.xml".utf8)) {
            let start = range.upperBound + 8
            for i in start..<min(start + 40, damaged.count) { damaged[i] = 0xFF }
        }
        let code = failureCode(try file("damaged.xlsx", damaged))
        #expect(code == .truncatedFile || code == .malformedXML)
    }
}
