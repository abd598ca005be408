import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ServiceMapCore
import Testing
import TestSupport
import ZIPFoundation

@testable import ServiceMapImport

@Suite("XLSX writer")
struct XLSXWriterTests {
    static let workbook = XLSXWriter(sheets: [
        XLSXSheet(name: "Services", header: ["Name", "Ages", "Places", "Self-referral?", "Last verified", "Notes"], rows: [
            [.text("Bookbug"), .text("0-5"), .number(12), .bool(true), .date(Day(year: 2024, month: 3, day: 1)), .text("Songs & \"stories\" <free>")],
            [.text("Triple P"), .empty, .number(2.5), .bool(false), .date(Day(year: 1999, month: 12, day: 31)), .text("two\nlines")],
            [.text("Bad \u{0001}control\u{FFFF}"), .text("_x000D_ literal"), .empty, .empty, .empty, .text("  padded  ")],
        ]),
        XLSXSheet(name: "Referral routes", header: ["From", "To"], rows: [[.text("GP"), .text("Bookbug")]]),
        XLSXSheet(name: "Services", header: ["Dup"], rows: []),
    ])

    @Test func deterministicBytes() throws {
        let a = try Self.workbook.data()
        let b = try Self.workbook.data()
        #expect(a == b)
        #expect(a.starts(with: [0x50, 0x4B, 0x03, 0x04]))
    }

    @Test func partsAreWellFormedXMLWithTheExpectedCells() throws {
        let archive = try Archive(data: try Self.workbook.data(), accessMode: .read)
        var parts: [String: String] = [:]
        for entry in archive {
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            parts[entry.path] = String(decoding: data, as: UTF8.self)
            #expect(XMLParser(data: data).parse(), "\(entry.path) is not well-formed")
        }
        #expect(parts.keys.sorted() == ["[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                                        "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"])
        let sheet = try #require(parts["xl/worksheets/sheet1.xml"])
        #expect(sheet.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        #expect(sheet.contains("<c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>Name</t></is></c>"))
        #expect(sheet.contains("<c r=\"E2\" s=\"2\"><v>45352</v></c>"))  // 2024-03-01
        #expect(sheet.contains("<c r=\"E3\" s=\"2\"><v>36525</v></c>"))  // 1999-12-31
        #expect(sheet.contains("<c r=\"C3\"><v>2.5</v></c>"))
        #expect(sheet.contains("<c r=\"D2\" t=\"b\"><v>1</v></c>"))
        #expect(sheet.contains("Songs &amp; &quot;stories&quot; &lt;free&gt;"))
        #expect(sheet.contains("<t>Bad control</t>"))
        #expect(sheet.contains("_x005F_x000D_ literal"))
        #expect(sheet.contains("<col min=\"6\" max=\"6\" width=\"25\" customWidth=\"1\"/>"))
        #expect(parts["xl/workbook.xml"]?.contains("<sheet name=\"Services (2)\" sheetId=\"3\" r:id=\"rId3\"/>") == true)
    }

    /// Converts each sheet with LibreOffice (Debian's libreoffice-calc) and checks the cells.
    @Test func opensInLibreOffice() throws {
        let soffice = ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/bin/libreoffice"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let soffice else {
            report("XLSXWriterTests: soffice not installed (apt-get install libreoffice-calc-nogui); LibreOffice check skipped")
            return
        }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("export.xlsx")
        try Self.workbook.write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: soffice)
        // Filter options: comma, double quote, UTF-8, first line 1, default cell formats, sheet -1 = every sheet to its own file.
        process.arguments = ["--headless", "-env:UserInstallation=file://\(folder.path)/profile", "--convert-to",
                             "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", folder.path, input.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let first = folder.appendingPathComponent("export-Services.csv")
        let csv = try String(contentsOf: first, encoding: .utf8)
        let rows = try CSVReader(path: first.path).rowsForTest()
        #expect(rows[0] == ["Name", "Ages", "Places", "Self-referral?", "Last verified", "Notes"])
        #expect(rows[1] == ["Bookbug", "0-5", "12", "TRUE", "2024-03-01", "Songs & \"stories\" <free>"])
        #expect(rows[2] == ["Triple P", "", "2.5", "FALSE", "1999-12-31", "two\nlines"])
        #expect(rows[3] == ["Bad control", "_x000D_ literal", "", "", "", "  padded  "])
        #expect(!csv.isEmpty)
        let routes = try CSVReader(path: folder.appendingPathComponent("export-Referral routes.csv").path).rowsForTest()
        #expect(routes == [["From", "To"], ["GP", "Bookbug"]])
    }
}

extension CSVReader {
    func rowsForTest() throws -> [[String]] {
        var diagnostics: [Diagnostic] = []
        var rows: [[String]] = []
        for sheet in try sheets() {
            try forEachRow(in: sheet, diagnostics: &diagnostics) { row in
                var fields = [String](repeating: "", count: row.lastColumn)
                for cell in row.cells { fields[cell.column - 1] = cell.value.text ?? "" }
                rows.append(fields)
            }
        }
        return rows.map { row in row + [String](repeating: "", count: max(0, (rows.first?.count ?? 0) - row.count)) }
    }
}
