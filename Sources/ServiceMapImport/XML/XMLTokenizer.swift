import Foundation
import ServiceMapCore

/// What the tokenizer found next.
enum XMLEvent {
    /// A start tag: see `name`, `localName`, `attributes`, `isSelfClosing`.
    case start
    /// An end tag: see `localName`.
    case end
    /// Character data (or a CDATA section): see `text`, `textIsCDATA`.
    case text
    /// The buffered input ends inside a token: feed more bytes (or call `finish()`).
    case needMore
    /// All input has been read.
    case done
}

/// One attribute of the current start tag, as ranges into the tokenizer's buffer.
struct XMLAttribute {
    var name: Range<Int>
    /// Start of the name after any `prefix:`.
    var localStart: Int
    var value: Range<Int>
}

/// A small pull tokenizer over UTF-8 bytes fed in chunks, for the parts of spreadsheet packages.
///
/// It is not a validating parser: it finds tags, attributes and text quickly and leaves meaning
/// to its callers. It refuses document type declarations outright — a DTD is how entity bombs
/// (billion laughs, quadratic blow-up) and external entities get in, and no spreadsheet needs
/// one — and expands only the five predefined entities and numeric character references.
final class XMLTokenizer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0
    private var position = 0
    private var isFinal = false
    let partName: String

    // The current token.
    private(set) var name: Range<Int> = 0..<0
    private(set) var localStart = 0
    private(set) var attributes: [XMLAttribute] = []
    private(set) var isSelfClosing = false
    private(set) var text: Range<Int> = 0..<0
    private(set) var textIsCDATA = false

    init(partName: String, capacity: Int = 64 * 1024) {
        self.partName = partName
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
        attributes.reserveCapacity(16)
    }

    deinit { storage.deallocate() }

    /// Appends bytes, first dropping what has been consumed (ranges from earlier tokens become invalid).
    func feed(_ bytes: UnsafeRawBufferPointer) {
        if position > 0 {
            let remaining = count - position
            if remaining > 0 { (storage).update(from: storage + position, count: remaining) }
            count = remaining
            position = 0
        }
        if count + bytes.count > capacity {
            var newCapacity = capacity * 2
            while newCapacity < count + bytes.count { newCapacity *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            bigger.update(from: storage, count: count)
            storage.deallocate()
            storage = bigger
            capacity = newCapacity
        }
        if let base = bytes.baseAddress, bytes.count > 0 {
            (storage + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
            count += bytes.count
        }
        // A UTF-8 byte order mark at the very start (SpreadsheetGear writes one) is not content.
        if !startedBOMCheck && count >= 3 {
            startedBOMCheck = true
            if storage[0] == 0xEF && storage[1] == 0xBB && storage[2] == 0xBF { position = 3 }
        }
    }
    private var startedBOMCheck = false

    /// No more input will come: what is buffered is all there is.
    func finish() {
        isFinal = true
        startedBOMCheck = true
    }

    @inline(__always) func byte(_ i: Int) -> UInt8 { storage[i] }

    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage + range.lowerBound, count: range.count)
    }

    var localName: UnsafeBufferPointer<UInt8> { bytes(localStart..<name.upperBound) }
    var qualifiedName: UnsafeBufferPointer<UInt8> { bytes(name) }

    /// Whether the current tag's local name (the part after any namespace prefix) is `expected`.
    @inline(__always) func isNamed(_ expected: StaticString) -> Bool {
        Self.equal(bytes(localStart..<name.upperBound), expected)
    }

    @inline(__always) static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ expected: StaticString) -> Bool {
        guard bytes.count == expected.utf8CodeUnitCount else { return false }
        let e = expected.utf8Start
        for i in 0..<bytes.count where bytes[i] != e[i] { return false }
        return true
    }

    /// The value range of the attribute whose local name is `local` (and, if given, whose prefix is `prefix`).
    func attribute(_ local: StaticString, prefix: StaticString? = nil) -> Range<Int>? {
        for attribute in attributes {
            guard Self.equal(bytes(attribute.localStart..<attribute.name.upperBound), local) else { continue }
            if let prefix {
                let hasPrefix = attribute.localStart > attribute.name.lowerBound
                guard hasPrefix, Self.equal(bytes(attribute.name.lowerBound..<(attribute.localStart - 1)), prefix) else { continue }
            }
            return attribute.value
        }
        return nil
    }

    /// An attribute whose local name is `local` and that has some namespace prefix other than
    /// `xmlns` — how `r:id` is found whatever prefix a writer chose (`r:`, `ns:`, `x:`).
    func prefixedAttribute(_ local: StaticString) -> Range<Int>? {
        for attribute in attributes where attribute.localStart > attribute.name.lowerBound {
            guard Self.equal(bytes(attribute.localStart..<attribute.name.upperBound), local) else { continue }
            if Self.equal(bytes(attribute.name.lowerBound..<(attribute.localStart - 1)), "xmlns") { continue }
            return attribute.value
        }
        return nil
    }

    func attributeString(_ local: StaticString, prefix: StaticString? = nil) throws -> String? {
        guard let range = attribute(local, prefix: prefix) else { return nil }
        return try XMLText.decode(bytes(range), trim: false, part: partName)
    }

    func textString(trim: Bool = false) throws -> String {
        textIsCDATA ? XMLText.string(bytes(text)) : try XMLText.decode(bytes(text), trim: trim, part: partName)
    }

    func malformed(_ what: String) -> ImportFailure {
        ImportFailure(.malformedXML, "part '\(partName)' is not well-formed XML: \(what)")
    }

    /// The next token. Ranges it sets stay valid until the next `feed`.
    func next() throws -> XMLEvent {
        while true {
            if position >= count { return isFinal ? .done : .needMore }
            if storage[position] != 0x3C {  // text up to the next '<'
                let start = position
                let found = memchr(storage + start, 0x3C, count - start)
                let end: Int
                if let found {
                    end = UnsafeMutablePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - storage
                } else {
                    if !isFinal { return .needMore }
                    end = count
                }
                position = end
                text = start..<end
                textIsCDATA = false
                return .text
            }
            // A markup token starting at '<'.
            let start = position
            guard start + 1 < count else {
                if isFinal { throw malformed("the part ends inside a tag") }
                return .needMore
            }
            switch storage[start + 1] {
            case 0x2F:  // '</'
                guard let close = find(0x3E, from: start + 2) else { return try incomplete() }
                var nameEnd = start + 2
                localStart = nameEnd
                while nameEnd < close, !isSpace(storage[nameEnd]) {
                    if storage[nameEnd] == 0x3A { localStart = nameEnd + 1 }
                    nameEnd += 1
                }
                name = (start + 2)..<nameEnd
                position = close + 1
                return .end
            case 0x3F:  // '<?' processing instruction or XML declaration
                guard let end = find(0x3F, 0x3E, from: start + 2) else { return try incomplete() }
                position = end + 2
                continue
            case 0x21:  // '<!'
                if matches("<!--", at: start) {
                    guard let end = find(0x2D, 0x2D, 0x3E, from: start + 4) else { return try incomplete() }
                    position = end + 3
                    continue
                }
                if matches("<![CDATA[", at: start) {
                    guard let end = find(0x5D, 0x5D, 0x3E, from: start + 9) else { return try incomplete() }
                    text = (start + 9)..<end
                    textIsCDATA = true
                    position = end + 3
                    return .text
                }
                if count - start < 9 && !isFinal { return .needMore }
                if matches("<!DOCTYPE", at: start) || matches("<!ENTITY", at: start) {
                    throw ImportFailure(.xmlEntityExpansion,
                        "part '\(partName)' declares a document type (DTD); DTDs can define entity bombs and external entities, so the file is refused")
                }
                throw malformed("unexpected '<!' markup")
            default:
                if let event = try startTag(at: start) { return event }
                return try incomplete()
            }
        }
    }

    private func incomplete() throws -> XMLEvent {
        if isFinal { throw malformed("the part ends inside a tag") }
        return .needMore
    }

    @inline(__always) private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    private func matches(_ literal: StaticString, at i: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i + n <= count else { return false }
        let p = literal.utf8Start
        for k in 0..<n where storage[i + k] != p[k] { return false }
        return true
    }

    private func find(_ b: UInt8, from: Int) -> Int? {
        guard from < count, let found = memchr(storage + from, Int32(b), count - from) else { return nil }
        return UnsafeMutablePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - storage
    }

    private func find(_ a: UInt8, _ b: UInt8, from: Int) -> Int? {
        var i = from
        while let at = find(a, from: i) {
            if at + 1 >= count { return nil }
            if storage[at + 1] == b { return at }
            i = at + 1
        }
        return nil
    }

    private func find(_ a: UInt8, _ b: UInt8, _ c: UInt8, from: Int) -> Int? {
        var i = from
        while let at = find(a, from: i) {
            if at + 2 >= count { return nil }
            if storage[at + 1] == b && storage[at + 2] == c { return at }
            i = at + 1
        }
        return nil
    }

    /// Parses a start tag at `start`; nil when the buffer ends before the tag does.
    private func startTag(at start: Int) throws -> XMLEvent? {
        var i = start + 1
        localStart = i
        while i < count {
            let b = storage[i]
            if isSpace(b) || b == 0x3E || b == 0x2F { break }
            if b == 0x3A { localStart = i + 1 }
            i += 1
        }
        guard i < count else { return nil }
        if i == start + 1 { throw malformed("a '<' not followed by a name") }
        name = (start + 1)..<i
        attributes.removeAll(keepingCapacity: true)
        while true {
            while i < count, isSpace(storage[i]) { i += 1 }
            guard i < count else { return nil }
            let b = storage[i]
            if b == 0x3E {
                isSelfClosing = false
                position = i + 1
                return .start
            }
            if b == 0x2F {
                guard i + 1 < count else { return nil }
                guard storage[i + 1] == 0x3E else { throw malformed("'/' inside a tag") }
                isSelfClosing = true
                position = i + 2
                return .start
            }
            let nameStart = i
            var attrLocal = i
            while i < count {
                let c = storage[i]
                if c == 0x3D || isSpace(c) || c == 0x3E || c == 0x2F { break }
                if c == 0x3A { attrLocal = i + 1 }
                i += 1
            }
            guard i < count else { return nil }
            let nameEnd = i
            while i < count, isSpace(storage[i]) { i += 1 }
            guard i < count else { return nil }
            guard storage[i] == 0x3D else { throw malformed("attribute without a value") }
            i += 1
            while i < count, isSpace(storage[i]) { i += 1 }
            guard i < count else { return nil }
            let quote = storage[i]
            guard quote == 0x22 || quote == 0x27 else { throw malformed("attribute value not quoted") }
            guard let close = find(quote, from: i + 1) else { return nil }
            attributes.append(XMLAttribute(name: nameStart..<nameEnd, localStart: attrLocal, value: (i + 1)..<close))
            i = close + 1
        }
    }
}
