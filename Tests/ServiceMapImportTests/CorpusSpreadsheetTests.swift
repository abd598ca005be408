import Foundation
import Testing
import ServiceMapCore
@testable import ServiceMapImport

/// Every xlsx and ods file in the shared corpus: it reads, or it fails with the right code.
@Suite struct CorpusSpreadsheetTests {
    /// The negative cases of SOURCES.md, with the failure each must give.
    static let expectedFailures: [String: DiagnosticCode] = [
        "calamine__pass_protected.xlsx": .encryptedWorkbook,
        "calamine__pass_protected.ods": .encryptedWorkbook,
        "openspout__file_corrupted.xlsx": .notAZip,
        "openspout__non_zip.ods": .notAZip,
        "openspout__file_corrupted.ods": .missingPart,
        "openspout__attack_billion_laughs.xlsx": .xmlEntityExpansion,
        "openspout__attack_quadratic_blowup.xlsx": .xmlEntityExpansion,
        "openspout__attack_billion_laughs.ods": .xmlEntityExpansion,
        "openspout__attack_quadratic_blowup.ods": .xmlEntityExpansion,
        "calamine__issue_594_dos.ods": .tooManyCells,
        "openspout__file_with_no_sheets_in_workbook_xml.xlsx": .missingPart,
        "openspout__file_with_sheet_xml_not_matching_content_types.xlsx": .missingPart,
        // Its workbook relationships part is garbled inside the zip (bad CRC); calamine's test
        // only asks that opening it errs rather than panics.
        "calamine__issue252.xlsx": .malformedXML,
    ]

    static let workbooks: [String] =
        SpreadsheetCorpus.files("xlsx").map { "xlsx/" + $0 } + SpreadsheetCorpus.files("ods").map { "ods/" + $0 }

    @Test func corpusIsPresent() {
        #expect(Self.workbooks.count >= 200, "expected the shared corpus at \(SpreadsheetCorpus.root.path)")
    }

    @Test(arguments: workbooks)
    func readsOrFailsCleanly(_ file: String) throws {
        let parts = file.split(separator: "/", maxSplits: 1).map(String.init)
        let path = SpreadsheetCorpus.path(parts[0], parts[1])
        let start = Date()
        let code = failureCode(path)
        let seconds = Date().timeIntervalSince(start)
        #expect(code == Self.expectedFailures[parts[1]], "\(file)")
        #expect(seconds < 10, "\(file) took \(seconds)s")
        if code == nil {
            let sheets = try readWorkbook(path)
            #expect(!sheets.isEmpty, "\(file) has no sheets")
            for sheet in sheets {
                // Rows come in order with sorted, non-empty cells.
                #expect(zip(sheet.rows, sheet.rows.dropFirst()).allSatisfy { $0.number < $1.number }, "\(file) \(sheet.info.name)")
                for row in sheet.rows {
                    #expect(!row.cells.isEmpty)
                    #expect(zip(row.cells, row.cells.dropFirst()).allSatisfy { $0.column < $1.column }, "\(file) row \(row.number)")
                }
            }
        }
    }

    /// The whole import path turns each failure into one error diagnostic at the file.
    @Test func importerReportsFailuresAsDiagnostics() {
        let path = SpreadsheetCorpus.path("xlsx", "calamine__pass_protected.xlsx")
        let result = Importer().readFile(path)
        #expect(result.fragment.diagnostics.count == 1)
        #expect(result.fragment.diagnostics.first?.code == .encryptedWorkbook)
        #expect(result.fragment.diagnostics.first?.severity == .error)
        #expect(result.fragment.diagnostics.first?.message.contains("password-protected") == true)
    }

    // MARK: - Oracles

    static func sheet(_ folder: String, _ name: String, _ index: Int = 0) throws -> ReadSheet {
        try readWorkbook(SpreadsheetCorpus.path(folder, name))[index]
    }

    @Test func cellsAndRowsWithoutReferencesMatchExcelsResave() throws {
        let raw = try Self.sheet("xlsx", "calamine__issue_261.xlsx")
        let fixed = try Self.sheet("xlsx", "calamine__issue_261_fixed_by_excel.xlsx")
        #expect(raw.rows.count == fixed.rows.count)
        #expect(raw.cellCount == fixed.cellCount)
        #expect(raw.rows == fixed.rows)
    }

