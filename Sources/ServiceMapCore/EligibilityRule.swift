import Foundation

/// A condition about a family that a service requires or excludes, kept as data so thresholds
/// are explicit and comparable across agencies (001).
public enum EligibilityCondition: Hashable, Codable, Sendable {
    case allocatedSocialWorker
    case childInNeedPlan
    case childProtectionPlan
    case courtProceedings
    case pregnant
    case previousChildRemoved
    case childUnderFive
    case residentInArea
    case diagnosis
    case parentalMentalIllness
    case parentalSubstanceUse
    /// Anything the taxonomy has no word for, kept in the source's own words.
    case other(String)

    static let known: [(key: String, condition: EligibilityCondition, words: String)] = [
        ("allocated-social-worker", .allocatedSocialWorker, "an allocated social worker"),
        ("child-in-need-plan", .childInNeedPlan, "a Child in Need plan"),
        ("child-protection-plan", .childProtectionPlan, "a child protection plan"),
        ("court-proceedings", .courtProceedings, "care proceedings in court"),
        ("pregnant", .pregnant, "a pregnancy"),
        ("previous-child-removed", .previousChildRemoved, "a previous child removed from the parent's care"),
        ("child-under-five", .childUnderFive, "a child under five"),
        ("resident-in-area", .residentInArea, "living in the area served"),
        ("diagnosis", .diagnosis, "a diagnosis"),
        ("parental-mental-illness", .parentalMentalIllness, "a parent with a mental illness"),
        ("parental-substance-use", .parentalSubstanceUse, "a parent who uses drugs or alcohol"),
    ]

    public var key: String {
        if case .other(let text) = self { return text }
        return Self.known.first { $0.condition == self }!.key
    }

    /// The condition in plain words, for the service page.
    public var words: String {
        if case .other(let text) = self { return text }
        return Self.known.first { $0.condition == self }!.words
    }

    /// Recognises keys ("allocated-social-worker") and common phrasings ("has a social worker",
    /// "CP plan"); anything else becomes `.other` in the source's words.
    public init(parsing text: String) {
        let slug = Slug.make(text)
        if let match = Self.known.first(where: { $0.key == slug }) {
            self = match.condition
            return
        }
        let phrases: [(String, EligibilityCondition)] = [
            ("social-worker", .allocatedSocialWorker), ("child-in-need", .childInNeedPlan), ("cin-plan", .childInNeedPlan),
            ("child-protection", .childProtectionPlan), ("cp-plan", .childProtectionPlan),
            ("proceedings", .courtProceedings), ("court", .courtProceedings), ("pregnan", .pregnant),
            ("removed", .previousChildRemoved), ("under-5", .childUnderFive), ("under-five", .childUnderFive),
            ("live-in", .residentInArea), ("resident", .residentInArea), ("diagnos", .diagnosis),
        ]
        if let match = phrases.first(where: { slug.contains($0.0) }) {
            self = match.1
        } else {
            self = .other(text.trimmed)
        }
    }

    public init(from decoder: Decoder) throws {
        self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(key)
    }
}

/// "Requires an allocated social worker"; "excludes families with a child protection plan".
public struct EligibilityRule: Hashable, Codable, Sendable, CustomStringConvertible {
    public enum Effect: String, Codable, Sendable {
        case requires
        case excludes
    }

    public var effect: Effect
    public var condition: EligibilityCondition
    public var note: String?

    public init(_ effect: Effect, _ condition: EligibilityCondition, note: String? = nil) {
        self.effect = effect
        self.condition = condition
        self.note = note
    }

    /// The rule in plain words.
    public var description: String {
        let base = effect == .requires
            ? "Needs \(condition.words)" : "Not for families with \(condition.words)"
        return note.map { "\(base) (\($0))" } ?? base
    }

    /// The stored form: `requires:allocated-social-worker`.
    public var key: String { "\(effect.rawValue):\(condition.key)" }
}
