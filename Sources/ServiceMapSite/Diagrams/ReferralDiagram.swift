import Foundation
import ServiceMapCore

/// Referral pathway diagrams: who refers to whom, drawn with `LayeredLayout` in lanes
/// (levels of need, or steps along a pathway), with the same routes as a table beside them.
public enum ReferralDiagram {
    struct Lane {
        var title: String
        var subtitle: String = ""
        var statutory = false
    }

    struct Node {
        var key: String
        var label: String
        var layer: Int
        var cluster: String?
        var href: String?
        var isRole: Bool
        var sector: Sector?
        var focus = false
        var statutory = false
    }

    struct Spec {
        var id: String
        var title: String
        var summary: String
        var lanes: [Lane]
        var nodes: [Node]
        var routes: [(from: String, to: String, route: ReferralRoute)]
        var note: String?
    }

    // MARK: Public diagrams

    /// Who refers into a service, where it refers on, and the step-ups and step-downs.
    public static func service(_ id: ServiceID, in graph: ServiceGraph, link: ServiceLink) -> Diagram {
        service(id, in: graph, routesIn: graph.routes(into: id), routesOut: graph.routes(outOf: id), link: link)
    }

    /// The same, with the service's routes already looked up (in `sortedRoutes` order): the site
    /// draws one per service page and indexes the routes once, rather than sorting them per page.
    static func service(_ id: ServiceID, in graph: ServiceGraph, routesIn: [ReferralRoute], routesOut: [ReferralRoute], link: ServiceLink) -> Diagram {
        let service = graph.services[id]
        let name = service?.name ?? id.rawValue
        var nodes: [Node] = []
        var routes: [(String, String, ReferralRoute)] = []
        let focusKey = "service:" + id.rawValue
        nodes.append(serviceNode(graph, id, key: focusKey, layer: 1, link: link, focus: true))
        for route in routesIn {
            let key = "in:" + route.from.description
            if !nodes.contains(where: { $0.key == key }) { nodes.append(referrerNode(graph, route.from, key: key, layer: 0, link: link)) }
            routes.append((key, focusKey, route))
        }
        for route in routesOut {
            let key = "out:service:" + route.to.rawValue
            if !nodes.contains(where: { $0.key == key }) { nodes.append(serviceNode(graph, route.to, key: key, layer: 2, link: link)) }
            routes.append((focusKey, key, route))
        }
        let inCount = routesIn.count, outCount = routesOut.count
        let spec = Spec(
            id: domID("pathway-service-" + id.rawValue), title: "Referral routes: \(name)",
            summary: "\(inCount) route(s) into \(name) and \(outCount) route(s) out of it, read left to right: who refers in, the service, where it refers on.",
            lanes: [Lane(title: "Referred by"), Lane(title: "Service"), Lane(title: "Refers on to")],
            nodes: nodes, routes: routes,
            note: inCount + outCount == 0 ? "No referral routes are recorded for this service yet." : nil)
        return render(spec, graph: graph, link: link)
    }

