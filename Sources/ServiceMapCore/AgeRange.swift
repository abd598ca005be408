import Foundation

/// An age range in months. Negative months are before birth: −9 is the start of pregnancy,
/// so "pre-birth to 3" is −9…47.
public struct AgeRange: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Inclusive lower bound; nil means no lower bound (or from pregnancy, where data says so).
    public var minMonths: Int?
    /// Inclusive upper bound; nil means no upper bound ("18+", "adults").
    public var maxMonths: Int?

    public static let pregnancyStart = -9

    public init(minMonths: Int?, maxMonths: Int?) {
        self.minMonths = minMonths
        self.maxMonths = maxMonths
    }

    public var isReversed: Bool {
        if let minMonths, let maxMonths { return minMonths > maxMonths }
        return false
    }

    public var includesPregnancy: Bool { (minMonths ?? Int.min) < 0 }

    public func contains(months: Int) -> Bool {
        (minMonths.map { months >= $0 } ?? true) && (maxMonths.map { months <= $0 } ?? true)
    }

    /// Plain words: "pre-birth to 4 years", "0 to 17 years", "18 years and over".
    public var description: String {
        func words(_ months: Int) -> String {
            if months < 0 { return "pre-birth" }
            if months % 12 == 0 { return "\(months / 12)" }
            if months < 24 { return "\(months) months" }
            return "\(months / 12) years \(months % 12) months"
        }
        func upper(_ months: Int) -> String {
            // A stored upper bound of 47 months means "up to the 4th birthday": say "3 years".
            // (Below 23 months say the months: an upper bound of 11 is "11 months", not "0 years".)
            if months >= 23 && (months + 1) % 12 == 0 {
                let years = (months + 1) / 12 - 1
                return years == 1 ? "1 year" : "\(years) years"
            }
            if months < 0 { return "birth" }
            return months < 24 ? "\(months) months" : "\(months / 12) years"
        }
        switch (minMonths, maxMonths) {
        case (nil, nil): return "all ages"
        case (let lo?, nil): return lo < 0 ? "from pregnancy, all ages" : "\(words(lo)) years and over"
        case (nil, let hi?): return "up to \(upper(hi))"
        case (let lo?, let hi?):
            if lo < 0 && hi < 0 { return "pregnancy" }
            return "\(words(lo)) to \(upper(hi))"
        }
    }
}

/// Parses the ways researchers write ages: "0-5", "0–5 years", "pre-birth to 3", "under 5s",
/// "18+", "adults", "0-18 months", "pregnancy". Years are whole years: "0-5" means up to the
/// sixth birthday, as a practitioner reads it.
public enum AgeRangeParser {
    public enum Failure: Error, Equatable {
        case unreadable
    }

