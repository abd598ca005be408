import Foundation

/// Turns a text file's bytes into UTF-8, whatever an office suite wrote: a byte-order mark
/// decides UTF-8/16/32; without one, bytes that are not valid UTF-8 are read as Windows-1252
/// (what Excel on Windows writes for "CSV"), and the caller is told.
enum TextDecoding {
    enum Encoding: String {
        case utf8 = "UTF-8", utf16LE = "UTF-16LE", utf16BE = "UTF-16BE", utf32LE = "UTF-32LE", utf32BE = "UTF-32BE"
        case windows1252 = "Windows-1252"
    }

    static func utf8Bytes(_ data: Data) -> (bytes: [UInt8], encoding: Encoding) {
        let (bytes, start, encoding) = utf8Text([UInt8](data))
        return (start == 0 ? bytes : Array(bytes[start...]), encoding)
    }

    /// The text as UTF-8 from `start` on. UTF-8 comes back as the same array, not a copy, with
    /// `start` past its byte-order mark if it has one; other encodings are converted.
    static func utf8Text(_ b: [UInt8]) -> (bytes: [UInt8], start: Int, encoding: Encoding) {
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { return (b, 3, .utf8) }
        if b.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return (transcode(b.dropFirst(4), width: 4, bigEndian: false), 0, .utf32LE) }
        if b.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return (transcode(b.dropFirst(4), width: 4, bigEndian: true), 0, .utf32BE) }
        if b.starts(with: [0xFF, 0xFE]) { return (transcode(b.dropFirst(2), width: 2, bigEndian: false), 0, .utf16LE) }
        if b.starts(with: [0xFE, 0xFF]) { return (transcode(b.dropFirst(2), width: 2, bigEndian: true), 0, .utf16BE) }
        if let bomless = bomlessUTF16(b) {
            return (transcode(b[...], width: 2, bigEndian: bomless == .utf16BE), 0, bomless)
        }
        if isValidUTF8(b[...]) { return (b, 0, .utf8) }
        return (windows1252ToUTF8(b), 0, .windows1252)
    }

    /// Whether text read block by block is UTF-8: a sequence cut by the end of a block is checked
    /// once the next block completes it.
    struct UTF8Check {
        private var carried: [UInt8] = []

        /// False as soon as the text is not UTF-8.
        mutating func feed(_ block: ArraySlice<UInt8>) -> Bool {
            var bytes = block
            if let lead = carried.first {
                // The sequence the last block cut, completed by this block's first bytes.
                let missing = Self.length(lead) - carried.count
                guard bytes.count >= missing else {
                    carried += bytes
                    return true
                }
                let sequence = carried + bytes.prefix(missing)
                carried = []
                guard isValidUTF8(sequence[...]) else { return false }
                bytes = bytes.dropFirst(missing)
            }
            // Up to three bytes at the end may begin a sequence the next block ends.
            var cut = bytes.endIndex
            for i in stride(from: bytes.endIndex - 1, through: max(bytes.startIndex, bytes.endIndex - 3), by: -1) {
                guard bytes[i] >= 0xC0 else { continue }
                if i + Self.length(bytes[i]) > bytes.endIndex { cut = i }
                break
            }
            carried = Array(bytes[cut...])
            return isValidUTF8(bytes[..<cut])
        }

        /// How long a sequence that starts with `lead` (0xC0 or above) claims to be.
        private static func length(_ lead: UInt8) -> Int { lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2 }

        /// False if the text ended inside a sequence.
        func finish() -> Bool { carried.isEmpty }
    }

    /// UTF-16 written without a byte-order mark (some exporters do): mostly-ASCII text shows as a
    /// NUL in every other byte. Decided from the first 512 bytes; nil when the pattern is absent.
    static func bomlessUTF16(_ bytes: [UInt8]) -> Encoding? {
        let sample = bytes.prefix(512)
        guard sample.count >= 4, sample.count % 2 == 0 || bytes.count > 512 else { return nil }
        let pairs = sample.count / 2
        var evenZeros = 0, oddZeros = 0
        for i in 0..<pairs {
            if sample[sample.startIndex + 2 * i] == 0 { evenZeros += 1 }
            if sample[sample.startIndex + 2 * i + 1] == 0 { oddZeros += 1 }
        }
        // At least 90% of one side NUL and none on the other: nothing else looks like that.
        if oddZeros * 10 >= pairs * 9 && evenZeros == 0 { return .utf16LE }
        if evenZeros * 10 >= pairs * 9 && oddZeros == 0 { return .utf16BE }
        return nil
    }

    /// Validates in place (the standard library's validating initialiser builds a String as large
    /// as the file, 70 MB for a large directory, only to throw it away): ASCII bytes are skipped one
    /// by one, and each multi-byte sequence is checked as RFC 3629 defines it, rejecting overlong
    /// forms, surrogates and code points past U+10FFFF.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool { isValidUTF8(bytes[...]) }

    static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            let n = b.count
            var i = 0
            while i < n {
                let lead = b[i]
                if lead < 0x80 { i += 1; continue }
                let length: Int
                var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
                switch lead {
                case 0xC2...0xDF: length = 2
                case 0xE0: length = 3; low = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: length = 3
                case 0xED: length = 3; high = 0x9F
                case 0xF0: length = 4; low = 0x90
                case 0xF1...0xF3: length = 4
                case 0xF4: length = 4; high = 0x8F
                default: return false
                }
                guard i + length <= n, b[i + 1] >= low, b[i + 1] <= high else { return false }
                for k in 2..<length where b[i + k] & 0xC0 != 0x80 { return false }
                i += length
            }
            return true
        }
    }

    private static func transcode(_ bytes: ArraySlice<UInt8>, width: Int, bigEndian: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let base = bytes.startIndex
        let count = bytes.count / width
        if width == 2 {
            var units: [UInt16] = []
            units.reserveCapacity(count)
            for i in 0..<count {
                let a = UInt16(bytes[base + 2 * i]), b = UInt16(bytes[base + 2 * i + 1])
                units.append(bigEndian ? (a << 8 | b) : (b << 8 | a))
            }
            // Unpaired surrogates become U+FFFD rather than failing the file.
            for scalar in String(decoding: units, as: UTF16.self).utf8 { out.append(scalar) }
        } else {
            var text = ""
            for i in 0..<count {
                let p = base + 4 * i
                let v = bigEndian
                    ? UInt32(bytes[p]) << 24 | UInt32(bytes[p + 1]) << 16 | UInt32(bytes[p + 2]) << 8 | UInt32(bytes[p + 3])
                    : UInt32(bytes[p + 3]) << 24 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p])
                text.unicodeScalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            }
            out.append(contentsOf: text.utf8)
        }
        return out
    }

    /// Windows-1252's 0x80–0x9F block differs from Latin-1; the rest maps one-to-one.
    private static let cp1252High: [UInt32] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    private static func windows1252ToUTF8(_ bytes: [UInt8]) -> [UInt8] {
        var text = ""
        text.unicodeScalars.reserveCapacity(bytes.count)
        for byte in bytes {
            let value: UInt32 = (0x80...0x9F).contains(byte) ? cp1252High[Int(byte) - 0x80] : UInt32(byte)
            text.unicodeScalars.append(Unicode.Scalar(value)!)
        }
        return Array(text.utf8)
    }
}
