import Foundation
import ServiceMapCore

/// Renders pages from the graph through the theme's templates and writes each to disk as soon as
/// it is made, so memory stays flat however many services there are.
struct PageRenderer {
    let context: SiteContext
    var graph: ServiceGraph { context.graph }

    init(_ context: SiteContext) { self.context = context }

    // MARK: Parallel rendering

    /// Runs `body` for every index in `0..<count` across all cores, in chunks; rethrows the first error.
    func parallel(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        guard count > 0 else { return }
        let workers = max(1, context.options.parallelism ?? ProcessInfo.processInfo.activeProcessorCount)
        let chunks = min(count, workers * 8)
        let failure = FirstError()
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            for index in start..<end {
                if failure.isSet { return }
                do { try body(index) } catch { failure.set(error) }
            }
        }
        if let error = failure.error { throw error }
    }

    /// Renders one page: its own template, then the layout frame around it. The frame depends
    /// only on the kind of page and its depth, so it is rendered once and reused (SiteContext.frame).
    ///
    /// `inputs`, when given, fingerprints everything the page is made from (a service page's key):
    /// a rebuild that finds the same fingerprint keeps the page without filling in its values.
    func page(_ template: String, path: String, title: String, kind: String, inputs: Fingerprint? = nil,
              _ fill: (inout [String: Any]) -> Void) throws {
        if let inputs, let ledger = context.ledger, ledger.keepPage(path, inputs: inputs) {
            context.countPage()
            return
        }
        let depth = path.split(separator: "/").count - 1
        let root = String(repeating: "../", count: depth)
        var values: [String: Any] = [
            "root": root, "title": title, "siteTitle": context.options.title, "tagline": context.options.tagline,
            "pageKind": kind, "isHome": kind == "home",
        ]
        fill(&values)
        let typed = TemplateValue.compacting(values)
        // Incremental builds: the same template and values render the same page, already on disk.
        if inputs == nil, let ledger = context.ledger, ledger.keepPage(path, template: template, values: typed) {
            context.countPage()
            return
        }
        let hasCrumbs = values["breadcrumbs"] != nil
        let frame = context.frame(kind: kind, root: root) {
            var shell: [String: Any] = [
                "root": root, "siteTitle": context.options.title, "tagline": context.options.tagline, "pageKind": kind,
                "isHome": kind == "home", "title": Theme.titleMarker, "breadcrumbs": Theme.breadcrumbsMarker,
                "content": Theme.contentMarker,
            ]
            shell = shell.compacted
            return context.theme.render("layout", shell)
        }
        // The page is assembled as bytes: the frame's text, and the templates rendered in place.
        var html: [UInt8] = []
        html.reserveCapacity(16384)
        for part in frame {
            switch part {
            case .text(let text): html.append(contentsOf: text)
            case .title: html.append(contentsOf: Escape.html(title).utf8)
            case .breadcrumbs: if hasCrumbs { context.theme.render("breadcrumbs", typed, into: &html) }
            case .content: context.theme.render(template, typed, into: &html)
            }
        }
        try context.write(bytes: html, to: path)
        context.countPage()
    }

    // MARK: Shared pieces

    func serviceItem(_ service: Service) -> [String: Any] {
        var item: [String: Any] = ["name": service.name, "href": context.servicePath(service.id)]
        item["orgName"] = service.organisation.flatMap { graph.organisations[$0]?.name }
        item["summary"] = Summary.firstSentence(SafeMarkdown.plain(service.description))
        item["ages"] = service.ages?.description
        if (context.routesInto[service.id] ?? []).contains(where: { $0.from == .role(.self) }) { item["selfReferral"] = true }
        let rings = graph.rings(of: service)
        if let lowest = rings.first, !lowest.isStatutory { item["belowThreshold"] = true }
        if graph.isStatutorySocialWork(service) { item["itemStatutory"] = true }
        if service.status == .closed { item["closed"] = true }
        return item.compacted
    }

    /// The rendered items of a list of services (for pages one folder deep), joined. Each item
    /// is rendered once, with its service page, or when a list first needs it (a rebuild that
    /// kept the service's page did not render it).
    func list(_ positions: ArraySlice<Int>) -> String {
        var html = ""
        for position in positions { html += listItem(at: position) }
        return html
    }

    func listItem(at position: Int) -> String {
        let known = context.listItems.get(position)
        if !known.isEmpty { return known }
        let html = renderListItem(context.servicesByName[position])
        context.listItems.set(position, html)
        return html
    }

    func renderListItem(_ service: Service) -> String {
        var values = serviceItem(service)
        values["root"] = "../"
        return context.theme.render("service-item", values)
    }

    /// The services' keys (ServiceKeys), worked out once per build.
    var serviceKeys: ServiceKeys {
        context.serviceKeys.value {
            ServiceKeys(context, parallelism: context.options.parallelism ?? ProcessInfo.processInfo.activeProcessorCount)
        }
    }

    func areaLink(_ code: AreaCode) -> [String: Any] {
        ["name": graph.areas[code]?.name ?? code.rawValue, "href": graph.areas[code] == nil ? "" : context.areaPath(code)]
            .compacted
    }

    func breadcrumbs(_ items: [(String, String)]) -> [[String: Any]] {
        items.map { ["label": $0.0, "href": $0.1] }
    }

    func referrerLabel(_ referrer: Referrer) -> (String, String?) {
        switch referrer {
        case .role(let role): return (role.label, nil)
        case .service(let id):
            return (graph.services[id]?.name ?? id.rawValue, graph.services[id] == nil ? nil : context.servicePath(id))
        }
    }

    // MARK: Service pages

    func renderServices() throws {
        let services = context.servicesByName
        let items = context.listItems
        let keys = serviceKeys
        try parallel(services.count) { index in
            let service = services[index]
            // A page kept by a rebuild leaves its list item to be rendered if a list needs it.
            if try renderService(service, inputs: keys[index]) {
                items.set(index, renderListItem(service))
            }
        }
    }

    /// Renders the service's page; false when a rebuild kept the page as it was.
    @discardableResult
    func renderService(_ service: Service, inputs: Fingerprint) throws -> Bool {
        let path = context.servicePath(service.id)
        var rendered = false
        try page("service", path: path, title: service.name, kind: "service", inputs: inputs) { v in
            rendered = true
            v["breadcrumbs"] = breadcrumbs([("Home", "index.html"), ("A to Z", "a-z/index.html")])
            // Top-level values: Mustache looks names up level by level, so flatter is faster.
            addServiceValues(service, to: &v)
            v["pathway"] = servicePathway(service, path: path)
        }
        return rendered
    }

    /// A service's facts, added to its page's values (no key of theirs is one the page sets).
    func addServiceValues(_ service: Service, to s: inout [String: Any]) {
        s["name"] = service.name
        s["stem"] = context.serviceStem[service.id] ?? ""
        if let org = service.organisation {
            s["organisation"] = ["name": graph.organisations[org]?.name ?? org.rawValue,
                                 "href": graph.organisations[org] == nil ? "" : context.organisationPath(org)].compacted
        }
        switch service.status {
        case .active: break
        case .pilot: s["status"] = "This service is a pilot: check it is running before you refer."
        case .inactive: s["status"] = "This service is not running at the moment."
        case .closed: s["status"] = "This service has closed."
        }
        s["description"] = SafeMarkdown.blocks(service.description)
        s["sector"] = graph.sector(of: service)?.label
        s["ages"] = service.ages?.description
        s["categories"] = service.categories.map { id in
            ["name": graph.categories[id]?.name ?? id.rawValue, "href": graph.categories[id] == nil ? "" : context.categoryPath(id)]
                .compacted
        }
        s["areas"] = service.areas.map(areaLink)
        s["levels"] = service.levels.map { id -> [String: Any] in
            guard let level = graph.levels[id] else { return ["name": id.rawValue] }
            var l: [String: Any] = ["name": level.name, "href": context.levelPath(id), "area": graph.areas[level.area]?.name ?? level.area.rawValue]
            if let ring = level.ring {
                l["ring"] = ring.name
                l["ringHref"] = context.ringPath(ring)
                if ring.isStatutory { l["statutory"] = true }
            }
            return l
        }
        if graph.worksBelowStatutory(service) { s["belowThreshold"] = true }
        if graph.isStatutorySocialWork(service) { s["statutory"] = true }
        s["requires"] = service.eligibility.filter { $0.effect == .requires }.map(\.description)
        s["excludes"] = service.eligibility.filter { $0.effect == .excludes }.map(\.description)
        s["howToRefer"] = service.howToRefer.map(Summary.paragraphs)
        let into = context.routesInto[service.id] ?? []
        if into.contains(where: { $0.from == .role(.self) }) { s["selfReferral"] = true }
        s["routesIn"] = into.map { route -> [String: Any] in
            let (label, href) = referrerLabel(route.from)
            var r: [String: Any] = ["from": label, "mode": route.mode.label]
            r["fromHref"] = href
            r["conditions"] = route.conditions
            r["notes"] = route.notes
            if route.kind != .referral { r["kind"] = route.kind == .stepUp ? "Step up" : "Step down" }
            return r.compacted
        }
        s["routesOut"] = (context.routesOutOf[service.id] ?? []).map { route -> [String: Any] in
            var r: [String: Any] = ["to": graph.services[route.to]?.name ?? route.to.rawValue, "mode": route.mode.label]
            if graph.services[route.to] != nil { r["toHref"] = context.servicePath(route.to) }
            r["conditions"] = route.conditions
            if route.kind != .referral { r["kind"] = route.kind == .stepUp ? "Step up" : "Step down" }
            return r.compacted
        }
        s["cost"] = service.cost?.label
        s["costNote"] = service.costNote
        s["languages"] = service.languages.isEmpty ? nil : service.languages.joined(separator: ", ")
        s["delivery"] = service.delivery.isEmpty ? nil : service.delivery.map(\.label).joined(separator: ", ")
        var contact: [String: Any] = [:]
        if let phone = service.contact.phone {
            contact["phone"] = ["text": phone, "href": SafeLink.phone(phone) ?? ""].compacted
        }
        if let email = service.contact.email {
            contact["email"] = ["text": email, "href": SafeLink.email(email) ?? ""].compacted
        }
        if let website = service.contact.website {
            contact["website"] = ["text": website, "href": SafeLink.web(website) ?? ""].compacted
        }
        // A refuge's address must never reach the page, whatever else the record holds.
        if service.confidentialAddress {
            s["confidential"] = true
        } else {
            contact["address"] = service.contact.address
            contact["postcode"] = service.contact.postcode
        }
        contact = contact.compacted
        if !contact.isEmpty { s["contact"] = contact }
        if let day = service.lastVerified { s["lastVerified"] = day.description } else { s["notVerified"] = true }
        s["citations"] = service.sources.citations
        s["locations"] = service.sources.locations.map(\.description)
        if !service.confidentialAddress && !service.attributes.isEmpty {
            s["otherDetails"] = service.attributes.keys.sorted().map { ["label": $0, "value": service.attributes[$0]!] }
        }
        s["shortlistPhone"] = service.contact.phone
        // Compacted with the rest of the page's values.
    }

    // MARK: Browse pages

    func renderBrowsePages() throws {
        try renderPaged(context.sortedAreas, services: { context.servicesInArea[$0.code] ?? [] }, renderArea)
        try renderPaged(context.sortedLevels, services: { context.servicesAtLevel[$0.id] ?? [] }, renderLevel)
        for ring in ContinuumRing.allCases { try renderRing(ring) }
        try renderPaged(context.sortedCategories, services: { context.servicesInCategory[$0.id] ?? [] }, renderCategory)
        try renderPaged(context.sortedOrganisations, services: { context.servicesOfOrganisation[$0.id] ?? [] }, renderOrganisation)
        try renderIndexes()
    }

    // MARK: Long lists

    /// How many services a list page shows; longer lists go on over numbered pages. A list of
    /// twenty thousand services is no use to a health visitor and slow to open; the search narrows
    /// it, and the numbered pages keep every service one link away without JavaScript.
    static let servicesPerPage = 100

    /// One page of a list of services.
    struct ListPage {
        /// 1 for the first page.
        let number: Int
        let count: Int
        /// Positions in `SiteContext.servicesByName`.
        let services: ArraySlice<Int>
        let total: Int
    }

    /// The file of page `number` of a list whose first page is `path`: `areas/x.html`, then
    /// `areas/x.page2.html`. A stem never holds a dot, so no other page can have the name.
    static func listPagePath(_ path: String, _ number: Int) -> String {
        number == 1 ? path : String(path.dropLast(".html".count)) + ".page\(number).html"
    }

    /// What every page of one item's list shows besides the list: worked out by the first of its
    /// pages to be rendered, and shared by the rest (a level's list runs to hundreds of pages).
    struct ListPageBase {
        let breadcrumbs: [[String: Any]]
        let values: [String: Any]
        /// A fingerprint of both: with the page's place in the list and its items' keys, all its
        /// pages are made from (`listPage`).
        let key: Digest

        init(breadcrumbs: [[String: Any]], values: [String: Any]) {
            self.breadcrumbs = breadcrumbs
            self.values = values
            var key = Fingerprint()
            key.add(value: TemplateValue(breadcrumbs))
            key.add(value: TemplateValue(values))
            self.key = key.digest
        }
    }

    /// Renders one page of an item's list: `fill` gets the page's values and the item's, with the
    /// page of the list set in them (`setList`). The page is known by its inputs — the item's base,
    /// its place in the list and its items' keys — so a rebuild keeps a page whose inputs are
    /// unchanged without working out its values (a level's list alone runs to hundreds of pages).
    /// `keyed: false` is for a page that shows more than that (an area's first page, with its maps):
    /// it is known by its values, as other pages are.
    func listPage(
        _ template: String, list first: String, title: String, kind: String, _ list: ListPage, _ base: ListPageBase,
        keyed: Bool = true, _ fill: (inout [String: Any], [String: Any]) -> Void
    ) throws {
        let path = Self.listPagePath(first, list.number)
        let title = Self.listTitle(title, list)
        var inputs: Fingerprint?
        if keyed {
            var key = Fingerprint()
            key.add("list page")
            key.add(template); key.add(path); key.add(title); key.add(kind)
            key.add(base.key)
            key.add(list.number); key.add(list.count); key.add(list.total)
            let keys = serviceKeys
            for position in list.services { key.add(keys[position]) }
            inputs = key
        }
        try page(template, path: path, title: title, kind: kind, inputs: inputs) { v in
            v["breadcrumbs"] = base.breadcrumbs
            var values = base.values
            values.setList(list, path: first, renderer: self)
            fill(&v, values)
        }
    }

    /// Renders every page of each item's list, in parallel across items and pages (one letter or
    /// need can hold most of the directory). Each item's `ListPageBase` is made once.
    func renderPaged<T: Sendable>(
        _ items: [T], services: (T) -> [Int], _ render: @escaping @Sendable (T, ListPage, OnceValue<ListPageBase>) throws -> Void
    ) throws {
        var jobs: [(item: Int, page: ListPage)] = []
        for (i, item) in items.enumerated() {
            let all = services(item)
            let per = Self.servicesPerPage
            let count = max(1, (all.count + per - 1) / per)
            for n in 1...count {
                let slice = all[min(all.count, (n - 1) * per)..<min(all.count, n * per)]
                jobs.append((i, ListPage(number: n, count: count, services: slice, total: all.count)))
            }
        }
        let frozenJobs = jobs
        let frozenItems = items
        let bases = items.map { _ in OnceValue<ListPageBase>() }
        try parallel(jobs.count) { index in
            let job = frozenJobs[index]
            try render(frozenItems[job.item], job.page, bases[job.item])
        }
    }

    /// The title of a list page: the item's own on the first page.
    static func listTitle(_ title: String, _ page: ListPage) -> String {
        page.number == 1 ? title : "\(title) (page \(page.number) of \(page.count.grouped))"
    }

    func levelValues(_ level: LevelOfNeed) -> [String: Any] {
        var l: [String: Any] = ["name": level.name, "href": context.levelPath(level.id), "order": level.order]
        l["description"] = level.description.isEmpty ? nil : level.description
        if let ring = level.ring {
            l["ring"] = ring.name
            l["ringNumber"] = ring.rawValue
            l["ringHref"] = context.ringPath(ring)
            if ring.isStatutory { l["statutory"] = true }
        } else {
            l["noRing"] = true
        }
        l["count"] = context.servicesAtLevel[level.id]?.count ?? 0
        return l.compacted
    }

    func renderArea(_ area: Area, _ list: ListPage, _ base: OnceValue<ListPageBase>) throws {
        let shared = base.value { areaBase(area) }
        let first = context.areaPath(area.code)
        // The pictures once, on the first page of the area.
        try listPage("area", list: first, title: area.name, kind: "area", list, shared, keyed: list.number > 1) { v, a in
            var a = a
            if list.number == 1 { a["maps"] = areaDiagrams(area.code, path: first) }
            v["area"] = a.compacted
        }
    }

    /// An area's page but for its list and maps.
    func areaBase(_ area: Area) -> ListPageBase {
        let ancestors = context.ancestorsOfArea[area.code] ?? []
        var crumbs = [("Home", "index.html"), ("Areas", "areas/index.html")]
        for code in ancestors.reversed() {
            crumbs.append((graph.areas[code]?.name ?? code.rawValue, context.areaPath(code)))
        }
        var a: [String: Any] = ["name": area.name, "kind": area.kind.label, "code": area.code.rawValue]
        if let parent = area.parent { a["parent"] = areaLink(parent) }
        a["children"] = (context.childrenOfArea[area.code] ?? []).map { child in
            ["name": child.name, "href": context.areaPath(child.code), "kind": child.kind.label,
             "count": context.servicesInArea[child.code]?.count ?? 0] as [String: Any]
        }
        // Ties in position are a data error (duplicate-level-order); break them by id so the page is stable.
        let framework = graph.framework(for: area.code).sorted { ($0.order, $0.id) < ($1.order, $1.id) }
        // Counted among this area's services: a framework is often shared with sibling areas,
        // and a council's page should not show the whole board's numbers.
        let here = context.levelCountsInArea[area.code] ?? [:]
        a["levels"] = framework.map { level -> [String: Any] in
            var l = levelValues(level)
            l["count"] = here[level.id] ?? 0
            return l
        }
        if let owner = framework.first?.area, owner != area.code {
            a["frameworkFrom"] = areaLink(owner)
        }
        a["rings"] = ContinuumRing.allCases.map { ring -> [String: Any] in
            var r: [String: Any] = ["name": ring.name, "number": ring.rawValue, "href": context.ringPath(ring)]
            if ring.isStatutory { r["statutory"] = true }
            let local = framework.filter { $0.ring == ring }
            r["local"] = local.map { ["name": $0.name, "href": context.levelPath($0.id)] }
            if local.isEmpty { r["none"] = true }
            return r
        }
        a["wider"] = ancestors.map { code -> [String: Any] in
            var link = areaLink(code)
            link["count"] = context.servicesInArea[code]?.count ?? 0
            return link
        }.filter { ($0["count"] as? Int ?? 0) > 0 }
        return ListPageBase(breadcrumbs: breadcrumbs(crumbs), values: a)
    }

    func renderLevel(_ level: LevelOfNeed, _ list: ListPage, _ base: OnceValue<ListPageBase>) throws {
        let shared = base.value {
            var l = levelValues(level)
            l["area"] = areaLink(level.area)
            l["framework"] = context.sortedLevels.filter { $0.area == level.area }.map { other -> [String: Any] in
                var o = levelValues(other)
                if other.id == level.id { o["current"] = true }
                return o
            }
            return ListPageBase(breadcrumbs: breadcrumbs([("Home", "index.html"), ("Levels of need", "levels/index.html")]), values: l)
        }
        try listPage("level", list: context.levelPath(level.id), title: level.name, kind: "level", list, shared) { v, l in
            v["level"] = l.compacted
        }
    }

    func renderRing(_ ring: ContinuumRing) throws {
        try page("ring", path: context.ringPath(ring), title: "\(ring.name) (ring \(ring.rawValue) of 7)", kind: "level") { v in
            v["breadcrumbs"] = breadcrumbs([("Home", "index.html"), ("Levels of need", "levels/index.html")])
            var r: [String: Any] = ["name": ring.name, "number": ring.rawValue, "explanation": RingText.explanation(ring)]
            if ring.isStatutory { r["statutory"] = true }
            r["levels"] = context.sortedLevels.filter { $0.ring == ring }.map { level -> [String: Any] in
                var l = levelValues(level)
                l["area"] = areaLink(level.area)
                return l
            }
            v["ring"] = r
        }
    }

    func renderCategory(_ category: NeedCategory, _ list: ListPage, _ base: OnceValue<ListPageBase>) throws {
        let shared = base.value {
            var crumbs = [("Home", "index.html"), ("Needs", "categories/index.html")]
            if let parent = category.parent, let p = graph.categories[parent] {
                crumbs.append((p.name, context.categoryPath(parent)))
            }
            var c: [String: Any] = ["name": category.name]
            c["synonyms"] = category.synonyms.isEmpty ? nil : category.synonyms.joined(separator: ", ")
            c["children"] = (context.childrenOfCategory[category.id] ?? []).map {
                ["name": $0.name, "href": context.categoryPath($0.id), "count": context.servicesInCategory[$0.id]?.count ?? 0] as [String: Any]
            }
            return ListPageBase(breadcrumbs: breadcrumbs(crumbs), values: c)
        }
        try listPage("category", list: context.categoryPath(category.id), title: category.name, kind: "category", list, shared) { v, c in
            v["category"] = c.compacted
        }
    }

    func renderOrganisation(_ org: Organisation, _ list: ListPage, _ base: OnceValue<ListPageBase>) throws {
        let shared = base.value {
            var o: [String: Any] = ["name": org.name]
            o["sector"] = org.sector?.label
            if let website = org.website { o["website"] = ["text": website, "href": SafeLink.web(website) ?? ""].compacted }
            o["description"] = SafeMarkdown.blocks(org.description)
            o["citations"] = org.sources.citations
            return ListPageBase(breadcrumbs: breadcrumbs([("Home", "index.html"), ("Organisations", "organisations/index.html")]), values: o)
        }
        try listPage("organisation", list: context.organisationPath(org.id), title: org.name, kind: "organisation", list, shared) { v, o in
            v["organisation"] = o.compacted
        }
    }

    func areaTree() -> [[String: Any]] {
        var items: [[String: Any]] = []
        func visit(_ area: Area, depth: Int) {
            items.append(["name": area.name, "href": context.areaPath(area.code), "note": area.kind.label, "depth": depth,
                          "indent": depth > 0, "count": context.servicesInArea[area.code]?.count ?? 0])
            for child in context.childrenOfArea[area.code] ?? [] { visit(child, depth: depth + 1) }
        }
        for area in context.sortedAreas where area.parent == nil || graph.areas[area.parent!] == nil { visit(area, depth: 0) }
        return items
    }

    func renderIndexes() throws {
        try page("index-list", path: "areas/index.html", title: "Areas", kind: "areas") { v in
            v["breadcrumbs"] = breadcrumbs([("Home", "index.html")])
            v["intro"] = "Every area in the directory, from nations to localities. A service for a wider area also serves the areas inside it."
            v["sections"] = [["items": areaTree()]]
        }
        try page("index-list", path: "categories/index.html", title: "Needs", kind: "categories") { v in
            v["breadcrumbs"] = breadcrumbs([("Home", "index.html")])
            v["intro"] = "The kinds of need services help with."
            v["sections"] = [["items": context.sortedCategories.map { c -> [String: Any] in
                ["name": c.name, "href": context.categoryPath(c.id), "count": context.servicesInCategory[c.id]?.count ?? 0,
                 "note": c.parent.flatMap { graph.categories[$0]?.name }.map { "part of \($0)" } ?? ""]
            }]]
        }
        try page("index-list", path: "organisations/index.html", title: "Organisations", kind: "organisations") { v in
            v["breadcrumbs"] = breadcrumbs([("Home", "index.html")])
            v["intro"] = "The organisations that run the services in this directory."
            v["sections"] = [["items": context.sortedOrganisations.map { o -> [String: Any] in
                ["name": o.name, "href": context.organisationPath(o.id), "note": o.sector?.label ?? "",
                 "count": context.servicesOfOrganisation[o.id]?.count ?? 0]
            }]]
        }
        try page("index-list", path: "levels/index.html", title: "Levels of need", kind: "levels") { v in
            v["breadcrumbs"] = breadcrumbs([("Home", "index.html")])
            v["intro"] = "Each area describes need in its own words. Every local level is placed on one common scale of seven rings, from Universal to Court, so areas can be compared. Statutory social work starts at Child in Need: services below it are alternatives to social work."
            v["sections"] = ContinuumRing.allCases.map { ring -> [String: Any] in
                ["heading": "Ring \(ring.rawValue): \(ring.name)", "headingHref": context.ringPath(ring),
                 "headingNote": ring.isStatutory ? "Statutory social work" : "Below the social-work threshold",
                 "items": context.sortedLevels.filter { $0.ring == ring }.map { level -> [String: Any] in
                     ["name": level.name, "href": context.levelPath(level.id),
                      "note": graph.areas[level.area]?.name ?? level.area.rawValue,
                      "count": context.servicesAtLevel[level.id]?.count ?? 0]
                 }]
            }
        }
    }

    // MARK: Site pages

    static func letter(of name: String) -> String {
        // A name whose first letter or digit comes before any non-ASCII byte needs no folding.
        for byte in name.utf8 {
            if byte >= 0x80 { break }
            switch byte {
            case 65...90: return String(UnicodeScalar(byte + 32))
            case 97...122: return String(UnicodeScalar(byte))
            case 48...57: return "other"
            default: continue
            }
        }
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).uppercased()
        guard let first = folded.unicodeScalars.first(where: { CharacterSet.alphanumerics.contains($0) }) else { return "other" }
        if first.value >= 65 && first.value <= 90 { return String(first).lowercased() }
        return "other"
    }

    func renderSitePages() throws {
        var byLetter: [String: [Int]] = [:]
        for (i, service) in context.servicesByName.enumerated() { byLetter[Self.letter(of: service.name), default: []].append(i) }
        let letters = (UInt8(97)...UInt8(122)).map { String(UnicodeScalar($0)) } + ["other"]
        let groups = byLetter
        let letterLinks: @Sendable () -> [[String: Any]] = {
            letters.map { l -> [String: Any] in
                var item: [String: Any] = ["label": l == "other" ? "0–9 and others" : l.uppercased(), "count": groups[l]?.count ?? 0]
                if groups[l] != nil { item["href"] = "a-z/\(l).html" }
                return item
            }
        }
        try page("a-z", path: "a-z/index.html", title: "Services A to Z", kind: "a-z") { v in
            v["breadcrumbs"] = breadcrumbs([("Home", "index.html")])
            v["letters"] = letterLinks()
            v["total"] = context.servicesByName.count.grouped
        }
        let present = letters.filter { byLetter[$0] != nil }
        // The sitemap (a line per page of the site, made on one core) beside the other pages.
        let renderer = self
        let (sitemap, pages) = ParallelMap.both({ Result { try renderer.renderSitemap(letters: present) } }) {
            Result {
                try renderPaged(present, services: { groups[$0] ?? [] }) { l, list, base in
                    let shared = base.value {
                        let letters = letterLinks().map { item -> [String: Any] in
                            var item = item
                            if item["href"] as? String == "a-z/\(l).html" { item["current"] = true }
                            return item
                        }
                        return ListPageBase(breadcrumbs: breadcrumbs([("Home", "index.html"), ("A to Z", "a-z/index.html")]),
                                            values: ["letters": letters, "total": context.servicesByName.count.grouped])
                    }
                    let title = "Services A to Z: \(l == "other" ? "0–9 and others" : l.uppercased())"
                    try listPage("a-z", list: "a-z/\(l).html", title: title, kind: "a-z", list, shared) { v, values in
                        v.merge(values) { $1 }
                    }
                }
                try page("home", path: "index.html", title: context.options.title, kind: "home") { v in
                    v["home"] = HomeForm(context: context).values()
                }
                try page("shortlist", path: "shortlist.html", title: "Your shortlist", kind: "shortlist") { v in
                    v["breadcrumbs"] = breadcrumbs([("Home", "index.html")])
                }
                try page("not-found", path: "404.html", title: "Page not found", kind: "not-found") { _ in }
            }
        }
        try pages.get()
        try sitemap.get()
    }

    func renderSitemap(letters: [String]) throws {
        try page("sitemap", path: "sitemap.html", title: "Sitemap", kind: "sitemap") { v in
            v["breadcrumbs"] = breadcrumbs([("Home", "index.html")])
            v["sections"] = [
                ["heading": "Find and browse", "items": [
                    ["name": "Search and alternatives to social work", "href": "index.html"],
                    ["name": "Services A to Z", "href": "a-z/index.html"],
                    ["name": "Areas", "href": "areas/index.html"],
                    ["name": "Levels of need", "href": "levels/index.html"],
                    ["name": "Needs", "href": "categories/index.html"],
                    ["name": "Organisations", "href": "organisations/index.html"],
                    ["name": "Your shortlist", "href": "shortlist.html"],
                    ["name": "What’s new", "href": "changes/index.html"],
                    ["name": "Maps and pathways", "href": Self.mapsPath],
                ]],
                ["heading": "Services A to Z", "items": letters.map { ["name": $0 == "other" ? "0–9 and others" : $0.uppercased(), "href": "a-z/\($0).html"] }],
                ["heading": "Areas", "items": areaTree()],
                ["heading": "Levels of need", "items": context.sortedLevels.map { ["name": "\($0.name) (\(graph.areas[$0.area]?.name ?? $0.area.rawValue))", "href": context.levelPath($0.id)] }
                    + ContinuumRing.allCases.map { ["name": "Ring \($0.rawValue): \($0.name)", "href": context.ringPath($0)] }],
                ["heading": "Needs", "items": context.sortedCategories.map { ["name": $0.name, "href": context.categoryPath($0.id)] }],
                ["heading": "Organisations", "items": context.sortedOrganisations.map { ["name": $0.name, "href": context.organisationPath($0.id)] }],
            ] as [[String: Any]]
        }
        // sitemap.xml with relative URLs: the site does not know where it will be served from.
        // A line per page of the site: written as bytes, a hundred thousand string interpolations
        // being most of the step's time in a rebuild.
        var xml: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n".utf8)
        xml.reserveCapacity(context.servicesByName.count * 64 + 4096)
        func add(_ path: String) {
            xml.append(contentsOf: "<url><loc>".utf8)
            xml.append(contentsOf: Escape.html(path).utf8)
            xml.append(contentsOf: "</loc></url>\n".utf8)
        }
        for path in ["index.html", "a-z/index.html", "areas/index.html", "levels/index.html", "categories/index.html",
                     "organisations/index.html", "sitemap.html", "shortlist.html", Self.mapsPath] { add(path) }
        for l in letters { add("a-z/\(l).html") }
        for area in context.sortedAreas { add(context.areaPath(area.code)) }
        for level in context.sortedLevels { add(context.levelPath(level.id)) }
        for ring in ContinuumRing.allCases { add(context.ringPath(ring)) }
        for category in context.sortedCategories { add(context.categoryPath(category.id)) }
        for org in context.sortedOrganisations { add(context.organisationPath(org.id)) }
        // Every service is in the graph: its stem without the lookup `servicePath` makes.
        let stems = context.serviceStem
        for service in context.servicesByName {
            xml.append(contentsOf: "<url><loc>services/".utf8)
            xml.append(contentsOf: Escape.html(stems.stem(ofKnown: service.id)).utf8)
            xml.append(contentsOf: ".html</loc></url>\n".utf8)
        }
        xml.append(contentsOf: "</urlset>\n".utf8)
        try context.write(bytes: xml, to: "sitemap.xml")
    }
}

