/// Numbers the distinct terms of one analysis job, looked up by their UTF-8 bytes: an
/// open-addressing hash table over one byte arena. Tokenising makes no string per word; a term
/// becomes a `String` once, when the job's postings are joined.
struct TermTable {
    /// Every term's bytes, back to back; term `i` is `arena[starts[i]..<starts[i + 1]]`.
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt32] = []
    /// Term number + 1 per slot; 0 is an empty slot. The count is a power of two.
    private var slots: [Int32] = Array(repeating: 0, count: 1024)

    var count: Int { hashes.count }

    init() {
        arena.reserveCapacity(16 * 1024)
    }

    /// The number of the term with these bytes, added when new.
    mutating func id(of term: UnsafeBufferPointer<UInt8>) -> Int32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in term { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        var mask = slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            let i = entry - 1
            if hashes[i] == hash && starts[i + 1] - starts[i] == term.count {
                let start = starts[i]
                var same = true
                for k in 0..<term.count where arena[start + k] != term[k] { same = false; break }
                if same { return Int32(i) }
            }
            slot = (slot + 1) & mask
        }
        let id = hashes.count
        arena.append(contentsOf: term)
        starts.append(arena.count)
        hashes.append(hash)
        if (id + 1) * 2 > slots.count {
            grow()
            mask = slots.count - 1
            slot = Int(hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
        }
        slots[slot] = Int32(id + 1)
        return Int32(id)
    }

    private mutating func grow() {
        var bigger = Array(repeating: Int32(0), count: slots.count * 2)
        let mask = bigger.count - 1
        // The newest term is placed by the caller.
        for i in 0..<(hashes.count - 1) {
            var slot = Int(hashes[i]) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(i + 1)
        }
        slots = bigger
    }

    func string(_ id: Int32) -> String {
        String(decoding: arena[starts[Int(id)]..<starts[Int(id) + 1]], as: UTF8.self)
    }
}
