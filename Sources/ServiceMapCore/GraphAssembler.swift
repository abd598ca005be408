import Foundation

/// Turns the drafts read from every input file into one `ServiceGraph`: resolves names to
/// records, merges duplicates (keeping both provenances), and reports what it cannot resolve.
///
/// Order matters and is fixed: areas, then levels and categories (which name areas), then
/// organisations, services (which name all of those) and last routes (which name services).
public struct GraphAssembler {
    private var graph: ServiceGraph
    private var fragments = GraphFragment()

    /// Starts from `base` (the stored graph, when merging into it) or an empty graph.
    public init(base: ServiceGraph = .empty) {
        self.graph = base
    }

    public mutating func add(_ fragment: GraphFragment) {
        fragments.append(fragment)
    }

    /// The assembled graph and every diagnostic: the readers', the assembler's and the model rules'.
    ///
    /// Drafts are released as they become records, so a large import never holds a
    /// whole directory twice.
    public mutating func assemble() -> (graph: ServiceGraph, diagnostics: [Diagnostic]) {
        var run = Run(graph: graph)
        graph = ServiceGraph()
        run.diagnostics = fragments.diagnostics
        for draft in fragments.areas { run.addArea(draft) }
        run.resolveAreaParents(fragments.areas)
        for draft in fragments.levels { run.addLevel(draft) }
        for draft in fragments.categories { run.addCategory(draft) }
        for draft in fragments.categories { run.resolveCategoryParent(draft) }
        for draft in fragments.organisations { run.addOrganisation(draft) }
        var services = fragments.services
        fragments.services = []
        // Sized for every draft at once: growing the tables by doubling rehashed each service
        // several times over (a fifth of assembling a large directory).
        run.reserveServices(services.count)
        services.reverse()
        var supplements: [ServiceDraft] = []
        while let draft = services.popLast() {
            if draft.isSupplement { supplements.append(draft) } else { run.addService(draft) }
            // Popping frees a draft's strings and lists but not its slot: move the rest to a
            // smaller array as it halves, so the drafts' 60 MB of slots go as the graph grows.
            shrinkWhenHalfEmpty(&services)
        }
        for draft in supplements { run.addSupplement(draft) }
        var routes = fragments.routes
        fragments.routes = []
        routes.reverse()
        while let draft = routes.popLast() {
            run.addRoute(draft)
            shrinkWhenHalfEmpty(&routes)
        }
        run.diagnostics += GraphRules.check(run.graph)
        return (run.graph, run.diagnostics)
    }
}

/// Moves a large array's elements to a new, fitting buffer once it is less than half full.
/// (`Array(array)` would share the old buffer, hence the explicit copy.)
private func shrinkWhenHalfEmpty<T>(_ array: inout [T]) {
    guard array.count >= 1024, array.count < array.capacity / 2 else { return }
    var smaller: [T] = []
    smaller.reserveCapacity(array.count)
    smaller.append(contentsOf: array)
    array = smaller
}

/// Diagnostic codes the assembler emits, declared beside the code that emits them.
extension DiagnosticCode {
    public static let unknownArea: DiagnosticCode = "unknown-area"
    public static let ambiguousArea: DiagnosticCode = "ambiguous-area"
    public static let unknownLevel: DiagnosticCode = "unknown-level"
    public static let unknownService: DiagnosticCode = "unknown-service"
    public static let ambiguousService: DiagnosticCode = "ambiguous-service"
    public static let unknownCategory: DiagnosticCode = "unknown-category"
    public static let duplicateIdentifier: DiagnosticCode = "duplicate-identifier"
    public static let conflictingValues: DiagnosticCode = "conflicting-values"
    public static let mergedDuplicate: DiagnosticCode = "merged-duplicate"
    public static let newReferrerRole: DiagnosticCode = "new-referrer-role"
    public static let unmatchedSupplement: DiagnosticCode = "unmatched-supplement"
    public static let newOrganisation: DiagnosticCode = "implied-organisation"
    public static let updatedRecord: DiagnosticCode = "updated-record"
}

/// A level text asked in the frameworks of a service's areas.
private struct LevelQuestion: Hashable {
    var text: String
    var areas: [AreaCode]
}

