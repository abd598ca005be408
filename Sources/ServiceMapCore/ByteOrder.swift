import Foundation

/// `memcmp` order of byte strings: SQLite's BINARY collation (the order of `ORDER BY` on a text
/// column), and, for ASCII, Swift's own String order.
public enum ByteOrder {
    /// Negative when `a` sorts first, zero when equal, positive when `b` sorts first.
    public static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let shared = min(a.count, b.count)
        if shared > 0, let x = a.baseAddress, let y = b.baseAddress {
            let order = memcmp(x, y, shared)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }

    /// The positions of `strings` in the order of Swift's `<` on them, ties in position order.
    /// ASCII strings are compared as bytes laid end to end in one block (for ASCII, byte order is
    /// String order, and a comparison is a `memcmp` rather than a walk through two Strings on the
    /// heap); a pair where either is not ASCII is compared as Strings.
    public static func sortedPositions(_ strings: [String]) -> [Int] {
        var bytes: [UInt8] = []
        var bounds: [Range<Int>] = []
        var ascii: [Bool] = []
        bounds.reserveCapacity(strings.count)
        ascii.reserveCapacity(strings.count)
        for string in strings {
            let start = bytes.count
            bytes.append(contentsOf: string.utf8)
            bounds.append(start..<bytes.count)
            ascii.append(bytes[start...].allSatisfy { $0 < 0x80 })
        }
        return bytes.withUnsafeBufferPointer { bytes in
            strings.indices.sorted { x, y in
                guard ascii[x] && ascii[y] else { return strings[x] < strings[y] || (strings[x] == strings[y] && x < y) }
                let order = compare(UnsafeBufferPointer(rebasing: bytes[bounds[x]]), UnsafeBufferPointer(rebasing: bytes[bounds[y]]))
                return order < 0 || (order == 0 && x < y)
            }
        }
    }
}