    @Test func dateSystemsGiveTheSameDates() throws {
        // calamine's pair holds the same dates as different serials in the two systems.
        let first = try Self.sheet("xlsx", "calamine__date.xlsx"), second = try Self.sheet("xlsx", "calamine__date_1904.xlsx")
        #expect(first["A1"] == .date(Day(year: 2021, month: 1, day: 1), seconds: 0))
        #expect(first["A2"] == .date(Day(year: 2021, month: 1, day: 2), seconds: 0))
        #expect(first.rows == second.rows)
        // SheetJS's pairs hold the same serials; each row's TEXT(…, "yyyy-mm-dd") formula caches
        // what the application displayed, which is the oracle for column B's date.
        for (folder, name) in [("xlsx", "sheetjs__1900.xlsx"), ("xlsx", "sheetjs__1904.xlsx"),
                               ("ods", "sheetjs__1900.ods"), ("ods", "sheetjs__1904.ods")] {
            let sheet = try Self.sheet(folder, name)
            #expect(sheet.rows.count == 5)
            for row in sheet.rows {
                #expect(row[2].text == row[3].text, "\(name) row \(row.number)")
            }
        }
        // openspout's pair likewise: the same serials read 1,462 days apart.
        let d1900 = try Self.sheet("xlsx", "openspout__sheet_with_different_numeric_value_dates.xlsx")
        let d1904 = try Self.sheet("xlsx", "openspout__sheet_with_different_numeric_value_dates_1904_calendar.xlsx")
        #expect(d1900["A1"] == .date(Day(year: 2015, month: 9, day: 1), seconds: 0))
        #expect(d1904["A1"] == .date(Day(year: 2019, month: 9, day: 2), seconds: 0))
    }

    @Test func isoDateCells() throws {
        let sheet = try Self.sheet("xlsx", "calamine__date_iso.xlsx")
        #expect(sheet["A1"] == .date(Day(year: 2021, month: 1, day: 1), seconds: 0))
        #expect(sheet["A2"] == .date(Day(year: 2021, month: 1, day: 1), seconds: 10 * 3600 + 10 * 60 + 10))
        #expect(sheet["A3"] == .text("10:10:10"))  // a time alone is not a date
    }

