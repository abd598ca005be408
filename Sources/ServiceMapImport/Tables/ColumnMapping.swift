import Foundation
import ServiceMapCore
import Yams

/// What a table holds, decided from its headers (and its sheet or file name when headers alone are ambiguous).
public enum TableKind: String, Sendable, CaseIterable, Codable {
    case services, routes, areas, levels, organisations, categories

    /// Words in a sheet or file name that suggest the kind ("Referral routes", "glasgow-services.csv").
    var nameHints: [String] {
        switch self {
        case .services: ["service", "directory", "provision"]
        case .routes: ["route", "referral", "pathway"]
        case .areas: ["area", "geograph", "place"]
        case .levels: ["level", "tier", "threshold", "framework"]
        case .organisations: ["organisation", "organization", "provider", "org"]
        case .categories: ["categor", "taxonom", "need-type"]
        }
    }

    /// Fields a table of this kind cannot do without.
    var keyFields: [[Field]] {
        switch self {
        case .services: [[.name]]
        case .routes: [[.from], [.to]]
        case .areas: [[.code, .name], [.kind]]
        case .levels: [[.name], [.ring], [.area]]
        case .organisations: [[.name], [.sector, .website]]
        case .categories: [[.name, .id], [.parent, .synonyms]]
        }
    }
}

/// A column's meaning. Raw values are the names a mapping file uses.
public enum Field: String, Sendable, CaseIterable, Codable {
    case id, name, organisation, description
    case area, locality, council, healthBoard = "health-board"
    case categories, ages, minAge = "min-age", maxAge = "max-age", levels
    case eligibility, exclusions, cost, languages, delivery
    case phone, email, website, address, postcode
    case confidentialAddress = "confidential-address", status, lastVerified = "last-verified", sector
    case selfReferral = "self-referral", referredBy = "referred-by", howToRefer = "how-to-refer"
    case source
    // routes
    case from, to, mode, kind, conditions, notes
    // areas, levels, categories
    case code, parent, order, ring, synonyms
}

/// Header synonyms: the words researchers put at the top of a column, mapped to fields.
/// A mapping file can add its own (`columns: {"Name of the project": name}`), which win.
public struct ColumnMapping: Sendable {
    /// Normalised header → field, from a mapping file; consulted before the built-in synonyms.
    public var overrides: [String: Field] = [:]
    /// Normalised headers to ignore entirely (not even kept as attributes).
    public var ignored: Set<String> = []
    /// Sheet or file name (normalised) → table kind, when the headers are not enough.
    public var sheetKinds: [String: TableKind] = [:]

    public init() {}

    public func merged(with other: ColumnMapping) -> ColumnMapping {
        var result = self
        result.overrides.merge(other.overrides) { _, new in new }
        result.ignored.formUnion(other.ignored)
        result.sheetKinds.merge(other.sheetKinds) { _, new in new }
        return result
    }

    /// Headers compared without case, punctuation or spacing: "Self-referral?" = "self referral".
    static func normalise(_ header: String) -> String { Slug.make(header) }

    /// The fields a header may mean, by table kind. A header can mean different fields in
    /// different kinds of table ("Area" is the service's area, the level's framework area…).
    func fields(for header: String, kind: TableKind) -> Field? {
        let key = Self.normalise(header)
        if key.isEmpty || ignored.contains(key) { return nil }
        if let field = overrides[key] { return field }
        return Self.synonyms[kind]?[key]
    }