private struct Run {
    var graph: ServiceGraph
    var diagnostics: [Diagnostic] = []
    /// The name each service had in the row that first defined it, for duplicate detection.
    var serviceNameKeys: [ServiceID: String] = [:]
    /// Indexes kept beside the graph so resolving a name is a look-up, not a scan: a 100,000-row
    /// import resolves hundreds of thousands of names. Services by name key: nearly every name is
    /// one service's, so the first id is kept alone and only further ones in a list (a set per
    /// name was 100,000 small allocations).
    var serviceByNameKey: [String: ServiceID] = [:]
    var moreServicesByNameKey: [String: [ServiceID]] = [:]
    var organisationsByNameKey: [String: OrganisationID] = [:]
    /// Organisation, category and level texts resolve the same way every time once resolved:
    /// remember the answers (a large directory names the same few hundred thousands of times).
    var organisationAnswers: [String: OrganisationID] = [:]
    var categoryAnswers: [String: CategoryID] = [:]
    var levelAnswers: [LevelQuestion: [LevelID]] = [:]
    var categoriesByWord: [String: CategoryID] = [:]
    /// Area names resolve the same way every time once all areas are read: remember the answers.
    var areaAnswers: [String: AreaCode] = [:]
    var frameworks: [[AreaCode]: [LevelOfNeed]] = [:]
    /// Services of the stored graph a merge import started from: a file's record of one of them is
    /// an update (its values win), not a duplicate (where the first source wins).
    let baseServices: Set<ServiceID>

    init(graph: ServiceGraph) {
        self.graph = graph
        baseServices = Set(graph.services.keys)
        for service in graph.services.values { indexService(service.id, name: service.name) }
        for org in graph.sortedOrganisations.reversed() { organisationsByNameKey[Slug.make(org.name)] = org.id }
        for category in graph.sortedCategories.reversed() { indexCategory(category) }
    }

    mutating func reserveServices(_ count: Int) {
        graph.services.reserveCapacity(graph.services.count + count)
        serviceNameKeys.reserveCapacity(serviceNameKeys.count + count)
        serviceByNameKey.reserveCapacity(serviceByNameKey.count + count)
    }

    mutating func indexService(_ id: ServiceID, name: String) {
        indexService(id, nameKey: Slug.make(name))
    }

    /// Indexes a service by its name's key (`Slug.make(name)`).
    mutating func indexService(_ id: ServiceID, nameKey key: String) {
        if serviceNameKeys[id] == nil { serviceNameKeys[id] = key }
        guard let first = serviceByNameKey[key] else {
            serviceByNameKey[key] = id
            return
        }
        if first != id && !(moreServicesByNameKey[key]?.contains(id) ?? false) { moreServicesByNameKey[key, default: []].append(id) }
    }

    /// The services whose name has this key, sorted by id.
    func services(namedBy key: String) -> [ServiceID] {
        guard let first = serviceByNameKey[key] else { return [] }
        guard let more = moreServicesByNameKey[key] else { return [first] }
        return ([first] + more).sorted()
    }

    mutating func indexCategory(_ category: NeedCategory) {
        categoriesByWord[Slug.make(category.name)] = category.id
        for synonym in category.synonyms { categoriesByWord[Slug.make(synonym)] = category.id }
    }

    mutating func report(_ d: Diagnostic) { diagnostics.append(d) }

    // MARK: Areas

    mutating func addArea(_ draft: AreaDraft) {
        let code = AreaCode(Slug.make(draft.code ?? draft.name))
        let area = Area(code: code, name: draft.name, kind: draft.kind, parent: nil, sources: draft.sources)
        if var existing = graph.areas[code] {
            if existing.name != area.name || existing.kind != area.kind {
                report(.error(.duplicateIdentifier,
                    "area code '\(code)' is already used by '\(existing.name)' (\(existing.kind.label))",
                    at: draft.sources.locations.first))
                return
            }
            existing.sources = existing.sources.merged(with: draft.sources)
            graph.areas[code] = existing
        } else {
            graph.areas[code] = area
        }
    }

    mutating func resolveAreaParents(_ drafts: [AreaDraft]) {
        for draft in drafts {
            guard let parentRef = draft.parent else { continue }
            let code = AreaCode(Slug.make(draft.code ?? draft.name))
            if let parent = resolveArea(parentRef) {
                graph.areas[code]?.parent = parent
            }
        }
    }

