import Foundation
import ServiceMapCore

/// Turning the bytes of XML character data into values.
enum XMLText {
    /// UTF-8 bytes to a String (invalid sequences become U+FFFD rather than failing).
    @inline(__always) static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always) static func isXMLSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// Character data with entity and character references expanded and line ends normalised
    /// (CRLF and lone CR become LF, as XML requires). With `trim`, XML white space at both ends is
    /// dropped *after* expansion (so `&#xA;` alone trims to ""), as Excel does without `xml:space`.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, trim: Bool, part: String) throws -> String {
        var needsWork = false
        for b in bytes where b == 0x26 || b == 0x0D { needsWork = true; break }
        if !needsWork {
            guard trim else { return string(bytes) }
            var lo = 0, hi = bytes.count
            while lo < hi, isXMLSpace(bytes[lo]) { lo += 1 }
            while hi > lo, isXMLSpace(bytes[hi - 1]) { hi -= 1 }
            return string(UnsafeBufferPointer(rebasing: bytes[lo..<hi]))
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x0D {
                out.append(0x0A)
                i += (i + 1 < n && bytes[i + 1] == 0x0A) ? 2 : 1
                continue
            }
            guard b == 0x26 else { out.append(b); i += 1; continue }
            var j = i + 1
            while j < n, bytes[j] != 0x3B, j - i < 12 { j += 1 }
            // A bare '&' (invalid, but Seine and hand-written files have them) stays literal.
            guard j < n, bytes[j] == 0x3B else { out.append(b); i += 1; continue }
            let ref = UnsafeBufferPointer(rebasing: bytes[(i + 1)..<j])
            if let first = ref.first, first == 0x23 {  // &#...;
                var value: UInt32 = 0
                var ok = ref.count > 1
                if ref.count > 1 && (ref[1] == 0x78 || ref[1] == 0x58) {
                    ok = ref.count > 2
                    for d in ref.dropFirst(2) {
                        guard let h = hexValue(d) else { ok = false; break }
                        value = value &* 16 &+ UInt32(h)
                        if value > 0x10FFFF { ok = false; break }
                    }
                } else {
                    for d in ref.dropFirst() {
                        guard d >= 0x30 && d <= 0x39 else { ok = false; break }
                        value = value &* 10 &+ UInt32(d - 0x30)
                        if value > 0x10FFFF { ok = false; break }
                    }
                }
                guard ok else {
                    throw ImportFailure(.malformedXML, "part '\(part)' is not well-formed XML: bad character reference '&\(string(ref));'")
                }
                appendScalar(value, to: &out)
            } else if XMLTokenizer.equal(ref, "amp") { out.append(0x26)
            } else if XMLTokenizer.equal(ref, "lt") { out.append(0x3C)
            } else if XMLTokenizer.equal(ref, "gt") { out.append(0x3E)
            } else if XMLTokenizer.equal(ref, "quot") { out.append(0x22)
            } else if XMLTokenizer.equal(ref, "apos") { out.append(0x27)
            } else {
                // An undeclared entity (`&nbsp;`): with DTDs refused nothing can define it, so it is
                // kept as written rather than expanded or failing the whole file.
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i...j]))
            }
            i = j + 1
        }
        return out.withUnsafeBufferPointer { buffer in
            guard trim else { return string(buffer) }
            var lo = 0, hi = buffer.count
            while lo < hi, isXMLSpace(buffer[lo]) { lo += 1 }
            while hi > lo, isXMLSpace(buffer[hi - 1]) { hi -= 1 }
            return string(UnsafeBufferPointer(rebasing: buffer[lo..<hi]))
        }
    }

    @inline(__always) static func hexValue(_ d: UInt8) -> UInt8? {
        switch d {
        case 0x30...0x39: return d - 0x30
        case 0x41...0x46: return d - 0x41 + 10
        case 0x61...0x66: return d - 0x61 + 10
        default: return nil
        }
    }

    static func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        let v = value == 0 ? 0xFFFD : scalar.value
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// Expands OOXML's `_xHHHH_` escapes (used for characters XML cannot carry, such as `_x000D_`
    /// for CR); `_x005F_` is an escaped underscore, so `_x005F_x000D_` reads as the literal `_x000D_`.
    static func unescapeOOXML(_ s: String) -> String {
        guard s.utf8.count >= 7, containsByte(s, 0x5F) else { return s }
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x5F, i + 6 < bytes.count, bytes[i + 1] == 0x78, bytes[i + 6] == 0x5F,
               let a = hexValue(bytes[i + 2]), let b = hexValue(bytes[i + 3]), let c = hexValue(bytes[i + 4]), let d = hexValue(bytes[i + 5])
            {
                let value = UInt32(a) << 12 | UInt32(b) << 8 | UInt32(c) << 4 | UInt32(d)
                appendScalar(value, to: &out)
                i += 7
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `s` holds `byte`, searched with `memchr` in the String's own storage: every cell's
    /// text is searched, and stepping through `utf8` a byte at a time (or Foundation's `contains`,
    /// through NSString) took a twentieth of reading a large sheet.
    static func containsByte(_ s: String, _ byte: UInt8) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.baseAddress.map { memchr($0, Int32(byte), bytes.count) != nil } ?? false
        } ?? s.utf8.contains(byte)
    }

    /// A decimal number (as spreadsheets store them: `-12`, `3.25`, `1.5E-3`) parsed from bytes
    /// without building a String; nil if the bytes are not a number.
    static func number(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var lo = 0, hi = bytes.count
        while lo < hi, isXMLSpace(bytes[lo]) { lo += 1 }
        while hi > lo, isXMLSpace(bytes[hi - 1]) { hi -= 1 }
        guard lo < hi else { return nil }
        // Fast path: up to 15 significant digits and a short fraction, computed exactly.
        var i = lo
        var negative = false
        if bytes[i] == 0x2D { negative = true; i += 1 } else if bytes[i] == 0x2B { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenDot = false
        var fast = i < hi
        while i < hi {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                if digits > 0 || b != 0x30 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(b - 0x30)
                if seenDot { fractionDigits += 1 }
            } else if b == 0x2E && !seenDot {
                seenDot = true
            } else {
                fast = false
                break
            }
            i += 1
        }
        if fast && digits <= 15 && fractionDigits <= 22 {
            var value = Double(mantissa)
            if fractionDigits > 0 { value /= powersOfTen[fractionDigits] }
            return negative ? -value : value
        }
        var text = String(decoding: UnsafeBufferPointer(rebasing: bytes[lo..<hi]), as: UTF8.self)
        if text.hasPrefix("+") { text.removeFirst() }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    static let powersOfTen: [Double] = (0...22).map { pow(10.0, Double($0)) }

    /// A non-negative integer from bytes (row numbers, style indexes, repeat counts), saturating
    /// at `Int.max / 2` so an absurd value cannot overflow.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var value = 0
        var any = false
        for b in bytes {
            if isXMLSpace(b) { continue }
            guard b >= 0x30 && b <= 0x39 else { return nil }
            any = true
            if value < Int.max / 20 { value = value * 10 + Int(b - 0x30) } else { value = Int.max / 2 }
        }
        return any ? value : nil
    }
}
