import Foundation
import ServiceMapCore

/// The value forms researchers type, shared by every table-like reader.
public enum ValueParsing {
    /// Words that mean "nothing here" in a cell.
    static let emptyWords: Set<String> = ["n/a", "na", "-", "–", "—", "none", "unknown", "tbc", "tbd", "not known", "?", "n.a.", "nil"]

    /// The longest empty word in UTF-8 bytes ("not known"): longer text is never one, and is not
    /// lowercased to find out (every cell of a large import is asked, descriptions included).
    static let longestEmptyWord = 12

    public static func isEmptyWord(_ text: String) -> Bool {
        let t = text.trimmed
        guard t.utf8.count <= longestEmptyWord else { return false }
        return emptyWords.contains(t.lowercased())
    }

    /// "Y", "yes", "✓", "true", "x" → true; "N", "no", "✗", "false" → false; "n/a", "" → nil.
    public static func yesNo(_ text: String) -> Bool?? {
        let t = text.lowercased().trimmed
        if t.isEmpty || isEmptyWord(t) { return .some(nil) }
        if yesWords.contains(t) || t.hasPrefix("yes") { return .some(true) }
        if noWords.contains(t) || t.hasPrefix("no ") || t.hasPrefix("no,") || t.hasPrefix("no-") || t.hasPrefix("no(") { return .some(false) }
        return nil
    }

    static let yesWords: Set<String> = ["y", "yes", "true", "✓", "✔", "✔️", "x", "1", "ok", "accepted", "yes - self-referral", "self-referral accepted"]
    static let noWords: Set<String> = ["n", "no", "false", "✗", "✘", "0", "not accepted", "professional only", "no - professional referral only"]

    /// Splits a list cell: semicolons and newlines always separate; commas separate unless the
    /// cell has semicolons or newlines (then they belong to the items).
    public static func list(_ text: String) -> [String] {
        // Separators are ASCII, so the cell is split on its UTF-8 bytes (no character breaking).
        let utf8 = text.utf8
        let hasStrong = utf8.contains { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "|") }
        let isSeparator: (UInt8) -> Bool = hasStrong
            ? { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "|") }
            : { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        if !utf8.contains(where: isSeparator) {
            let item = text.trimmed
            return item.isEmpty || isEmptyWord(item) ? [] : [item]
        }
        return utf8.split(whereSeparator: isSeparator)
            .map { Substring($0).trimmed }
            .filter { !$0.isEmpty && !isEmptyWord($0) }
    }

    /// Only http, https, mailto and tel links survive; a bare "www." address gets "http://".
    public static func safeLink(_ text: String) -> (link: String?, refused: Bool) {
        let t = text.trimmed
        if t.isEmpty || isEmptyWord(t) { return (nil, false) }
        let lower = t.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            let hasSpace = containsWhitespace(t)
            return (hasSpace || t.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) ? nil : t, hasSpace)
        }
        if lower.hasPrefix("www.") && !containsWhitespace(t) && !t.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "<") }) {
            return ("http://" + t, false)
        }
        return (nil, true)
    }

    /// An e-mail address, or nil if it does not look like one.
    public static func email(_ text: String) -> String? {
        var t = text.trimmed
        if t.utf8.allSatisfy({ $0 < 0x80 }) { return asciiEmail(t) }
        if t.lowercased().hasPrefix("mailto:") { t = String(t.dropFirst(7)) }
        let parts = t.split(separator: "@")
        guard parts.count == 2, parts[1].contains("."), !containsWhitespace(t),
              !t.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "\"") }) else { return nil }
        return t
    }

    /// `email` for ASCII text, by bytes: the same test without lowercasing the whole address or
    /// splitting it into Characters (an e-mail column of a large import is most of its parsing).
    private static func asciiEmail(_ trimmed: String) -> String? {
        let bytes = Array(trimmed.utf8)
        var start = 0
        if bytes.count >= 7, String(decoding: bytes[..<7], as: UTF8.self).lowercased() == "mailto:" { start = 7 }
        let address = bytes[start...]
        // As `split(separator: "@")`: runs between at signs, empty ones left out; exactly two, the second with a dot.
        let parts = address.split(separator: UInt8(ascii: "@"))
        guard parts.count == 2, parts[1].contains(UInt8(ascii: ".")),
              !address.contains(where: { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "\"") })
        else { return nil }
        return start == 0 ? trimmed : String(decoding: address, as: UTF8.self)
    }

    /// Whitespace anywhere in the text; ASCII text is checked byte by byte, without the Unicode
    /// property look-ups `Character.isWhitespace` makes (every link and address of an import).
    static func containsWhitespace(_ text: String) -> Bool {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return text.utf8.contains { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
        }
        return text.contains(where: \.isWhitespace)
    }
}
