import Foundation

/// What kind of place an area is, from the largest to the smallest.
public enum AreaKind: String, Codable, Sendable, CaseIterable, Comparable {
    case nation
    case region
    case healthBoard = "health-board"
    case council
    case locality

    public static func < (lhs: AreaKind, rhs: AreaKind) -> Bool { lhs.depth < rhs.depth }

    var depth: Int {
        switch self {
        case .nation: 0
        case .region, .healthBoard: 1
        case .council: 2
        case .locality: 3
        }
    }

    public var label: String {
        switch self {
        case .nation: "Nation"
        case .region: "Region"
        case .healthBoard: "Health board"
        case .council: "Council"
        case .locality: "Locality"
        }
    }

    public init?(parsing text: String) {
        switch Slug.make(text) {
        case "nation", "country": self = .nation
        case "region", "combined-authority", "city-region": self = .region
        case "health-board", "nhs-board", "board", "healthboard": self = .healthBoard
        case "council", "local-authority", "la", "hscp", "borough", "london-borough", "city-council",
            "unitary-authority", "metropolitan-borough":
            self = .council
        case "locality", "neighbourhood", "ward", "sector", "area-team": self = .locality
        default: return nil
        }
    }
}

/// A place in the hierarchy nation → health board / region → council → locality.
public struct Area: Hashable, Codable, Sendable, Identifiable {
    public var id: AreaCode { code }
    public var code: AreaCode
    public var name: String
    public var kind: AreaKind
    public var parent: AreaCode?
    public var sources: Sources

    public init(code: AreaCode, name: String, kind: AreaKind, parent: AreaCode? = nil, sources: Sources = Sources()) {
        self.code = code
        self.name = name
        self.kind = kind
        self.parent = parent
        self.sources = sources
    }
}
