/// Writing JSON string literals by hand, for the writers that build JSON text directly because
/// JSONEncoder is too slow for a large directory (the store's JSON columns, the HSDS export).
public enum JSONText {
    /// Appends `text` as a quoted JSON string: quotes, backslashes and control characters escaped.
    public static func appendString(_ text: String, to out: inout String) {
        // Most text needs no escaping: append it whole rather than scalar by scalar.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
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
}
