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
public struct Service: Hashable, Codable, Sendable, Identifiable {
    public var id: ServiceID
    public var name: String
    public var organisation: OrganisationID?
    public var description: String
    /// The areas the service covers; it also serves their sub-areas.
    public var areas: [AreaCode]
    public var categories: [CategoryID]
    public var ages: AgeRange?
    public var levels: [LevelID]
    public var eligibility: [EligibilityRule]
    public var cost: Cost?
    public var costNote: String?
    public var languages: [String]
    public var delivery: [DeliveryMode]
    public var contact: Contact
    /// Refuges and similar: the address is never shown anywhere.
    public var confidentialAddress: Bool
    public var status: ServiceStatus
    public var lastVerified: Day?
    public var sector: Sector?
    /// How to refer, in the source's words (routes carry the structured form).
    public var howToRefer: String?
    /// Columns the importer did not recognise, kept by header.
    public var attributes: [String: String]
    public var sources: Sources

    public init(
        id: ServiceID, name: String, organisation: OrganisationID? = nil, description: String = "",
        areas: [AreaCode] = [], categories: [CategoryID] = [], ages: AgeRange? = nil, levels: [LevelID] = [],
        eligibility: [EligibilityRule] = [], cost: Cost? = nil, costNote: String? = nil, languages: [String] = [],
        delivery: [DeliveryMode] = [], contact: Contact = Contact(), confidentialAddress: Bool = false,
        status: ServiceStatus = .active, lastVerified: Day? = nil, sector: Sector? = nil, howToRefer: String? = nil,
        attributes: [String: String] = [:], sources: Sources = Sources()
    ) {
        self.id = id
        self.name = name
        self.organisation = organisation
        self.description = description
        self.areas = areas
        self.categories = categories
        self.ages = ages
        self.levels = levels
        self.eligibility = eligibility
        self.cost = cost
        self.costNote = costNote
        self.languages = languages
        self.delivery = delivery
        self.contact = contact
        self.confidentialAddress = confidentialAddress
        self.status = status
        self.lastVerified = lastVerified
        self.sector = sector
        self.howToRefer = howToRefer
        self.attributes = attributes
        self.sources = sources
    }
}
