import Foundation

/// Hands out one String for a text that recurs from row to row of a file (an area, an
/// organisation, a referral route typed on every row), so that 100,000 rows hold one copy of it
/// rather than 100,000, and the rows' copies are not freed later in between the records kept.
///
/// A small table indexed by the text's hash: a text seen again while still in its slot is
/// shared; a text seen once (a name, an e-mail address) only takes the slot over. Texts of up to
/// 15 bytes live inside their String and are never allocated, and long ones rarely recur, so
/// neither is looked up.
struct RepeatedTexts {
    private static let slotCount = 4096
    private static let longest = 128
    private var slots = [String?](repeating: nil, count: slotCount)

    /// A String of `bytes` (UTF-8).
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count > 15, bytes.count <= Self.longest else { return String(decoding: bytes, as: UTF8.self) }
        let slot = Self.slot(bytes)
        if let seen = Self.seen(slots[slot], bytes) { return seen }
        let text = String(decoding: bytes, as: UTF8.self)
        slots[slot] = text
        return text
    }

    /// `text`, or the equal String handed out before.
    mutating func shared(_ text: String) -> String {
        guard text.utf8.count > 15, text.utf8.count <= Self.longest else { return text }
        // The text's own bytes, without copying it (a String read from a file is stored as UTF-8).
        // Compared byte for byte: String's == would also match a differently composed text.
        let found = text.utf8.withContiguousStorageIfAvailable { bytes in
            let slot = Self.slot(bytes)
            return (slot, Self.seen(slots[slot], bytes))
        }
        guard let (slot, seen) = found else { return text }
        if let seen { return seen }
        slots[slot] = text
        return text
    }

    /// The slot's String if it holds exactly `bytes`.
    private static func seen(_ slot: String?, _ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let seen = slot, seen.utf8.count == bytes.count else { return nil }
        let same = seen.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
        return same == true ? seen : nil
    }

    /// FNV-1a over the bytes, folded to a slot.
    private static func slot(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 32)) & (slotCount - 1)
    }
}
