import Foundation
import ServiceMapCore

/// Tile maps of Scotland: one equal tile per health board (or council) in a hand-placed grid that
/// keeps each place roughly where it is on a map, coloured by how many services of a chosen kind
/// and level serve it. Equal tiles stop the Highlands outweighing Glasgow by land area.
public enum TileMap {
    public enum Geography: String, Sendable, CaseIterable {
        case healthBoards = "health-boards"
        case councils

        /// Area code → (column, row). Public facts: Scotland's 14 territorial boards and 32 councils.
        var grid: [(AreaCode, Int, Int)] {
            switch self {
            case .healthBoards:
                return [
                    ("nhs-shetland", 3, 0), ("nhs-orkney", 2, 1), ("nhs-western-isles", 0, 2), ("nhs-highland", 1, 2),
                    ("nhs-grampian", 2, 2), ("nhs-forth-valley", 1, 3), ("nhs-tayside", 2, 3),
                    ("nhs-greater-glasgow-and-clyde", 0, 4), ("nhs-lanarkshire", 1, 4), ("nhs-fife", 2, 4),
                    ("nhs-ayrshire-and-arran", 0, 5), ("nhs-lothian", 2, 5), ("nhs-dumfries-and-galloway", 1, 6), ("nhs-borders", 2, 6),
                ]
            case .councils:
                return [
                    ("shetland-islands", 6, 0), ("orkney-islands", 5, 1),
                    ("na-h-eileanan-siar", 0, 2), ("highland", 2, 2), ("moray", 3, 2), ("aberdeenshire", 4, 2), ("aberdeen-city", 5, 2),
                    ("argyll-and-bute", 1, 3), ("perth-and-kinross", 2, 3), ("angus", 3, 3), ("dundee-city", 4, 3),
                    ("stirling", 2, 4), ("clackmannanshire", 3, 4), ("fife", 4, 4),
                    ("inverclyde", 0, 5), ("west-dunbartonshire", 1, 5), ("east-dunbartonshire", 2, 5), ("falkirk", 3, 5),
                    ("west-lothian", 4, 5), ("city-of-edinburgh", 5, 5), ("east-lothian", 6, 5),
                    ("renfrewshire", 1, 6), ("glasgow-city", 2, 6), ("north-lanarkshire", 3, 6), ("midlothian", 5, 6),
                    ("north-ayrshire", 0, 7), ("east-renfrewshire", 1, 7), ("south-lanarkshire", 3, 7), ("scottish-borders", 5, 7),
                    ("south-ayrshire", 0, 8), ("east-ayrshire", 1, 8), ("dumfries-and-galloway", 3, 8),
                ]
            }
        }

        var label: String { self == .healthBoards ? "health board" : "council" }
    }

    /// What to count: services in a category (and the categories below it) working at a ring.
    public struct Coverage: Sendable, Hashable {
        public var category: CategoryID?
        public var ring: ContinuumRing?
        public init(category: CategoryID? = nil, ring: ContinuumRing? = nil) {
            self.category = category
            self.ring = ring
        }
    }

    /// The services counted for one area: covering it, a place above it or a place inside it.
    public static func services(for area: AreaCode, coverage: Coverage, in graph: ServiceGraph) -> [Service] {
        let scope = ServiceGraph.AreaScope(graph, area)
        let categories = coverage.category.map { graph.categoryAndDescendants(of: $0) }
        return graph.sortedServices.filter { s in
            guard s.status != .closed, scope.includes(s.areas) else { return false }
            if let categories, !s.categories.contains(where: categories.contains) { return false }
            if let ring = coverage.ring, !graph.rings(of: s).contains(ring) { return false }
            return true
        }
    }