    @Test func customDateFormatsWithQuotedText() throws {
        let sheet = try Self.sheet("xlsx", "calamine__date_quoted_format.xlsx")
        for ref in ["A1", "A2", "A3", "A4"] { #expect(sheet[ref] == .date(Day(year: 2021, month: 1, day: 1), seconds: 0)) }
    }

    @Test func errorValues() throws {
        let sheet = try Self.sheet("xlsx", "calamine__errors.xlsx")
        let expected = ["#DIV/0!", "#NAME?", "#VALUE!", "#NULL!", "#REF!", "#NUM!", "#N/A"]
        #expect(sheet.rows.map { $0[1] } == expected.map { .error($0) })
    }

    @Test func ooxmlEscapes() throws {
        #expect(try Self.sheet("xlsx", "calamine__has_x000D_.xlsx")["A1"] == .text("ABC\r\nDEF"))
        #expect(try Self.sheet("xlsx", "calamine__has_x000D_inline.xlsx")["A1"] == .text("ABC\r\nDEF"))
        #expect(XMLText.unescapeOOXML("a_x005F_x000D_b") == "a_x000D_b")
        #expect(XMLText.unescapeOOXML("_x0041__x0042_") == "AB")
    }

    @Test func richTextPhoneticsAndInlineStrings() throws {
        let rich = try Self.sheet("xlsx", "calamine__richtext-after-plain.xlsx")
        #expect(rich["A2"] == .text("tvalrval1rval2"))
        #expect(try Self.sheet("xlsx", "calamine__rph.xlsx")["A1"] == .text("課きく　毛こ"))
        let cdata = try Self.sheet("xlsx", "calamine__inlineStr_cdata.xlsx")
        #expect(cdata["A1"] == .text("Hello CDATA"))
        let stray = try Self.sheet("xlsx", "calamine__inlineStr_with_value.xlsx")
        #expect(stray["A1"] == .text("NN"))
        #expect(stray["E2"] == .text("RQ11610"))
        let trimmed = try readWorkbook(SpreadsheetCorpus.path("xlsx", "calamine__whitespace_trim.xlsx"))
        #expect(trimmed[1]["A1"] == .text("trimmed value"))
        #expect(trimmed[1]["B1"] == .text("  preserved value  "))
        #expect(trimmed[1]["C1"] == .empty)
        #expect(trimmed[1]["A3"] == .text("日期 时间"))
        #expect(try Self.sheet("xlsx", "calamine__encoded_entities.xlsx")["A1"] == .text("&"))
        #expect(try Self.sheet("xlsx", "calamine__empty_shared_string.xlsx").rows.allSatisfy { !$0.cells.contains { $0.value == .text("") } })
    }

    @Test func hiddenSheetsAreFlaggedAndChartSheetsLeftOut() throws {
        let any = try readWorkbook(SpreadsheetCorpus.path("xlsx", "calamine__any_sheets.xlsx"))
        #expect(any.map(\.info.name) == ["Visible", "Hidden", "VeryHidden"])
        #expect(any.map(\.info.isHidden) == [false, true, true])
        for name in ["sheetjs__sheet_visibility.xlsx", "sheetjs__sheet_visibility_strict.xlsx"] {
            let sheets = try readWorkbook(SpreadsheetCorpus.path("xlsx", name))
            #expect(sheets.map(\.info.isHidden) == [false, true, true], "\(name)")
        }
        let ods = try readWorkbook(SpreadsheetCorpus.path("ods", "openspout__two_sheets_one_hidden_one_not.ods"))
        #expect(ods.map(\.info.isHidden) == [true, false])
        // The mapper skips hidden sheets with a note.
        let path = SpreadsheetCorpus.path("xlsx", "calamine__any_sheets.xlsx")
        let fragment = try TableMapper(options: ImportOptions()).map(XLSXReader(path: path), file: path)
        #expect(fragment.diagnostics.filter { $0.code == .hiddenSheetSkipped }.count == 2)
    }

    @Test func unusualPartPaths() throws {
        // Parts under wtf/, at the package root, with backslashes, with a capital S, in strict OOXML.
        let wtf = try readWorkbook(SpreadsheetCorpus.path("xlsx", "sheetjs__wtf_path.xlsx"))
        #expect(wtf.count == 2 && wtf.contains { $0.info.isHidden } && wtf.contains { $0.cellCount > 0 })
        #expect(try Self.sheet("xlsx", "calamine__minimal_package.xlsx").cellCount > 0)
        #expect(try Self.sheet("xlsx", "calamine__issue_530.xlsx").rows.contains { $0.cells.contains { if case .text = $0.value { true } else { false } } })
        #expect(try Self.sheet("xlsx", "calamine__issue_419.xlsx").rows.first?.cells.first.map { if case .text = $0.value { true } else { false } } == true)
        let strict = try Self.sheet("xlsx", "openspout__sheet_with_strict_ooxml.xlsx")
        #expect(strict.rows.count == 2)  // 6,826 rows, all but two only styled
        #expect(strict["I2"] == .date(Day(year: 2020, month: 3, day: 31), seconds: 0))
        #expect(try Self.sheet("xlsx", "calamine__strict_iso_paths.xlsx").cellCount > 0)
        #expect(try Self.sheet("xlsx", "calamine__nonstandard-xml-ns-prefix.xlsx").cellCount > 0)
        #expect(try readWorkbook(SpreadsheetCorpus.path("xlsx", "calamine__issue127.xlsx")).count == 8)
        let reversed = try readWorkbook(SpreadsheetCorpus.path("xlsx", "openspout__two_sheets_with_sheets_definition_in_reverse_order.xlsx"))
        #expect(reversed.count == 2)
    }

    @Test func formulasReadThroughCachedValues() throws {
        let sheet = try Self.sheet("xlsx", "calamine__formula.issue.xlsx")
        #expect(sheet.cellCount > 0)
        let ref = try readWorkbook(SpreadsheetCorpus.path("xlsx", "calamine__string-ref.xlsx"))
        #expect(ref.contains { $0.rows.contains { $0.cells.contains { if case .text = $0.value { true } else { false } } } })
    }

    // MARK: - Excel's own CSV exports as oracles

    /// Whether our value is what Excel showed in its CSV export, allowing for Excel's display formats.
    static func matches(_ value: CellValue, _ shown: String) -> Bool {
        switch value {
        case .empty: return shown.isEmpty
        case .text(let s): return s == shown
        case .error(let e): return e == shown
        case .bool(let b): return shown == (b ? "TRUE" : "FALSE")
        case .number(let n):
            var text = shown.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "$", with: "")
                .trimmingCharacters(in: .whitespaces)
            var scale = 1.0
            if text.hasSuffix("%") { text.removeLast(); scale = 100 }
            guard let shownNumber = Double(text) else { return shown.contains(":") }  // times and durations
            return abs(n * scale - shownNumber) <= max(1e-9, abs(shownNumber) * 1e-5) + 0.005
        case .date(let day, _):
            let parts = shown.split(separator: "/").compactMap { Int($0) }  // m/d/yy
            guard parts.count == 3 else { return shown.contains(":") }  // a date-time shown as a time
            return parts[0] == day.month && parts[1] == day.day && parts[2] == day.year % 100
        }
    }

