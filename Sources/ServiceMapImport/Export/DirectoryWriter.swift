import Foundation
import ServiceMapCore

/// Writes the directory in servicemap's own layout: one workbook with a sheet per table, or a
/// folder with a CSV file per table. Both are deterministic: the same graph gives the same bytes.
public enum DirectoryWriter {
    /// The workbook's bytes (`XLSXWriter`).
    public static func xlsx(_ graph: ServiceGraph) throws -> Data {
        let sheets = DirectoryTables.tables(for: graph).map { XLSXSheet(name: $0.name, header: $0.header, rows: $0.rows) }
        return try XLSXWriter(sheets: sheets).data()
    }

    /// Each CSV file's name and text: UTF-8 with a byte-order mark (so Excel reads it as UTF-8),
    /// CRLF line ends and RFC 4180 quoting.
    public static func csvFiles(_ graph: ServiceGraph) -> [(name: String, data: Data)] {
        DirectoryTables.tables(for: graph).map { table in
            var text = CSVText.line(table.header.map(CSVText.field))
            for row in table.rows { text += CSVText.line(row.map(CSVText.field)) }
            return (table.fileName, Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8))
        }
    }

    /// Writes `graph` as an .xlsx file at `url`.
    public static func writeXLSX(_ graph: ServiceGraph, to url: URL) throws {
        try xlsx(graph).write(to: url, options: .atomic)
    }

    /// Writes `graph` as a folder of CSV files at `url` (created if needed; other files are left alone).
    public static func writeCSV(_ graph: ServiceGraph, to url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for file in csvFiles(graph) {
            try file.data.write(to: url.appendingPathComponent(file.name), options: .atomic)
        }
    }
}

/// RFC 4180 CSV text, shared by the directory and HSDS writers.
public enum CSVText {
    public static func line(_ fields: [String]) -> String { fields.joined(separator: ",") + "\r\n" }

    public static func field(_ cell: XLSXCell) -> String {
        switch cell {
        case .empty: return ""
        case .text(let text): return field(text)
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .date(let day): return day.description
        }
    }

    public static func field(_ text: String) -> String {
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || text.first?.isWhitespace == true || text.last?.isWhitespace == true
        return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
