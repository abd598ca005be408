import Foundation
import ServiceMapCore

/// The landscape of an area as the seven rings of the continuum (002, Figure 4), Universal
/// outermost and Court innermost, with the area's services placed on them in sector wedges.
///
/// Design: each service gets its own angle inside its sector's wedge, so no two services share a
/// spoke. Its numbered marker sits on the *lowest* ring it serves (the least need at which a
/// family can get it — where a practitioner looks first); a line runs inward along its spoke to
/// the highest ring it serves, with a dot on every ring it serves in between. Numbers, not names,
/// go on the map: the key beside it (and the text equivalent) names each number, so labels never
/// collide however many services an area has.
public enum LandscapeMap {
    struct Placed {
        var service: Service
        var number: Int
        var sector: Sector?
        var rings: [ContinuumRing]
        var angle: Double
        var radius: Double
    }

    static let outerRadius = 400.0
    static let holeRadius = 50.0
    static let markerRadius = 9.0
    /// The empty wedge at the top where the ring names are written.
    static let labelGap = 34.0

    static var ringWidth: Double { (outerRadius - holeRadius) / 7 }

    static func outer(_ ring: ContinuumRing) -> Double { outerRadius - Double(ring.rawValue - 1) * ringWidth }
    static func mid(_ ring: ContinuumRing) -> Double { outer(ring) - ringWidth / 2 }

    /// The services a family in `area` can use: those covering the area, a region above it or a
    /// place inside it. Closed services and services with no ring are left off the map (the
    /// text equivalent lists the latter).
    public static func services(of area: AreaCode, in graph: ServiceGraph) -> [Service] {
        let scope = ServiceGraph.AreaScope(graph, area)
        return graph.sortedServices.filter { scope.includes($0.areas) && $0.status != .closed }
    }

