import Foundation
import ServiceMapCore
@testable import ServiceMapImport

/// Helpers for the spreadsheet (xlsx/ods) tests.
enum SpreadsheetCorpus {
    /// `<repo>/../shared/corpus`, found from this file's path.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus")

    static func path(_ folder: String, _ name: String) -> String {
        root.appendingPathComponent(folder).appendingPathComponent(name).path
    }

    static func files(_ folder: String) -> [String] {
        let dir = root.appendingPathComponent(folder)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }
}

/// A sheet read whole, for comparing small fixtures.
struct ReadSheet {
    var info: SheetInfo
    var rows: [Row]
    var diagnostics: [Diagnostic]

    /// The value at an A1-style reference.
    subscript(_ reference: String) -> CellValue {
        let letters = reference.prefix { $0.isLetter }
        let column = letters.uppercased().unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 }
        guard let row = Int(reference.dropFirst(letters.count)) else { return .empty }
        return rows.first { $0.number == row }?[column] ?? .empty
    }

    var cellCount: Int { rows.reduce(0) { $0 + $1.cells.count } }
}

func readAll(_ reader: some TableReader) throws -> [ReadSheet] {
    try reader.sheets().map { sheet in
        var rows: [Row] = []
        var diagnostics: [Diagnostic] = []
        try reader.forEachRow(in: sheet, diagnostics: &diagnostics) { rows.append($0) }
        return ReadSheet(info: sheet, rows: rows, diagnostics: diagnostics)
    }
}

func readWorkbook(_ path: String, limits: ReaderLimits = ReaderLimits()) throws -> [ReadSheet] {
    if path.lowercased().hasSuffix(".ods") { return try readAll(ODSReader(path: path, limits: limits)) }
    return try readAll(XLSXReader(path: path, limits: limits))
}

/// The failure code when reading throws an `ImportFailure`, nil when it reads.
func failureCode(_ path: String, limits: ReaderLimits = ReaderLimits()) -> DiagnosticCode? {
    do {
        _ = try readWorkbook(path, limits: limits)
        return nil
    } catch let failure as ImportFailure {
        return failure.code
    } catch {
        return DiagnosticCode("unexpected: \(error)")
    }
}
