import Foundation
import ServiceMapCore

/// The fingerprints a rebuild compares, per service, worked out in one pass over the services
/// (each a hundred thousand lookups in a large directory, and cheapest while the service is at hand):
///
/// - `page`: everything the service's page and its item in lists are made from: the service's
///   own record, and what the page shows of the records it links to (its organisation, areas,
///   levels, needs, and the services at either end of its referral routes).
/// - `document`: everything its search document's analysis and record read (`SearchIndexWriter`):
///   its page key, and its needs' synonyms.
/// - `structure`: the service's part of the directory's structure (`PageRenderer.structureKey`),
///   which the coverage pages and maps are made from.
///
/// A rebuild compares a page's key with the key the last build recorded for it: when they match,
/// the page is kept without working out its values at all. Working out a page's values (its
/// Markdown, its referral diagram) costs far more than this, and in a directory of a hundred
/// thousand services a rebuild after one edit would otherwise spend its time re-deriving pages it keeps.
///
/// The key must change whenever the page would. `PageRenderer.addServiceValues`, `serviceItem` and
/// `servicePathway` read nothing that is not added here; a test lists `Service`'s stored
/// properties, so a new field cannot be shown on the page without being considered here.
struct ServiceKeys {
    struct Keys {
        var page = Fingerprint()
        var document = Fingerprint()
        var structure = Digest(x: 0, y: 0)
    }

    /// By position in `SiteContext.servicesByName`.
    let all: [Keys]

    init(_ context: SiteContext, parallelism: Int) {
        let services = context.servicesByName
        var all = [Keys](repeating: Keys(), count: services.count)
        let workers = max(1, parallelism)
        let chunks = min(services.count, workers * 8)
        all.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeSendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = services.count * chunk / chunks
                let end = services.count * (chunk + 1) / chunks
                for index in start..<end { out[index] = Self.keys(services[index], context) }
            }
        }
        self.all = all
    }

    /// The page key of the service at `position`.
    subscript(position: Int) -> Fingerprint { all[position].page }

    /// The key of the service's item in lists: made from the same inputs as its page.
    func itemKey(_ position: Int) -> Fingerprint {
        var key = Fingerprint()
        key.add("list item")
        key.add(all[position].page)
        return key
    }

    /// The service's page key.
    static func key(_ service: Service, _ context: SiteContext) -> Fingerprint {
        keys(service, context).page
    }

    static func keys(_ service: Service, _ context: SiteContext) -> Keys {
        let graph = context.graph
        var f = Fingerprint()
        var synonyms = Fingerprint()
        // Read from a store and unchanged since: the rows it was read from stand for its fields.
        if let stored = service.storedDigest {
            f.add(-4)
            f.add(stored)
        } else {
            f.add(record: service)
        }
        // Stems, not paths: a page's path is made from its stem alone.
        let stem = context.serviceStem.stem(ofKnown: service.id)
        f.add(stem)
        if let org = service.organisation {
            f.add(org.rawValue)
            if let organisation = graph.organisations[org] {
                f.add(organisation.name)
                f.add(context.organisationStem.stem(ofKnown: org))
                f.add(organisation.sector?.rawValue ?? "-")
            } else {
                f.add(-1)
            }
        }
        f.add(-2)
        for id in service.categories {
            f.add(id.rawValue)
            if let category = graph.categories[id] {
                f.add(category.name); f.add(context.categoryStem.stem(ofKnown: id))
                synonyms.add(list: category.synonyms)
            } else {
                f.add(-1)
                synonyms.add(-1)
            }
        }
        f.add(-2)
        for code in service.areas { addArea(code, &f, context) }
        f.add(-2)
        for id in service.levels {
            f.add(id.rawValue)
            if let level = graph.levels[id] {
                f.add(level.name)
                f.add(context.levelStem.stem(ofKnown: id))
                addArea(level.area, &f, context)
                f.add(level.ring?.rawValue ?? 0)
            } else {
                f.add(-1)
            }
        }
        f.add(-2)
        for route in context.routesInto[service.id] ?? [] {
            f.add(route: route)
            if case .service(let from) = route.from { addNeighbour(from, &f, context) }
        }
        f.add(-2)
        for route in context.routesOutOf[service.id] ?? [] {
            f.add(route: route)
            addNeighbour(route.to, &f, context)
        }

        var document = Fingerprint()
        document.add("search document")
        document.add(f)
        document.add(synonyms)

        // What coverage, graph findings, data quality and the diagrams read of the service.
        var s = Fingerprint()
        s.add(service.id.rawValue); s.add(service.name); s.add(stem)
        s.add(ids: service.areas); s.add(ids: service.levels); s.add(ids: service.categories)
        s.add(service.ages?.minMonths ?? Int.min); s.add(service.ages?.maxMonths ?? Int.min); s.add(service.ages == nil ? 0 : 1)
        s.add(service.status.rawValue)
        if let day = service.lastVerified { s.add(day.year); s.add(day.month); s.add(day.day) } else { s.add(-3) }
        s.add(optional: service.sector?.rawValue); s.add(optional: service.organisation?.rawValue)
        s.add(sources: service.sources)
        return Keys(page: f, document: document, structure: s.digest)
    }

    private static func addArea(_ code: AreaCode, _ f: inout Fingerprint, _ context: SiteContext) {
        f.add(code.rawValue)
        if let area = context.graph.areas[code] { f.add(area.name); f.add(context.areaStem.stem(ofKnown: code)) } else { f.add(-1) }
    }

    /// What a page shows of a service at the other end of a route: its name and link, and, in the
    /// referral diagram, its sector's colour and whether it is statutory social work.
    private static func addNeighbour(_ id: ServiceID, _ f: inout Fingerprint, _ context: SiteContext) {
        let graph = context.graph
        f.add(id.rawValue)
        guard let other = graph.services[id] else { f.add(-1); return }
        f.add(other.name)
        f.add(context.serviceStem.stem(ofKnown: id))
        f.add(graph.sector(of: other)?.rawValue ?? "-")
        f.add(graph.isStatutorySocialWork(other) ? 1 : 0)
    }
}

