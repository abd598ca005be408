import Foundation

/// The report as plain text for a terminal: readable at 100 columns, no colour needed (empty and
/// thin cells are marked with characters, explained in a key).
extension GapsReport {
    /// Short column heads for needs, so 16 needs fit beside an area name in 100 columns.
    public static func shortCode(_ category: CategoryID, name: String) -> String {
        let known: [CategoryID: String] = [
            "parental-mental-health": "PMH", "perinatal-mental-health": "PNM", "infant-mental-health": "IMH",
            "child-mental-health": "CMH", "substance-use": "D&A", "domestic-abuse": "DA", "neurodevelopmental": "ND",
            "disability": "DIS", "poverty-and-housing": "POV", "parenting": "PAR", "early-years": "EY",
            "perinatal": "PER", "child-health": "CH", "safeguarding": "SG", "family-justice": "FJ",
            "social-isolation": "ISO",
        ]
        if let code = known[category] { return code }
        let initials = name.split(whereSeparator: { !$0.isLetter }).compactMap(\.first).map { String($0).uppercased() }.joined()
        return String((initials.isEmpty ? category.rawValue.uppercased() : initials).prefix(3))
    }

    /// A count as a cell: "-" for empty, "1!" for thin, the number otherwise.
    static func mark(_ count: Int) -> String {
        count == 0 ? "-" : count == 1 ? "1!" : String(count)
    }