    /// Finds an area by code or by name, forgiving the words people add or drop
    /// ("NHS", "Council", "City of", "London Borough of", "HSCP").
    mutating func resolveArea(_ ref: TextReference, reportFailure: Bool = true) -> AreaCode? {
        if let known = areaAnswers[ref.text] { return known }
        let key = Slug.make(ref.text)
        if graph.areas[AreaCode(key)] != nil {
            areaAnswers[ref.text] = AreaCode(key)
            return AreaCode(key)
        }
        let exact = graph.areas.values.filter { Slug.make($0.name) == key }
        if exact.count == 1 {
            areaAnswers[ref.text] = exact[0].code
            return exact[0].code
        }
        let loose = Self.looseKey(key)
        let matches = graph.areas.values.filter {
            Self.looseKey(Slug.make($0.name)) == loose || Self.looseKey($0.code.rawValue) == loose
        }.sorted { $0.kind < $1.kind }
        if matches.count == 1 {
            areaAnswers[ref.text] = matches[0].code
            return matches[0].code
        }
        if matches.count > 1 {
            // "Glasgow" names both Glasgow City (council) and NHS GG&C? Prefer the smaller area only
            // when exactly one candidate is a council; otherwise it is ambiguous.
            let councils = matches.filter { $0.kind == .council }
            if councils.count == 1 {
                areaAnswers[ref.text] = councils[0].code
                return councils[0].code
            }
            if reportFailure {
                report(.error(.ambiguousArea,
                    "area '\(ref.text)' could mean \(matches.map { "'\($0.name)'" }.joined(separator: " or "))",
                    at: ref.location))
            }
            return nil
        }
        if reportFailure {
            report(.error(.unknownArea, "unknown area '\(ref.text)'", at: ref.location))
        }
        return nil
    }

    static func looseKey(_ slug: String) -> String {
        var parts = slug.split(separator: "-").map(String.init)
        let noise: Set<String> = ["nhs", "council", "city", "of", "the", "london", "borough", "hscp", "health", "board", "and", "social", "care", "partnership", "metropolitan", "royal"]
        parts.removeAll { noise.contains($0) }
        return parts.joined(separator: "-")
    }

    // MARK: Levels and categories

    mutating func addLevel(_ draft: LevelDraft) {
        guard let area = resolveArea(draft.area) else { return }
        let id = LevelID(Slug.make(draft.id ?? "\(area.rawValue) \(draft.name)"))
        let order = draft.order ?? (graph.levels.values.filter { $0.area == area }.map(\.order).max() ?? 0) + 1
        let level = LevelOfNeed(id: id, area: area, name: draft.name, order: order, ring: draft.ring,
                                description: draft.description, sources: draft.sources)
        if let existing = graph.levels[id] {
            if existing.area != level.area || existing.ring != level.ring || existing.name != level.name {
                report(.error(.duplicateIdentifier, "level id '\(id)' is already used by '\(existing.name)'",
                              at: draft.sources.locations.first))
                return
            }
            graph.levels[id]?.sources = existing.sources.merged(with: draft.sources)
        } else {
            graph.levels[id] = level
        }
    }

    mutating func addCategory(_ draft: CategoryDraft) {
        let id = CategoryID(Slug.make(draft.id ?? draft.name))
        if var existing = graph.categories[id] {
            existing.synonyms = Array(Set(existing.synonyms + draft.synonyms)).sorted()
            graph.categories[id] = existing
        } else {
            graph.categories[id] = NeedCategory(id: id, name: draft.name, parent: nil, synonyms: draft.synonyms)
        }
        indexCategory(graph.categories[id]!)
    }

    mutating func resolveCategoryParent(_ draft: CategoryDraft) {
        guard let parentRef = draft.parent else { return }
        let id = CategoryID(Slug.make(draft.id ?? draft.name))
        if let parent = resolveCategory(parentRef, createIfUnknown: false) {
            graph.categories[id]?.parent = parent
        }
    }

    mutating func resolveCategory(_ ref: TextReference, createIfUnknown: Bool = true, reportFailure: Bool = true) -> CategoryID? {
        if let known = categoryAnswers[ref.text] { return known }
        let found = findCategory(ref, createIfUnknown: createIfUnknown, reportFailure: reportFailure)
        if let found { categoryAnswers[ref.text] = found }
        return found
    }