    public static func parse(_ input: String) -> Result<AgeRange, Failure> {
        if let quick = plainYears(input) { return .success(quick) }
        var text = input.lowercased()
        for (dash, plain) in [("–", "-"), ("—", "-"), ("’", "'")] where text.contains(dash) {
            text = text.replacingOccurrences(of: dash, with: plain)
        }
        text = text.trimmed
        if text.isEmpty { return .failure(.unreadable) }
        for (phrase, replacement) in [
            // Upper case marks the pregnancy token so the later "birth" → "0" cannot touch it.
            ("antenatal", "PREBIRTH"), ("pre-birth", "PREBIRTH"), ("pre birth", "PREBIRTH"),
            ("prebirth", "PREBIRTH"), ("pregnancy", "PREBIRTH"), ("pregnant", "PREBIRTH"),
            ("unborn", "PREBIRTH"), ("conception", "PREBIRTH"), ("newborn", "0"), ("birth", "0"),
        ] where text.contains(phrase) {
            text = text.replacingOccurrences(of: phrase, with: replacement)
        }
        let words: [String: AgeRange] = [
            "adults": AgeRange(minMonths: 216, maxMonths: nil), "adult": AgeRange(minMonths: 216, maxMonths: nil),
            "all": AgeRange(minMonths: nil, maxMonths: nil), "all ages": AgeRange(minMonths: nil, maxMonths: nil),
            "any": AgeRange(minMonths: nil, maxMonths: nil), "families": AgeRange(minMonths: nil, maxMonths: nil),
            "PREBIRTH": AgeRange(minMonths: AgeRange.pregnancyStart, maxMonths: -1),
            "babies": AgeRange(minMonths: 0, maxMonths: 11), "infants": AgeRange(minMonths: 0, maxMonths: 23),
            "under 5s": AgeRange(minMonths: 0, maxMonths: 59), "under-5s": AgeRange(minMonths: 0, maxMonths: 59),
            "children": AgeRange(minMonths: 0, maxMonths: 215), "children and young people": AgeRange(minMonths: 0, maxMonths: 215),
        ]
        if let range = words[text] { return .success(range) }

        let tokens = Tokenizer(text).tokens
        // Unit of the whole expression: months when any "month"/"week" word appears, else years.
        let inMonths = text.contains("month") || text.contains("mth")
        let inWeeks = text.contains("week")
        func months(_ n: Double) -> Int {
            if inWeeks { return Int((n / 4.345).rounded(.down)) }
            return inMonths ? Int(n) : Int(n * 12)
        }
        func upperMonths(_ n: Double) -> Int {
            if inWeeks { return Int((n / 4.345).rounded(.down)) }
            return inMonths ? Int(n) : Int(n * 12) + 11
        }
        let numbers = tokens.compactMap { token -> Double? in
            if case .number(let n) = token { return n }
            return nil
        }
        let hasPrebirth = tokens.contains(.prebirth)
        let isUnder = tokens.contains(.word("under")) || tokens.contains(.word("up")) || tokens.contains(.word("below"))
        let isPlus = tokens.contains(.plus) || tokens.contains(.word("over")) || tokens.contains(.word("and over"))
        switch (hasPrebirth, numbers.count) {
        case (true, 0):
            return .success(AgeRange(minMonths: AgeRange.pregnancyStart, maxMonths: -1))
        case (true, 1):
            return .success(AgeRange(minMonths: AgeRange.pregnancyStart, maxMonths: upperMonths(numbers[0])))
        case (false, 1) where isUnder:
            // "under 5s" excludes the 5th birthday; "up to 5" includes age 5.
            let n = numbers[0]
            let exclusive = tokens.contains(.word("under")) || tokens.contains(.word("below"))
            return .success(AgeRange(minMonths: 0, maxMonths: exclusive ? months(n) - 1 : upperMonths(n)))
        case (false, 1) where isPlus:
            return .success(AgeRange(minMonths: months(numbers[0]), maxMonths: nil))
        case (false, 1):
            return .success(AgeRange(minMonths: months(numbers[0]), maxMonths: upperMonths(numbers[0])))
        case (false, 2):
            return .success(AgeRange(minMonths: months(numbers[0]), maxMonths: upperMonths(numbers[1])))
        default:
            return .failure(.unreadable)
        }
    }

    /// The commonest form, "0-5" or "2 – 4", read without the general parser.
    static func plainYears(_ text: String) -> AgeRange? {
        var numbers: [Int] = []
        var current: Int?
        var sawDash = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9":
                current = (current ?? 0) * 10 + Int(scalar.value - 48)
                if current! > 150 { return nil }
            case "-", "–", "—":
                guard let n = current, numbers.isEmpty, !sawDash else { return nil }
                numbers.append(n)
                current = nil
                sawDash = true
            case " ":
                continue
            default:
                return nil
            }
        }
        guard sawDash, let last = current, numbers.count == 1 else { return nil }
        return AgeRange(minMonths: numbers[0] * 12, maxMonths: last * 12 + 11)
    }

    private enum Token: Equatable {
        case number(Double)
        case word(String)
        case prebirth
        case plus
    }

    private struct Tokenizer {
        var tokens: [Token] = []
        init(_ text: String) {
            var current = ""
            var number = ""
            func flush() {
                if !number.isEmpty, let n = Double(number) { tokens.append(.number(n)) }
                number = ""
                if !current.isEmpty { tokens.append(current == "PREBIRTH" ? .prebirth : .word(current)) }
                current = ""
            }
            for ch in text {
                if ch.isNumber || (ch == "." && !number.isEmpty) {
                    if !current.isEmpty { flush() }
                    number.append(ch)
                } else if ch.isLetter {
                    if !number.isEmpty { flush() }
                    current.append(ch)
                } else {
                    flush()
                    if ch == "+" { tokens.append(.plus) }
                }
            }
            flush()
        }
    }
}

/// The age of a child in a query: a number of months, or "pregnant" (−1).
public enum ChildAge {
    /// Parses "14 months", "14m", "2 years", "2", "pregnant". Bare numbers are years.
    public static func months(parsing input: String) -> Int? {
        let text = input.lowercased().trimmed
        if ["pregnant", "pregnancy", "prebirth", "pre-birth", "unborn", "antenatal"].contains(text) { return -1 }
        let digits = text.prefix { $0.isNumber || $0 == "." }
        guard let n = Double(digits) else { return nil }
        let unit = text.dropFirst(digits.count).trimmed
        if unit.hasPrefix("m") { return Int(n) }
        if unit.hasPrefix("w") { return Int(n / 4.345) }
        if unit.isEmpty || unit.hasPrefix("y") { return Int(n * 12) }
        return nil
    }
}
