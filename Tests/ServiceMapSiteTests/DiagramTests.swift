import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import ServiceMapCore
import ServiceMapImport
@testable import ServiceMapSite

/// The shipped Data/ imported once for all diagram tests.
enum DiagramData {
    static let dataFolder: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data").path

    static let graph: ServiceGraph = {
        let result = Importer().read([dataFolder])
        var assembler = GraphAssembler()
        assembler.add(result.fragment)
        return assembler.assemble().0
    }()

    static func link(_ id: ServiceID) -> String? { "../services/\(id.rawValue).html" }

    static func service(named name: String, in area: AreaCode) -> Service? {
        graph.sortedServices.first { $0.name == name && graph.serves($0.areas, within: area) }
    }
}

func expectNoOverlaps(_ diagram: Diagram, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let overlaps = diagram.overlappingLabels
    #expect(overlaps.isEmpty, "\(diagram.title): \(overlaps.prefix(5).map { "\($0.0.key) \($0.0.rect) × \($0.1.key) \($0.1.rect)" })",
            sourceLocation: sourceLocation)
}

/// Well-formedness via the XML parser, so escaping mistakes fail loudly.
func expectWellFormedXML(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    final class Delegate: NSObject, XMLParserDelegate {
        var error: Error?
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
    }
    let parser = XMLParser(data: Data(text.utf8))
    let delegate = Delegate()
    parser.delegate = delegate
    let ok = parser.parse()
    #expect(ok && delegate.error == nil, "not well-formed XML: \(String(describing: parser.parserError ?? delegate.error)) at line \(parser.lineNumber)",
            sourceLocation: sourceLocation)
}

@Suite("Diagrams: landscape map")
struct DiagramLandscapeTests {
    let graph = DiagramData.graph

    @Test(arguments: ["glasgow-city", "bromley", "salford"] as [AreaCode])
    func everyServiceOfTheAreaIsPlacedOnItsRings(area: AreaCode) throws {
        let diagram = LandscapeMap.diagram(of: area, in: graph, link: DiagramData.link)
        let services = LandscapeMap.services(of: area, in: graph).filter { !graph.rings(of: $0).isEmpty }
        #expect(services.count >= (area == "salford" ? 4 : 8))
        let placed = Set(diagram.nodes.map(\.key))
        #expect(placed == Set(services.map(\.id.rawValue)))
        // All seven rings are drawn, outermost Universal.
        let rings = diagram.marks.filter { $0.kind == .region && $0.key.hasPrefix("ring:") }
        #expect(rings.map(\.text) == ContinuumRing.allCases.map(\.name))
        #expect(rings.first!.rect.width > rings.last!.rect.width)
        // Each marker sits inside the annulus of the lowest ring its service works at.
        let cx = rings[0].rect.midX, cy = rings[0].rect.midY
        for service in services {
            let mark = try #require(diagram.nodes.first { $0.key == service.id.rawValue })
            let r = hypot(mark.rect.midX - cx, mark.rect.midY - cy)
            let lowest = graph.rings(of: service).first!
            #expect(r <= LandscapeMap.outer(lowest) && r >= LandscapeMap.outer(lowest) - LandscapeMap.ringWidth, "\(service.name) at r=\(r)")
        }
        expectNoOverlaps(diagram)
        expectWellFormedXML(diagram.svg)
        // Every mark links to its service page.
        for service in services { #expect(diagram.svg.contains("href=\"../services/\(service.id.rawValue).html\"")) }
    }

    @Test func deterministic() {
        let a = LandscapeMap.diagram(of: "glasgow-city", in: graph, link: DiagramData.link)
        let b = LandscapeMap.diagram(of: "glasgow-city", in: graph, link: DiagramData.link)
        #expect(a.svg == b.svg && a.textEquivalent == b.textEquivalent)
    }

    @Test func accessibleNameDescriptionAndTextEquivalent() {
        let d = LandscapeMap.diagram(of: "bromley", in: graph, link: DiagramData.link)
        #expect(d.svg.contains("aria-labelledby=\"\(d.id)-title \(d.id)-desc\""))
        #expect(d.svg.contains("<title id=\"\(d.id)-title\">"))
        #expect(d.svg.contains("<desc id=\"\(d.id)-desc\">"))
        for service in LandscapeMap.services(of: "bromley", in: graph) {
            #expect(d.textEquivalent.contains(XMLEscape.text(service.name)))
        }
        #expect(d.html.contains("<figure") && d.html.contains(d.textEquivalent))
    }
}

@Suite("Diagrams: referral pathways")
struct DiagramPathwayTests {
    let graph = DiagramData.graph

