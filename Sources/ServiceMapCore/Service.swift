import Foundation

/// How much a service costs a family.
public enum Cost: String, Codable, Sendable, CaseIterable {
    case free
    case lowCost = "low-cost"
    case paid
    case varies

    public var label: String {
        switch self {
        case .free: "Free"
        case .lowCost: "Low cost"
        case .paid: "Paid"
        case .varies: "Varies"
        }
    }

    public init?(parsing text: String) {
        switch Slug.make(text) {
        case "free", "no-cost", "0", "none", "no-charge", "nil", "free-of-charge": self = .free
        case "low-cost", "small-charge", "subsidised", "donation", "low": self = .lowCost
        case "paid", "charge", "fee", "charged", "yes": self = .paid
        case "varies", "variable", "depends", "some-costs", "mixed": self = .varies
        default: return nil
        }
    }
}

/// How a service is delivered.
public enum DeliveryMode: String, Codable, Sendable, CaseIterable {
    case inPerson = "in-person"
    case homeVisit = "home-visit"
    case group
    case online
    case telephone
    case residential

    public var label: String {
        switch self {
        case .inPerson: "In person"
        case .homeVisit: "Home visits"
        case .group: "Groups"
        case .online: "Online"
        case .telephone: "Telephone"
        case .residential: "Residential (inpatient)"
        }
    }

    public init?(parsing text: String) {
        switch Slug.make(text) {
        case "in-person", "face-to-face", "centre", "centre-based", "clinic", "office", "drop-in": self = .inPerson
        case "home-visit", "home-visits", "home", "outreach", "home-visiting": self = .homeVisit
        case "group", "groups", "group-work", "course": self = .group
        case "online", "video", "virtual", "web", "remote": self = .online
        case "telephone", "phone", "helpline": self = .telephone
        case "residential", "inpatient", "in-patient", "ward": self = .residential
        default: return nil
        }
    }
}

/// Whether a service is running.
public enum ServiceStatus: String, Codable, Sendable, CaseIterable {
    case active
    case pilot
    case inactive
    case closed

    public init?(parsing text: String) {
        switch Slug.make(text) {
        case "active", "open", "running", "current", "live": self = .active
        case "pilot", "trial", "research-trial", "in-development": self = .pilot
        case "inactive", "suspended", "paused", "funding-withdrawn": self = .inactive
        case "closed", "ended", "defunct", "discontinued": self = .closed
        default: return nil
        }
    }
}

/// How to reach a service. Every field is optional: unknown stays empty and is shown as
/// "not yet verified", never guessed.
public struct Contact: Hashable, Codable, Sendable {
    public var phone: String?
    public var email: String?
    public var website: String?
    public var address: String?
    public var postcode: String?

    public init(phone: String? = nil, email: String? = nil, website: String? = nil, address: String? = nil, postcode: String? = nil) {
        self.phone = phone
        self.email = email
        self.website = website
        self.address = address
        self.postcode = postcode
    }

    public var isEmpty: Bool { phone == nil && email == nil && website == nil && address == nil && postcode == nil }
}