    /// The whole referral network of an area: levels of need as lanes from universal (left) to
    /// statutory (right), referrer roles at the left edge, services clustered by organisation
    /// when there are many. Services with no recorded route are listed in the text, not drawn.
    /// `services`, when given, are the area's services (`LandscapeMap.services`) already looked up.
    public static func area(_ code: AreaCode, in graph: ServiceGraph, link: ServiceLink, services known: [Service]? = nil) -> Diagram {
        let areaName = graph.areas[code]?.name ?? code.rawValue
        let scope = ServiceGraph.AreaScope(graph, code)
        let inArea = Set((known ?? graph.services.values.filter { scope.includes($0.areas) && $0.status != .closed }).map(\.id))
        let routes = graph.sortedRoutes.filter { route in
            guard inArea.contains(route.to) else { return false }
            if case .service(let from) = route.from { return inArea.contains(from) }
            return true
        }
        var connected: Set<ServiceID> = []
        for route in routes {
            connected.insert(route.to)
            if case .service(let from) = route.from { connected.insert(from) }
        }
        let rings = Set(connected.compactMap { graph.services[$0].flatMap { graph.rings(of: $0).first } })
        let laneRings = ContinuumRing.allCases.filter { rings.contains($0) }
        let framework = graph.framework(for: code)
        var lanes = [Lane(title: "Referrers", subtitle: "people and roles")]
        for ring in laneRings {
            let local = framework.filter { $0.ring == ring }.map(\.name).joined(separator: "; ")
            lanes.append(Lane(title: ring.name, subtitle: local, statutory: ring.isStatutory))
        }
        let unknownLane = connected.contains { graph.services[$0].map { graph.rings(of: $0).isEmpty } ?? true }
        if unknownLane { lanes.append(Lane(title: "Level not recorded")) }
        let clustered = connected.count >= 10
        var nodes: [Node] = []
        for id in connected.sorted() {
            let lowest = graph.services[id].flatMap { graph.rings(of: $0).first }
            let layer = lowest.flatMap { laneRings.firstIndex(of: $0) }.map { $0 + 1 } ?? lanes.count - 1
            var node = serviceNode(graph, id, key: "service:" + id.rawValue, layer: layer, link: link)
            if clustered, let org = graph.services[id]?.organisation {
                node.cluster = graph.organisations[org]?.name ?? org.rawValue
            }
            nodes.append(node)
        }
        var spec = Spec(id: domID("network-" + code.rawValue), title: "Referral network: \(areaName)", summary: "", lanes: lanes, nodes: nodes, routes: [])
        for route in routes {
            let from: String
            switch route.from {
            case .role(let role):
                from = "role:" + role.rawValue
                if !spec.nodes.contains(where: { $0.key == from }) { spec.nodes.append(referrerNode(graph, route.from, key: from, layer: 0, link: link)) }
            case .service(let id): from = "service:" + id.rawValue
            }
            spec.routes.append((from, "service:" + route.to.rawValue, route))
        }
        let unrouted = inArea.subtracting(connected).count
        spec.summary = "\(routes.count) referral routes between \(connected.count) services in \(areaName) and the people who refer to them. "
            + "Lanes run from universal help on the left to statutory social work and the courts on the right; each service sits in the lane of the lowest level of need it works at. "
            + (unrouted > 0 ? "\(unrouted) further services have no recorded route and are listed in the text only." : "")
        return render(spec, graph: graph, link: link)
    }

    /// The routes a family can take from one service to another: every chain of referrals of at
    /// most `maxSteps` steps (simple paths, no service twice), up to `maxPaths` of them, shortest first.
    public static func between(_ start: ServiceID, _ goal: ServiceID, in graph: ServiceGraph, link: ServiceLink,
                               maxSteps: Int = 6, maxPaths: Int = 12) -> Diagram {
        let paths = routePaths(from: start, to: goal, in: graph, maxSteps: maxSteps, maxPaths: maxPaths)
        var depth: [ServiceID: Int] = [start: 0]
        var queue = [start]
        var used: [ReferralRoute] = []
        for path in paths { for r in path where !used.contains(r) { used.append(r) } }
        while !queue.isEmpty {
            let next = queue.removeFirst()
            for r in used where r.from == .service(next) && depth[r.to] == nil {
                depth[r.to] = depth[next]! + 1
                queue.append(r.to)
            }
        }
        let layers = (depth.values.max() ?? 0) + 1
        var nodes = depth.keys.sorted().map { serviceNode(graph, $0, key: "service:" + $0.rawValue, layer: depth[$0]!, link: link, focus: $0 == start || $0 == goal) }
        if paths.isEmpty && start != goal {
            nodes = [serviceNode(graph, start, key: "service:" + start.rawValue, layer: 0, link: link, focus: true),
                     serviceNode(graph, goal, key: "service:" + goal.rawValue, layer: 1, link: link, focus: true)]
        }
        let a = graph.services[start]?.name ?? start.rawValue, b = graph.services[goal]?.name ?? goal.rawValue
        let lanes = (0..<max(layers, nodes.map(\.layer).max()! + 1)).map { Lane(title: $0 == 0 ? "Start" : "Step \($0)") }
        let spec = Spec(
            id: domID("between-\(start.rawValue)-\(goal.rawValue)"), title: "Routes from \(a) to \(b)",
            summary: paths.isEmpty ? "No chain of recorded referrals leads from \(a) to \(b)."
                : "\(paths.count) way(s) a family can be referred from \(a) to \(b); the shortest takes \(paths[0].count) step(s).",
            lanes: lanes, nodes: nodes,
            routes: used.map { r in ("service:" + (sourceService(r)?.rawValue ?? ""), "service:" + r.to.rawValue, r) },
            note: paths.isEmpty ? "No route recorded between these services." : nil)
        return render(spec, graph: graph, link: link)
    }

