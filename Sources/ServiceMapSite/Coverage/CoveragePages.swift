import Foundation
import ServiceMapCore

/// The coverage section: `coverage/index.html` (every nation's boards side by side, Glasgow beside
/// Bromley, links to every area's report) and `coverage/<area>.html`, one per area — a
/// per-board and per-council report in the manner of 004's, printable.
///
/// The numbers come from `ServiceGraph.coverage` and `graphFindings` in ServiceMapCore, the same
/// code `servicemap gaps` prints, so the site and the command line never disagree. Heat maps are
/// tables: every cell shows its number and a word ("none", "one"), and colour only repeats it.
/// Data quality leaves out staleness, which depends on the day of the build; `servicemap gaps
/// --today` reports it, so the same inputs still build a byte-identical site.
extension PageRenderer {
    static let coverageFolder = "coverage"

    func coveragePath(_ code: AreaCode) -> String { "coverage/\(context.areaStem[code] ?? "missing").html" }

    func renderCoverage() throws {
        // A rebuild after edits that leave coverage as it was (a description, a phone number)
        // keeps every report: working them out is most of a large rebuild otherwise.
        var kept = 0
        if let ledger = context.ledger, ledger.keepStep("coverage", key: structureKey, folder: Self.coverageFolder, kept: &kept) {
            context.countPage(kept)
            return
        }
        // Worked out once for every area's report: asked of the graph, each area would sort and
        // scan every service and route again.
        let basis = CoverageBasis(graph)
        let areas = context.sortedAreas
        try parallel(areas.count) { index in
            try renderCoverage(of: areas[index].code, basis: basis)
        }
        try page("coverage", path: "coverage/index.html", title: "Coverage and gaps", kind: "coverage") { v in
            v["breadcrumbs"] = breadcrumbs([("Home", "index.html")])
            var comparisons: [[String: Any]] = []
            // Each nation (or other top level) with its boards or regions side by side.
            // The largest first: Scotland's fourteen boards are what an executive lead comes for.
            let tops = graph.coverageColumns(CoverageScope()).columns.filter { !graph.children(of: $0).isEmpty }
                .sorted { (-graph.children(of: $0).count, $0) < (-graph.children(of: $1).count, $1) }
            for top in tops {
                comparisons.append(matrixValues(basis.coverage(CoverageScope(areas: [top])), id: "m-\(context.areaStem[top] ?? top.rawValue)"))
            }
            // The trial sites of 000 and 002, when both are in the data: compared on the rings.
            if graph.areas["glasgow-city"] != nil && graph.areas["bromley"] != nil {
                comparisons.append(matrixValues(basis.coverage(CoverageScope(areas: ["glasgow-city", "bromley"])), id: "m-glasgow-bromley"))
            }
            v["coverage"] = [
                "rule": CoverageMatrix.countingRule,
                "matrices": comparisons,
                "areas": coverageAreaTree(),
            ].compacted
        }
    }

    /// A fingerprint of the directory's structure, which is all the coverage pages and the maps
    /// page are made from: the areas, levels, needs, organisations and routes, and of each service
    /// what coverage, graph findings, data quality and the diagrams read (where it works, at which
    /// levels, for which needs and ages, whether it is open and verified, who runs it, and its
    /// name and link). Descriptions, contact details, eligibility and the rest of a service's page
    /// are in neither.
    var structureKey: Fingerprint { context.structureKey.value { makeStructureKey() } }

    private func makeStructureKey() -> Fingerprint {
        var f = Fingerprint()
        for area in context.sortedAreas {
            f.add(area.code.rawValue); f.add(area.name); f.add(area.kind.rawValue); f.add(optional: area.parent?.rawValue)
            f.add(context.areaPath(area.code))
        }
        f.add(-2)
        for level in context.sortedLevels {
            f.add(level.id.rawValue); f.add(level.area.rawValue); f.add(level.name); f.add(level.order)
            f.add(level.ring?.rawValue ?? 0); f.add(level.description); f.add(context.levelPath(level.id))
        }
        f.add(-2)
        for category in context.sortedCategories {
            f.add(category.id.rawValue); f.add(category.name); f.add(optional: category.parent?.rawValue); f.add(list: category.synonyms)
            f.add(context.categoryPath(category.id))
        }
        f.add(-2)
        for organisation in context.sortedOrganisations {
            f.add(organisation.id.rawValue); f.add(organisation.name); f.add(optional: organisation.sector?.rawValue)
        }
        f.add(-2)
        for route in context.sortedRoutes { f.add(route: route) }
        f.add(-2)
        // Each service's part, worked out with its other keys (ServiceKeys.Keys.structure).
        for keys in serviceKeys.all { f.add(keys.structure) }
        return f
    }

    /// Every area, nested under its parent, each linking to its report.
    func coverageAreaTree() -> [[String: Any]] {
        func node(_ area: Area) -> [String: Any] {
            ["name": area.name, "kind": area.kind.label, "href": coveragePath(area.code),
             "children": graph.children(of: area.code).map(node)].compacted
        }
        return graph.coverageColumns(CoverageScope()).columns.compactMap { graph.areas[$0] }.map(node)
    }