    public func table(_ graph: ServiceGraph, width: Int = 100) -> String {
        var out = ""
        func line(_ text: String = "") { out += text + "\n" }
        func wrapped(_ text: String, indent: String = "", first: String = "") {
            for l in Self.wrap(text, width: width, first: first, indent: indent) { line(l) }
        }
        line("COVERAGE — \(matrix.title)")
        wrapped(countingRule)
        line()

        // Summary grid, chunked so each table fits the width.
        let codes = matrix.rows.map { Self.shortCode($0.id, name: $0.name) }
        let cellWidth = 4
        let nameWidth = min(max(matrix.columns.map(\.name.count).max() ?? 4, 4), 30)
        let perChunk = max(1, (width - nameWidth - 1) / cellWidth)
        for start in stride(from: 0, to: matrix.rows.count, by: perChunk) {
            let rows = Array(matrix.rows[start..<min(start + perChunk, matrix.rows.count)])
            var head = Self.pad("Services at any level", nameWidth) + " "
            for row in rows { head += Self.left(Self.shortCode(row.id, name: row.name), cellWidth) }
            line(head.trimmingTrailing())
            for column in matrix.columns {
                var text = Self.pad(column.name, nameWidth) + " "
                for row in rows { text += Self.left(Self.mark(matrix.total(column.code, row.id)?.count ?? 0), cellWidth) }
                line(text.trimmingTrailing())
            }
            line()
        }
        wrapped("Key: - no service (empty); 1! one service (thin). "
            + zip(codes, matrix.rows).map { "\($0) \($1.name.lowercased())" }.joined(separator: "; ") + ".")
        line()

        // Levels: per need, areas × rings. Shown for a few needs; all of them are in csv/json/xlsx.
        let ringHeads = matrix.rings.map { "R\($0.rawValue)" } + ["?"]
        if matrix.rows.count <= 4 {
            for row in matrix.rows {
                line("\(row.name.uppercased()) by ring of the continuum")
                var head = Self.pad("", nameWidth) + " "
                for h in ringHeads { head += Self.left(h, cellWidth) }
                line(head.trimmingTrailing())
                for column in matrix.columns {
                    var text = Self.pad(column.name, nameWidth) + " "
                    for ring in matrix.rings as [ContinuumRing?] + [nil] {
                        text += Self.left(Self.mark(matrix.cell(column.code, row.id, ring: ring)?.count ?? 0), cellWidth)
                    }
                    line(text.trimmingTrailing())
                }
                line()
            }
            wrapped("Rings: " + matrix.rings.map { "R\($0.rawValue) \($0.name)" }.joined(separator: ", ")
                + "; ? level not stated. Statutory social work starts at R\(ContinuumRing.statutorySocialWork.rawValue).")
            line()
            // The evidence: which services, per non-empty cell.
            line("WHICH SERVICES")
            for row in matrix.rows {
                for column in matrix.columns {
                    guard let total = matrix.total(column.code, row.id), total.count > 0 else { continue }
                    let list = total.services.map { entry -> String in
                        let rings = graph.services[entry.service].map { graph.rings(of: $0).map { "R\($0.rawValue)" } } ?? []
                        var text = entry.name + " [" + (rings.isEmpty ? "?" : rings.joined(separator: ",")) + "]"
                        if let reach = entry.reach.words(graph) { text += " (\(reach))" }
                        return text
                    }
                    wrapped(list.joined(separator: "; "), indent: "    ", first: "  \(column.name), \(row.name.lowercased()): ")
                }
            }
            line()
        } else {
            wrapped("Levels and the services behind every cell: pick needs with --category (up to 4) to see them here, "
                + "or use --format csv, json or xlsx.")
            // Thin cells are the ones an executive lead most needs named: grouped by need and
            // service, since one wide service is often the only one in many areas.
            var thin: [(row: CoverageMatrix.Row, service: String, areas: [String])] = []
            for row in matrix.rows {
                for column in matrix.columns {
                    guard let total = matrix.total(column.code, row.id), total.count == 1 else { continue }
                    let service = total.services[0].name
                    if let i = thin.firstIndex(where: { $0.row == row && $0.service == service }) {
                        thin[i].areas.append(column.name)
                    } else {
                        thin.append((row, service, [column.name]))
                    }
                }
            }
            if !thin.isEmpty {
                line()
                line("THIN CELLS (one service)")
                for t in thin {
                    let whereText = t.areas.count == matrix.columns.count && t.areas.count > 1
                        ? "in all \(t.areas.count) areas" : "in " + t.areas.joined(separator: ", ")
                    wrapped("\(t.row.name): only \(t.service), \(whereText).", indent: "    ", first: "  - ")
                }
            }
            line()
        }

        line("GRAPH FINDINGS")
        for kind in GraphFinding.Kind.allCases {
            let these = graphFindings.filter { $0.kind == kind }
            guard !these.isEmpty else { continue }
            line("\(kind.label) (\(these.count))")
            if kind == .levelWithoutService {
                // Compact: one paragraph per area; the needs themselves are in the matrix and in csv/json/xlsx.
                var order: [AreaCode] = []
                var byArea: [AreaCode: [GraphFinding]] = [:]
                for f in these {
                    let area = f.area ?? ""
                    if byArea[area] == nil { order.append(area) }
                    byArea[area, default: []].append(f)
                }
                let total = matrix.rows.count
                for area in order {
                    let parts = byArea[area]!.map { f -> String in
                        let level = f.level.flatMap { graph.levels[$0]?.name } ?? "?"
                        return "\(level)\(f.ring.map { " (R\($0.rawValue))" } ?? "") \(f.categories.count)/\(total)"
                    }
                    wrapped("needs with no service — " + parts.joined(separator: "; "), indent: "    ",
                            first: "  - \(graph.areas[area]?.name ?? area.rawValue): ")
                }
                continue
            }
            for f in these { wrapped(f.message, indent: "    ", first: "  - ") }
        }
        if graphFindings.isEmpty { line("  none") }
        line()

        line("DATA QUALITY (stale: last verified more than \(staleAfterMonths) months before \(today))")
        for kind in DataQualityFinding.Kind.allCases {
            let these = dataQuality.filter { $0.kind == kind }
            guard !these.isEmpty else { continue }
            if kind == .stale {
                line("\(kind.label) (\(these.count))")
                for q in these { wrapped(q.message, indent: "    ", first: "  - ") }
            } else {
                // Names repeat across areas (a Family Nurse Partnership in every board): say where.
                var seen: [String: Int] = [:]
                for q in these { seen[q.name, default: 0] += 1 }
                let names = these.map { q -> String in
                    guard seen[q.name]! > 1, let service = graph.services[q.service], !service.areas.isEmpty else { return q.name }
                    return "\(q.name) (\(service.areas.map { graph.areas[$0]?.name ?? $0.rawValue }.joined(separator: ", ")))"
                }
                wrapped(names.joined(separator: "; "), indent: "    ", first: "\(kind.label) (\(these.count)): ")
            }
        }
        if dataQuality.isEmpty { line("  none") }
        return out
    }

    static func pad(_ text: String, _ width: Int) -> String {
        let cut = text.count > width ? String(text.prefix(width - 1)) + "…" : text
        return cut + String(repeating: " ", count: max(0, width - cut.count))
    }

    static func left(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - 1 - text.count)) + text + " "
    }

    /// Greedy word wrap; `first` starts the first line, `indent` the rest.
    static func wrap(_ text: String, width: Int, first: String = "", indent: String = "") -> [String] {
        var lines: [String] = []
        var current = first
        var empty = true
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if !empty && current.count + 1 + word.count > width {
                lines.append(current)
                current = indent + word
            } else {
                current += (empty ? "" : " ") + word
            }
            empty = false
        }
        lines.append(current)
        return lines
    }
}

extension String {
    func trimmingTrailing() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