    /// A named pathway: the given services, everything that refers into them and everything they
    /// refer on to, laid out in steps from the first referrers.
    public static func pathway(title: String, id: String, focus: [ServiceID], in graph: ServiceGraph, link: ServiceLink) -> Diagram {
        let focusSet = Set(focus)
        var routes = graph.sortedRoutes.filter { r in
            focusSet.contains(r.to) || (sourceService(r).map(focusSet.contains) ?? false)
        }
        routes.sort { $0.id < $1.id }
        var members: Set<ServiceID> = focusSet
        var roles: Set<ReferrerRole> = []
        for r in routes {
            members.insert(r.to)
            switch r.from {
            case .service(let s): members.insert(s)
            case .role(let role): roles.insert(role)
            }
        }
        // Steps: breadth-first from the referrer roles; services no route reaches start at step 1.
        var depth: [ServiceID: Int] = [:]
        var queue: [ServiceID] = []
        for r in routes where sourceService(r) == nil && depth[r.to] == nil { depth[r.to] = 1; queue.append(r.to) }
        while !queue.isEmpty {
            let next = queue.removeFirst()
            for r in routes where r.from == .service(next) && depth[r.to] == nil {
                depth[r.to] = depth[next]! + 1
                queue.append(r.to)
            }
        }
        for m in members where depth[m] == nil { depth[m] = 1 }
        var nodes: [Node] = roles.sorted().map { referrerNode(graph, .role($0), key: "role:" + $0.rawValue, layer: 0, link: link) }
        nodes += members.sorted().map { serviceNode(graph, $0, key: "service:" + $0.rawValue, layer: depth[$0]!, link: link, focus: focusSet.contains($0)) }
        let layers = (depth.values.max() ?? 1) + 1
        let lanes = (0..<layers).map { Lane(title: $0 == 0 ? "Referred by" : "Step \($0)") }
        let spec = Spec(
            id: domID(id), title: title,
            summary: "\(routes.count) referral routes into, between and out of \(focus.count) service(s), from the first referrers on the left.",
            lanes: lanes, nodes: nodes,
            routes: routes.map { r in
                let from: String = switch r.from {
                case .role(let role): "role:" + role.rawValue
                case .service(let s): "service:" + s.rawValue
                }
                return (from, "service:" + r.to.rawValue, r)
            },
            note: routes.isEmpty ? "No referral routes are recorded for these services yet." : nil)
        return render(spec, graph: graph, link: link)
    }

    /// Salford's Strengthening Families pathways A, B and C (003): the referrers, the three
    /// pathways and the transitions between them, from the shipped data. Nil when not imported.
    public static func salfordPathways(in graph: ServiceGraph, link: ServiceLink) -> Diagram? {
        let scope = ServiceGraph.AreaScope(graph, "salford")
        let focus = graph.sortedServices.filter { $0.name.hasPrefix("Strengthening Families") && scope.includes($0.areas) }.map(\.id)
        guard !focus.isEmpty else { return nil }
        return pathway(title: "Salford Strengthening Families: Pathways A, B and C", id: "pathway-salford-strengthening-families", focus: focus, in: graph, link: link)
    }

