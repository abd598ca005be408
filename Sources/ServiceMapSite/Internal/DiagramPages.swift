import Foundation
import ServiceMapCore

/// Puts the diagrams (Diagrams/) on the pages: an area's landscape and referral network, a
/// service's pathway, and the maps section (`maps/index.html`) with Scotland's tile maps and the
/// named pathways. Every link inside a picture is relative to the page it is drawn on, so the
/// site works from `file://` and under any path, like the rest of its links.
extension PageRenderer {
    static let mapsPath = "maps/index.html"

    /// What a page at `path` (relative to the site root) puts before a root-relative path.
    func root(of path: String) -> String {
        String(repeating: "../", count: path.split(separator: "/").count - 1)
    }

    /// Service pages, relative to the page at `path`.
    func serviceLink(from path: String) -> ServiceLink {
        let root = root(of: path)
        let context = self.context
        return { id in context.graph.services[id] == nil ? nil : root + context.servicePath(id) }
    }

    /// Area pages, relative to the page at `path`; nil for an area the directory does not hold.
    func areaLink(from path: String) -> (AreaCode) -> String? {
        let root = root(of: path)
        let context = self.context
        return { code in context.graph.areas[code] == nil ? nil : root + context.areaPath(code) }
    }

    // MARK: Area pages

    /// The landscape of the area (when it has services with a level of need) and its referral
    /// network (when routes are recorded between its services and their referrers).
    func areaDiagrams(_ code: AreaCode, path: String) -> [String: Any] {
        let link = serviceLink(from: path)
        var values: [String: Any] = [:]
        let count = context.servingCount[code] ?? 0
        // A picture of thousands of services is neither readable nor quick to lay out: past this,
        // the page says so and the lists, the coverage report and the service pages carry it.
        guard count <= Self.mostServicesToDraw, let services = context.servingToDraw[code] else {
            values["tooManyToDraw"] = "\(count) services work here: too many to draw as one readable picture. "
                + "The lists on this page, the coverage report and each service's own pathway show them."
            return values
        }
        if context.areasWithLandscape.contains(code) {
            values["landscape"] = LandscapeMap.diagram(of: code, in: graph, link: link, services: services).html
        }
        let network = ReferralDiagram.area(code, in: graph, link: link, services: services)
        if !network.edges.isEmpty {
            values["network"] = network.html
        }
        if !values.isEmpty { values["mapsHref"] = Self.mapsPath }
        return values.compacted
    }

    /// The most services an area's landscape and network are drawn for ("a real area: dozens").
    static let mostServicesToDraw = 150

    // MARK: Service pages

    /// Who refers in, where the service refers on, step up and step down; nil when no route is recorded.
    func servicePathway(_ service: Service, path: String) -> String? {
        let into = context.routesInto[service.id] ?? []
        let out = context.routesOutOf[service.id] ?? []
        guard !into.isEmpty || !out.isEmpty else { return nil }
        return ReferralDiagram.service(service.id, in: graph, routesIn: into, routesOut: out, link: serviceLink(from: path)).html
    }

    // MARK: The maps section

    /// The needs 004 maps board by board, each given its own tile map.
    static let mappedNeeds: [CategoryID] = ["perinatal-mental-health", "infant-mental-health"]

    func renderMaps() throws {
        // The maps page draws the directory's structure only, as the coverage pages count it.
        var kept = 0
        if let ledger = context.ledger, ledger.keepStep("maps", key: structureKey, folder: "maps", kept: &kept) {
            context.countPage(kept)
            return
        }
        let path = Self.mapsPath
        let link = serviceLink(from: path)
        let areaLink = areaLink(from: path)
        try page("maps", path: path, title: "Maps and pathways", kind: "maps") { v in
            v["breadcrumbs"] = breadcrumbs([("Home", "index.html")])
            var maps: [String: Any] = [:]
            // Scotland's tile maps, when the directory holds any of the places on them.
            let known = TileMap.Geography.allCases.contains { geography in geography.grid.contains { graph.areas[$0.0] != nil } }
            if known {
                maps["boards"] = TileMap.diagram(.healthBoards, coverage: .init(), in: graph, areaLink: areaLink).html
                maps["councils"] = TileMap.diagram(.councils, coverage: .init(), in: graph, areaLink: areaLink).html
                maps["needs"] = Self.mappedNeeds.compactMap { id -> [String: Any]? in
                    guard let category = graph.categories[id] else { return nil }
                    return ["name": category.name, "anchor": "need-\(id.rawValue)", "href": context.categoryPath(id),
                            "map": TileMap.diagram(.healthBoards, coverage: .init(category: id), in: graph, areaLink: areaLink).html]
                }
            }
            var pathways: [[String: Any]] = []
            if let salford = ReferralDiagram.salfordPathways(in: graph, link: link) {
                pathways.append(["anchor": "salford", "heading": "Salford: Strengthening Families pathways A, B and C",
                                 "intro": "The three Strengthening Families pathways (003), the people who refer into them and where families step up or down between them.",
                                 "diagram": salford.html])
            }
            if let ips = ReferralDiagram.ipsReferralRoute(in: graph, link: link) {
                pathways.append(["anchor": "ips", "heading": "The referral route into Infant Parent Support (IPS)",
                                 "intro": "Who refers families into Infant Parent Support (002), in every area that has it, and where it refers on.",
                                 "diagram": ips.html])
            }
            maps["pathways"] = pathways
            // Every area whose page carries a map, so the landscape of each is one click away.
            maps["areas"] = context.sortedAreas.filter { context.areasWithLandscape.contains($0.code) }.map { area -> [String: Any] in
                ["name": area.name, "kind": area.kind.label, "href": context.areaPath(area.code) + "#maps-heading"]
            }
            v["maps"] = maps.compacted
        }
    }
}
