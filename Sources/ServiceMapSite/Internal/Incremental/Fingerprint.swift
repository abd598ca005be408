import Foundation

/// A 128-bit fingerprint of bytes, strings and page values, stable across runs and machines (Swift's
/// `Hasher` is seeded per process, so it cannot be kept in a manifest). It tells an incremental
/// build whether a page's inputs or a file's bytes changed; it is not a defence against someone
/// crafting collisions, which would only make a page keep its last text until the next full build.
///
/// Eight bytes are mixed at a time in two lanes with different multipliers, and each value is
/// framed by a type tag and its length, so `["ab", "c"]` and `["a", "bc"]` differ.
struct Fingerprint: Hashable, Sendable {
    private var a: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private var length: UInt64 = 0

    init() {}

    private static let p1: UInt64 = 0x87C3_7B91_1142_53D5
    private static let p2: UInt64 = 0x4CF5_AD43_2745_937F

    @inline(__always)
    private mutating func mix(_ word: UInt64) {
        a = ((a ^ word) &* Self.p1)
        a = (a << 31) | (a >> 33)
        b = ((b ^ word) &* Self.p2)
        b = (b << 27) | (b >> 37)
        b = b &+ a
    }

    mutating func add(bytes: UnsafeRawBufferPointer) {
        mix(0xB0 ^ (UInt64(bytes.count) << 8))
        var offset = 0
        let count = bytes.count
        while offset + 8 <= count {
            mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            mix(tail)
        }
        length &+= UInt64(count)
    }

    mutating func add(_ string: String) {
        var string = string
        string.withUTF8 { add(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func add(_ data: Data) {
        data.withUnsafeBytes { add(bytes: $0) }
    }

    mutating func add(_ number: Int) {
        mix(0xA1)
        mix(UInt64(bitPattern: Int64(number)))
    }

    mutating func add(_ other: Fingerprint) {
        mix(0xA2)
        mix(other.a)
        mix(other.b)
    }

    /// The two lanes, finalised so that every input bit reaches every output bit.
    var digest: (UInt64, UInt64) {
        func avalanche(_ x: UInt64) -> UInt64 {
            var x = x
            x ^= x >> 33
            x = x &* 0xFF51_AFD7_ED55_8CCD
            x ^= x >> 33
            x = x &* 0xC4CE_B9FE_1A85_EC53
            x ^= x >> 33
            return x
        }
        let x = avalanche(a ^ length)
        let y = avalanche(b &+ x)
        return (x, y)
    }

    /// The digest as 32 hexadecimal digits, the manifest's spelling.
    var hex: String {
        let (x, y) = digest
        func padded(_ n: UInt64) -> String {
            let s = String(n, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return padded(x) + padded(y)
    }

    static func of(_ string: String) -> String {
        var f = Fingerprint()
        f.add(string)
        return f.hex
    }

    static func of(_ data: Data) -> String {
        var f = Fingerprint()
        f.add(data)
        return f.hex
    }
}