    mutating func findCategory(_ ref: TextReference, createIfUnknown: Bool, reportFailure: Bool) -> CategoryID? {
        let key = Slug.make(ref.text)
        guard !key.isEmpty else { return nil }
        if graph.categories[CategoryID(key)] != nil { return CategoryID(key) }
        if let match = categoriesByWord[key] { return match }
        if createIfUnknown {
            // Keep the researcher's category rather than lose it; say so once per name.
            report(.warning(.unknownCategory,
                "category '\(ref.text)' is not in the taxonomy; added as a new top-level category", at: ref.location))
            let id = CategoryID(key)
            graph.categories[id] = NeedCategory(id: id, name: ref.text.trimmed)
            indexCategory(graph.categories[id]!)
            return id
        }
        if reportFailure { report(.error(.unknownCategory, "unknown category '\(ref.text)'", at: ref.location)) }
        return nil
    }

    // MARK: Organisations

    mutating func addOrganisation(_ draft: OrganisationDraft) {
        let id = OrganisationID(Slug.make(draft.id ?? draft.name))
        let organisation = Organisation(id: id, name: draft.name, sector: draft.sector, website: draft.website,
                                        description: draft.description, sources: draft.sources)
        if var existing = graph.organisations[id] {
            existing.sector = existing.sector ?? organisation.sector
            existing.website = existing.website ?? organisation.website
            if existing.description.isEmpty { existing.description = organisation.description }
            existing.sources = existing.sources.merged(with: organisation.sources)
            graph.organisations[id] = existing
        } else {
            graph.organisations[id] = organisation
        }
        let key = Slug.make(draft.name)
        if organisationsByNameKey[key] == nil { organisationsByNameKey[key] = id }
    }

    mutating func resolveOrganisation(_ ref: TextReference, sector: Sector?) -> OrganisationID {
        if let known = organisationAnswers[ref.text] { return known }
        let id = findOrCreateOrganisation(ref, sector: sector)
        organisationAnswers[ref.text] = id
        return id
    }

    mutating func findOrCreateOrganisation(_ ref: TextReference, sector: Sector?) -> OrganisationID {
        let key = Slug.make(ref.text)
        if graph.organisations[OrganisationID(key)] != nil { return OrganisationID(key) }
        if let match = organisationsByNameKey[key] { return match }
        // Researchers name the organisation in the services sheet without listing it separately.
        let id = OrganisationID(key)
        graph.organisations[id] = Organisation(id: id, name: ref.text.trimmed, sector: sector,
                                               sources: Sources(locations: ref.location.map { [$0] } ?? []))
        organisationsByNameKey[key] = id
        return id
    }

    // MARK: Services

    mutating func addService(_ draft: consuming ServiceDraft) {
        // Moved out of the draft rather than copied: a service whose storage the draft still
        // shared would copy all its fields at its first change (100,000 times in a large import).
        var service = draft.takeService()
        let readFrom = service.sources
        service.name = draft.name.trimmed
        var areas: [AreaCode] = []
        for ref in draft.areas {
            if let code = resolveArea(ref), !areas.contains(code) { areas.append(code) }
        }
        var hintCategories: [CategoryID] = []
        for ref in draft.hints {
            if let code = resolveArea(ref, reportFailure: false) {
                if !areas.contains(code) { areas.append(code) }
            } else if let id = resolveCategory(ref, createIfUnknown: false, reportFailure: false) {
                hintCategories.append(id)
            }
        }
        service.areas = areas
        // An id that is already a service's (a supplement matched to it) is used as it is: derived
        // ids hold "--", which slugging would collapse into a different id.
        // A canonical id (lowercase letters, digits and dashes) is also used as it is, so a
        // derived id written back by an export or an HSDS feed comes home unchanged.
        // The name's key is worked out once, for the id and for the index of names.
        let nameKey = Slug.make(service.name)
        service.id = draft.id.map { graph.services[ServiceID($0)] != nil || ServiceID.isCanonical($0) ? ServiceID($0) : ServiceID(Slug.make($0)) }
            ?? ServiceID.derived(nameKey: nameKey, area: areas.first)
        if let orgRef = draft.organisation {
            service.organisation = resolveOrganisation(orgRef, sector: service.sector)
        }
        var categories: [CategoryID] = []
        for ref in draft.categories {
            if let id = resolveCategory(ref), !categories.contains(id) { categories.append(id) }
        }
        for id in hintCategories where !categories.contains(id) { categories.append(id) }
        service.categories = categories
        var levels: [LevelID] = []
        for ref in draft.levels {
            for id in resolveLevels(ref, areas: areas) where !levels.contains(id) { levels.append(id) }
        }
        service.levels = levels
        merge(service, draft: draft, nameKey: nameKey)
        addImpliedRoutes(draft, readFrom: readFrom, to: service.id, areas: areas)
    }

