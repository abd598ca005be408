extension String {
    /// The text without leading and trailing whitespace and newlines.
    ///
    /// Foundation's `trimmingCharacters(in:)` bridges through NSString on Linux and was a sixth of
    /// a large import's time; most cells need no trimming at all, and this returns them untouched.
    public var trimmed: String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return "" }
        func plainASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
        if plainASCII(first) && plainASCII(last) { return self }
        var start = startIndex
        var end = endIndex
        while start < end, self[start].isWhitespace { start = index(after: start) }
        while end > start, self[index(before: end)].isWhitespace { end = index(before: end) }
        return String(self[start..<end])
    }
}

extension Substring {
    public var trimmed: String { String(self).trimmed }
}