    static let synonyms: [TableKind: [String: Field]] = {
        var table: [TableKind: [String: Field]] = [:]
        func add(_ kind: TableKind, _ field: Field, _ headers: [String]) {
            for header in headers { table[kind, default: [:]][normalise(header)] = field }
        }
        let s = TableKind.services
        add(s, .id, ["id", "service id", "ref", "reference number", "record id"])
        add(s, .name, ["service", "service name", "name of service", "name", "service title", "title", "project", "programme", "resource"])
        add(s, .organisation, ["organisation", "organization", "provider", "provided by", "run by", "agency", "lead organisation", "delivered by"])
        add(s, .description, ["description", "what it offers", "what they do", "about", "summary", "details", "service description", "what is offered", "offer"])
        add(s, .area, ["area", "area covered", "areas", "coverage", "geography", "location", "where", "area served", "catchment", "region", "nation"])
        add(s, .locality, ["locality", "neighbourhood", "sector", "localities"])
        add(s, .council, ["local authority", "council", "la", "borough", "hscp", "local authority area", "council area"])
        add(s, .healthBoard, ["health board", "nhs board", "board"])
        add(s, .categories, ["category", "categories", "need", "needs", "needs met", "type of support", "service type", "type", "support type", "category of need", "categories of need", "themes", "topic", "topics"])
        add(s, .ages, ["ages", "age range", "age", "age group", "ages served", "who for ages", "age of child", "child age"])
        add(s, .minAge, ["min age", "minimum age", "age from", "from age", "lower age"])
        add(s, .maxAge, ["max age", "maximum age", "age to", "to age", "upper age"])
        add(s, .levels, ["level", "levels", "level of need", "levels of need", "tier", "tiers", "threshold", "need level", "continuum level"])
        add(s, .eligibility, ["eligibility", "eligibility criteria", "criteria", "who can use it", "requirements", "inclusion criteria"])
        add(s, .exclusions, ["exclusions", "exclusion criteria", "not for", "excludes", "excluded"])
        add(s, .cost, ["cost", "costs", "fees", "fee", "price", "charge", "charges"])
        add(s, .languages, ["language", "languages", "languages spoken", "interpreting"])
        add(s, .delivery, ["delivery", "delivery mode", "format", "how delivered", "setting", "mode of delivery"])
        add(s, .phone, ["phone", "telephone", "tel", "phone number", "contact number", "telephone number"])
        add(s, .email, ["email", "e-mail", "email address", "e-mail address", "contact email"])
        add(s, .website, ["website", "web", "url", "link", "web address", "web link", "weblink", "site"])
        add(s, .address, ["address", "street address", "venue", "premises"])
        add(s, .postcode, ["postcode", "post code", "zip", "postal code"])
        add(s, .confidentialAddress, ["confidential address", "confidential", "address confidential", "refuge", "hide address"])
        add(s, .status, ["status", "service status", "active"])
        add(s, .lastVerified, ["last checked", "last verified", "verified", "date checked", "last updated", "checked", "reviewed", "last reviewed", "date verified", "verified on"])
        add(s, .sector, ["sector", "service sector", "kind of provider", "provider type"])
        add(s, .selfReferral, ["self-referral?", "self referral", "self-referral", "self referrals", "can self-refer", "self-referrals accepted", "self refer", "accepts self-referrals"])
        add(s, .referredBy, ["referred by", "who can refer", "referrers", "referral from", "referral sources", "referrals from", "referral routes in", "who refers"])
        add(s, .howToRefer, ["how to refer", "referral route", "referral process", "how to access", "access", "referral", "referrals", "referral pathway", "how to get help"])
        add(s, .source, ["source", "sources", "citation", "evidence", "reference", "references", "where from"])
        // The services sheet's own locality column is "Sector" in Glasgow usage, but "Sector" means
        // a provider's sector everywhere else; the explicit "Sector" header is the provider's.
        table[s]![normalise("sector")] = .sector

        let r = TableKind.routes
        add(r, .from, ["from", "referrer", "referred by", "source service", "from service", "who refers", "referral from", "from (referrer)"])
        add(r, .to, ["to", "service", "to service", "referred to", "target", "destination", "refers to"])
        add(r, .mode, ["mode", "how", "referral mode", "route type", "type of referral", "method"])
        add(r, .kind, ["kind", "step", "direction", "step up/down", "route kind"])
        add(r, .conditions, ["conditions", "condition", "when", "criteria", "threshold"])
        add(r, .notes, ["notes", "note", "comments", "details", "description"])
        add(r, .area, ["area", "local authority", "council", "health board"])
        add(r, .source, ["source", "sources", "citation", "evidence"])

        let a = TableKind.areas
        add(a, .code, ["code", "area code", "id", "gss code", "slug"])
        add(a, .name, ["name", "area", "area name"])
        add(a, .kind, ["kind", "type", "area type", "level", "tier"])
        add(a, .parent, ["parent", "parent area", "part of", "within", "in"])
        add(a, .source, ["source", "sources", "citation"])

        let l = TableKind.levels
        add(l, .id, ["id", "level id", "code"])
        add(l, .area, ["area", "framework", "framework area", "local authority", "applies to"])
        add(l, .name, ["name", "level", "level name", "tier", "level of need"])
        add(l, .order, ["order", "position", "number", "rank", "tier number", "level number"])
        add(l, .ring, ["ring", "continuum", "continuum ring", "common scale", "figure 4 ring", "maps to"])
        add(l, .description, ["description", "meaning", "what it means", "definition"])
        add(l, .source, ["source", "sources", "citation"])

        let o = TableKind.organisations
        add(o, .id, ["id", "organisation id"])
        add(o, .name, ["name", "organisation", "organization", "provider", "organisation name"])
        add(o, .sector, ["sector", "type", "kind", "provider type"])
        add(o, .website, ["website", "url", "web"])
        add(o, .description, ["description", "about"])
        add(o, .source, ["source", "sources", "citation"])

        let c = TableKind.categories
        add(c, .id, ["id", "category id", "code"])
        add(c, .name, ["name", "category", "need"])
        add(c, .parent, ["parent", "parent category", "broader"])
        add(c, .synonyms, ["synonyms", "also called", "aliases", "keywords"])
        return table
    }()

