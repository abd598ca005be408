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
}
