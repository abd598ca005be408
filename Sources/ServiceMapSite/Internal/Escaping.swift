import Foundation
import ServiceMapCore

/// Escaping for every context imported text reaches. Mustache escapes HTML text and quoted
/// attributes; these cover what it cannot: JSON inside script files and URLs in links.
enum Escape {
    /// HTML text and double- or single-quoted attribute values.
    static func html(_ text: String) -> String {
        if !text.containsUTF8(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0x22 || $0 == 0x27 }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A JSON string literal that is also safe inside `<script>`: `<`, `>`, `&`, U+2028 and U+2029
    /// are written as `\u` escapes, so no imported text can close the script or break the parser.
    static func jsonString(_ text: String, into out: inout String) {
        JSONText.appendString(text, to: &out, scriptSafe: true)
    }

    static func jsonString(_ text: String) -> String {
        var out = ""
        jsonString(text, into: &out)
        return out
    }
}

/// Links from imported data are limited to http, https, mailto and tel; anything else is shown as
/// text, never as a link.
enum SafeLink {
    static let allowedSchemes: Set<String> = ["http", "https", "mailto", "tel"]

    /// The URL to put in `href`, or nil when the text is not a link servicemap will emit.
    static func web(_ raw: String?) -> String? {
        guard var text = raw?.trimmingSpacesAndNewlines(), !text.isEmpty else { return nil }
        // Browsers ignore tabs and newlines inside URLs ("java\nscript:"), so refuse any control character.
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        if !text.containsUTF8(where: { $0 >= 0x80 }) {
            // Plain ASCII (nearly every link): the same checks on bytes, without case-folding copies.
            var bytes = Array(text.utf8)
            if bytes.count >= 4 && bytes[..<4].map({ $0 | 0x20 }) == Array("www.".utf8) {
                text = "https://" + text
                bytes = Array(text.utf8)
            }
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let scheme = String(decoding: bytes[..<colon].map { ($0 >= 65 && $0 <= 90) ? $0 | 0x20 : $0 }, as: UTF8.self)
            guard scheme == "http" || scheme == "https" else { return nil }
            guard bytes[(colon + 1)...].starts(with: [0x2F, 0x2F]), bytes.count > scheme.utf8.count + 3 else { return nil }
            return percentEncodeUnsafe(text)
        }
        if text.lowercased().hasPrefix("www.") { text = "https://" + text }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        guard text[text.index(after: colon)...].hasPrefix("//"), text.count > scheme.count + 3 else { return nil }
        return percentEncodeUnsafe(text)
    }

    static func email(_ raw: String?) -> String? {
        guard let text = raw?.trimmingSpacesAndNewlines(), !text.isEmpty else { return nil }
        let address = text.lowercased().hasPrefix("mailto:") ? String(text.dropFirst(7)) : text
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !address.unicodeScalars.contains(where: { $0.value <= 0x20 || Self.refusedInEmail($0) })
        else { return nil }
        return "mailto:" + address
    }

    /// Characters an address may not hold in a mailto link: <>"'()[]\,;:
    private static func refusedInEmail(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "<", ">", "\"", "'", "(", ")", "[", "]", "\\", ",", ";", ":": return true
        default: return false
        }
    }

    static func phone(_ raw: String?) -> String? {
        guard let text = raw else { return nil }
        var digits = ""
        for ch in text {
            if ch.isASCII && ch.isNumber { digits.append(ch) } else if ch == "+" && digits.isEmpty { digits.append(ch) }
        }
        let count = digits.filter(\.isNumber).count
        guard count >= 3 && count <= 15 else { return nil }
        return "tel:" + digits
    }

    /// Printable ASCII characters that have no business in a URL attribute: "'<>`{}|\^ and space.
    private static func unsafeInURL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "`"), UInt8(ascii: "{"),
             UInt8(ascii: "}"), UInt8(ascii: "|"), UInt8(ascii: "\\"), UInt8(ascii: "^"), UInt8(ascii: " "):
            return true
        default: return false
        }
    }

    /// Percent-encodes characters that have no business in a URL attribute (quotes, spaces,
    /// angle brackets, backticks, non-ASCII), leaving the rest of the URL as written.
    static func percentEncodeUnsafe(_ text: String) -> String {
        // Most links are printable ASCII with nothing to encode: returned as they are.
        if !text.containsUTF8(where: { !(0x21...0x7E).contains($0) || Self.unsafeInURL($0) }) { return text }
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x21...0x7E where !Self.unsafeInURL(byte):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

/// FNV-1a over UTF-8, the same function as `hash()` in Site/assets/search.js: both sides must
/// put a term in the same shard.
enum ShardHash {
    static func fnv1a(_ text: String) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (`CharacterSet.whitespaces`), in Swift:
    /// Foundation's `trimmingCharacters(in:)` goes through NSString on Linux, and trimming each
    /// line of each description that way was a tenth of the time of a service page.
    func trimmingSpaces() -> String { trimming { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator } }

    /// Without leading and trailing whitespace and newlines (`CharacterSet.whitespacesAndNewlines`).
    func trimmingSpacesAndNewlines() -> String {
        trimming { scalar in
            switch scalar.value {
            case 0x09...0x0D, 0x85: return true
            default:
                switch scalar.properties.generalCategory {
                case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
                default: return false
                }
            }
        }
    }

    private func trimming(_ isSpace: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        // Scalar indices are indices of the text itself: the slice is copied, not rebuilt.
        return String(self[first..<scalars.index(after: last)])
    }
}