    /// A supplement (a bookmark) adds to the service of the same name, or stands alone if none.
    mutating func addSupplement(_ draft: ServiceDraft) {
        let key = Slug.make(draft.name)
        var areaCodes: [AreaCode] = []
        for ref in draft.areas + draft.hints {
            if let code = resolveArea(ref, reportFailure: false) { areaCodes.append(code) }
        }
        var candidates = services(namedBy: key).compactMap { graph.services[$0] }
        if !areaCodes.isEmpty, candidates.count > 1 {
            candidates = candidates.filter { graph.serves($0.areas, within: areaCodes[0]) }
        }
        if candidates.count == 1 {
            var supplement = draft
            supplement.id = candidates[0].id.rawValue
            supplement.areas = candidates[0].areas.map { TextReference($0.rawValue) }
            // The matched service keeps its own areas; a hint that names an area only chose it.
            supplement.hints = draft.hints.filter { resolveArea($0, reportFailure: false) == nil }
            supplement.isSupplement = false
            addService(supplement)
        } else {
            var standalone = draft
            standalone.isSupplement = false
            addService(standalone)
        }
    }

    /// Adds `service`, or merges it into the one of the same id; `nameKey` is its name's key.
    mutating func merge(_ service: Service, draft: ServiceDraft, nameKey: String) {
        guard var existing = graph.services[service.id] else {
            graph.services[service.id] = service
            indexService(service.id, nameKey: nameKey)
            return
        }
        let location = draft.nameLocation
        if draft.id != nil, baseServices.contains(service.id) {
            update(existing, with: service, location: location)
            return
        }
        if draft.id != nil, serviceNameKeys[service.id] != nameKey {
            report(.error(.duplicateIdentifier,
                "service id '\(service.id)' is already used by '\(existing.name)' (\(existing.sources.locations.first.map(\.description) ?? "earlier"))",
                at: location))
            return
        }
        report(.note(.mergedDuplicate,
            "'\(service.name)' is the same service as \(existing.sources.locations.first.map { "the one at \($0)" } ?? "an earlier record"); merged",
            at: location))
        func pick<T: Equatable>(_ field: String, _ old: T?, _ new: T?) -> T? {
            guard let old else { return new }
            if let new, new != old {
                report(.warning(.conflictingValues,
                    "\(field) of '\(existing.name)' differs between sources: keeping \(old), ignoring \(new)",
                    at: service.sources.fields[field] ?? location))
            }
            return old
        }
        existing.organisation = pick("organisation", existing.organisation, service.organisation)
        existing.ages = pick("ages", existing.ages, service.ages)
        existing.cost = pick("cost", existing.cost, service.cost)
        existing.contact.phone = pick("phone", existing.contact.phone, service.contact.phone)
        existing.contact.email = pick("email", existing.contact.email, service.contact.email)
        existing.contact.website = pick("website", existing.contact.website, service.contact.website)
        existing.contact.address = pick("address", existing.contact.address, service.contact.address)
        existing.contact.postcode = pick("postcode", existing.contact.postcode, service.contact.postcode)
        existing.lastVerified = pick("last verified", existing.lastVerified, service.lastVerified)
        existing.sector = pick("sector", existing.sector, service.sector)
        existing.costNote = existing.costNote ?? service.costNote
        existing.howToRefer = existing.howToRefer ?? service.howToRefer
        if existing.description.isEmpty { existing.description = service.description }
        func union<T: Equatable>(_ a: [T], _ b: [T]) -> [T] { a + b.filter { !a.contains($0) } }
        existing.areas = union(existing.areas, service.areas)
        existing.categories = union(existing.categories, service.categories)
        existing.levels = union(existing.levels, service.levels)
        existing.eligibility = union(existing.eligibility, service.eligibility)
        existing.languages = union(existing.languages, service.languages)
        existing.delivery = union(existing.delivery, service.delivery)
        existing.confidentialAddress = existing.confidentialAddress || service.confidentialAddress
        existing.attributes.merge(service.attributes) { old, _ in old }
        existing.sources = existing.sources.merged(with: service.sources)
        graph.services[service.id] = existing
        indexService(service.id, nameKey: nameKey)
    }

