import Foundation
import ServiceMapCore

/// A JSON value that remembers where it was written, so every HSDS field can be cited at its
/// `file:line:column`. Records built from CSV tables use the same type, located at their cells.
struct JSONNode {
    enum Value {
        case null
        case bool(Bool)
        /// The number as written, so `12` stays "12" and ids keep their digits.
        case number(String)
        case string(String)
        case array([JSONNode])
        case object([(key: String, value: JSONNode)])
    }

    var value: Value
    var location: SourceLocation

    subscript(key: String) -> JSONNode? {
        guard case .object(let entries) = value else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The first of several keys that holds a non-empty value (HSDS renamed fields between versions).
    func first(_ keys: String...) -> JSONNode? {
        for key in keys { if let node = self[key], node.text != nil || node.array != nil || node.entries != nil { return node } }
        return nil
    }

    /// Strings and numbers as text, trimmed; nil for empty strings, null, arrays and objects.
    var text: String? {
        switch value {
        case .string(let s):
            let t = s.trimmed
            return t.isEmpty ? nil : t
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    var array: [JSONNode]? {
        if case .array(let items) = value { return items }
        return nil
    }

    var entries: [(key: String, value: JSONNode)]? {
        if case .object(let entries) = value { return entries }
        return nil
    }

    var isObject: Bool { entries != nil }

    /// An object's items as an array: a single object counts as a list of one.
    var list: [JSONNode] {
        if let array { return array }
        return isObject ? [self] : []
    }

    static func object(_ entries: [(String, JSONNode)], at location: SourceLocation) -> JSONNode {
        JSONNode(value: .object(entries.map { (key: $0.0, value: $0.1) }), location: location)
    }

    static func array(_ items: [JSONNode], at location: SourceLocation) -> JSONNode {
        JSONNode(value: .array(items), location: location)
    }

    static func string(_ text: String, at location: SourceLocation) -> JSONNode {
        JSONNode(value: .string(text), location: location)
    }

    /// A copy of an object with one key set (added or replaced).
    func setting(_ key: String, _ node: JSONNode) -> JSONNode {
        guard var entries else { return self }
        if let i = entries.firstIndex(where: { $0.key == key }) { entries[i].value = node } else { entries.append((key: key, value: node)) }
        return JSONNode(value: .object(entries), location: location)
    }
}

/// A strict JSON parser (RFC 8259) over UTF-8 bytes that records each value's line and column.
/// Nesting is bounded so a hostile file cannot exhaust the stack.
struct JSONParser {
    let bytes: [UInt8]
    let file: String
    var position = 0
    var line = 1
    var lineStart = 0
    static let maxDepth = 256

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    static func parse(_ data: Data, file: String) throws -> JSONNode {
        let (bytes, _) = TextDecoding.utf8Bytes(data)
        var parser = JSONParser(bytes: bytes, file: file)
        parser.skipWhitespace()
        guard parser.position < bytes.count else {
            throw ImportFailure(.malformedJSON, "the file is empty", at: SourceLocation(file: file))
        }
        let node = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position < bytes.count { throw parser.failure("unexpected text after the JSON value") }
        return node
    }

    var here: SourceLocation { SourceLocation(file: file, row: line, column: position - lineStart + 1) }

    func failure(_ message: String) -> ImportFailure {
        ImportFailure(.malformedJSON, "not valid JSON: \(message)", at: here)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0D: position += 1
            case 0x0A:
                position += 1
                line += 1
                lineStart = position
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws -> JSONNode {
        guard depth < Self.maxDepth else { throw failure("nested more than \(Self.maxDepth) levels deep") }
        skipWhitespace()
        guard position < bytes.count else { throw failure("the file ends in the middle of a value") }
        let at = here
        switch bytes[position] {
        case 0x7B:  // {
            position += 1
            var entries: [(key: String, value: JSONNode)] = []
            skipWhitespace()
            if position < bytes.count && bytes[position] == 0x7D { position += 1; return JSONNode(value: .object(entries), location: at) }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == 0x22 else { throw failure("expected a \"key\"") }
                let key = try parseString()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == 0x3A else { throw failure("expected ':' after a key") }
                position += 1
                let value = try parseValue(depth: depth + 1)
                entries.append((key: key, value: value))
                skipWhitespace()
                guard position < bytes.count else { throw failure("the file ends inside an object") }
                if bytes[position] == 0x2C { position += 1; continue }
                if bytes[position] == 0x7D { position += 1; break }
                throw failure("expected ',' or '}'")
            }
            return JSONNode(value: .object(entries), location: at)
        case 0x5B:  // [
            position += 1
            var items: [JSONNode] = []
            skipWhitespace()
            if position < bytes.count && bytes[position] == 0x5D { position += 1; return JSONNode(value: .array(items), location: at) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard position < bytes.count else { throw failure("the file ends inside an array") }
                if bytes[position] == 0x2C { position += 1; continue }
                if bytes[position] == 0x5D { position += 1; break }
                throw failure("expected ',' or ']'")
            }
            return JSONNode(value: .array(items), location: at)
        case 0x22:
            return JSONNode(value: .string(try parseString()), location: at)
        case 0x74, 0x66, 0x6E:  // true false null
            for (word, value) in [("true", JSONNode.Value.bool(true)), ("false", .bool(false)), ("null", .null)] {
                let w = Array(word.utf8)
                if position + w.count <= bytes.count && bytes[position..<(position + w.count)].elementsEqual(w) {
                    position += w.count
                    return JSONNode(value: value, location: at)
                }
            }
            throw failure("unknown word")
        default:
            let start = position
            while position < bytes.count, [0x2D, 0x2B, 0x2E, 0x65, 0x45].contains(bytes[position]) || (bytes[position] >= 0x30 && bytes[position] <= 0x39) {
                position += 1
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard !text.isEmpty, Double(text) != nil else { throw failure("unexpected character") }
            return JSONNode(value: .number(text), location: at)
        }
    }

    mutating func parseString() throws -> String {
        position += 1  // opening quote
        var out: [UInt8] = []
        while position < bytes.count {
            let b = bytes[position]
            if b == 0x22 {
                position += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b == 0x5C {
                position += 1
                guard position < bytes.count else { break }
                let e = bytes[position]
                position += 1
                if let byte = JSONText.simpleEscape(e) {
                    out.append(byte)
                    continue
                }
                guard e == 0x75 else { throw failure("unknown escape '\\\(Character(Unicode.Scalar(e)))'") }  // \uXXXX
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), position + 1 < bytes.count, bytes[position] == 0x5C, bytes[position + 1] == 0x75 {
                    position += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) { scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) }
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                continue
            }
            if b == 0x0A { line += 1; lineStart = position + 1 }
            out.append(b)
            position += 1
        }
        throw failure("a string is never closed")
    }

    mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16) else {
            throw failure("bad \\u escape")
        }
        position += 4
        return v
    }
}

extension DiagnosticCode {
    public static let malformedJSON: DiagnosticCode = "malformed-json"
}