    /// Draws the landscape of `area`. `link` gives each service's page, relative to where the SVG goes.
    /// `services`, when given, are `services(of: area, in: graph)` already looked up (the site
    /// keeps them per area, so it does not scan every service for every area).
    public static func diagram(of area: AreaCode, in graph: ServiceGraph, link: ServiceLink, services known: [Service]? = nil) -> Diagram {
        let areaName = graph.areas[area]?.name ?? area.rawValue
        let id = domID("landscape-" + area.rawValue)
        let all = known ?? services(of: area, in: graph)
        let unplaced = all.filter { graph.rings(of: $0).isEmpty }
        let onMap = all.filter { !graph.rings(of: $0).isEmpty }

        // Wedges: every sector is shown, even when empty — a missing sector is a finding.
        var bySector: [Int: [Service]] = [:]
        for service in onMap {
            let index = Sector.landscapeOrder.firstIndex(of: graph.sector(of: service)) ?? Sector.landscapeOrder.count - 1
            bySector[index, default: []].append(service)
        }
        let sectorIndices = Sector.landscapeOrder.indices.filter { $0 < Sector.landscapeOrder.count - 1 || bySector[$0] != nil }
        let weights = sectorIndices.map { Double(max(bySector[$0]?.count ?? 0, 2)) }
        let totalWeight = weights.reduce(0, +)
        let available = 360 - labelGap

        var placed: [Placed] = []
        var wedges: [(sector: Sector?, start: Double, end: Double, count: Int)] = []
        var start = labelGap / 2
        var number = 0
        for (k, index) in sectorIndices.enumerated() {
            let span = available * weights[k] / totalWeight
            let sector = Sector.landscapeOrder[index]
            let members = (bySector[index] ?? []).sorted {
                let a = graph.rings(of: $0), b = graph.rings(of: $1)
                return (a.first!.rawValue, a.last!.rawValue, $0.name, $0.id.rawValue) < (b.first!.rawValue, b.last!.rawValue, $1.name, $1.id.rawValue)
            }
            wedges.append((sector, start, start + span, members.count))
            let pad = min(3, span / 8)
            let step = members.isEmpty ? 0 : (span - 2 * pad) / Double(members.count)
            // Markers on the same ring sit on neighbouring spokes; when the spokes are closer than a
            // marker, alternate them between the outer and inner half of the ring.
            var runIndex = 0
            var previousRing: ContinuumRing?
            for (j, service) in members.enumerated() {
                let rings = graph.rings(of: service)
                let angle = start + pad + step * (Double(j) + 0.5)
                if rings.first != previousRing { runIndex = 0 } else { runIndex += 1 }
                previousRing = rings.first
                let r = mid(rings.first!)
                let spacing = step * .pi / 180 * r
                var radius = r
                if spacing < 2 * markerRadius + 3 {
                    let offset = (ringWidth - 2 * markerRadius - 4) / 2
                    radius = runIndex % 2 == 0 ? r + offset : r - offset
                }
                number += 1
                placed.append(Placed(service: service, number: number, sector: sector, rings: rings, angle: angle, radius: radius))
            }
            start += span
        }

        // Geometry: map on the left, key on the right.
        // Sector names sit outside the rim; measure them (relative to the centre) before placing
        // the map so they stay clear of the key on the right and the legend below.
        func sectorLabel(_ wedge: (sector: Sector?, start: Double, end: Double, count: Int)) -> (text: String, anchor: String, x: Double, y: Double, rect: DiagramRect) {
            let midAngle = (wedge.start + wedge.end) / 2
            let label = wedge.sector?.label ?? "Sector not recorded"
            let text = wedge.count == 0 ? "\(label) (none)" : "\(label) (\(wedge.count))"
            let tw = TextMetrics.width(text, size: 13, bold: true)
            let a = (midAngle - 90) * .pi / 180
            let lx = (outerRadius + 22) * cos(a), ly = (outerRadius + 22) * sin(a)
            let s = sin(midAngle * .pi / 180), c = cos(midAngle * .pi / 180)
            let anchor = abs(s) < 0.25 ? "middle" : (s > 0 ? "start" : "end")
            let x0 = anchor == "middle" ? lx - tw / 2 : (anchor == "start" ? lx : lx - tw)
            let yBase = ly + (c < -0.5 ? 10 : (c > 0.5 ? 0 : 5))
            return (text, anchor, lx, yBase, DiagramRect(x: x0, y: yBase - 11, width: tw, height: 14))
        }
        let relativeLabels = wedges.map(sectorLabel)
        let margin = 24.0
        let cx = margin + max(outerRadius, -(relativeLabels.map(\.rect.x).min() ?? 0))
        let cy = margin + 30 + max(outerRadius, -(relativeLabels.map(\.rect.y).min() ?? 0))
        let keyX = cx + max(outerRadius + 30, (relativeLabels.map(\.rect.maxX).max() ?? 0) + 24)
        let keyWidth = 330.0
        var marks: [DiagramMark] = []
        var w = SVGWriter()

        func point(_ angle: Double, _ r: Double) -> (Double, Double) {
            let a = (angle - 90) * .pi / 180
            return (cx + r * cos(a), cy + r * sin(a))
        }

        // Key layout first (it decides the height).
        var keyLines: [(y: Double, lines: [String], placed: Placed?, heading: (Sector?, Int)?)] = []
        var ky = margin + 50
        var currentSector: Int? = nil
        for p in placed {
            let index = Sector.landscapeOrder.firstIndex(of: p.sector) ?? 0
            if currentSector != index {
                ky += currentSector == nil ? 0 : 8
                keyLines.append((ky, [(p.sector?.label ?? "Sector not recorded")], nil, (p.sector, index)))
                ky += 20
                currentSector = index
            }
            let lines = TextMetrics.wrap(p.service.name, size: 12, maxWidth: keyWidth - 30, maxLines: 2)
            keyLines.append((ky, lines, p, nil))
            ky += Double(lines.count) * 15 + 3
        }
        let legendTop = max(cy + max(outerRadius, relativeLabels.map(\.rect.maxY).max() ?? 0) + 36, ky + 20)
        let width = keyX + keyWidth + 20
        let height = legendTop + 120

        let sectorSummary = wedges.map { "\($0.sector?.label ?? "sector not recorded") \($0.count)" }.joined(separator: ", ")
        let title = "Landscape of services: \(areaName)"
        let summary = "The seven rings of the continuum of need, Universal outermost to Court innermost, with the "
            + "\(placed.count) services a family in \(areaName) can use placed in sector wedges (\(sectorSummary)). "
            + "Each numbered marker sits on the lowest ring the service works at; a line runs inward to the highest. "
            + "The key beside the map and the table below it name every number."
        openSVG(&w, id: id, width: width, height: height, title: title, summary: summary, hasLinks: true)

        // Rings, outermost first so inner ones paint over.
        w.open("g", ["class": "rings"])
        for ring in ContinuumRing.allCases {
            w.empty("circle", ["cx": fmt(cx), "cy": fmt(cy), "r": fmt(outer(ring)), "fill": Palette.ring(ring), "stroke": "#8a96a8", "stroke-width": "1"])
            marks.append(DiagramMark(kind: .region, key: "ring:\(ring.slug)", text: ring.name,
                                     rect: DiagramRect(x: cx - outer(ring), y: cy - outer(ring), width: 2 * outer(ring), height: 2 * outer(ring))))
        }
        w.empty("circle", ["cx": fmt(cx), "cy": fmt(cy), "r": fmt(holeRadius), "fill": "#ffffff", "stroke": "#8a96a8"])
        // The statutory threshold: the boundary between Early Help and Child in Need.
        w.empty("circle", ["cx": fmt(cx), "cy": fmt(cy), "r": fmt(outer(.statutorySocialWork)), "fill": "none",
                           "stroke": "#3b3b3b", "stroke-width": "2.5", "stroke-dasharray": "8 5", "class": "threshold"])
        w.close("g")
        w.newline()

        // Wedge boundaries and sector names outside the rim.
        w.open("g", ["class": "sectors"])
        for wedge in wedges {
            for edge in [wedge.start, wedge.end] {
                let (x1, y1) = point(edge, holeRadius), (x2, y2) = point(edge, outerRadius + 8)
                w.empty("line", ["x1": fmt(x1), "y1": fmt(y1), "x2": fmt(x2), "y2": fmt(y2), "stroke": "#ffffff", "stroke-width": "3"])
            }
        }
        for label in relativeLabels {
            w.element("text", ["x": fmt(cx + label.x), "y": fmt(cy + label.y), "text-anchor": label.anchor, "font-size": "13", "font-weight": "bold",
                               "fill": "#1a1a1a"], text: label.text)
            let r = label.rect
            marks.append(DiagramMark(kind: .label, key: "sector:\(label.text)", text: label.text,
                                     rect: DiagramRect(x: cx + r.x, y: cy + r.y, width: r.width, height: r.height)))
        }
        w.close("g")
        w.newline()

        // Ring names in the gap at the top.
        w.open("g", ["class": "ring-names", "font-size": "10", "fill": "#1a1a1a", "text-anchor": "middle"])
        for ring in ContinuumRing.allCases {
            let r = mid(ring)
            let chord = 2 * r * sin(labelGap / 2 * .pi / 180) + 20
            let lines = TextMetrics.wrap(ring.name, size: 10, maxWidth: max(chord, 40), maxLines: 2)
            let top = cy - r - Double(lines.count) * 11 / 2
            for (i, line) in lines.enumerated() {
                let y = top + Double(i + 1) * 11 - 2
                w.element("text", ["x": fmt(cx), "y": fmt(y), "stroke": "#ffffff", "stroke-width": "3", "paint-order": "stroke"], text: line)
                let lw = TextMetrics.width(line, size: 10)
                marks.append(DiagramMark(kind: .label, key: "ring-name:\(ring.slug):\(i)", text: line,
                                         rect: DiagramRect(x: cx - lw / 2, y: y - 9, width: lw, height: 11)))
            }
        }
        w.close("g")
        w.newline()

        // Spokes (drawn under all markers), then markers.
        w.open("g", ["class": "spans"])
        for p in placed where p.rings.count > 1 {
            let color = Palette.sector(p.sector)
            let (x1, y1) = point(p.angle, p.radius), (x2, y2) = point(p.angle, mid(p.rings.last!))
            w.empty("line", ["x1": fmt(x1), "y1": fmt(y1), "x2": fmt(x2), "y2": fmt(y2), "stroke": color, "stroke-width": "3",
                             "stroke-linecap": "round", "opacity": "0.75"])
            for ring in p.rings.dropFirst() {
                let (dx, dy) = point(p.angle, mid(ring))
                w.empty("circle", ["cx": fmt(dx), "cy": fmt(dy), "r": "4", "fill": color, "stroke": "#ffffff", "stroke-width": "1"])
            }
        }
        w.close("g")
        w.newline()

        w.open("g", ["class": "markers", "font-size": "10", "font-weight": "bold", "text-anchor": "middle"])
        for p in placed {
            let (x, y) = point(p.angle, p.radius)
            let fill = Palette.sector(p.sector)
            let ringNames = p.rings.map(\.name).joined(separator: ", ")
            let name = "\(p.number). \(p.service.name) — \(ringNames)"
            let href = link(p.service.id)
            if let href { w.open("a", ["href": href, "aria-label": name]) }
            w.open("g", ["class": "service-marker", "data-service": p.service.id.rawValue])
            w.element("title", text: name)
            w.empty("circle", ["cx": fmt(x), "cy": fmt(y), "r": fmt(markerRadius), "fill": fill, "stroke": "#1a1a1a", "stroke-width": "1"])
            w.element("text", ["x": fmt(x), "y": fmt(y + 3.5), "fill": Palette.text(on: fill)], text: "\(p.number)")
            w.close("g")
            if href != nil { w.close("a") }
            let rect = DiagramRect(x: x - markerRadius, y: y - markerRadius, width: 2 * markerRadius, height: 2 * markerRadius)
            marks.append(DiagramMark(kind: .node, key: p.service.id.rawValue, text: "\(p.number)", rect: rect))
        }
        w.close("g")
        w.newline()

        // Key.
        w.open("g", ["class": "key", "font-size": "12", "fill": "#1a1a1a"])
        w.element("text", ["x": fmt(keyX), "y": fmt(margin + 26), "font-size": "14", "font-weight": "bold"], text: "Key")
        marks.append(DiagramMark(kind: .label, key: "key-heading", text: "Key",
                                 rect: DiagramRect(x: keyX, y: margin + 14, width: TextMetrics.width("Key", size: 14, bold: true), height: 15)))
        for entry in keyLines {
            if let (sector, _) = entry.heading {
                let color = Palette.sector(sector)
                w.empty("rect", ["x": fmt(keyX), "y": fmt(entry.y - 10), "width": "12", "height": "12", "fill": color, "stroke": "#1a1a1a"])
                let text = entry.lines[0]
                w.element("text", ["x": fmt(keyX + 18), "y": fmt(entry.y), "font-weight": "bold"], text: text)
                marks.append(DiagramMark(kind: .label, key: "key-sector:\(text)", text: text,
                                         rect: DiagramRect(x: keyX + 18, y: entry.y - 10, width: TextMetrics.width(text, size: 12, bold: true), height: 13)))
                continue
            }
            guard let p = entry.placed else { continue }
            let href = link(p.service.id)
            if let href { w.open("a", ["href": href]) }
            w.element("text", ["x": fmt(keyX + 22), "y": fmt(entry.y), "text-anchor": "end", "font-weight": "bold"], text: "\(p.number)")
            for (i, line) in entry.lines.enumerated() {
                let y = entry.y + Double(i) * 15
                w.element("text", ["x": fmt(keyX + 28), "y": fmt(y)], text: line)
                marks.append(DiagramMark(kind: .label, key: "key:\(p.service.id.rawValue):\(i)", text: line,
                                         rect: DiagramRect(x: keyX + 28, y: y - 10, width: TextMetrics.width(line, size: 12), height: 13)))
            }
            if href != nil { w.close("a") }
        }
        w.close("g")
        w.newline()

        // Legend.
        w.open("g", ["class": "legend", "font-size": "12", "fill": "#1a1a1a"])
        let lx = margin, ly = legendTop
        w.empty("circle", ["cx": fmt(lx + 9), "cy": fmt(ly), "r": "9", "fill": "#ffffff", "stroke": "#1a1a1a"])
        w.element("text", ["x": fmt(lx + 9), "y": fmt(ly + 3.5), "font-size": "10", "font-weight": "bold", "text-anchor": "middle"], text: "n")
        w.element("text", ["x": fmt(lx + 26), "y": fmt(ly + 4)], text: "Service number n, on the lowest ring it works at (colour = sector)")
        w.empty("line", ["x1": fmt(lx), "y1": fmt(ly + 28), "x2": fmt(lx + 18), "y2": fmt(ly + 28), "stroke": "#555555", "stroke-width": "3"])
        w.empty("circle", ["cx": fmt(lx + 18), "cy": fmt(ly + 28), "r": "4", "fill": "#555555", "stroke": "#ffffff"])
        w.element("text", ["x": fmt(lx + 26), "y": fmt(ly + 32)], text: "Line inward with a dot on each further ring the service works at")
        w.empty("line", ["x1": fmt(lx), "y1": fmt(ly + 56), "x2": fmt(lx + 18), "y2": fmt(ly + 56), "stroke": "#3b3b3b", "stroke-width": "2.5", "stroke-dasharray": "8 5"])
        w.element("text", ["x": fmt(lx + 26), "y": fmt(ly + 60)],
                  text: "Statutory social work threshold (Child in Need and inward); outside it: alternatives to social work")
        if !unplaced.isEmpty {
            w.element("text", ["x": fmt(lx), "y": fmt(ly + 88)],
                      text: "\(unplaced.count) service(s) with no level of need recorded are not on the map; see the table.")
        }
        for (i, text) in ["Service number n, on the lowest ring it works at (colour = sector)",
                          "Line inward with a dot on each further ring the service works at",
                          "Statutory social work threshold (Child in Need and inward); outside it: alternatives to social work"].enumerated() {
            marks.append(DiagramMark(kind: .label, key: "legend:\(i)", text: text,
                                     rect: DiagramRect(x: lx + 26, y: ly - 6 + Double(i) * 28, width: TextMetrics.width(text, size: 12), height: 13)))
        }
        w.close("g")
        w.close("svg")

        return Diagram(id: id, title: title, summary: summary, svg: w.out,
                       textEquivalent: textEquivalent(placed: placed, unplaced: unplaced, graph: graph, area: areaName, link: link),
                       marks: marks, width: width, height: height)
    }

