import Foundation
import ServiceMapCore
import Testing

@testable import ServiceMapImport

@Suite("CSV corpus")
struct CSVCorpusTests {
    struct Read {
        var rows: [[String]]
        var lines: [Int]
        var diagnostics: [Diagnostic]
        var delimiter: UInt8
    }

    /// Every record as a dense list of fields (empty cells filled in).
    func read(_ name: String) throws -> Read {
        let reader = try CSVReader(path: FormatsCorpus.file("csv", name))
        var diagnostics: [Diagnostic] = []
        var rows: [[String]] = []
        var lines: [Int] = []
        for sheet in try reader.sheets() {
            try reader.forEachRow(in: sheet, diagnostics: &diagnostics) { row in
                var fields = [String](repeating: "", count: row.lastColumn)
                for cell in row.cells { fields[cell.column - 1] = cell.value.text ?? "" }
                rows.append(fields)
                lines.append(row.line ?? row.number)
            }
        }
        return Read(rows: rows, lines: lines, diagnostics: diagnostics, delimiter: reader.delimiter)
    }

    /// csv-spectrum's expected output: an array of objects keyed by the header.
    @Test(arguments: ["comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "newlines", "newlines_crlf",
                      "quotes_and_newlines", "simple", "simple_crlf", "utf8"])
    func csvSpectrum(_ name: String) throws {
        let expectedData = try Data(contentsOf: URL(fileURLWithPath: FormatsCorpus.file("csv", "csvspectrum__\(name).json")))
        let expected = try #require(JSONSerialization.jsonObject(with: expectedData) as? [[String: String]])
        let result = try read("csvspectrum__\(name).csv")
        let header = try #require(result.rows.first)
        let records = result.rows.dropFirst().map { fields in
            Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0 < fields.count ? fields[$0] : "") })
        }
        #expect(records == expected)
        #expect(result.diagnostics.isEmpty)
    }

    static let standard = [["csv--11", "csv--12", "csv--13"], ["csv--21", "csv--22", "csv--23"], ["csv--31", "csv--32", "csv--33"]]

    @Test(arguments: ["openspout__csv_standard.csv", "openspout__csv_with_utf8_bom.csv", "openspout__csv_with_utf16le_bom.csv",
                      "openspout__csv_with_utf16be_bom.csv", "openspout__csv_with_utf32le_bom.csv", "openspout__csv_with_utf32be_bom.csv",
                      "openspout__csv_with_encoding_utf16le_no_bom.csv", "openspout__csv_with_CR_EOL.csv",
                      "openspout__csv_delimited_with_pipes.csv", "openspout__csv_test_create_from_file_by_mime_type.csv"])
    func encodingsLineEndsAndDelimitersGiveTheSameTable(_ name: String) throws {
        let result = try read(name)
        #expect(result.rows == Self.standard, "\(name)")
        #expect(result.lines == [1, 2, 3], "\(name)")
        #expect(!result.diagnostics.contains { $0.code == .encodingFallback })
    }

    @Test func openspoutEdgeCases() throws {
        #expect(try read("openspout__csv_with_empty_cells.csv").rows == [["csv--11", "csv--12", "csv--13"], ["csv--21", "", "csv--23"], ["csv--31", "csv--32"]])
        let ragged = try read("openspout__csv_with_different_cells_number.csv")
        #expect(ragged.rows == [["csv--11", "csv--12", "csv--13"], ["csv--21", "csv--22"], ["csv--31"]])
        // Short records are normal (trailing empty cells); the mapper, not the reader, reports ragged rows.
        #expect(ragged.diagnostics.isEmpty)
        let blank = try read("openspout__csv_with_multiple_empty_lines.csv")
        #expect(blank.rows == [["csv--21", "csv--22", "csv--23"], ["csv--41", "csv--42", "csv--43"]])
        #expect(blank.lines == [2, 4])
        #expect(try read("openspout__csv_all_lines_empty.csv").rows.isEmpty)
        #expect(try read("openspout__csv_empty.csv").rows.isEmpty)
        #expect(try read("openspout__csv_test_create_from_file.csv").rows == [["test"]])
        #expect(try read("openspout__csv_with_comma_enclosed.csv").rows == [["This is, a comma", "csv--12"], ["csv--21", "csv--22"]])
        #expect(try read("openspout__csv_with_line_breaks.csv").rows == [["This is,\na comma", "csv--12"]])
        // Backslashes are not escapes in CSV: kept verbatim.
        #expect(try read("openspout__csv_with_escaped_characters.csv").rows.first == ["\"csv--11\"", "csv--12\\", "csv--13\\\\", "csv--14\\\\\\"])
        // '#' is not a quote character here: the comma inside splits the field.
        #expect(try read("openspout__csv_text_enclosed_with_pound.csv").rows.first == ["#This is", " a comma#", "csv--12", "csv--13"])
        #expect(try read("openspout__sheet_with_zeros_in_row.csv").rows == [["A", "B", "C"], ["1", "2", "3"], ["0", "0", "0"]])
        #expect(try read("openspout__sheet_with_empty_cells.csv").rows == [["A", "B", "C"], ["0"], ["1", "1"]])
        #expect(try read("openspout__sheet_with_untrimmed_strings.csv").rows == [["A"], [" A "], ["\n\tA\n\t"]])
    }

    @Test func officeSuiteExports() throws {
        // Windows-1252: Excel's "CSV" on Windows, with a warning that says so.
        let pfand = try read("sheetjs-excel2016__roo_Pfand_from_windows_phone.xlsx.0.csv")
        #expect(pfand.rows[1].prefix(3) == ["2011-09-14", "3.81 €", "0.70 €"])
        #expect(pfand.diagnostics.map(\.code) == [.encodingFallback])
        let merge = try read("sheetjs-excel2011__merge_cells.xlsx.0.csv")
        #expect(merge.rows[3].first == "… are merged separately")
        // Semicolon-delimited with decimal commas (Russian and Greek locales).
        for name in ["sheetjs__number_format_russian.0.csv", "sheetjs__number_format_greek.xls.0.csv"] {
            let locale = try read(name)
            #expect(locale.delimiter == 0x3B, "\(name)")
            #expect(locale.rows[0] == ["Format", "Value", "B Fmt", "VBA Fmt", "Fmt", "Macro"], "\(name)")
            #expect(locale.rows[1].prefix(3) == ["0", "12345,6789", "General"], "\(name)")
        }
        // Classic Mac CR-only line ends.
        let errors = try read("sheetjs__ErrorTypes.csv")
        #expect(errors.rows[0].first == "Error")
        #expect(errors.rows[1].first == "#NULL!")
        #expect(errors.rows.count == (try read("sheetjs-excel2016__ErrorTypes.xlsx.0.csv")).rows.count)
        // Numbers: quoted newlines in the header, mixed line ends.
        let attendance = try read("sheetjs__Attendance.csv")
        #expect(attendance.rows[0].prefix(3) == ["Date", "Ben \nAshley", "Tom Brooks"])
        // BOM + LF and CRLF inside quoted fields: kept as written.
        #expect(try read("sheetjs__crlf.csv").rows.prefix(2) == [["Normal", "abc\ndef"], ["Formula", "abc\r\ndef"]])
        #expect(try read("sheetjs__sushi.xlsx.0.csv").rows == [["🍣"]])
        let tsv = try CSVReader(path: FormatsCorpus.file("csv", "sheetjs__minimal_112.tsv"))
        #expect(tsv.delimiter == 0x09)
        #expect(try read("sheetjs__minimal_112.tsv").rows == [["Sheet", "JS"], ["123", "1.23"], ["TRUE", "12.3%"]])
        #expect(try read("sheetjs-excel2011__xlsx-stream-d-date-cell.xlsx.0.csv").rows[0] == ["String", "___", "&'\";<>", "&amp;"])
        #expect(try read("sheetjs-excel2011__text_and_numbers.xlsx.1.csv").rows.isEmpty)
    }

    /// Every file in csv/ goes through the whole importer: it imports, or fails with a diagnostic.
    @Test func everyCorpusFileThroughTheImporter() throws {
        let files = FormatsCorpus.files("csv", extensions: ["csv", "tsv"])
        #expect(files.count == 50)
        for url in files {
            let fragment = Importer().readFile(url.path).fragment
            let codes = Set(fragment.diagnostics.map(\.code))
            // None of these is a services table: the mapper says so, or finds nothing to say.
            #expect(codes.isSubset(of: [.noHeader, .raggedRow, .encodingFallback, .unknownColumn, .missingName]), "\(url.lastPathComponent): \(codes)")
            #expect(!codes.contains(.unreadableFile) && !codes.contains(.wrongFileType), "\(url.lastPathComponent)")
        }
    }
}