    func renderCoverage(of code: AreaCode, basis: CoverageBasis) throws {
        guard let area = graph.areas[code] else { return }
        let path = coveragePath(code)
        try page("coverage", path: path, title: "Coverage: \(area.name)", kind: "coverage") { v in
            var crumbs = [("Home", "index.html"), ("Coverage", "coverage/index.html")]
            for ancestor in graph.ancestors(of: code).reversed() {
                crumbs.append((graph.areas[ancestor]?.name ?? ancestor.rawValue, coveragePath(ancestor)))
            }
            v["breadcrumbs"] = breadcrumbs(crumbs)
            var report: [String: Any] = [
                "name": area.name, "kind": area.kind.label, "areaHref": context.areaPath(code),
                "rule": CoverageMatrix.countingRule,
            ]
            if let parent = area.parent, graph.areas[parent] != nil {
                report["parent"] = ["name": graph.areas[parent]!.name, "href": coveragePath(parent)]
            }
            if !graph.children(of: code).isEmpty {
                report["subareas"] = matrixValues(basis.coverage(CoverageScope(areas: [code])), id: "subareas")
            }
            report["own"] = ringValues(basis.coverage(CoverageScope(areas: [code], subAreas: false)), area: code)
            let findings = basis.graphFindings(GraphFindingOptions(areas: [code]))
            report["findings"] = GraphFinding.Kind.allCases.compactMap { kind -> [String: Any]? in
                let these = findings.filter { $0.kind == kind }
                guard !these.isEmpty else { return nil }
                return ["label": kind.label, "count": these.count, "items": these.prefix(Self.listedPerFinding).map { ["message": $0.message] },
                        "more": these.count > Self.listedPerFinding ? "and \(these.count - Self.listedPerFinding) more: `servicemap gaps` lists them all" : ""].compacted
            }
            let quality = basis.dataQuality(DataQualityOptions(areas: [code], today: Day(year: 1, month: 1, day: 1)))
                .filter { $0.kind != .stale }
            report["quality"] = DataQualityFinding.Kind.allCases.compactMap { kind -> [String: Any]? in
                let these = quality.filter { $0.kind == kind }
                guard !these.isEmpty else { return nil }
                return ["label": kind.label, "count": these.count,
                        "items": these.prefix(Self.listedPerFinding).map { ["name": $0.name, "href": context.servicePath($0.service)] },
                        "more": these.count > Self.listedPerFinding ? "and \(these.count - Self.listedPerFinding) more: `servicemap gaps` and `servicemap review` list them all" : ""].compacted
            }
            v["report"] = report.compacted
        }
    }

    /// A needs × areas table (services at any level), each cell a number with its heat and a link
    /// to the area's report at that need.
    func matrixValues(_ matrix: CoverageMatrix, id: String) -> [String: Any] {
        [
            "id": id,
            "title": matrix.title,
            "columns": matrix.columns.map { ["name": $0.name, "href": coveragePath($0.code)] },
            "rows": matrix.rows.map { row -> [String: Any] in
                [
                    "name": row.name,
                    "cells": matrix.columns.map { column -> [String: Any] in
                        let cell = matrix.total(column.code, row.id)
                        return cellValues(cell, href: coveragePath(column.code) + "#need-\(row.id.rawValue)",
                                          label: "\(column.name), \(row.name.lowercased())")
                    },
                ]
            },
        ].compacted
    }

    /// One area's needs × rings, every cell naming its services.
    func ringValues(_ matrix: CoverageMatrix, area: AreaCode) -> [String: Any] {
        let framework = graph.framework(for: area)
        let rings: [ContinuumRing?] = matrix.rings + [nil]
        return [
            "rings": rings.map { ring -> [String: Any] in
                guard let ring else { return ["name": "Level not stated", "local": ""] }
                let local = framework.filter { $0.ring == ring }.map(\.name).joined(separator: ", ")
                return ["name": "\(ring.rawValue). \(ring.name)", "href": context.ringPath(ring), "local": local,
                        "statutory": ring.isStatutory].compacted
            },
            "rows": matrix.rows.map { row -> [String: Any] in
                let total = matrix.total(area, row.id)
                return [
                    "name": row.name, "anchor": "need-\(row.id.rawValue)", "href": context.categoryPath(row.id),
                    "total": cellValues(total, href: nil, label: row.name),
                    "cells": rings.map { ring -> [String: Any] in
                        var values = cellValues(matrix.cell(area, row.id, ring: ring), href: nil,
                                                label: "\(row.name.lowercased()), \(ring?.name ?? "level not stated")")
                        let entries = matrix.cell(area, row.id, ring: ring)?.services ?? []
                        // A cell names its services as evidence; past a screenful the count and the
                        // need's own page carry the rest (a large directory has thousands per cell).
                        values["services"] = entries.prefix(Self.namedPerCell).map { entry -> [String: Any] in
                            ["name": entry.name, "href": context.servicePath(entry.service), "reach": entry.reach.words(graph) ?? ""].compacted
                        }
                        if entries.count > Self.namedPerCell {
                            values["more"] = "and \(entries.count - Self.namedPerCell) more (see the need's page)"
                        }
                        return values.compacted
                    },
                ].compacted
            },
        ]
    }

    /// How many services a matrix cell names before saying how many more there are.
    static let namedPerCell = 12
    /// How many findings or records of one kind a report lists before counting the rest.
    static let listedPerFinding = 50

    func cellValues(_ cell: CoverageCell?, href: String?, label: String) -> [String: Any] {
        let count = cell?.count ?? 0
        let heat = cell?.heat ?? 0
        // Shown beside the number only where it adds something; spoken in full in the link's name.
        let word = count == 0 ? "none" : count == 1 ? "thin" : ""
        let spoken = count == 0 ? "none" : count == 1 ? "one service (thin)" : "\(count) services"
        return ["count": count, "heat": heat, "word": word, "spoken": spoken, "href": href ?? "", "label": label,
                "empty": count == 0, "thin": count == 1].compacted
    }
}