    /// The referral route into Infant Parent Support (IPS; 002) in every area that has it.
    public static func ipsReferralRoute(in graph: ServiceGraph, link: ServiceLink) -> Diagram? {
        let focus = graph.sortedServices.filter { $0.name.contains("(IPS)") || $0.name == "Infant Parent Support" }.map(\.id)
        guard !focus.isEmpty else { return nil }
        return pathway(title: "Referral route into Infant Parent Support (IPS)", id: "pathway-ips", focus: focus, in: graph, link: link)
    }

    /// Simple paths of service-to-service routes, shortest first, then by route ids.
    static func routePaths(from start: ServiceID, to goal: ServiceID, in graph: ServiceGraph, maxSteps: Int, maxPaths: Int) -> [[ReferralRoute]] {
        var results: [[ReferralRoute]] = []
        var outgoing: [ServiceID: [ReferralRoute]] = [:]
        for r in graph.sortedRoutes { if let s = sourceService(r) { outgoing[s, default: []].append(r) } }
        func walk(_ at: ServiceID, _ path: [ReferralRoute], _ visited: Set<ServiceID>) {
            if at == goal && !path.isEmpty { results.append(path); return }
            guard path.count < maxSteps, results.count < maxPaths * 8 else { return }
            for r in outgoing[at] ?? [] where !visited.contains(r.to) {
                walk(r.to, path + [r], visited.union([r.to]))
            }
        }
        walk(start, [], [start])
        return Array(results.sorted { ($0.count, $0.map(\.id).joined(separator: "|")) < ($1.count, $1.map(\.id).joined(separator: "|")) }.prefix(maxPaths))
    }

    static func sourceService(_ r: ReferralRoute) -> ServiceID? {
        if case .service(let s) = r.from { return s }
        return nil
    }

    // MARK: Nodes

    static func serviceNode(_ graph: ServiceGraph, _ id: ServiceID, key: String, layer: Int, link: ServiceLink, focus: Bool = false) -> Node {
        let service = graph.services[id]
        return Node(key: key, label: service?.name ?? id.rawValue, layer: layer, cluster: nil, href: service == nil ? nil : link(id),
                    isRole: false, sector: service.flatMap { graph.sector(of: $0) }, focus: focus,
                    statutory: service.map(graph.isStatutorySocialWork) ?? false)
    }

    static func referrerNode(_ graph: ServiceGraph, _ referrer: Referrer, key: String, layer: Int, link: ServiceLink) -> Node {
        switch referrer {
        case .role(let role):
            return Node(key: key, label: role.label, layer: layer, href: nil, isRole: true)
        case .service(let id):
            return serviceNode(graph, id, key: key, layer: layer, link: link)
        }
    }

    // MARK: Routes