    func expectEdgesMatch(_ diagram: Diagram, _ routes: [ReferralRoute], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(Set(diagram.edges.map(\.key)) == Set(routes.map(\.id)), sourceLocation: sourceLocation)
        for route in routes { #expect(diagram.svg.contains("data-route=\"\(XMLEscape.text(route.id))\""), sourceLocation: sourceLocation) }
    }

    @Test(arguments: ["glasgow-city", "bromley", "salford"] as [AreaCode])
    func areaNetworkDrawsEveryStoredRouteOfTheArea(area: AreaCode) {
        let diagram = ReferralDiagram.area(area, in: graph, link: DiagramData.link)
        let scope = ServiceGraph.AreaScope(graph, area)
        let inArea = Set(graph.services.values.filter { scope.includes($0.areas) }.map(\.id))
        let expected = graph.sortedRoutes.filter { r in
            inArea.contains(r.to) && (ReferralDiagram.sourceService(r).map(inArea.contains) ?? true)
        }
        #expect(!expected.isEmpty)
        expectEdgesMatch(diagram, expected)
        expectNoOverlaps(diagram)
        expectWellFormedXML(diagram.svg)
        // Lanes run from referrers through the rings in order.
        let lanes = diagram.marks.filter { $0.kind == .region && $0.key.hasPrefix("lane:") }
        #expect(lanes.first?.text == "Referrers")
        let ringLanes = lanes.dropFirst().compactMap { ContinuumRing(parsing: $0.text) }
        #expect(ringLanes == ringLanes.sorted())
        #expect(zip(lanes, lanes.dropFirst()).allSatisfy { $0.rect.x < $1.rect.x })
    }

    @Test func bromleyNetworkPlacesServicesInTheLaneOfTheirLowestRing() throws {
        let diagram = ReferralDiagram.area("bromley", in: graph, link: DiagramData.link)
        let lanes = diagram.marks.filter { $0.kind == .region && $0.key.hasPrefix("lane:") }
        for node in diagram.nodes where node.key.hasPrefix("service:") {
            let service = try #require(graph.services[ServiceID(String(node.key.dropFirst(8)))])
            guard let lowest = graph.rings(of: service).first else { continue }
            let lane = try #require(lanes.first { $0.rect.x <= node.rect.x && node.rect.maxX <= $0.rect.maxX })
            #expect(lane.text == lowest.name, "\(service.name) in lane \(lane.text)")
        }
        for node in diagram.nodes where node.key.hasPrefix("role:") {
            #expect(node.rect.maxX <= lanes[0].rect.maxX)
        }
    }

    @Test func perServiceDiagramShowsRoutesInAndOut() throws {
        let hub = try #require(DiagramData.service(named: "Bromley Children and Families Hub", in: "bromley"))
        let diagram = ReferralDiagram.service(hub.id, in: graph, link: DiagramData.link)
        expectEdgesMatch(diagram, graph.routes(into: hub.id) + graph.routes(outOf: hub.id))
        #expect(diagram.svg.contains("step up"))
        expectNoOverlaps(diagram)
        expectWellFormedXML(diagram.svg)
    }

    @Test func everyServiceDiagramIsCleanOnTheShippedData() {
        for service in graph.sortedServices {
            let d = ReferralDiagram.service(service.id, in: graph, link: DiagramData.link)
            expectNoOverlaps(d)
            #expect(d.edges.count == graph.routes(into: service.id).count + graph.routes(outOf: service.id).count)
        }
    }

    @Test func salfordPathwaysABC() throws {
        let diagram = try #require(ReferralDiagram.salfordPathways(in: graph, link: DiagramData.link))
        for name in ["Pathway A", "Pathway B", "Pathway C"] {
            #expect(diagram.nodes.contains { $0.text.contains(name) }, "\(name) missing")
        }
        for role in ["GP", "Midwife", "Social worker"] { #expect(diagram.nodes.contains { $0.text == role }) }
        // B before C before A, left to right (003: B transitions to C; C to A on removal).
        func x(_ name: String) -> Double { diagram.nodes.first { $0.text.contains(name) }!.rect.x }
        #expect(x("Pathway B") < x("Pathway C") && x("Pathway C") < x("Pathway A"))
        expectNoOverlaps(diagram)
        expectWellFormedXML(diagram.svg)
    }

    @Test func ipsReferralRoute() throws {
        let diagram = try #require(ReferralDiagram.ipsReferralRoute(in: graph, link: DiagramData.link))
        let ips = graph.sortedServices.filter { $0.name.contains("(IPS)") }
        #expect(ips.count >= 2)
        expectEdgesMatch(diagram, ips.flatMap { graph.routes(into: $0.id) + graph.routes(outOf: $0.id) })
        expectNoOverlaps(diagram)
    }

    @Test func betweenTwoServicesFollowsTheShortestPath() throws {
        let sf = try #require(DiagramData.service(named: "Strengthening Families Pathway B (pre-birth)", in: "salford"))
        let a = try #require(DiagramData.service(named: "Strengthening Families Pathway A (post-proceedings)", in: "salford"))
        let diagram = ReferralDiagram.between(sf.id, a.id, in: graph, link: DiagramData.link)
        let shortest = try #require(ReferralNetwork(graph).shortestPath(from: sf.id, to: a.id))
        for route in shortest { #expect(diagram.edges.contains { $0.key == route.id }) }
        expectNoOverlaps(diagram)
        let none = ReferralDiagram.between(a.id, sf.id, in: graph, link: DiagramData.link)
        #expect(none.edges.isEmpty && none.summary.contains("No chain"))
    }

    @Test func deterministic() {
        let a = ReferralDiagram.area("glasgow-city", in: graph, link: DiagramData.link)
        let b = ReferralDiagram.area("glasgow-city", in: graph, link: DiagramData.link)
        #expect(a.svg == b.svg)
    }
}

@Suite("Diagrams: tile maps")
struct DiagramTileMapTests {
    let graph = DiagramData.graph

    @Test(arguments: TileMap.Geography.allCases)
    func everyAreaHasOneTileWithItsCount(geography: TileMap.Geography) {
        let coverage = TileMap.Coverage(category: "parenting", ring: .universal)
        let diagram = TileMap.diagram(geography, coverage: coverage, in: graph)
        let expected = geography == .healthBoards ? 14 : 32
        #expect(diagram.nodes.count == expected)
        let kind: AreaKind = geography == .healthBoards ? .healthBoard : .council
        #expect(Set(diagram.nodes.map(\.key)) == Set(graph.areas.values.filter { $0.kind == kind && graph.ancestors(of: $0.code).contains("scotland") }.map(\.code.rawValue)))
        for node in diagram.nodes {
            let n = TileMap.services(for: AreaCode(node.key), coverage: coverage, in: graph).count
            #expect(node.text == "\(n)")
        }
        #expect(diagram.nodes.contains { $0.text != "0" })
        expectNoOverlaps(diagram)
        expectWellFormedXML(diagram.svg)
        // Tiles sit on a grid: no two overlap.
        for (i, a) in diagram.nodes.enumerated() { for b in diagram.nodes[(i + 1)...] { #expect(!a.rect.overlaps(b.rect)) } }
    }

    @Test func paletteTextContrastIsAtLeastAA() {
        for colour in Palette.sequential + [Palette.sector(.health), Palette.sector(.socialWork), Palette.sector(.justice),
                                            Palette.sector(.thirdSector), Palette.sector(.educationAndEarlyYears)] {
            #expect(Palette.contrast(colour, Palette.text(on: colour)) >= 4.5, "\(colour)")
        }
    }
}

@Suite("Diagrams: escaping and layout engine")
struct DiagramEscapingTests {
    static func hostile() -> ServiceGraph {
        var g = ServiceGraph.empty
        g.areas["x"] = Area(code: "x", name: "X <script>alert(1)</script>", kind: .council)
        g.levels["x-1"] = LevelOfNeed(id: "x-1", area: "x", name: "L1 & \"quoted\"", order: 1, ring: .universal)
        g.levels["x-3"] = LevelOfNeed(id: "x-3", area: "x", name: "L3", order: 2, ring: .childInNeed)
        g.services["a"] = Service(id: "a", name: "<script>alert('a')</script> & \"Co\"", areas: ["x"], levels: ["x-1"], sector: .thirdSector)
        g.services["b"] = Service(id: "b", name: "B ]]> \u{1} –", areas: ["x"], levels: ["x-3"], sector: .socialWork)
        g.insert(ReferralRoute(from: .role("o'brien"), to: "a", mode: .selfReferral, conditions: "<b>&"))
        g.insert(ReferralRoute(from: .service("a"), to: "b", mode: .frontDoor, kind: .stepUp))
        g.insert(ReferralRoute(from: .service("b"), to: "a", mode: .professional, kind: .stepDown))
        return g
    }

    @Test func namesAreEscapedInEverySVG() {
        let g = Self.hostile()
        let link: ServiceLink = { "x.html?id=\($0.rawValue)&q=\"" }
        for d in [LandscapeMap.diagram(of: "x", in: g, link: link), ReferralDiagram.area("x", in: g, link: link),
                  ReferralDiagram.service("a", in: g, link: link), ReferralDiagram.between("a", "b", in: g, link: link)] {
            #expect(!d.svg.contains("<script"))
            #expect(!d.textEquivalent.contains("<script"))
            expectWellFormedXML(d.svg)
            expectWellFormedXML("<div>" + d.textEquivalent + "</div>")
        }
    }

    @Test func layoutReducesCrossings() {
        // Two columns wired crosswise in initial (alphabetical) order: a→z, b→y, c→x.
        var layout = LayeredLayout(
            nodes: [("a", 0), ("b", 0), ("c", 0), ("x", 1), ("y", 1), ("z", 1)].map { .init(id: $0.0, layer: $0.1, width: 80, minHeight: 30, cluster: nil, sortKey: $0.0) },
            edges: [("a", "z"), ("b", "y"), ("c", "x")].map { .init(id: $0.0 + $0.1, from: $0.0, to: $0.1, label: nil) }, layerCount: 2)
        layout.top = 0
        let result = layout.run()
        #expect(result.crossings == 0)
        for (id, points) in result.edges {
            // Orthogonal: every segment horizontal or vertical.
            for (p, q) in zip(points, points.dropFirst()) { #expect(abs(p.0 - q.0) < 0.01 || abs(p.1 - q.1) < 0.01, "\(id)") }
        }
    }

    @Test func longEdgesPassBetweenNodes() {
        let nodes: [LayeredLayout.Node] = [("s", 0), ("m1", 1), ("m2", 1), ("m3", 1), ("t", 2)].map {
            .init(id: $0.0, layer: $0.1, width: 100, minHeight: 40, cluster: nil, sortKey: $0.0)
        }
        let edges: [LayeredLayout.Edge] = [.init(id: "st", from: "s", to: "t", label: "long"), .init(id: "sm2", from: "s", to: "m2", label: nil)]
        let result = LayeredLayout(nodes: nodes, edges: edges, layerCount: 3).run()
        let points = result.edges["st"]!
        for (p, q) in zip(points, points.dropFirst()) {
            let seg = DiagramRect(x: min(p.0, q.0), y: min(p.1, q.1), width: max(abs(p.0 - q.0), 0.02), height: max(abs(p.1 - q.1), 0.02))
            for id in ["m1", "m2", "m3"] { #expect(!seg.overlaps(result.nodes[id]!), "segment \(seg) crosses \(id)") }
        }
    }
}

@Suite("Diagrams: preview page")
struct DiagramPreviewTests {
    /// With DIAGRAM_PREVIEW=/path/page.html set, writes the pictures the issue asks to look at
    /// (Glasgow landscape, Bromley network, Scotland tile maps, Salford, IPS) into one page for
    /// a headless-browser screenshot.
    @Test func writesPreviewWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["DIAGRAM_PREVIEW"] else { return }
        let g = DiagramData.graph
        let only = ProcessInfo.processInfo.environment["DIAGRAM_ONLY"] ?? ""
        var diagrams: [(String, Diagram)] = [
            ("glasgow", LandscapeMap.diagram(of: "glasgow-city", in: g, link: DiagramData.link)),
            ("bromley", ReferralDiagram.area("bromley", in: g, link: DiagramData.link)),
            ("boards", TileMap.diagram(.healthBoards, coverage: .init(category: "parenting"), in: g)),
            ("councils", TileMap.diagram(.councils, coverage: .init(category: "perinatal-mental-health"), in: g)),
            ("glasgow-network", ReferralDiagram.area("glasgow-city", in: g, link: DiagramData.link)),
        ]
        if let s = ReferralDiagram.salfordPathways(in: g, link: DiagramData.link) { diagrams.append(("salford", s)) }
        if let s = ReferralDiagram.ipsReferralRoute(in: g, link: DiagramData.link) { diagrams.append(("ips", s)) }
        if let hub = DiagramData.service(named: "Bromley Children and Families Hub", in: "bromley") {
            diagrams.append(("hub", ReferralDiagram.service(hub.id, in: g, link: DiagramData.link)))
        }
        var html = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Diagrams</title>"
        html += "<style>body{font-family:Arial,sans-serif;margin:12px} table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #ccc;padding:2px 6px}</style><body>"
        for (key, d) in diagrams where only.isEmpty || only == key { html += d.html }
        html += "</body></html>"
        try html.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
