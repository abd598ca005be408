import Foundation
import Testing
import ServiceMapCore
@testable import ServiceMapSite

/// The diagrams on the pages of a built site (issue 6): the landscape and referral network on
/// area pages, the pathway on service pages, and the maps section.
@Suite("Diagrams on the pages")
struct DiagramPagesTests {
    /// The shipped Data/ built into a site once for the suite.
    static let shipped: [String: Data] = {
        let out = SiteFixtures.temporaryFolder("shipped")
        _ = try? SiteFixtures.build(DiagramData.graph, into: out, options: SiteOptions())
        return SiteFixtures.files(in: out)
    }()

    static let family: [String: Data] = {
        let out = SiteFixtures.temporaryFolder("family")
        _ = try? SiteFixtures.build(SiteFixtures.family(), into: out)
        return SiteFixtures.files(in: out)
    }()

    /// The file names the site gives services (ids that are not plain slugs are hashed).
    static let serviceStem = SiteContext.stems(DiagramData.graph.services.keys.map(\.rawValue))

    func servicePage(_ id: ServiceID) -> String { "services/\(Self.serviceStem[id.rawValue] ?? id.rawValue).html" }

    func text(_ files: [String: Data], _ path: String) -> String {
        files[path].map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The `<svg …>…</svg>` whose id is `id`, or "".
    func svg(_ html: String, id: String) -> String {
        guard let start = html.range(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\"") else { return "" }
        guard let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else { return "" }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// Every `<figure class="diagram">` on the page, as (svg, text equivalent).
    func figures(_ html: String) -> [(id: String, svg: String, text: String)] {
        var result: [(String, String, String)] = []
        var rest = html[...]
        while let open = rest.range(of: "<figure class=\"diagram\" id=\"") {
            guard let close = rest.range(of: "</figure>", range: open.upperBound..<rest.endIndex) else { break }
            let figure = String(rest[open.lowerBound..<close.upperBound])
            let id = String(rest[open.upperBound...].prefix { $0 != "\"" }.dropLast("-figure".count))
            let svgPart = figure.range(of: "<svg").flatMap { s in figure.range(of: "</svg>").map { String(figure[s.lowerBound..<$0.upperBound]) } } ?? ""
            let textPart = figure.range(of: "<details class=\"diagram-text\"").map { String(figure[$0.lowerBound...]) } ?? ""
            result.append((id, svgPart, textPart))
            rest = rest[close.upperBound...]
        }
        return result
    }

    func count(_ needle: String, in haystack: String) -> Int {
        haystack.components(separatedBy: needle).count - 1
    }

    /// Every diagram on a page is named and described, and has a table beside it.
    func expectAccessibleFigures(_ html: String, atLeast minimum: Int, _ page: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let all = figures(html)
        #expect(all.count >= minimum, "\(page): \(all.count) diagrams", sourceLocation: sourceLocation)
        for figure in all {
            #expect(figure.svg.contains("aria-labelledby=\"\(figure.id)-title \(figure.id)-desc\""), "\(page) \(figure.id)", sourceLocation: sourceLocation)
            #expect(figure.svg.contains("<title id=\"\(figure.id)-title\">"), "\(page) \(figure.id): no <title>", sourceLocation: sourceLocation)
            #expect(figure.svg.contains("<desc id=\"\(figure.id)-desc\">"), "\(page) \(figure.id): no <desc>", sourceLocation: sourceLocation)
            #expect(figure.text.contains("<table class=\"diagram-table\">") && figure.text.contains("<tbody>"),
                    "\(page) \(figure.id): no text equivalent", sourceLocation: sourceLocation)
            expectWellFormedXML(figure.svg, sourceLocation: sourceLocation)
        }
        let ids = all.map(\.id)
        #expect(Set(ids).count == ids.count, "\(page): duplicate diagram ids \(ids)", sourceLocation: sourceLocation)
    }

    // MARK: Area pages

    @Test(arguments: ["glasgow-city", "bromley", "salford"] as [AreaCode])
    func areaPageHasTheLandscapeWithEveryServiceOfTheArea(area: AreaCode) throws {
        let graph = DiagramData.graph
        let html = text(Self.shipped, "areas/\(area.rawValue).html")
        let landscape = svg(html, id: "landscape-\(area.rawValue)")
        #expect(!landscape.isEmpty, "no landscape on areas/\(area).html")
        let services = LandscapeMap.services(of: area, in: graph).filter { !graph.rings(of: $0).isEmpty }
        #expect(services.count >= 4)
        for service in services {
            #expect(landscape.contains("data-service=\"\(XMLEscape.text(service.id.rawValue))\""),"\(service.id) not on the map of \(area)")
            // Linked relative to the area page, which is one folder down.
            #expect(landscape.contains("<a href=\"../\(servicePage(service.id))\""), "\(service.id) not linked from the map of \(area)")
        }
        // The seven rings.
        #expect(count("<circle cx=", in: landscape.components(separatedBy: "<g class=\"spans\"").first ?? "") >= 7)
        // And the area's referral network, its edges the stored routes.
        let network = svg(html, id: "network-\(area.rawValue)")
        #expect(!network.isEmpty, "no referral network on areas/\(area).html")
        let expected = ReferralDiagram.area(area, in: graph, link: DiagramData.link).edges.map(\.key)
        #expect(!expected.isEmpty)
        for route in expected { #expect(network.contains("data-route=\"\(XMLEscape.text(route))\""), "route \(route) missing") }
        expectAccessibleFigures(html, atLeast: 2, "areas/\(area).html")
        #expect(html.contains("<h2 id=\"maps-heading\">"))
    }

    @Test func familyAreaPagesDrawOnlyWhatTheyHave() throws {
        let glasgow = text(Self.family, "areas/glasgow-city.html")
        let landscape = svg(glasgow, id: "landscape-glasgow-city")
        for id in ["home-start-glasgow", "money-advice-glasgow", "refuge-glasgow", "perinatal-mh-ggc"] {
            #expect(landscape.contains("data-service=\"\(id)\""), "\(id) not on Glasgow's map")
        }
        #expect(!landscape.contains("closed-service"), "a closed service is on the map")
        #expect(!landscape.contains("bromley"))
        expectAccessibleFigures(glasgow, atLeast: 2, "areas/glasgow-city.html")
        // The network of Bromley: the step up and the step down between its two services.
        let bromley = svg(text(Self.family, "areas/bromley.html"), id: "network-bromley")
        #expect(bromley.contains("Step up") || bromley.contains("step up"))
        #expect(bromley.contains("<a href=\"../services/bromley-csc.html\""))
    }

    @Test func anAreaWithNoServicesHasNoMaps() throws {
        var graph = SiteFixtures.family()
        graph.areas["shetland-islands"] = Area(code: "shetland-islands", name: "Shetland Islands", kind: .council, parent: "scotland")
        let out = SiteFixtures.temporaryFolder()
        _ = try SiteFixtures.build(graph, into: out)
        let shetland = String(decoding: try Data(contentsOf: out.appendingPathComponent("areas/shetland-islands.html")), as: UTF8.self)
        #expect(shetland.contains("<h1>Shetland Islands</h1>"))
        #expect(!shetland.contains("maps-heading"))
        #expect(figures(shetland).isEmpty)
    }

    // MARK: Service pages

    @Test func servicePageHasItsPathwayWithItsRoutes() throws {
        let graph = DiagramData.graph
        // Every shipped service with a route: the diagram is there, with each route.
        var checked = 0
        for service in graph.sortedServices {
            let routes = graph.routes(into: service.id) + graph.routes(outOf: service.id)
            let html = text(Self.shipped, servicePage(service.id))
            #expect(!html.isEmpty, "no page for \(service.id)")
            let id = domID("pathway-service-" + service.id.rawValue)
            if routes.isEmpty {
                #expect(!html.contains("pathway-heading"), "\(service.id) has no routes but a pathway")
                continue
            }
            let pathway = svg(html, id: id)
            #expect(!pathway.isEmpty, "no pathway on the page of \(service.id)")
            for route in routes {
                #expect(pathway.contains("data-route=\"\(XMLEscape.text(route.id))\""), "\(service.id): route \(route.id) missing")
            }
            checked += 1
            if checked <= 5 { expectAccessibleFigures(html, atLeast: 1, "services/\(service.id).html") }
        }
        #expect(checked >= 20)
    }

    @Test func familyServicePathwayLinksRelativeToThePage() throws {
        let hubs = text(Self.family, "services/bromley-family-hubs.html")
        let pathway = svg(hubs, id: "pathway-service-bromley-family-hubs")
        #expect(pathway.contains("<a href=\"../services/bromley-csc.html\""))
        #expect(pathway.contains("Health visitor"))
        let table = figures(hubs).first?.text ?? ""
        #expect(table.contains("Step up") && table.contains("Step down"))
        // A service with no recorded route gets no empty picture.
        let closed = text(Self.family, "services/closed-service.html")
        #expect(!closed.contains("pathway-heading"))
    }

    // MARK: The maps section

    @Test func mapsPageHasTheTileMapsAndPathways() throws {
        let html = text(Self.shipped, "maps/index.html")
        #expect(html.contains("<h1>Maps and pathways</h1>"))
        let boards = svg(html, id: "tiles-health-boards-all-all")
        #expect(count("<g class=\"tile\"", in: boards) == 14)
        let councils = svg(html, id: "tiles-councils-all-all")
        #expect(count("<g class=\"tile\"", in: councils) == 32)
        for need in ["perinatal-mental-health", "infant-mental-health"] {
            let map = svg(html, id: "tiles-health-boards-\(need)-all")
            #expect(count("<g class=\"tile\"", in: map) == 14, "no tile map for \(need)")
        }
        // Tiles link to area pages, relative to maps/.
        #expect(boards.contains("<a href=\"../areas/nhs-greater-glasgow-and-clyde.html\""))
        #expect(!svg(html, id: "pathway-salford-strengthening-families").isEmpty)
        #expect(!svg(html, id: "pathway-ips").isEmpty)
        #expect(html.contains("href=\"../areas/glasgow-city.html#maps-heading\""))
        expectAccessibleFigures(html, atLeast: 6, "maps/index.html")
        // In the navigation of every page, relative to it.
        #expect(text(Self.shipped, "index.html").contains("<a href=\"maps/index.html\">Maps</a>"))
        #expect(text(Self.shipped, "areas/bromley.html").contains("<a href=\"../maps/index.html\">Maps</a>"))
        #expect(text(Self.shipped, "sitemap.xml").contains("<loc>maps/index.html</loc>"))
    }

    @Test func familyMapsPageHasFourteenBoardTiles() throws {
        let html = text(Self.family, "maps/index.html")
        let boards = svg(html, id: "tiles-health-boards-all-all")
        #expect(count("<g class=\"tile\"", in: boards) == 14)
        // Only Greater Glasgow and Clyde is in the fixture: the one tile that links.
        #expect(count("<a href=", in: boards) == 1)
        // No Salford or IPS services in the fixture: no pathway pictures, no empty ones.
        #expect(!html.contains("pathway-salford"))
        expectAccessibleFigures(html, atLeast: 4, "maps/index.html")
    }

    // MARK: Safety and determinism

    @Test func hostileTextIsEscapedInEveryDiagram() throws {
        let out = SiteFixtures.temporaryFolder()
        _ = try SiteFixtures.build(SiteFixtures.hostile(), into: out)
        let files = SiteFixtures.files(in: out)
        let glasgow = text(files, "areas/glasgow-city.html")
        #expect(!glasgow.contains("<script>alert"))
        // The hostile service has no level of need: it is listed in the landscape's table, escaped.
        let landscape = figures(glasgow).first { $0.id == "landscape-glasgow-city" }
        #expect(landscape?.text.contains("&lt;script&gt;alert(") == true)
        for (path, data) in files where path.hasSuffix(".html") {
            let html = String(decoding: data, as: UTF8.self)
            #expect(!html.contains("<script>alert"), "\(path)")
            #expect(!html.contains("<img src=x onerror"), "\(path)")
            for figure in figures(html) { expectWellFormedXML(figure.svg) }
        }
    }

    @Test func diagramsAreTheSameOnEveryBuild() throws {
        let a = SiteFixtures.temporaryFolder("a"), b = SiteFixtures.temporaryFolder("b")
        _ = try SiteFixtures.build(DiagramData.graph, into: a, options: SiteOptions())
        _ = try SiteFixtures.build(DiagramData.graph, into: b, options: SiteOptions(parallelism: 1))
        let first = SiteFixtures.files(in: a), second = SiteFixtures.files(in: b)
        #expect(first.keys.sorted() == second.keys.sorted())
        for (path, data) in first where path.hasPrefix("areas/") || path.hasPrefix("maps/") || path.hasPrefix("services/") {
            #expect(second[path] == data, "\(path) differs")
        }
    }
}

@Suite("Areas too large to draw")
struct LargeAreaDiagramTests {
    @Test func anAreaWithHundredsOfServicesSaysSoInsteadOfDrawing() throws {
        var graph = ServiceGraph.empty
        graph.areas["big"] = Area(code: "big", name: "Big Council", kind: .council)
        graph.levels["big-1"] = LevelOfNeed(id: "big-1", area: "big", name: "Universal", order: 1, ring: .universal)
        for i in 0..<(PageRenderer.mostServicesToDraw + 1) {
            let id = ServiceID("synthetic-\(i)")
            graph.services[id] = Service(id: id, name: "Synthetic service \(i)", areas: ["big"], levels: ["big-1"])
            graph.insert(ReferralRoute(from: .role(.gp), to: id, mode: .professional))
        }
        let out = SiteFixtures.temporaryFolder("large-area")
        defer { try? FileManager.default.removeItem(at: out) }
        try SiteFixtures.build(graph, into: out)
        let page = try String(contentsOf: out.appendingPathComponent("areas/big.html"), encoding: .utf8)
        #expect(page.contains("\(PageRenderer.mostServicesToDraw + 1) services work here: too many to draw"))
        #expect(!page.contains("<svg"))
    }
}