    /// A merge import's record of a stored service (matched by id): every value the file gives
    /// replaces the stored one — a review workbook's corrections and its verified date — and what
    /// the file leaves empty is kept. The store records the difference as the run's changes.
    mutating func update(_ stored: Service, with new: Service, location: SourceLocation?) {
        var s = stored
        let given = new.sources.fields
        s.name = new.name
        s.organisation = new.organisation ?? s.organisation
        if !new.description.isEmpty { s.description = new.description }
        if !new.areas.isEmpty { s.areas = new.areas }
        if !new.categories.isEmpty { s.categories = new.categories }
        s.ages = new.ages ?? s.ages
        if !new.levels.isEmpty { s.levels = new.levels }
        if !new.eligibility.isEmpty { s.eligibility = new.eligibility }
        if new.cost != nil || new.costNote != nil { s.cost = new.cost; s.costNote = new.costNote }
        if !new.languages.isEmpty { s.languages = new.languages }
        if !new.delivery.isEmpty { s.delivery = new.delivery }
        s.contact.phone = new.contact.phone ?? s.contact.phone
        s.contact.email = new.contact.email ?? s.contact.email
        s.contact.website = new.contact.website ?? s.contact.website
        s.contact.address = new.contact.address ?? s.contact.address
        s.contact.postcode = new.contact.postcode ?? s.contact.postcode
        // Once confidential, an address stays confidential unless the stored record is replaced.
        s.confidentialAddress = s.confidentialAddress || new.confidentialAddress
        if given["status"] != nil { s.status = new.status }
        s.lastVerified = new.lastVerified ?? s.lastVerified
        s.sector = new.sector ?? s.sector
        s.howToRefer = new.howToRefer ?? s.howToRefer
        s.attributes.merge(new.attributes) { _, newer in newer }
        s.sources = new.sources.merged(with: stored.sources)
        graph.services[s.id] = s
        indexService(s.id, name: s.name)
        report(.note(.updatedRecord, "'\(s.name)' (\(s.id)) updated from this file", at: location))
    }

    /// Routes the draft's "self-referral?" and "referred by" imply, citing where the service was
    /// read (`readFrom`, its sources as the reader gave them).
    mutating func addImpliedRoutes(_ draft: ServiceDraft, readFrom: Sources, to id: ServiceID, areas: [AreaCode]) {
        let sources = Sources(locations: readFrom.locations, citations: readFrom.citations)
        if draft.selfReferral == true {
            graph.insert(ReferralRoute(from: .role(.self), to: id, mode: .selfReferral,
                                       sources: Sources(locations: draft.selfReferralLocation.map { [$0] } ?? sources.locations,
                                                        citations: sources.citations)))
        }
        for ref in draft.referredBy {
            guard let from = resolveReferrer(ref, area: areas.first) else { continue }
            let mode: ReferralMode = from == .role(.self) ? .selfReferral : .professional
            graph.insert(ReferralRoute(from: from, to: id, mode: mode,
                                       sources: Sources(locations: ref.location.map { [$0] } ?? [], citations: sources.citations)))
        }
    }

    /// Matches "2", "Tier 2", "Level 2", "Levels 1-3", "Tiers 1–3", a level's name or id, or a ring
    /// of the continuum, against the frameworks in force in the service's areas.
    mutating func resolveLevels(_ ref: TextReference, areas: [AreaCode]) -> [LevelID] {
        let question = LevelQuestion(text: ref.text, areas: areas)
        if let known = levelAnswers[question] { return known }
        let found = findLevels(ref, areas: areas)
        // Only answers: a text that resolves to nothing is reported at each place it is written.
        if !found.isEmpty { levelAnswers[question] = found }
        return found
    }