/// A calendar day, with no time zone: "last verified 2024-03-01".
public struct Day: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses ISO `2024-03-01`, `01/03/2024` (UK order) and `1 March 2024`.
    public init?(parsing text: String) {
        // ISO, as the store keeps every date, read digit by digit (a directory's load reads one
        // per service); anything else through the general parse below.
        if let iso = Self.isoFields(text) {
            guard (1...12).contains(iso.month), (1000...9999).contains(iso.year),
                  (1...Day.daysIn(month: iso.month, year: iso.year)).contains(iso.day) else { return nil }
            self.init(year: iso.year, month: iso.month, day: iso.day)
            return
        }
        let t = text.trimmed
        let parts = t.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." || $0 == " " })
        guard parts.count == 3 else { return nil }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        if parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2].prefix(2)) {
            self.init(year: y, month: m, day: d)
        } else if let d = Int(parts[0]), let y = Int(parts[2]), parts[2].count == 4 {
            if let m = Int(parts[1]) {
                self.init(year: y, month: m, day: d)
            } else if let m = months.firstIndex(of: String(parts[1].prefix(3)).lowercased()) {
                self.init(year: y, month: m + 1, day: d)
            } else {
                return nil
            }
        } else {
            return nil
        }
        guard (1...12).contains(month), (1000...9999).contains(year), (1...Day.daysIn(month: month, year: year)).contains(day) else {
            return nil
        }
    }

    /// Year, month and day of exactly `dddd-dd-dd`; nil for any other text.
    private static func isoFields(_ text: String) -> (year: Int, month: Int, day: Int)? {
        guard text.utf8.count == 10 else { return nil }
        let fields = text.utf8.withContiguousStorageIfAvailable { bytes -> (year: Int, month: Int, day: Int)? in
            guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    guard bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else { return nil }
                    value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
            return (year, month, day)
        }
        return fields ?? nil
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (lhs: Day, rhs: Day) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(pad(month))-\(pad(day))"
    }

    /// Whole months from this day to `later` (negative if `later` is earlier).
    public func months(until later: Day) -> Int {
        (later.year - year) * 12 + (later.month - month) - (later.day < day ? 1 : 0)
    }
}

/// A service a family can use: what it is, who it is for, at which levels of need, and where.
///
/// The fields live in one shared box that is copied only when a shared copy is changed. A service
/// is read far more often than written, and a copy of twenty separately counted fields (every
/// dictionary read of a service is one) cost about a tenth of a 100,000-service site rebuild.
public struct Service: Hashable, Codable, Sendable, Identifiable, CustomReflectable {
    private var box: Box

    public var id: ServiceID {
        get { box.fields.id }
        _modify { makeUnique(); yield &box.fields.id }
    }
    public var name: String {
        get { box.fields.name }
        _modify { makeUnique(); yield &box.fields.name }
    }
    public var organisation: OrganisationID? {
        get { box.fields.organisation }
        _modify { makeUnique(); yield &box.fields.organisation }
    }
    public var description: String {
        get { box.fields.description }
        _modify { makeUnique(); yield &box.fields.description }
    }
    /// The areas the service covers; it also serves their sub-areas.
    public var areas: [AreaCode] {
        get { box.fields.areas }
        _modify { makeUnique(); yield &box.fields.areas }
    }
    public var categories: [CategoryID] {
        get { box.fields.categories }
        _modify { makeUnique(); yield &box.fields.categories }
    }
    public var ages: AgeRange? {
        get { box.fields.ages }
        _modify { makeUnique(); yield &box.fields.ages }
    }
    public var levels: [LevelID] {
        get { box.fields.levels }
        _modify { makeUnique(); yield &box.fields.levels }
    }
    public var eligibility: [EligibilityRule] {
        get { box.fields.eligibility }
        _modify { makeUnique(); yield &box.fields.eligibility }
    }
    public var cost: Cost? {
        get { box.fields.cost }
        _modify { makeUnique(); yield &box.fields.cost }
    }
    public var costNote: String? {
        get { box.fields.costNote }
        _modify { makeUnique(); yield &box.fields.costNote }
    }
    public var languages: [String] {
        get { box.fields.languages }
        _modify { makeUnique(); yield &box.fields.languages }
    }
    public var delivery: [DeliveryMode] {
        get { box.fields.delivery }
        _modify { makeUnique(); yield &box.fields.delivery }
    }
    public var contact: Contact {
        get { box.fields.contact }
        _modify { makeUnique(); yield &box.fields.contact }
    }
    /// Refuges and similar: the address is never shown anywhere.
    public var confidentialAddress: Bool {
        get { box.fields.confidentialAddress }
        _modify { makeUnique(); yield &box.fields.confidentialAddress }
    }
    public var status: ServiceStatus {
        get { box.fields.status }
        _modify { makeUnique(); yield &box.fields.status }
    }
    public var lastVerified: Day? {
        get { box.fields.lastVerified }
        _modify { makeUnique(); yield &box.fields.lastVerified }
    }
    public var sector: Sector? {
        get { box.fields.sector }
        _modify { makeUnique(); yield &box.fields.sector }
    }
    /// How to refer, in the source's words (routes carry the structured form).
    public var howToRefer: String? {
        get { box.fields.howToRefer }
        _modify { makeUnique(); yield &box.fields.howToRefer }
    }
    /// Columns the importer did not recognise, kept by header.
    public var attributes: [String: String] {
        get { box.fields.attributes }
        _modify { makeUnique(); yield &box.fields.attributes }
    }
    public var sources: Sources {
        get { box.fields.sources }
        _modify { makeUnique(); yield &box.fields.sources }
    }

