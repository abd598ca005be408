import Foundation
import Testing
@testable import ServiceMapImport

@Suite("UTF-8 validation of text files")
struct TextDecodingTests {
    @Test func agreesWithTheStandardLibraryOnEdgeCases() {
        let cases: [[UInt8]] = [
            [], Array("plain ASCII".utf8), Array("0–5 years, Café, 👪".utf8),
            [0xC0, 0x80], [0xC1, 0xBF],  // overlong
            [0xE0, 0x80, 0x80], [0xE0, 0xA0, 0x80],  // overlong, smallest 3-byte
            [0xED, 0xA0, 0x80], [0xED, 0x9F, 0xBF],  // surrogate, last before surrogates
            [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80],  // overlong, smallest 4-byte
            [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],  // U+10FFFF, past it
            [0xE2, 0x82], [0x61, 0xE2], [0x80], [0xC3, 0x28], [0xE2, 0x28, 0xA1], [0xFF],
        ]
        for bytes in cases {
            #expect(TextDecoding.isValidUTF8(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> UInt8 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        for _ in 0..<5000 {
            // Mostly high bytes and continuation bytes, where the rules are.
            let bytes = (0..<Int(next() % 8)).map { _ in next() | 0x80 & (next() & 0x80) }
            #expect(TextDecoding.isValidUTF8(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }
}
