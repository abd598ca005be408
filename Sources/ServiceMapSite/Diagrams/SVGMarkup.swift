import Foundation

/// Escaping for XML text and attribute values (SVG, GraphML). Names come from imported files and
/// may hold `<script>`, quotes or ampersands; characters XML 1.0 forbids are dropped, so the
/// output always parses.
public enum XMLEscape {
    public static func text(_ value: String) -> String {
        // Most labels need nothing: no markup characters, no control characters, and no 0xEF lead
        // byte (which starts U+FFFE and U+FFFF among others). Those are returned as they are.
        if !value.containsUTF8(where: { $0 < 0x20 || $0 == 0xEF || $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0x22 || $0 == 0x27 }) {
            return value
        }
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                let v = scalar.value
                let allowed = v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF)
                    || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000
                if allowed { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

/// Numbers in SVG: one decimal place, no locale, no "-0", so output is byte-identical run to run.
func fmt(_ value: Double) -> String {
    let tenths = (value * 10).rounded()
    if tenths == 0 { return "0" }
    let n = Int(tenths)
    let a = abs(n)
    // Built from String(Int) rather than interpolation: a diagram formats thousands of numbers.
    var text = n < 0 ? "-" + String(a / 10) : String(a / 10)
    if a % 10 != 0 {
        text.append(".")
        text.append(Character(Unicode.Scalar(UInt8(48 + a % 10))))
    }
    return text
}

/// A growing SVG/XML buffer. Attribute values and text are escaped here, once, so callers never do.
/// Bytes rather than a String: a diagram is hundreds of small appends, and appending to a byte
/// array is a copy where appending to a String also re-checks its encoding.
struct SVGWriter {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(8192) }

    var out: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func appendEscaped(_ text: String) {
        append(XMLEscape.text(text))
    }

    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        bytes.append(UInt8(ascii: "<"))
        append(name)
        for (key, value) in attributes { attribute(key, value) }
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func open(_ name: String, attributes: [(String, String)]) {
        bytes.append(UInt8(ascii: "<"))
        append(name)
        for (key, value) in attributes { attribute(key, value) }
        bytes.append(UInt8(ascii: ">"))
    }

    private mutating func attribute(_ key: String, _ value: String) {
        bytes.append(UInt8(ascii: " "))
        append(key)
        bytes.append(UInt8(ascii: "="))
        bytes.append(UInt8(ascii: "\""))
        appendEscaped(value)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func close(_ name: String) {
        bytes.append(UInt8(ascii: "<"))
        bytes.append(UInt8(ascii: "/"))
        append(name)
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func empty(_ name: String, _ attributes: KeyValuePairs<String, String>) {
        bytes.append(UInt8(ascii: "<"))
        append(name)
        for (key, value) in attributes { attribute(key, value) }
        bytes.append(UInt8(ascii: "/"))
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text: String) {
        open(name, attributes)
        appendEscaped(text)
        close(name)
    }

    mutating func raw(_ markup: String) { append(markup) }
    mutating func newline() { bytes.append(0x0A) }
}

/// Text widths estimated from Arial/Liberation Sans advance widths (the SVGs ask for that font),
/// so layout can keep labels apart without a browser. A safety margin covers font substitution.
enum TextMetrics {
    // Advance widths of ASCII 32...126 in thousandths of an em (Arial).
    private static let widths: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    ]

    static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        var total = 0
        for scalar in text.unicodeScalars {
            let v = Int(scalar.value)
            total += (32...126).contains(v) ? widths[v - 32] : 600
        }
        return Double(total) / 1000 * size * (bold ? 1.1 : 1.0) * 1.04
    }

    /// Greedy word wrap to `maxWidth`; a word longer than the line is cut with an ellipsis.
    /// At most `maxLines` lines; the last line ends with "…" when text was left out.
    static func wrap(_ text: String, size: Double, maxWidth: Double, maxLines: Int = 3, bold: Bool = false) -> [String] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
        var lines: [String] = []
        var current = ""
        var truncated = false
        for word in words {
            let candidate = current.isEmpty ? word : current + " " + word
            if width(candidate, size: size, bold: bold) <= maxWidth {
                current = candidate
                continue
            }
            if !current.isEmpty { lines.append(current) }
            if lines.count == maxLines { truncated = true; current = ""; break }
            current = width(word, size: size, bold: bold) <= maxWidth ? word : fit(word, size: size, maxWidth: maxWidth, bold: bold)
        }
        if !current.isEmpty {
            if lines.count < maxLines { lines.append(current) } else { truncated = true }
        }
        if truncated, let last = lines.last {
            lines[lines.count - 1] = fit(last + "…", size: size, maxWidth: maxWidth, bold: bold)
        }
        return lines.isEmpty ? [""] : lines
    }

    /// The text cut to fit `maxWidth`, ending with "…" when cut.
    static func fit(_ text: String, size: Double, maxWidth: Double, bold: Bool = false) -> String {
        if width(text, size: size, bold: bold) <= maxWidth { return text }
        var chars = Array(text.replacingOccurrences(of: "…", with: ""))
        while !chars.isEmpty && width(String(chars) + "…", size: size, bold: bold) > maxWidth { chars.removeLast() }
        return String(chars).trimmingCharacters(in: .whitespaces) + "…"
    }
}

/// Colours chosen for colour-blind readers (Okabe–Ito for categories, ColorBrewer YlGnBu for
/// quantities), each with the text colour (black or white) of higher WCAG contrast.
enum Palette {
    static func sector(_ sector: Sector?) -> String {
        switch sector {
        case .health: "#0072B2"
        case .socialWork: "#D55E00"
        case .educationAndEarlyYears: "#009E73"
        case .thirdSector: "#CC79A7"
        case .justice: "#E69F00"
        case nil: "#999999"
        }
    }

    /// Sequential, light to dark (ColorBrewer YlGnBu, 5 classes).
    static let sequential = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]

    /// Ring shading, light (universal) to darker (court): one hue so order reads without colour names.
    static func ring(_ ring: ContinuumRing) -> String {
        ["#f7f7f7", "#eef1f5", "#e2e7ee", "#d5dce6", "#c8d1de", "#bbc6d6", "#aebbce"][ring.rawValue - 1]
    }

    static func luminance(_ hex: String) -> Double {
        let digits = Array(hex.dropFirst())
        func channel(_ i: Int) -> Double {
            let c = Double(Int(String(digits[i..<i + 2]), radix: 16) ?? 0) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    }

    static func contrast(_ a: String, _ b: String) -> Double {
        let la = luminance(a), lb = luminance(b)
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }

    /// Black or white, whichever reads better on `background`.
    static func text(on background: String) -> String {
        contrast(background, "#000000") >= contrast(background, "#ffffff") ? "#000000" : "#ffffff"
    }
}

import ServiceMapCore

extension Sector {
    /// The order sectors take round the landscape map, clockwise from the top.
    static let landscapeOrder: [Sector?] = [.health, .educationAndEarlyYears, .thirdSector, .socialWork, .justice, nil]
}

/// A DOM-safe id fragment (letters, digits, dashes).
func domID(_ text: String) -> String {
    let slug = Slug.make(text)
    return slug.isEmpty ? "d" : (slug.first!.isLetter ? slug : "d-" + slug)
}

let svgFont = "Arial, 'Liberation Sans', Helvetica, sans-serif"