    /// Reads a mapping file:
    /// ```yaml
    /// columns:            # header as written → field
    ///   "Name of project": name
    /// ignore: ["Internal notes"]
    /// sheets:             # sheet or file name → table kind
    ///   "Sheet1": services
    /// ```
    public static func load(path: String) -> Result<ColumnMapping, ImportFailure> {
        let location = SourceLocation(file: path)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .failure(ImportFailure(.unreadableFile, "could not read the mapping file as UTF-8 text", at: location))
        }
        let yaml: Any?
        do {
            yaml = try Yams.load(yaml: text)
        } catch {
            return .failure(ImportFailure(.invalidMapping, "the mapping file is not valid YAML: \(error)", at: location))
        }
        guard let root = yaml as? [String: Any] else {
            return .failure(ImportFailure(.invalidMapping, "the mapping file must be a YAML mapping with 'columns', 'ignore' or 'sheets'", at: location))
        }
        var mapping = ColumnMapping()
        for (header, value) in root["columns"] as? [String: Any] ?? [:] {
            guard let name = value as? String, let field = Field(rawValue: name) else {
                let allowed = Field.allCases.map(\.rawValue).joined(separator: ", ")
                return .failure(ImportFailure(.invalidMapping, "column '\(header)' maps to '\(value)', which is not a field (one of: \(allowed))", at: location))
            }
            mapping.overrides[normalise(header)] = field
        }
        for header in root["ignore"] as? [String] ?? [] { mapping.ignored.insert(normalise(header)) }
        for (sheet, value) in root["sheets"] as? [String: Any] ?? [:] {
            guard let name = value as? String, let kind = TableKind(rawValue: name) else {
                return .failure(ImportFailure(.invalidMapping, "sheet '\(sheet)' maps to '\(value)', which is not a table kind", at: location))
            }
            mapping.sheetKinds[normalise(sheet)] = kind
        }
        return .success(mapping)
    }
}

extension DiagnosticCode {
    public static let invalidMapping: DiagnosticCode = "invalid-mapping-file"
}