    @Test(arguments: [
        ("sheetjs-excel2011__merge_cells.xlsx.0.csv", "sheetjs__merge_cells.xlsx", 0),
        ("sheetjs-excel2011__rich_text_stress.xlsx.0.csv", "sheetjs__rich_text_stress.xlsx", 0),
        ("sheetjs-excel2011__xlsx-stream-d-date-cell.xlsx.0.csv", "sheetjs__xlsx-stream-d-date-cell.xlsx", 0),
        ("sheetjs-excel2016__ErrorTypes.xlsx.0.csv", "sheetjs__ErrorTypes.xlsx", 0),
        ("sheetjs-excel2011__text_and_numbers.xlsx.0.csv", "sheetjs__text_and_numbers.xlsx", 0),
    ])
    func matchesExcelsCSVExport(_ csv: String, _ workbook: String, _ index: Int) throws {
        let csvPath = SpreadsheetCorpus.path("csv", csv)
        let expected = try readAll(CSVReader(path: csvPath))[0]
        let actual = try Self.sheet("xlsx", workbook, index)
        var compared = 0
        for row in expected.rows {
            for cell in row.cells {
                guard let shown = cell.value.text else { continue }
                // Excel 2011 wrote Hebrew as "____" in its legacy code page: nothing to compare.
                if shown.contains("__") { continue }
                let ours = actual.rows.first { $0.number == row.number }?[cell.column] ?? .empty
                #expect(Self.matches(ours, shown), "\(workbook) row \(row.number) col \(cell.column): \(ours) vs '\(shown)'")
                compared += 1
            }
        }
        #expect(compared > 0)
    }

    // MARK: - ODS

    @Test func odsRepeatsAreBounded() throws {
        let path = SpreadsheetCorpus.path("ods", "calamine__issue_594_dos.ods")
        #expect(failureCode(path) == .tooManyCells)
        let repeated = try Self.sheet("ods", "calamine__number_rows_repeated.ods")
        #expect(repeated.rows.count == 5)
        let rows = try Self.sheet("ods", "openspout__sheet_with_number_rows_repeated.ods")
        #expect(rows.rows.count == 2)
        let columns = try Self.sheet("ods", "openspout__sheet_with_number_columns_repeated.ods")
        #expect(columns.rows.first?.cells.count == 9)
        // Trailing empty repeats (LibreOffice writes one to row 1,048,576) are free.
        let multi = try Self.sheet("ods", "calamine__multi-empty.ods")
        #expect(multi.rows.count == 6)
    }

    @Test func odsTextElements() throws {
        let spaces = try Self.sheet("ods", "openspout__sheet_with_various_spaces.ods")
        #expect(spaces["A1"] == .text("    4 spaces before and after    "))
        #expect(spaces["E1"] == .text("3 spaces   in the middle\nand 2 spaces  in the middle"))
        let xmlSpaces = try Self.sheet("ods", "openspout__sheet_with_whitespaces_as_xml.ods")
        #expect(xmlSpaces["A1"] == .text("Lorem  ipsum\tdolor sit amet"))
        let untrimmed = try Self.sheet("ods", "openspout__sheet_with_untrimmed_strings.ods")
        #expect(untrimmed["A2"] == .text(" A "))
        let annotated = try Self.sheet("ods", "calamine__with-annotation.ods")
        #expect(annotated.cellCount == 1)
        if case .text(let s) = annotated.rows[0].cells[0].value { #expect(!s.contains("\n")) }
        let covered = try Self.sheet("ods", "calamine__covered.ods")
        #expect(covered.cellCount == 2)
    }

    @Test func odsValueTypes() throws {
        let sheet = try Self.sheet("ods", "openspout__sheet_with_all_cell_types.ods")
        let values = sheet.rows[0].cells.map(\.value)
        #expect(values.contains(.bool(true)))
        #expect(values.contains(.bool(false)))
        #expect(values.contains { if case .date = $0 { true } else { false } })
        #expect(values.contains { if case .number = $0 { true } else { false } })
        #expect(values.contains { if case .text = $0 { true } else { false } })
        let any = try readWorkbook(SpreadsheetCorpus.path("ods", "calamine__any_sheets.ods"))
        #expect(any.map(\.info.isHidden).contains(true))
    }
}