    public init(
        id: ServiceID, name: String, organisation: OrganisationID? = nil, description: String = "",
        areas: [AreaCode] = [], categories: [CategoryID] = [], ages: AgeRange? = nil, levels: [LevelID] = [],
        eligibility: [EligibilityRule] = [], cost: Cost? = nil, costNote: String? = nil, languages: [String] = [],
        delivery: [DeliveryMode] = [], contact: Contact = Contact(), confidentialAddress: Bool = false,
        status: ServiceStatus = .active, lastVerified: Day? = nil, sector: Sector? = nil, howToRefer: String? = nil,
        attributes: [String: String] = [:], sources: Sources = Sources()
    ) {
        box = Box(Fields(
            id: id, name: name, organisation: organisation, description: description, areas: areas,
            categories: categories, ages: ages, levels: levels, eligibility: eligibility, cost: cost,
            costNote: costNote, languages: languages, delivery: delivery, contact: contact,
            confidentialAddress: confidentialAddress, status: status, lastVerified: lastVerified,
            sector: sector, howToRefer: howToRefer, attributes: attributes, sources: sources))
    }

    public static func == (lhs: Service, rhs: Service) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }

    public func hash(into hasher: inout Hasher) { box.fields.hash(into: &hasher) }

    public init(from decoder: Decoder) throws { box = Box(try Fields(from: decoder)) }

    public func encode(to encoder: Encoder) throws { try box.fields.encode(to: encoder) }

    /// Mirrors the fields, not the box: debug output and the tests that list a service's fields see
    /// what they saw when the fields were stored in the struct itself.
    public var customMirror: Mirror {
        Mirror(self, children: Mirror(reflecting: box.fields).children, displayStyle: .struct)
    }

    /// A fingerprint of the rows a store read this service from, when it was read from a store and
    /// has not been changed since: the site fingerprints a service's page from it, rather than
    /// from every field again (`ServiceKeys`). Not part of the service's value: two services
    /// with the same fields are equal whatever their digests.
    public var storedDigest: Digest? { box.storedDigest }

    /// Records the fingerprint of the rows the service was just read from (`storedDigest`).
    public mutating func remember(storedDigest: Digest) {
        makeUnique()
        box.storedDigest = storedDigest
    }

    /// Called before every change: the copy is this service's own, and no longer what was stored.
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
        box.storedDigest = nil
    }

    /// The stored fields, encoded under their own names (a service's JSON is these fields).
    private struct Fields: Hashable, Codable, Sendable {
        var id: ServiceID
        var name: String
        var organisation: OrganisationID?
        var description: String
        var areas: [AreaCode]
        var categories: [CategoryID]
        var ages: AgeRange?
        var levels: [LevelID]
        var eligibility: [EligibilityRule]
        var cost: Cost?
        var costNote: String?
        var languages: [String]
        var delivery: [DeliveryMode]
        var contact: Contact
        var confidentialAddress: Bool
        var status: ServiceStatus
        var lastVerified: Day?
        var sector: Sector?
        var howToRefer: String?
        var attributes: [String: String]
        var sources: Sources
    }

    /// Changed only through `makeUnique`, so a box seen by more than one thread is never written.
    private final class Box: @unchecked Sendable {
        var fields: Fields
        var storedDigest: Digest?
        init(_ fields: Fields) { self.fields = fields }
    }
}