final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    func set(_ error: Error) { lock.lock(); if stored == nil { stored = error }; lock.unlock() }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return stored }
    var isSet: Bool { error != nil }
}

extension Dictionary where Key == String, Value == Any {
    /// Puts one page of a list of services (rendered items) under `services`, with `services_any`
    /// when non-empty, and, when the list goes over several pages, `listPages`: where this page
    /// is in the list and links to the others (`path` is the list's first page).
    mutating func setList(_ page: PageRenderer.ListPage, path: String, renderer: PageRenderer) {
        guard !page.services.isEmpty else { return }
        // Known by its items' keys, so a rebuild renders the items only for a page it rewrites.
        let keys = renderer.serviceKeys
        var fingerprint = Fingerprint()
        for position in page.services { fingerprint.add(keys.itemKey(position)) }
        let services = page.services
        self["services"] = DeferredText(fingerprint: fingerprint) { renderer.list(services) }
        self["services_any"] = true
        guard page.count > 1 else { return }
        // Keys are named for pagination alone: Mustache looks a missing key up in the enclosing
        // values, where "href" or "current" mean something else.
        // Links within the list's folder: the page's own name is enough, from file:// or a server.
        func link(_ n: Int, _ label: String, rel: String = "") -> [String: Any] {
            var item: [String: Any] = ["pageLabel": label]
            if n != page.number {
                item["pageHref"] = String(PageRenderer.listPagePath(path, n).split(separator: "/").last!)
                if !rel.isEmpty { item["pageRel"] = rel }
            } else {
                item["pageCurrent"] = true
            }
            return item
        }
        // First, last and the pages near this one; a gap is shown as an ellipsis.
        var numbers = [1, page.count] + ((page.number - 2)...(page.number + 2)).filter { $0 >= 1 && $0 <= page.count }
        numbers = Array(Set(numbers)).sorted()
        var items: [[String: Any]] = []
        if page.number > 1 { items.append(link(page.number - 1, "Previous", rel: "prev")) }
        var previous = 0
        for n in numbers {
            if n > previous + 1 { items.append(["pageGap": true]) }
            items.append(link(n, String(n)))
            previous = n
        }
        if page.number < page.count { items.append(link(page.number + 1, "Next", rel: "next")) }
        let first = (page.number - 1) * PageRenderer.servicesPerPage + 1
        self["listPages"] = [
            "shown": "Services \(first.grouped) to \((first + page.services.count - 1).grouped) of \(page.total.grouped), page \(page.number) of \(page.count.grouped).",
            "links": items,
        ] as [String: Any]
    }

    /// Drops empty strings, empty arrays and nils, so `{{#key}}` sections only show real facts.
    /// Also adds `key_any: true` beside every non-empty list, so a template can wrap a list in
    /// `{{#key_any}}<ul>…</ul>{{/key_any}}` (Mustache has no "is this list empty" of its own).
    var compacted: [String: Any] {
        var result: [String: Any] = [:]
        for (key, value) in self {
            if let s = value as? String, s.isEmpty { continue }
            if let d = value as? [String: Any], d.isEmpty { continue }
            if let a = value as? [Any] {
                if a.isEmpty { continue }
                result[key + "_any"] = true
            }
            result[key] = value
        }
        return result
    }
}
