import Foundation
import ServiceMapCore

/// The value forms researchers type, shared by every table-like reader.
public enum ValueParsing {
    /// Words that mean "nothing here" in a cell.
    static let emptyWords: Set<String> = ["n/a", "na", "-", "–", "—", "none", "unknown", "tbc", "tbd", "not known", "?", "n.a.", "nil"]

    public static func isEmptyWord(_ text: String) -> Bool {
        emptyWords.contains(text.lowercased().trimmed)
    }

    /// "Y", "yes", "✓", "true", "x" → true; "N", "no", "✗", "false" → false; "n/a", "" → nil.
    public static func yesNo(_ text: String) -> Bool?? {
        let t = text.lowercased().trimmed
        if t.isEmpty || isEmptyWord(t) { return .some(nil) }
        let yes: Set<String> = ["y", "yes", "true", "✓", "✔", "✔️", "x", "1", "ok", "accepted", "yes - self-referral", "self-referral accepted"]
        let no: Set<String> = ["n", "no", "false", "✗", "✘", "0", "not accepted", "professional only", "no - professional referral only"]
        if yes.contains(t) || t.hasPrefix("yes") { return .some(true) }
        if no.contains(t) || t.hasPrefix("no ") || t.hasPrefix("no,") || t.hasPrefix("no-") || t.hasPrefix("no(") { return .some(false) }
        return nil
    }

    /// Splits a list cell: semicolons and newlines always separate; commas separate unless the
    /// cell has semicolons or newlines (then they belong to the items).
    public static func list(_ text: String) -> [String] {
        let hasStrong = text.contains(";") || text.contains("\n") || text.contains("|")
        let separators: Set<Character> = hasStrong ? [";", "\n", "\r", "|"] : [",", ";", "\n", "\r"]
        return text.split(whereSeparator: { separators.contains($0) })
            .map { $0.trimmed }
            .filter { !$0.isEmpty && !isEmptyWord($0) }
    }

    /// Only http, https, mailto and tel links survive; a bare "www." address gets "http://".
    public static func safeLink(_ text: String) -> (link: String?, refused: Bool) {
        let t = text.trimmed
        if t.isEmpty || isEmptyWord(t) { return (nil, false) }
        let lower = t.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            return (t.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" }) ? nil : t, t.contains(where: \.isWhitespace))
        }
        if lower.hasPrefix("www.") && !t.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" }) { return ("http://" + t, false) }
        return (nil, true)
    }

    /// An e-mail address, or nil if it does not look like one.
    public static func email(_ text: String) -> String? {
        var t = text.trimmed
        if t.lowercased().hasPrefix("mailto:") { t = String(t.dropFirst(7)) }
        let parts = t.split(separator: "@")
        guard parts.count == 2, parts[1].contains("."), !t.contains(where: { $0.isWhitespace || $0 == "<" || $0 == "\"" }) else { return nil }
        return t
    }
}
