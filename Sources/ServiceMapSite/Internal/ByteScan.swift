import Foundation

extension StringProtocol {
    /// Whether any UTF-8 byte of the text passes `test`, read in place when the text is stored
    /// contiguously (native Swift strings are). `Sequence.contains` over a `UTF8View` steps an
    /// index at a time, and these checks run on every value of every page.
    @inline(__always)
    func containsUTF8(where test: (UInt8) -> Bool) -> Bool {
        if let found = utf8.withContiguousStorageIfAvailable({ $0.contains(where: test) }) { return found }
        return utf8.contains(where: test)
    }

    @inline(__always)
    func containsUTF8(_ byte: UInt8) -> Bool { containsUTF8 { $0 == byte } }
}