    mutating func findLevels(_ ref: TextReference, areas: [AreaCode]) -> [LevelID] {
        let framework = frameworks[areas] ?? frameworkFor(areas)
        frameworks[areas] = framework
        let text = ref.text.trimmed
        let key = Slug.make(text)
        if let level = graph.levels[LevelID(key)] { return [level.id] }
        if let level = framework.first(where: { Slug.make($0.name) == key }) { return [level.id] }
        // Numbers and ranges: strip words like "tier", "level", "levels".
        let numeric = key.split(separator: "-").filter { !["tier", "tiers", "level", "levels", "to", "and"].contains($0) }
        let numbers = numeric.compactMap { Int($0) }
        if !numbers.isEmpty, numbers.count == numeric.count, numbers.count <= 2 {
            let range = numbers.count == 2 ? min(numbers[0], numbers[1])...max(numbers[0], numbers[1]) : numbers[0]...numbers[0]
            let found = framework.filter { range.contains($0.order) }.sorted { $0.order < $1.order }
            if !found.isEmpty, Set(found.map(\.order)).count == range.count { return found.map(\.id) }
        }
        if let ring = ContinuumRing(parsing: text) {
            let found = framework.filter { $0.ring == ring }
            if !found.isEmpty { return found.map(\.id) }
        }
        let known = framework.isEmpty ? "no framework is defined for this service's area"
            : "known levels: " + framework.sorted { $0.order < $1.order }.map(\.name).joined(separator: ", ")
        report(.error(.unknownLevel, "unknown level of need '\(text)' (\(known))", at: ref.location))
        return []
    }

    /// The levels a service in these areas may name: each area's own framework (or its nearest
    /// ancestor's), and, for a board-wide service, the frameworks of the councils below it.
    func frameworkFor(_ areas: [AreaCode]) -> [LevelOfNeed] {
        var framework: [LevelOfNeed] = []
        for area in areas {
            for level in graph.framework(for: area) where !framework.contains(level) { framework.append(level) }
            for code in graph.areaAndDescendants(of: area) where code != area {
                for level in graph.levels.values where level.area == code && !framework.contains(level) {
                    framework.append(level)
                }
            }
        }
        return framework
    }

    // MARK: Routes

    mutating func resolveReferrer(_ ref: TextReference, area: AreaCode?) -> Referrer? {
        // A service's own name wins over a role's synonym: "Health visiting" the service is not
        // "a health visitor" the role.
        if let service = resolveService(ref, area: area, reportFailure: false) { return .service(service) }
        if let role = ReferrerRole.recognise(ref.text) { return .role(role) }
        let slug = Slug.make(ref.text)
        guard !slug.isEmpty else { return nil }
        report(.note(.newReferrerRole, "'\(ref.text)' is neither a known referrer role nor a service; kept as a new role", at: ref.location))
        return .role(ReferrerRole(slug))
    }

    mutating func resolveService(_ ref: TextReference, area: AreaCode?, reportFailure: Bool = true) -> ServiceID? {
        let key = Slug.make(ref.text)
        // An exact id first: derived ids hold "--", which slugging collapses.
        if graph.services[ServiceID(ref.text)] != nil { return ServiceID(ref.text) }
        if graph.services[ServiceID(key)] != nil { return ServiceID(key) }
        var matches = services(namedBy: key).compactMap { graph.services[$0] }
        if matches.count > 1, let area {
            matches = matches.filter { graph.serves($0.areas, within: area) }
        }
        if matches.count == 1 { return matches[0].id }
        guard reportFailure else { return nil }
        if matches.count > 1 {
            report(.error(.ambiguousService,
                "'\(ref.text)' names \(matches.count) services (\(matches.map(\.id.rawValue).joined(separator: ", "))); give an area or the service id",
                at: ref.location))
        } else {
            report(.error(.unknownService, "referral route to unknown service '\(ref.text)'", at: ref.location))
        }
        return nil
    }

    mutating func addRoute(_ draft: RouteDraft) {
        let area = draft.area.flatMap { resolveArea($0) }
        guard let to = resolveService(draft.to, area: area) else { return }
        guard let from = resolveReferrer(draft.from, area: area ?? graph.services[to]?.areas.first) else { return }
        let route = ReferralRoute(from: from, to: to, mode: draft.mode, kind: draft.kind,
                                  conditions: draft.conditions, notes: draft.notes, sources: draft.sources)
        if let existing = graph.routes[route.id] {
            var merged = existing
            merged.sources = existing.sources.merged(with: route.sources)
            merged.conditions = existing.conditions ?? route.conditions
            merged.notes = existing.notes ?? route.notes
            graph.routes[route.id] = merged
        } else {
            graph.routes[route.id] = route
        }
    }
}
