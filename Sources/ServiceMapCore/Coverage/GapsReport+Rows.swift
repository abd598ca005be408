import Foundation

/// The report as flat tables (CSV and the sheets of the xlsx): one header, rows of text. Numbers
/// are kept as text here; writers that know better (xlsx) convert the `count` column.
extension GapsReport {
    public static let cellHeader = ["area", "area_name", "category", "category_name", "ring", "ring_name", "count", "state", "services", "how_they_reach"]
    public static let findingHeader = ["kind", "area", "area_name", "role", "level", "ring", "services", "categories", "message"]
    public static let qualityHeader = ["kind", "service", "name", "last_verified", "source", "message"]

    /// Every cell: one row per area, need and ring (ring `any` is all levels together, `none`
    /// the services with no level stated).
    public func cellRows(_ graph: ServiceGraph) -> [[String]] {
        var rows: [[String]] = []
        let rowNames = Dictionary(uniqueKeysWithValues: matrix.rows.map { ($0.id, $0.name) })
        let columnNames = Dictionary(uniqueKeysWithValues: matrix.columns.map { ($0.code, $0.name) })
        func row(_ cell: CoverageCell, ring: String, ringName: String) -> [String] {
            [cell.area.rawValue, columnNames[cell.area] ?? cell.area.rawValue, cell.category.rawValue,
             rowNames[cell.category] ?? cell.category.rawValue, ring, ringName, String(cell.count), cell.state.rawValue,
             cell.services.map(\.name).joined(separator: "; "),
             cell.services.map { $0.reach.words(graph) ?? "lists the area" }.joined(separator: "; ")]
        }
        for total in matrix.summary {
            rows.append(row(total, ring: "any", ringName: "Any level"))
            for ring in matrix.rings as [ContinuumRing?] + [nil] {
                guard let cell = matrix.cell(total.area, total.category, ring: ring) else { continue }
                rows.append(row(cell, ring: ring.map { String($0.rawValue) } ?? "none", ringName: ring?.name ?? "Level not stated"))
            }
        }
        return rows
    }

    public func findingRows(_ graph: ServiceGraph) -> [[String]] {
        graphFindings.map { f in
            [f.kind.rawValue, f.area?.rawValue ?? "", f.area.map { graph.areas[$0]?.name ?? $0.rawValue } ?? "",
             f.role?.rawValue ?? "", f.level?.rawValue ?? "", f.ring?.name ?? "",
             f.services.map { graph.services[$0]?.name ?? $0.rawValue }.joined(separator: "; "),
             f.categories.map(\.rawValue).joined(separator: "; "), f.message]
        }
    }

    public func qualityRows() -> [[String]] {
        dataQuality.map { q in
            [q.kind.rawValue, q.service.rawValue, q.name, q.lastVerified?.description ?? "", q.source?.description ?? "", q.message]
        }
    }

    /// The summary as a grid: a row per area, a column per need, counts in the cells.
    public func summaryGrid() -> (header: [String], rows: [[String]]) {
        let header = ["area"] + matrix.rows.map(\.name)
        let rows = matrix.columns.map { column in
            [column.name] + matrix.rows.map { row in String(matrix.total(column.code, row.id)?.count ?? 0) }
        }
        return (header, rows)
    }

    /// One CSV document with a `section` column first (`rule`, `cell`, `finding`, `quality`), so a
    /// spreadsheet opens the whole report as one sheet and a script filters on the section.
    public func csv(_ graph: ServiceGraph) -> String {
        var out = ""
        func line(_ fields: [String]) {
            out += fields.map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        line(["section"] + Self.cellHeader + ["kind", "role", "level", "message", "source"])
        line(["rule"] + Array(repeating: "", count: 13) + [countingRule, ""])
        for row in cellRows(graph) { line(["cell"] + row + ["", "", "", "", ""]) }
        for f in graphFindings {
            line(["finding", f.area?.rawValue ?? "", f.area.map { graph.areas[$0]?.name ?? $0.rawValue } ?? "",
                  f.categories.map(\.rawValue).joined(separator: "; "), "", f.ring.map { String($0.rawValue) } ?? "", f.ring?.name ?? "",
                  String(f.services.count), "", f.services.map { graph.services[$0]?.name ?? $0.rawValue }.joined(separator: "; "), "",
                  f.kind.rawValue, f.role?.rawValue ?? "", f.level?.rawValue ?? "", f.message, ""])
        }
        for q in dataQuality {
            line(["quality"] + Array(repeating: "", count: 8) + [q.name, "", q.kind.rawValue, "", "", q.message,
                  q.source?.description ?? ""])
        }
        return out
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
