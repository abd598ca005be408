import Foundation

/// The common seven-ring continuum of need (002, Figure 4), from the outermost ring to the
/// innermost. Every local level of need maps onto one ring, so areas can be compared.
public enum ContinuumRing: Int, Codable, Sendable, CaseIterable, Comparable {
    case universal = 1
    case earlyHelp = 2
    case childInNeed = 3
    case unidentifiedChildProtection = 4
    case childProtection = 5
    case preProceedings = 6
    case court = 7

    public static func < (lhs: ContinuumRing, rhs: ContinuumRing) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Statutory social work begins where a child is assessed as in need (Children Act 1989 s17 in
    /// England; the equivalent compulsory-measures route in Scotland). Everything below it is an
    /// "alternative to social work".
    public static let statutorySocialWork: ContinuumRing = .childInNeed

    public var isStatutory: Bool { self >= Self.statutorySocialWork }

    public var name: String {
        switch self {
        case .universal: "Universal"
        case .earlyHelp: "Early Help"
        case .childInNeed: "Child in Need"
        case .unidentifiedChildProtection: "Unidentified Child Protection"
        case .childProtection: "Child Protection"
        case .preProceedings: "Pre-proceedings"
        case .court: "Court"
        }
    }

    public var slug: String { Slug.make(name) }

    /// Accepts the ring's name, its slug or its number (1–7).
    public init?(parsing text: String) {
        let key = Slug.make(text)
        if let n = Int(key), let ring = ContinuumRing(rawValue: n) {
            self = ring
            return
        }
        let aliases: [String: ContinuumRing] = [
            "cin": .childInNeed, "cp": .childProtection, "early-intervention": .earlyHelp,
            "targeted": .earlyHelp, "pre-proceedings": .preProceedings, "preproceedings": .preProceedings,
            "public-law-outline": .preProceedings, "proceedings": .court, "care-proceedings": .court,
        ]
        if let ring = ContinuumRing.allCases.first(where: { $0.slug == key }) ?? aliases[key] {
            self = ring
        } else {
            return nil
        }
    }
}