    /// Draws the tile map. `areaLink` gives each area's page (nil for no link).
    public static func diagram(_ geography: Geography, coverage: Coverage, in graph: ServiceGraph,
                               areaLink: (AreaCode) -> String? = { _ in nil }) -> Diagram {
        let tileW = geography == .healthBoards ? 150.0 : 122.0
        let tileH = geography == .healthBoards ? 66.0 : 60.0
        let gap = 6.0, margin = 20.0, top = 20.0
        let counts = geography.grid.map { services(for: $0.0, coverage: coverage, in: graph).count }
        let maxCount = counts.max() ?? 0
        // Classes: 0 has its own style (a gap is the finding); 1…max split into up to 4 equal steps.
        func bucket(_ n: Int) -> Int {
            guard n > 0, maxCount > 0 else { return 0 }
            let classes = min(4, maxCount)
            return 1 + min(classes - 1, (n - 1) * classes / maxCount)
        }
        let classes = min(4, max(maxCount, 1))
        let colours = Array(Palette.sequential.dropFirst()).prefix(classes)
        let columns = (geography.grid.map(\.1).max() ?? 0) + 1, rows = (geography.grid.map(\.2).max() ?? 0) + 1
        let mapW = Double(columns) * (tileW + gap), mapH = Double(rows) * (tileH + gap)
        let legendX = margin + mapW + 20
        let width = legendX + 240, height = max(mapH + top + margin, 360)

        let what = [coverage.category.map { graph.categories[$0]?.name ?? $0.rawValue },
                    coverage.ring.map { "at the \($0.name) ring" }].compactMap { $0 }.joined(separator: " ")
        let kind = what.isEmpty ? "all services" : "services: \(what)"
        let id = domID("tiles-\(geography.rawValue)-\(coverage.category?.rawValue ?? "all")-\(coverage.ring?.slug ?? "all")")
        let title = "Coverage by \(geography.label): \(kind)"
        let zero = geography.grid.enumerated().filter { counts[$0.offset] == 0 }.map { graph.areas[$0.element.0]?.name ?? $0.element.0.rawValue }
        let summary = "Scotland's \(geography.grid.count) \(geography.label)s as equal tiles placed roughly as on a map, each showing how many \(kind) serve it "
            + "(darker = more; highest \(maxCount)). " + (zero.isEmpty ? "Every \(geography.label) has at least one." : "None recorded in: \(zero.joined(separator: ", ")).")

        var w = SVGWriter()
        var marks: [DiagramMark] = []
        openSVG(&w, id: id, width: width, height: height, title: title, summary: summary, hasLinks: geography.grid.contains { areaLink($0.0) != nil })
        w.open("defs")
        w.open("pattern", ["id": "\(id)-none", "width": "8", "height": "8", "patternUnits": "userSpaceOnUse", "patternTransform": "rotate(45)"])
        w.empty("rect", ["width": "8", "height": "8", "fill": "#ffffff"])
        w.empty("line", ["x1": "0", "y1": "0", "x2": "0", "y2": "8", "stroke": "#c8c8c8", "stroke-width": "3"])
        w.close("pattern")
        w.close("defs")
        w.newline()
        w.open("g", ["class": "tiles"])
        for (i, (code, col, row)) in geography.grid.enumerated() {
            let x = margin + Double(col) * (tileW + gap), y = top + Double(row) * (tileH + gap)
            let n = counts[i]
            let b = bucket(n)
            let fill = b == 0 ? "url(#\(id)-none)" : colours[colours.startIndex + b - 1]
            let ink = b == 0 ? "#1a1a1a" : Palette.text(on: fill)
            let name = graph.areas[code]?.name ?? code.rawValue
            let short = name.hasPrefix("NHS ") ? String(name.dropFirst(4)) : name
            let href = areaLink(code)
            if let href { w.open("a", ["href": href, "aria-label": "\(name): \(n)"]) }
            w.open("g", ["class": "tile", "data-area": code.rawValue, "data-count": "\(n)"])
            w.element("title", text: "\(name): \(n) \(kind)")
            w.empty("rect", ["x": fmt(x), "y": fmt(y), "width": fmt(tileW), "height": fmt(tileH), "rx": "4", "fill": fill, "stroke": "#4d4d4d"])
            marks.append(DiagramMark(kind: .node, key: code.rawValue, text: "\(n)", rect: DiagramRect(x: x, y: y, width: tileW, height: tileH)))
            let lines = TextMetrics.wrap(short, size: 11, maxWidth: tileW - 10, maxLines: 2, bold: true)
            for (k, line) in lines.enumerated() {
                let ty = y + 15 + Double(k) * 13
                w.element("text", ["x": fmt(x + 6), "y": fmt(ty), "font-size": "11", "font-weight": "bold", "fill": ink], text: line)
                marks.append(DiagramMark(kind: .label, key: "tile-name:\(code):\(k)", text: line,
                                         rect: DiagramRect(x: x + 6, y: ty - 10, width: TextMetrics.width(line, size: 11, bold: true), height: 12), owner: code.rawValue))
            }
            let numberText = "\(n)"
            let ny = y + tileH - 9
            w.element("text", ["x": fmt(x + tileW - 8), "y": fmt(ny), "font-size": "22", "font-weight": "bold", "text-anchor": "end", "fill": ink], text: numberText)
            let nw = TextMetrics.width(numberText, size: 22, bold: true)
            marks.append(DiagramMark(kind: .label, key: "tile-count:\(code)", text: numberText,
                                     rect: DiagramRect(x: x + tileW - 8 - nw, y: ny - 17, width: nw, height: 18), owner: code.rawValue))
            w.close("g")
            if href != nil { w.close("a") }
        }
        w.close("g")
        w.newline()

        // Legend: one swatch per class with its range.
        w.open("g", ["class": "legend", "font-size": "12", "fill": "#1a1a1a"])
        w.element("text", ["x": fmt(legendX), "y": fmt(top + 12), "font-weight": "bold"], text: "Services serving the area")
        var ly = top + 30
        var swatches: [(String, String)] = [("url(#\(id)-none)", "0 — none recorded")]
        for c in 1...classes {
            let lo = (c - 1) * maxCount / classes + 1, hi = c * maxCount / classes
            guard lo <= hi else { continue }
            swatches.append((colours[colours.startIndex + c - 1], lo == hi ? "\(lo)" : "\(lo)–\(hi)"))
        }
        for (fill, text) in swatches {
            w.empty("rect", ["x": fmt(legendX), "y": fmt(ly), "width": "28", "height": "18", "fill": fill, "stroke": "#4d4d4d"])
            w.element("text", ["x": fmt(legendX + 36), "y": fmt(ly + 13)], text: text)
            marks.append(DiagramMark(kind: .label, key: "legend:\(text)", text: text,
                                     rect: DiagramRect(x: legendX + 36, y: ly + 3, width: TextMetrics.width(text, size: 12), height: 13)))
            ly += 26
        }
        for (k, line) in TextMetrics.wrap("Counts include services covering all of Scotland, the board and places within it.", size: 11, maxWidth: 220, maxLines: 4).enumerated() {
            w.element("text", ["x": fmt(legendX), "y": fmt(ly + 14 + Double(k) * 14), "font-size": "11"], text: line)
        }
        w.close("g")
        w.close("svg")

        var table = "<table class=\"diagram-table\">\n<caption>\(XMLEscape.text(title))</caption>\n"
        table += "<thead><tr><th scope=\"col\">\(geography == .healthBoards ? "Health board" : "Council")</th><th scope=\"col\">Services</th></tr></thead>\n<tbody>\n"
        let rowsSorted = geography.grid.enumerated().map { (graph.areas[$0.element.0]?.name ?? $0.element.0.rawValue, $0.element.0, counts[$0.offset]) }
            .sorted { $0.0 < $1.0 }
        for (name, code, n) in rowsSorted {
            let cell = areaLink(code).map { "<a href=\"\(XMLEscape.text($0))\">\(XMLEscape.text(name))</a>" } ?? XMLEscape.text(name)
            table += "<tr><th scope=\"row\">\(cell)</th><td>\(n)</td></tr>\n"
        }
        table += "</tbody>\n</table>"
        return Diagram(id: id, title: title, summary: summary, svg: w.out, textEquivalent: table, marks: marks, width: width, height: height)
    }
}