    /// The words on an edge, when the line style alone would not say it.
    static func edgeLabel(_ route: ReferralRoute) -> String? {
        var parts: [String] = []
        switch route.kind {
        case .stepUp: parts.append("step up")
        case .stepDown: parts.append("step down")
        case .referral: break
        }
        switch route.mode {
        case .frontDoor: parts.append("via front door")
        case .courtDirected: parts.append("court-directed")
        case .hearingDirected: parts.append("hearing-directed")
        case .signposting: parts.append("signposting")
        case .selfReferral where route.from != .role(.self): parts.append("self-referral")
        default: break
        }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    static func stroke(_ route: ReferralRoute) -> (color: String, dash: String?, width: String, marker: String) {
        let color: String, marker: String
        switch route.kind {
        case .referral: (color, marker) = ("#4d4d4d", "arrow")
        case .stepUp: (color, marker) = ("#b2182b", "arrow-up")
        case .stepDown: (color, marker) = ("#2166ac", "arrow-down")
        }
        switch route.mode {
        case .professional: return (color, nil, "1.6", marker)
        case .selfReferral: return (color, "2 3", "1.6", marker)
        case .frontDoor: return (color, "7 4", "1.6", marker)
        case .courtDirected, .hearingDirected: return (color, "10 3 2 3", "2.4", marker)
        case .signposting: return (color, "1 5", "1.6", marker)
        }
    }

    // MARK: Rendering

    static let legendEntries: [(String, String, String?, String)] = [
        ("Professional referral", "#4d4d4d", nil, "arrow"), ("Self-referral", "#4d4d4d", "2 3", "arrow"),
        ("Via front door or hub", "#4d4d4d", "7 4", "arrow"), ("Court or hearing", "#4d4d4d", "10 3 2 3", "arrow"),
        ("Step up", "#b2182b", nil, "arrow-up"), ("Step down", "#2166ac", nil, "arrow-down"),
    ]
    static let nodeWidth = 172.0
    static let roleWidth = 136.0
    static let fontSize = 12.0
    static let lineHeight = 14.0

    static func render(_ spec: Spec, graph: ServiceGraph, link: ServiceLink) -> Diagram {
        let headerHeight = 58.0
        let margin = 16.0
        var wrapped: [String: [String]] = [:]
        var layoutNodes: [LayeredLayout.Node] = []
        for node in spec.nodes {
            let width = node.isRole ? roleWidth : nodeWidth
            let lines = TextMetrics.wrap(node.label, size: fontSize, maxWidth: width - 18, maxLines: 3, bold: node.focus)
            wrapped[node.key] = lines
            layoutNodes.append(.init(id: node.key, layer: node.layer, width: width, minHeight: Double(lines.count) * lineHeight + 14,
                                     cluster: node.cluster, sortKey: node.label))
        }
        var edgeIDs: [String] = []
        var layoutEdges: [LayeredLayout.Edge] = []
        for (i, r) in spec.routes.enumerated() {
            let id = "\(i)"
            edgeIDs.append(id)
            layoutEdges.append(.init(id: id, from: r.from, to: r.to, label: edgeLabel(r.route)))
        }
        var laneWidths: [Double] = []
        var laneSubtitles: [[String]] = []
        for lane in spec.lanes {
            let titleWidth = TextMetrics.width(lane.title, size: 13, bold: true)
            let subtitleWidth = max(titleWidth, nodeWidth)
            laneSubtitles.append(lane.subtitle.isEmpty ? [] : TextMetrics.wrap(lane.subtitle, size: 10, maxWidth: subtitleWidth, maxLines: 2))
            laneWidths.append(titleWidth)
        }
        var layout = LayeredLayout(nodes: layoutNodes, edges: layoutEdges, layerCount: spec.lanes.count)
        layout.minLayerWidth = laneWidths
        layout.top = margin + headerHeight + 10
        layout.left = margin + 14
        let result = layout.run()

        let legendTop = result.height + 24
        // Wide enough for the legend's row of line styles (the widest text in it).
        let legendWidth = 2 * margin + legendEntries.map { 36 + TextMetrics.width($0.0, size: 11) + 18 }.reduce(0, +)
        let width = max(result.width + margin, 760, legendWidth)
        let height = legendTop + 70 + (spec.note == nil ? 0 : 22)
        var w = SVGWriter()
        var marks: [DiagramMark] = []
        let hasLinks = spec.nodes.contains { $0.href != nil }
        openSVG(&w, id: spec.id, width: width, height: height, title: spec.title, summary: spec.summary, hasLinks: hasLinks)
        w.open("defs")
        for (name, color) in [("arrow", "#4d4d4d"), ("arrow-up", "#b2182b"), ("arrow-down", "#2166ac")] {
            w.open("marker", ["id": "\(spec.id)-\(name)", "viewBox": "0 0 10 10", "refX": "9", "refY": "5", "markerWidth": "7",
                              "markerHeight": "7", "orient": "auto-start-reverse"])
            w.empty("path", ["d": "M0,0 L10,5 L0,10 z", "fill": color])
            w.close("marker")
        }
        w.close("defs")
        w.newline()

        // Lanes.
        w.open("g", ["class": "lanes"])
        var thresholdDrawn = false
        for (l, lane) in spec.lanes.enumerated() where l < result.layerX.count {
            let lx = result.layerX[l]
            let nextX = l + 1 < result.layerX.count ? result.layerX[l + 1].x : width - margin + 12
            let x0 = l == 0 ? margin : lx.x - 14
            let x1 = nextX - 14
            let fill = lane.statutory ? "#fbefe8" : (l % 2 == 0 ? "#f2f5f9" : "#fafbfc")
            w.empty("rect", ["x": fmt(x0), "y": fmt(margin), "width": fmt(x1 - x0 - 2), "height": fmt(result.height - margin + 6), "fill": fill])
            marks.append(DiagramMark(kind: .region, key: "lane:\(l)", text: lane.title, rect: DiagramRect(x: x0, y: margin, width: x1 - x0 - 2, height: result.height - margin)))
            let titleW = TextMetrics.width(lane.title, size: 13, bold: true)
            w.element("text", ["x": fmt(lx.x), "y": fmt(margin + 18), "font-size": "13", "font-weight": "bold", "fill": "#1a1a1a"], text: lane.title)
            marks.append(DiagramMark(kind: .label, key: "lane-title:\(l)", text: lane.title, rect: DiagramRect(x: lx.x, y: margin + 6, width: titleW, height: 15)))
            for (i, line) in laneSubtitles[l].enumerated() {
                let fitted = TextMetrics.fit(line, size: 10, maxWidth: x1 - lx.x - 8)
                let y = margin + 34 + Double(i) * 12
                w.element("text", ["x": fmt(lx.x), "y": fmt(y), "font-size": "10", "fill": "#333333"], text: fitted)
                marks.append(DiagramMark(kind: .label, key: "lane-sub:\(l):\(i)", text: fitted,
                                         rect: DiagramRect(x: lx.x, y: y - 9, width: TextMetrics.width(fitted, size: 10), height: 11)))
            }
            if lane.statutory && !thresholdDrawn {
                thresholdDrawn = true
                w.empty("line", ["x1": fmt(x0 - 1), "y1": fmt(margin), "x2": fmt(x0 - 1), "y2": fmt(result.height + 6), "stroke": "#3b3b3b",
                                 "stroke-width": "2", "stroke-dasharray": "8 5", "class": "threshold"])
            }
        }
        w.close("g")
        w.newline()

        // Clusters.
        w.open("g", ["class": "clusters"])
        for cluster in result.clusters {
            let r = cluster.rect
            w.empty("rect", ["x": fmt(r.x), "y": fmt(r.y), "width": fmt(r.width), "height": fmt(r.height), "rx": "6", "fill": "#ffffff",
                             "fill-opacity": "0.6", "stroke": "#8a96a8", "stroke-dasharray": "3 2"])
            let text = TextMetrics.fit(cluster.name, size: 10, maxWidth: r.width - 10)
            w.element("text", ["x": fmt(r.x + 5), "y": fmt(r.y + 12), "font-size": "10", "font-style": "italic", "fill": "#333333"], text: text)
            marks.append(DiagramMark(kind: .label, key: "cluster:\(cluster.name):\(cluster.layer)", text: text,
                                     rect: DiagramRect(x: r.x + 5, y: r.y + 3, width: TextMetrics.width(text, size: 10), height: 11)))
        }
        w.close("g")
        w.newline()

        // Edges under nodes.
        w.open("g", ["class": "routes", "fill": "none"])
        for (i, r) in spec.routes.enumerated() {
            guard let points = result.edges[edgeIDs[i]] else { continue }
            let style = stroke(r.route)
            var d = ""
            for (k, p) in points.enumerated() { d += (k == 0 ? "M" : " L") + fmt(p.0) + "," + fmt(p.1) }
            var attributes: [(String, String)] = [("d", d), ("stroke", style.color), ("stroke-width", style.width),
                                                  ("marker-end", "url(#\(spec.id)-\(style.marker))"), ("data-route", r.route.id)]
            if let dash = style.dash { attributes.append(("stroke-dasharray", dash)) }
            w.open("path", attributes: attributes)
            w.element("title", text: routeSentence(r.route, graph: graph))
            w.close("path")
            let xs = points.map(\.0), ys = points.map(\.1)
            marks.append(DiagramMark(kind: .edge, key: r.route.id, text: "\(r.from)>\(r.to)",
                                     rect: DiagramRect(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!, height: ys.max()! - ys.min()!)))
        }
        w.close("g")
        w.open("g", ["class": "route-labels", "font-size": "10"])
        for (i, r) in spec.routes.enumerated() {
            guard let rect = result.labels[edgeIDs[i]], let text = edgeLabel(r.route) else { continue }
            let style = stroke(r.route)
            w.element("text", ["x": fmt(rect.x + 2), "y": fmt(rect.maxY - 3), "fill": style.color == "#4d4d4d" ? "#1a1a1a" : style.color,
                               "stroke": "#ffffff", "stroke-width": "3", "paint-order": "stroke"], text: text)
            marks.append(DiagramMark(kind: .label, key: "route-label:\(r.route.id)", text: text, rect: rect))
        }
        w.close("g")
        w.newline()

        // Nodes.
        w.open("g", ["class": "nodes", "font-size": fmt(fontSize)])
        for node in spec.nodes {
            guard let rect = result.nodes[node.key] else { continue }
            if let href = node.href { w.open("a", ["href": href]) }
            w.open("g", ["class": node.isRole ? "referrer" : "service", "data-node": node.key])
            w.element("title", text: node.label + (node.statutory ? " (statutory social work)" : ""))
            if node.isRole {
                w.empty("rect", ["x": fmt(rect.x), "y": fmt(rect.y), "width": fmt(rect.width), "height": fmt(rect.height), "rx": fmt(min(rect.height / 2, 16)),
                                 "fill": "#e8e8e8", "stroke": "#595959"])
            } else {
                w.empty("rect", ["x": fmt(rect.x), "y": fmt(rect.y), "width": fmt(rect.width), "height": fmt(rect.height), "rx": "3",
                                 "fill": "#ffffff", "stroke": node.focus ? "#1a1a1a" : "#595959", "stroke-width": node.focus ? "2.5" : "1",
                                 "stroke-dasharray": node.statutory ? "5 2" : ""])
                w.empty("rect", ["x": fmt(rect.x), "y": fmt(rect.y), "width": "6", "height": fmt(rect.height), "fill": Palette.sector(node.sector)])
            }
            let lines = wrapped[node.key] ?? [node.label]
            let textTop = rect.midY - Double(lines.count) * lineHeight / 2
            let tx = node.isRole ? rect.midX : rect.x + 12
            for (i, line) in lines.enumerated() {
                let y = textTop + Double(i + 1) * lineHeight - 3
                var attributes: KeyValuePairs<String, String> = ["x": fmt(tx), "y": fmt(y), "fill": "#1a1a1a"]
                if node.isRole { attributes = ["x": fmt(tx), "y": fmt(y), "fill": "#1a1a1a", "text-anchor": "middle"] }
                if node.focus { attributes = ["x": fmt(tx), "y": fmt(y), "fill": "#1a1a1a", "font-weight": "bold"] }
                w.element("text", attributes, text: line)
                let lw = TextMetrics.width(line, size: fontSize, bold: node.focus)
                marks.append(DiagramMark(kind: .label, key: "node-label:\(node.key):\(i)", text: line,
                                         rect: DiagramRect(x: node.isRole ? tx - lw / 2 : tx, y: y - 10, width: lw, height: 13), owner: node.key))
            }
            w.close("g")
            if node.href != nil { w.close("a") }
            marks.append(DiagramMark(kind: .node, key: node.key, text: node.label, rect: rect))
        }
        w.close("g")
        w.newline()

        // Legend.
        w.open("g", ["class": "legend", "font-size": "11", "fill": "#1a1a1a"])
        var lx = margin
        let ly = legendTop
        for (text, color, dash, marker) in legendEntries {
            var attributes: [(String, String)] = [("d", "M\(fmt(lx)),\(fmt(ly)) L\(fmt(lx + 30)),\(fmt(ly))"), ("stroke", color), ("stroke-width", "1.8"),
                                                  ("marker-end", "url(#\(spec.id)-\(marker))")]
            if let dash { attributes.append(("stroke-dasharray", dash)) }
            w.open("path", attributes: attributes)
            w.close("path")
            w.element("text", ["x": fmt(lx + 36), "y": fmt(ly + 4)], text: text)
            lx += 36 + TextMetrics.width(text, size: 11) + 18
        }
        w.empty("rect", ["x": fmt(margin), "y": fmt(ly + 18), "width": "30", "height": "16", "fill": "#ffffff", "stroke": "#595959", "stroke-dasharray": "5 2"])
        w.element("text", ["x": fmt(margin + 36), "y": fmt(ly + 30)], text: "Statutory social work service (dashed box); coloured bar = sector; shaded lanes = statutory levels")
        if let note = spec.note {
            w.element("text", ["x": fmt(margin), "y": fmt(ly + 56), "font-weight": "bold"], text: note)
        }
        if !result.droppedLabels.isEmpty {
            w.element("text", ["x": fmt(width - margin), "y": fmt(ly + 56), "text-anchor": "end", "font-size": "10"],
                      text: "Some route labels were left off for space: see the table.")
        }
        w.close("g")
        w.close("svg")

        return Diagram(id: spec.id, title: spec.title, summary: spec.summary, svg: w.out,
                       textEquivalent: routeTable(spec, graph: graph, link: link), marks: marks, width: width, height: height)
    }

    static func referrerName(_ referrer: Referrer, graph: ServiceGraph) -> String {
        switch referrer {
        case .role(let role): role.label
        case .service(let id): graph.services[id]?.name ?? id.rawValue
        }
    }

    static func routeSentence(_ route: ReferralRoute, graph: ServiceGraph) -> String {
        var text = "\(referrerName(route.from, graph: graph)) → \(graph.services[route.to]?.name ?? route.to.rawValue): \(route.mode.label.lowercased())"
        if route.kind != .referral { text += ", \(route.kind == .stepUp ? "step up" : "step down")" }
        if let c = route.conditions, !c.isEmpty { text += " (\(c))" }
        return text
    }

    /// The same routes as a table: from, to, how, step, conditions.
    static func routeTable(_ spec: Spec, graph: ServiceGraph, link: ServiceLink) -> String {
        func cell(_ referrer: Referrer) -> String {
            let name = XMLEscape.text(referrerName(referrer, graph: graph))
            if case .service(let id) = referrer, graph.services[id] != nil, let href = link(id) { return "<a href=\"\(XMLEscape.text(href))\">\(name)</a>" }
            return name
        }
        var out = "<table class=\"diagram-table\">\n<caption>\(XMLEscape.text(spec.title))</caption>\n"
        out += "<thead><tr><th scope=\"col\">From</th><th scope=\"col\">To</th><th scope=\"col\">How</th><th scope=\"col\">Step</th><th scope=\"col\">Conditions</th></tr></thead>\n<tbody>\n"
        for r in spec.routes {
            let step = r.route.kind == .referral ? "" : (r.route.kind == .stepUp ? "Step up" : "Step down")
            out += "<tr><td>\(cell(r.route.from))</td><td>\(cell(.service(r.route.to)))</td><td>\(XMLEscape.text(r.route.mode.label))</td>"
            out += "<td>\(step)</td><td>\(XMLEscape.text(r.route.conditions ?? ""))</td></tr>\n"
        }
        if spec.routes.isEmpty { out += "<tr><td colspan=\"5\">\(XMLEscape.text(spec.note ?? "No routes."))</td></tr>\n" }
        out += "</tbody>\n</table>"
        return out
    }
}