/// Lets the workers of `concurrentPerform` each fill their own part of one buffer.
private struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
    subscript(index: Int) -> Element {
        get { buffer[index] }
        nonmutating set { buffer[index] = newValue }
    }
}

extension Fingerprint {
    /// Every stored property of a service, in declaration order; optionals and lists framed so
    /// that moving a value from one field to the next changes the fingerprint.
    mutating func add(record s: Service) {
        add(s.id.rawValue)
        add(s.name)
        add(optional: s.organisation?.rawValue)
        add(s.description)
        add(ids: s.areas)
        add(ids: s.categories)
        add(s.ages?.minMonths ?? Int.min)
        add(s.ages?.maxMonths ?? Int.min)
        add(s.ages == nil ? 0 : 1)
        add(ids: s.levels)
        add(s.eligibility.count)
        for rule in s.eligibility {
            add(rule.effect.rawValue)
            add(rule.description)
            add(optional: rule.note)
        }
        add(optional: s.cost?.rawValue)
        add(optional: s.costNote)
        add(list: s.languages)
        add(list: s.delivery.map(\.rawValue))
        let contact = s.contact
        add(optional: contact.phone)
        add(optional: contact.email)
        add(optional: contact.website)
        add(optional: contact.address)
        add(optional: contact.postcode)
        add(s.confidentialAddress ? 1 : 0)
        add(s.status.rawValue)
        add(optional: s.lastVerified?.description)
        add(optional: s.sector?.rawValue)
        add(optional: s.howToRefer)
        add(s.attributes.count)
        if s.attributes.count == 1, let (key, value) = s.attributes.first {
            add(key)
            add(value)
        } else {
            for key in s.attributes.keys.sorted() {
                add(key)
                add(s.attributes[key]!)
            }
        }
        add(sources: s.sources)
    }

    mutating func add(route r: ReferralRoute) {
        add(r.from.description)
        add(r.to.rawValue)
        add(r.mode.rawValue)
        add(r.kind.rawValue)
        add(optional: r.conditions)
        add(optional: r.notes)
        add(sources: r.sources)
    }

    /// Where a record came from, as pages cite it: its files' locations and its citations.
    mutating func add(sources: Sources) {
        add(sources.locations.count)
        for location in sources.locations {
            add(location.file)
            add(optional: location.sheet)
            add(location.row ?? -1)
            add(location.column ?? -1)
        }
        add(list: sources.citations)
    }

    mutating func add(optional text: String?) {
        if let text { add(text) } else { add(-3) }
    }

    mutating func add(list: [String]) {
        add(list.count)
        for item in list { add(item) }
    }

    /// As `add(list:)` of the ids' spellings.
    mutating func add<ID: StringIdentifier>(ids: [ID]) {
        add(ids.count)
        for id in ids { add(id.rawValue) }
    }
}
