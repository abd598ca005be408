import Foundation

/// A kind of person or body that refers families: a health visitor, a GP, the family itself.
public struct ReferrerRole: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let `self`: ReferrerRole = "self"
    public static let healthVisitor: ReferrerRole = "health-visitor"
    public static let gp: ReferrerRole = "gp"
    public static let midwife: ReferrerRole = "midwife"
    public static let school: ReferrerRole = "school"
    public static let police: ReferrerRole = "police"
    public static let socialWorker: ReferrerRole = "social-worker"
    public static let court: ReferrerRole = "court"
    public static let childrensHearing: ReferrerRole = "childrens-hearing"

    /// Roles servicemap knows, with the words sources use for them.
    public static let known: [(role: ReferrerRole, label: String, synonyms: [String])] = [
        (.self, "The family (self-referral)", ["self", "self-referral", "self referral", "family", "parent", "parents", "the family", "families", "drop-in", "walk-in"]),
        (.healthVisitor, "Health visitor", ["health visitor", "health visitors", "hv", "hvs", "health visiting"]),
        (.gp, "GP", ["gp", "gps", "general practitioner", "doctor", "family doctor"]),
        (.midwife, "Midwife", ["midwife", "midwives", "midwifery"]),
        (.school, "School or nursery", ["school", "schools", "nursery", "education", "teacher", "early years"]),
        (.police, "Police", ["police"]),
        (.socialWorker, "Social worker", ["social worker", "social workers", "social work", "sw", "children's social work", "childrens social care", "children's social care", "local authority"]),
        (.court, "Family court", ["court", "family court", "courts", "judge"]),
        (.childrensHearing, "Children's Hearing", ["children's hearing", "childrens hearing", "hearing", "children's panel", "reporter", "children's reporter"]),
        ("family-nurse", "Family nurse", ["family nurse", "fnp"]),
        ("mental-health-worker", "Mental health worker", ["mental health worker", "amh", "adult mental health", "mental health services", "cmht"]),
        ("drug-and-alcohol-worker", "Drug and alcohol worker", ["drug and alcohol worker", "d&a", "addictions", "drug and alcohol services", "substance misuse worker"]),
        ("camhs", "CAMHS", ["camhs"]),
        ("paediatrician", "Paediatrician", ["paediatrician", "paediatrics", "consultant paediatrician"]),
        ("any-professional", "Any professional", ["any professional", "professionals", "professional", "agencies", "partner agencies", "any agency"]),
    ]

    public var label: String {
        Self.known.first { $0.role == self }?.label ?? rawValue.replacingOccurrences(of: "-", with: " ").capitalized
    }

    /// The role a phrase names, if servicemap knows it.
    public static func recognise(_ text: String) -> ReferrerRole? {
        let key = text.lowercased().trimmed
            .replacingOccurrences(of: "’", with: "'")
        let slug = Slug.make(text)
        return known.first { entry in
            entry.role.rawValue == slug || entry.synonyms.contains(key) || entry.label.lowercased() == key
        }?.role
    }
}

/// Who or what a referral comes from.
public enum Referrer: Hashable, Codable, Sendable, CustomStringConvertible {
    case role(ReferrerRole)
    case service(ServiceID)

    public var description: String {
        switch self {
        case .role(let role): "role:\(role.rawValue)"
        case .service(let id): "service:\(id.rawValue)"
        }
    }
}

/// How a referral is made.
public enum ReferralMode: String, Codable, Sendable, CaseIterable {
    case selfReferral = "self-referral"
    case professional = "professional-referral"
    case frontDoor = "via-front-door"
    case courtDirected = "court-directed"
    case hearingDirected = "hearing-directed"
    case signposting

    public var label: String {
        switch self {
        case .selfReferral: "Self-referral"
        case .professional: "Professional referral"
        case .frontDoor: "Via the front door or hub"
        case .courtDirected: "Directed by a court"
        case .hearingDirected: "Directed by a Children's Hearing"
        case .signposting: "Signposting"
        }
    }

    public init?(parsing text: String) {
        switch Slug.make(text) {
        case "self", "self-referral", "self-refer", "drop-in", "walk-in": self = .selfReferral
        case "professional", "professional-referral", "referral", "refer", "professional-only": self = .professional
        case "front-door", "via-front-door", "hub", "via-hub", "via-the-hub", "mash", "duty", "front-door-or-hub": self = .frontDoor
        case "court", "court-directed", "court-ordered", "court-order": self = .courtDirected
        case "hearing", "hearing-directed", "childrens-hearing", "compulsory-supervision-order": self = .hearingDirected
        case "signpost", "signposting", "signposted": self = .signposting
        default: return nil
        }
    }
}

/// Whether a route moves a family to more or less intensive help, or is an ordinary referral.
public enum RouteKind: String, Codable, Sendable, CaseIterable {
    case referral
    case stepUp = "step-up"
    case stepDown = "step-down"

    public init?(parsing text: String) {
        switch Slug.make(text) {
        case "referral", "refer", "": self = .referral
        case "step-up", "escalation", "escalate", "up": self = .stepUp
        case "step-down", "de-escalation", "down", "stepped-down": self = .stepDown
        default: return nil
        }
    }
}

/// An edge of the referral graph: from a referrer to a service.
public struct ReferralRoute: Hashable, Codable, Sendable, Identifiable {
    public var from: Referrer
    public var to: ServiceID
    public var mode: ReferralMode
    public var kind: RouteKind
    public var conditions: String?
    public var notes: String?
    public var sources: Sources

    public init(
        from: Referrer, to: ServiceID, mode: ReferralMode, kind: RouteKind = .referral,
        conditions: String? = nil, notes: String? = nil, sources: Sources = Sources()
    ) {
        self.from = from
        self.to = to
        self.mode = mode
        self.kind = kind
        self.conditions = conditions
        self.notes = notes
        self.sources = sources
    }

    /// One route per referrer, target, mode and kind: the same route read twice merges.
    public var id: String { "\(from)>\(to.rawValue)#\(mode.rawValue)#\(kind.rawValue)" }
}
