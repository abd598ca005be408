import Foundation

/// A piece of text that names another record ("Health visitor", "Tier 2", "Glasgow City"),
/// with where it was written, so an unresolvable name is reported at its cell.
public struct TextReference: Hashable, Sendable {
    public var text: String
    public var location: SourceLocation?

    public init(_ text: String, at location: SourceLocation? = nil) {
        self.text = text
        self.location = location
    }
}

/// Records as a reader found them: fields parsed, references to other records still in words.
/// `GraphAssembler` resolves the references once every file has been read, because a route may be
/// read before the service it points to.
public struct AreaDraft: Sendable {
    public var code: String?
    public var name: String
    public var kind: AreaKind
    public var parent: TextReference?
    public var sources: Sources

    public init(code: String?, name: String, kind: AreaKind, parent: TextReference?, sources: Sources) {
        self.code = code
        self.name = name
        self.kind = kind
        self.parent = parent
        self.sources = sources
    }
}

public struct LevelDraft: Sendable {
    public var id: String?
    public var area: TextReference
    public var name: String
    public var order: Int?
    public var ring: ContinuumRing?
    public var description: String
    public var sources: Sources

    public init(id: String?, area: TextReference, name: String, order: Int?, ring: ContinuumRing?, description: String, sources: Sources) {
        self.id = id
        self.area = area
        self.name = name
        self.order = order
        self.ring = ring
        self.description = description
        self.sources = sources
    }
}

public struct CategoryDraft: Sendable {
    public var id: String?
    public var name: String
    public var parent: TextReference?
    public var synonyms: [String]
    public var sources: Sources

    public init(id: String?, name: String, parent: TextReference?, synonyms: [String], sources: Sources) {
        self.id = id
        self.name = name
        self.parent = parent
        self.synonyms = synonyms
        self.sources = sources
    }
}

public struct OrganisationDraft: Sendable {
    public var id: String?
    public var name: String
    public var sector: Sector?
    public var website: String?
    public var description: String
    public var sources: Sources

    public init(id: String?, name: String, sector: Sector?, website: String?, description: String, sources: Sources) {
        self.id = id
        self.name = name
        self.sector = sector
        self.website = website
        self.description = description
        self.sources = sources
    }
}

public struct ServiceDraft: Sendable {
    public var id: String?
    public var name: String
    public var nameLocation: SourceLocation?
    public var organisation: TextReference?
    public var areas: [TextReference] = []
    public var categories: [TextReference] = []
    public var levels: [TextReference] = []
    /// Other services this one is part of or the same as, e.g. a bookmark's folder path.
    public var service: Service
    /// "Self-referral?" yes/no; nil when the source did not say.
    public var selfReferral: Bool?
    public var selfReferralLocation: SourceLocation?
    /// Who may refer ("GPs; health visitors; schools").
    public var referredBy: [TextReference] = []
    /// When true, the record only adds to a service found elsewhere (a bookmark whose title
    /// matches a spreadsheet row) and is dropped with a note if none matches.
    public var isSupplement: Bool = false
    /// Words that may name an area or a category, from a source that cannot say which (a
    /// bookmark's folder names and tags). Each becomes one of the service's areas if it names an
    /// area, else one of its categories if it names a known category, else it is dropped without
    /// a diagnostic: a folder called "Reading list" is not an error.
    public var hints: [TextReference] = []

    public init(id: String?, name: String, nameLocation: SourceLocation?, service: Service) {
        self.id = id
        self.name = name
        self.nameLocation = nameLocation
        self.service = service
    }

    /// The service, moved out: the draft keeps a shared placeholder, so the caller holds the only
    /// reference to the service's storage and can change it without copying it.
    mutating func takeService() -> Service {
        var taken = Self.placeholder
        swap(&taken, &service)
        return taken
    }

    private static let placeholder = Service(id: "", name: "")
}

public struct RouteDraft: Sendable {
    public var from: TextReference
    public var to: TextReference
    /// An area that narrows name look-ups when the same service name exists in several areas.
    public var area: TextReference?
    public var mode: ReferralMode
    public var kind: RouteKind
    public var conditions: String?
    public var notes: String?
    public var sources: Sources

    public init(
        from: TextReference, to: TextReference, area: TextReference?, mode: ReferralMode, kind: RouteKind,
        conditions: String?, notes: String?, sources: Sources
    ) {
        self.from = from
        self.to = to
        self.area = area
        self.mode = mode
        self.kind = kind
        self.conditions = conditions
        self.notes = notes
        self.sources = sources
    }
}

/// What one input file yields: drafts of each kind and the problems found reading it.
public struct GraphFragment: Sendable {
    public var areas: [AreaDraft] = []
    public var levels: [LevelDraft] = []
    public var categories: [CategoryDraft] = []
    public var organisations: [OrganisationDraft] = []
    public var services: [ServiceDraft] = []
    public var routes: [RouteDraft] = []
    public var diagnostics: [Diagnostic] = []

    public init() {}

    /// Adds `other`'s drafts after these. Into an empty list the other's array is shared rather
    /// than copied: a 100,000-row sheet's drafts pass through several fragments on their way to
    /// the assembler, and each copy held another 60 MB until its source was released.
    public mutating func append(_ other: GraphFragment) {
        func join<T>(_ mine: inout [T], _ theirs: [T]) {
            if mine.isEmpty { mine = theirs } else { mine += theirs }
        }
        join(&areas, other.areas)
        join(&levels, other.levels)
        join(&categories, other.categories)
        join(&organisations, other.organisations)
        join(&services, other.services)
        join(&routes, other.routes)
        join(&diagnostics, other.diagnostics)
    }

    public var recordCount: Int {
        areas.count + levels.count + categories.count + organisations.count + services.count + routes.count
    }
}
