import Foundation

/// Where each entry's compressed bytes lie in a zip file, read from the central directory.
///
/// ZIPFoundation's inflate loop asks for more input forever when a damaged deflate stream ends
/// without its final block, and never returns control. Knowing the exact byte range of an entry
/// lets `ZipPackage` feed the inflater itself and stop, with an error, once the range is used up.
/// Only classic (non-ZIP64) archives are indexed; anything else falls back to ZIPFoundation.
struct ZipDirectory {
    struct Span {
        var dataOffset: Int
        var compressedSize: Int
        var method: UInt16
    }

    let bytes: Data
    private(set) var spans: [String: Span] = [:]

    init?(bytes: Data, normalise: (String) -> String) {
        self.bytes = bytes
        let count = bytes.count
        guard count >= 22 else { return nil }
        func u16(_ at: Int) -> Int { Int(bytes[bytes.startIndex + at]) | Int(bytes[bytes.startIndex + at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        // The end-of-central-directory record sits in the last 64 KiB + 22 bytes.
        var eocd = -1
        var i = count - 22
        let floor = max(0, count - 22 - 65_535)
        while i >= floor {
            if u32(i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { return nil }
        let entries = u16(eocd + 10)
        let directorySize = u32(eocd + 12)
        let directoryOffset = u32(eocd + 16)
        guard entries != 0xFFFF, directoryOffset != 0xFFFF_FFFF, directoryOffset + directorySize <= count else { return nil }
        var p = directoryOffset
        for _ in 0..<entries {
            guard p + 46 <= count, u32(p) == 0x0201_4B50 else { return nil }
            let method = UInt16(u16(p + 10))
            let compressed = u32(p + 20)
            let nameLength = u16(p + 28), extraLength = u16(p + 30), commentLength = u16(p + 32)
            let localOffset = u32(p + 42)
            guard compressed != 0xFFFF_FFFF, localOffset != 0xFFFF_FFFF, p + 46 + nameLength <= count else { return nil }
            let nameBytes = bytes[(bytes.startIndex + p + 46)..<(bytes.startIndex + p + 46 + nameLength)]
            let name = String(decoding: nameBytes, as: UTF8.self)
            // The local header repeats the name and has its own extra field length.
            if localOffset + 30 <= count, u32(localOffset) == 0x0403_4B50 {
                let dataOffset = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28)
                if dataOffset + compressed <= count {
                    spans[normalise(name)] = Span(dataOffset: dataOffset, compressedSize: compressed, method: method)
                }
            }
            p += 46 + nameLength + extraLength + commentLength
        }
    }

    /// A slice of the entry's compressed bytes, or an empty Data when none remain.
    func chunk(of span: Span, at position: Int, size: Int) -> Data {
        let start = span.dataOffset + min(position, span.compressedSize)
        let end = span.dataOffset + min(position + size, span.compressedSize)
        return bytes.subdata(in: (bytes.startIndex + start)..<(bytes.startIndex + end))
    }
}
