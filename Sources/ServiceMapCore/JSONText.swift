/// JSON string literals by hand: written by the writers that build JSON text directly, because
/// JSONEncoder is too slow for a large directory (the store's JSON columns, the HSDS export), and
/// their escapes read back by the parsers that read JSON bytes directly.
public enum JSONText {
    /// Appends `text` as a quoted JSON string: quotes, backslashes and control characters escaped.
    /// `scriptSafe` also writes `<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes, so the literal
    /// can sit inside a `<script>` (the site's search files) without closing it or breaking the parser.
    public static func appendString(_ text: String, to out: inout String, scriptSafe: Bool = false) {
        // Most text needs no escaping: append it whole rather than scalar by scalar. (0xE2 leads
        // U+2028 and U+2029 in UTF-8; other characters it leads take the slow path harmlessly.)
        let needsEscape: (UInt8) -> Bool = scriptSafe
            ? { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
                || $0 == UInt8(ascii: "&") || $0 == 0xE2 }
            : { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        if !text.utf8.contains(where: needsEscape) {
            out += "\""
            out += text
            out += "\""
            return
        }
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<" where scriptSafe: out += "\\u003c"
            case ">" where scriptSafe: out += "\\u003e"
            case "&" where scriptSafe: out += "\\u0026"
            case "\u{2028}" where scriptSafe: out += "\\u2028"
            case "\u{2029}" where scriptSafe: out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// The byte a one-letter escape in a JSON string stands for (`\n` is 0x0A, `\/` is `/`), or nil
    /// for `\u` (four hex digits follow) and for letters JSON does not define. Shared by the readers
    /// that parse JSON bytes by hand: the store's JSON columns and the HSDS reader.
    public static func simpleEscape(_ letter: UInt8) -> UInt8? {
        switch letter {
        case 0x22, 0x5C, 0x2F: return letter  // " \ /
        case 0x62: return 0x08  // b
        case 0x66: return 0x0C  // f
        case 0x6E: return 0x0A  // n
        case 0x72: return 0x0D  // r
        case 0x74: return 0x09  // t
        default: return nil
        }
    }
}