    static func textEquivalent(placed: [Placed], unplaced: [Service], graph: ServiceGraph, area: String, link: ServiceLink) -> String {
        var out = "<table class=\"diagram-table\">\n<caption>Services in \(XMLEscape.text(area)) by sector and level of need</caption>\n"
        out += "<thead><tr><th scope=\"col\">No.</th><th scope=\"col\">Service</th><th scope=\"col\">Sector</th>"
        out += "<th scope=\"col\">Rings of the continuum</th><th scope=\"col\">Local levels of need</th></tr></thead>\n<tbody>\n"
        func row(_ number: String, _ service: Service, _ sector: Sector?, _ rings: [ContinuumRing]) {
            let name = XMLEscape.text(service.name)
            let cell = link(service.id).map { "<a href=\"\(XMLEscape.text($0))\">\(name)</a>" } ?? name
            let levels = service.levels.compactMap { graph.levels[$0]?.name }.map(XMLEscape.text).joined(separator: "; ")
            let ringText = rings.isEmpty ? "not recorded" : rings.map(\.name).joined(separator: ", ")
            out += "<tr><td>\(number)</td><th scope=\"row\">\(cell)</th><td>\(XMLEscape.text(sector?.label ?? "not recorded"))</td>"
            out += "<td>\(XMLEscape.text(ringText))</td><td>\(levels)</td></tr>\n"
        }
        for p in placed { row("\(p.number)", p.service, p.sector, p.rings) }
        for s in unplaced { row("–", s, graph.sector(of: s), []) }
        out += "</tbody>\n</table>"
        return out
    }
}
