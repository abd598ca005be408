import Foundation
import ServiceMapCore
import ServiceMapImport

/// Edits a shipped area workbook as a researcher would in a spreadsheet: read every sheet, change
/// or add rows by column name, save with the project's own writer.
struct ShippedWorkbook {
    struct Sheet {
        var name: String
        var header: [String]
        var rows: [[String]]

        /// Adds a row given by column name; columns not named stay empty.
        mutating func append(_ values: [String: String]) {
            rows.append(header.map { values[$0] ?? "" })
        }

        /// Replaces text in every cell.
        mutating func replace(_ old: String, with new: String) {
            rows = rows.map { $0.map { $0.replacingOccurrences(of: old, with: new) } }
        }
    }

    let url: URL
    var sheets: [Sheet] = []

    init(_ url: URL) throws {
        self.url = url
        let reader = try XLSXReader(path: url.path, limits: ReaderLimits())
        for info in try reader.sheets() {
            var rows: [[String]] = []
            var diagnostics: [Diagnostic] = []
            var width = 0
            try reader.forEachRow(in: info, diagnostics: &diagnostics) { row in
                var dense = [String](repeating: "", count: max(width, row.lastColumn))
                for cell in row.cells { dense[cell.column - 1] = cell.value.text ?? "" }
                if rows.isEmpty { width = dense.count }
                rows.append(dense)
            }
            guard let header = rows.first else { continue }
            sheets.append(Sheet(name: info.name, header: header,
                                rows: rows.dropFirst().map { $0 + [String](repeating: "", count: max(0, header.count - $0.count)) }))
        }
    }

    subscript(name: String) -> Sheet {
        get { sheets.first { $0.name == name }! }
        set { sheets[sheets.firstIndex { $0.name == name }!] = newValue }
    }

    func save() throws {
        let written = sheets.map { sheet in
            XLSXSheet(name: sheet.name, header: sheet.header, rows: sheet.rows.map { $0.map { $0.isEmpty ? .empty : .text($0) } })
        }
        try XLSXWriter(sheets: written).write(to: url)
    }
}
