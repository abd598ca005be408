import Foundation

/// A 128-bit fingerprint of bytes, strings and page values, stable across runs and machines (Swift's
/// `Hasher` is seeded per process, so it cannot be kept in a manifest). It tells an incremental
/// build whether a page's inputs or a file's bytes changed; it is not a defence against someone
/// crafting collisions, which would only make a page keep its last text until the next full build.
///
/// Eight bytes are mixed at a time in two lanes with different multipliers, and each value is
/// framed by a type tag and its length, so `["ab", "c"]` and `["a", "bc"]` differ.
///
/// In Core, not the site, because the store fingerprints each service's rows as it reads them
/// (`Service.storedDigest`). Inlinable: the site fingerprints millions of values per build.
public struct Fingerprint: Hashable, Sendable {
    @usableFromInline var a: UInt64 = 0x9E37_79B9_7F4A_7C15
    @usableFromInline var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    @usableFromInline var length: UInt64 = 0

    @inlinable public init() {}

    @usableFromInline static let p1: UInt64 = 0x87C3_7B91_1142_53D5
    @usableFromInline static let p2: UInt64 = 0x4CF5_AD43_2745_937F

    @inlinable @inline(__always)
    mutating func mix(_ word: UInt64) {
        a = ((a ^ word) &* Self.p1)
        a = (a << 31) | (a >> 33)
        b = ((b ^ word) &* Self.p2)
        b = (b << 27) | (b >> 37)
        b = b &+ a
    }

    @inlinable public mutating func add(bytes: UnsafeRawBufferPointer) {
        mix(0xB0 ^ (UInt64(bytes.count) << 8))
        var offset = 0
        let count = bytes.count
        while offset + 8 <= count {
            mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        // The tail in one or two loads rather than byte by byte (most strings fingerprinted are
        // short): the last eight bytes, overlapping bytes already mixed, or the first and last
        // four. The length went in first, so which bytes were read twice is never in doubt.
        if offset < count {
            if count >= 8 {
                mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)))
            } else if count >= 4 {
                let low = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
                let high = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
                mix(low | high << 32)
            } else {
                var tail: UInt64 = 0
                for index in 0..<count { tail |= UInt64(bytes[index]) << UInt64(8 * index) }
                mix(tail)
            }
        }
        length &+= UInt64(count)
    }

    @inlinable public mutating func add(_ string: String) {
        // Read in place: a copy to call `withUTF8` on would retain the string, and strings shared
        // by many records (interned file names, area codes) would be retained from every core.
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { add(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil {
            var copy = string
            copy.withUTF8 { add(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    public mutating func add(_ data: Data) {
        data.withUnsafeBytes { add(bytes: $0) }
    }

    @inlinable public mutating func add(_ number: Int) {
        mix(0xA1)
        mix(UInt64(bitPattern: Int64(number)))
    }

    @inlinable public mutating func add(_ other: Fingerprint) {
        mix(0xA2)
        mix(other.a)
        mix(other.b)
    }

    @inlinable public mutating func add(_ digest: Digest) {
        mix(0xA3)
        mix(digest.x)
        mix(digest.y)
    }

    /// The two lanes, finalised so that every input bit reaches every output bit.
    @inlinable public var digest: Digest {
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
        return Digest(x: x, y: y)
    }

    /// The digest as 32 hexadecimal digits, the manifest's spelling.
    public var hex: String { digest.hex }

    public static func of(_ string: String) -> String {
        var f = Fingerprint()
        f.add(string)
        return f.hex
    }

    public static func of(_ data: Data) -> Digest {
        var f = Fingerprint()
        f.add(data)
        return f.digest
    }
}

/// A finished fingerprint, as the manifest and the search cache keep it: two words, compared and
/// hashed as such. (A build compares one per file, 122,000 in a large site; as 32-digit Strings
/// they were made, hashed and compared a byte at a time.)
public struct Digest: Hashable, Sendable {
    public var x: UInt64
    public var y: UInt64

    @inlinable public init(x: UInt64, y: UInt64) {
        self.x = x
        self.y = y
    }

    @inlinable public init(_ fingerprint: Fingerprint) { self = fingerprint.digest }

    /// 32 hexadecimal digits, `x` then `y`, each zero-padded.
    public var hex: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        append(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the 32 digits of `hex` to `bytes`.
    public func append(to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 32))
        bytes.withUnsafeMutableBufferPointer { buffer in _ = write(into: buffer, at: start) }
    }

    /// Writes the 32 digits of `hex` into `buffer` from `offset`; returns the offset after them.
    public func write(into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        var at = offset
        for word in [x, y] {
            var shift: UInt64 = 60
            while true {
                let digit = UInt8((word >> shift) & 0xF)
                buffer[at] = digit < 10 ? 0x30 + digit : 0x57 + digit
                at += 1
                if shift == 0 { break }
                shift -= 4
            }
        }
        return at
    }

    /// Reads 32 hexadecimal digits (either case); nil for anything else.
    public init?(hex bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 32 else { return nil }
        var words: [UInt64] = [0, 0]
        for (index, byte) in bytes.enumerated() {
            let value: UInt8
            switch byte {
            case 0x30...0x39: value = byte - 0x30
            case 0x61...0x66: value = byte - 0x57
            case 0x41...0x46: value = byte - 0x37
            default: return nil
            }
            words[index / 16] = words[index / 16] << 4 | UInt64(value)
        }
        self.init(x: words[0], y: words[1])
    }

    public init?(hex text: String) {
        var text = text
        guard let digest = text.withUTF8({ Digest(hex: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = digest
    }
}
