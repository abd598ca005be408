import Foundation

/// Small value types for identifiers, so a service id is never confused with an area code.
public protocol StringIdentifier: Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    var rawValue: String { get }
    init(_ rawValue: String)
}

extension StringIdentifier {
    public init(stringLiteral value: String) { self.init(value) }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public init(from decoder: Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Identifies a service; stable across imports (explicit `id` column, or derived from name and area).
public struct ServiceID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The id a service gets when its source gives none: its name, qualified by the area it serves,
    /// so the same name in two areas (Bookbug in every board) stays two services.
    /// True for text that is already an id: lowercase ASCII letters, digits and dashes, starting
    /// and ending with a letter or digit (derived ids such as `bookbug--glasgow-city` included).
    public static func isCanonical(_ text: String) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last, first != UInt8(ascii: "-"), last != UInt8(ascii: "-") else { return false }
        return text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "-") }
    }

    public static func derived(name: String, area: AreaCode?) -> ServiceID {
        derived(nameKey: Slug.make(name), area: area)
    }

    /// The same, from the name's slug (`Slug.make(name)`) where the caller has it already.
    public static func derived(nameKey: String, area: AreaCode?) -> ServiceID {
        guard let area else { return ServiceID(nameKey) }
        return ServiceID(nameKey + "--" + area.rawValue)
    }
}

/// A stable area code such as `glasgow-city` or `nhs-greater-glasgow-and-clyde`.
public struct AreaCode: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

public struct OrganisationID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// Identifies a level of need within a framework, e.g. `bromley-level-2`.
public struct LevelID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// Identifies a category of need in the taxonomy, e.g. `parental-mental-health`.
public struct CategoryID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// Makes URL- and file-safe identifiers from names: lowercase ASCII letters, digits and single dashes.
public enum Slug {
    public static func make(_ text: String) -> String {
        // Most names are plain ASCII: only fold accents ("Café" → "cafe") when there are any.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return ascii(text) }
        return scalars(text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil))
    }

    /// The slug of ASCII text, built byte by byte: the same as `scalars`, in a fraction of the
    /// time (every row of a large import slugs its name more than once).
    static func ascii(_ text: String) -> String {
        // Every byte gives at most one byte, but "&": "-and" and the dash before the next word,
        // five. The String keeps the capacity asked for, and ids and name keys are kept by the
        // hundred thousand, so it is asked for no more than that.
        let ampersands = text.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "&") ? 1 : 0) }
        return String(unsafeUninitializedCapacity: text.utf8.count + 4 * ampersands) { out in
            var count = 0
            var pendingDash = false
            for byte in text.utf8 {
                let isLower = (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57)
                let isUpper = byte >= 65 && byte <= 90
                if isLower || isUpper {
                    if pendingDash && count > 0 {
                        out[count] = UInt8(ascii: "-")
                        count += 1
                    }
                    pendingDash = false
                    out[count] = isUpper ? byte + 32 : byte
                    count += 1
                } else if byte == UInt8(ascii: "&") {
                    if count > 0 {
                        for b in "-and".utf8 {
                            out[count] = b
                            count += 1
                        }
                    }
                    pendingDash = true
                } else if byte == UInt8(ascii: "'") {
                    continue  // "Children's" → "childrens", not "children-s"
                } else {
                    pendingDash = true
                }
            }
            return count
        }
    }

    /// The slug of (folded) text, scalar by scalar.
    static func scalars(_ folded: String) -> String {
        var out = ""
        out.reserveCapacity(folded.utf8.count)
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            let v = scalar.value
            let isAlnum = (v >= 97 && v <= 122) || (v >= 48 && v <= 57)
            let isUpper = v >= 65 && v <= 90
            if isAlnum || isUpper {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.unicodeScalars.append(isUpper ? Unicode.Scalar(v + 32)! : scalar)
            } else if scalar == "&" {
                if !out.isEmpty { out.append("-and") }
                pendingDash = true
            } else if scalar == "'" || scalar == "’" {
                continue  // "Children's" → "childrens", not "children-s"
            } else {
                pendingDash = true
            }
        }
        return out
    }
}
