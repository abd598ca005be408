import Foundation

/// A parsed Mustache template: the theme's page templates in `Site/templates/`.
///
/// The project renders its own Mustache because a large site renders a hundred thousand pages and
/// the generic engine spent most of that time discovering the types of values at run time. This
/// one renders `TemplateValue`s into UTF-8 bytes. It covers the Mustache specification's core:
/// variables (escaped `{{name}}`, raw `{{{name}}}` and `{{&name}}`), dotted names and `{{.}}`,
/// sections and inverted sections, comments, partials (indented when standalone) and changing the
/// delimiters. Lambdas, inheritance and dynamic names, optional parts of the specification, are
/// not supported: a theme that uses them gets an error when it is loaded.
///
/// Whitespace follows the specification: a line holding only a section tag, a comment, a partial
/// or a delimiter change (and spaces or tabs) leaves no trace in the output.
struct Template: Sendable {
    let nodes: [Node]

    indirect enum Node: Sendable {
        /// Literal bytes, at most one line: a newline only ever ends a text node, which is where a
        /// partial's indentation goes.
        case text([UInt8])
        case variable(Name, escaped: Bool)
        case section(Name, [Node], inverted: Bool)
        /// `indentation` is the whitespace before a standalone partial tag, added to each of its lines.
        case partial(String, indentation: [UInt8])
    }

    /// A variable or section name: `.` (the current value) or names separated by dots.
    struct Name: Sendable {
        let parts: [String]
        var isCurrent: Bool { parts.isEmpty }

        init(_ text: String) {
            parts = text == "." ? [] : text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        }
    }

    struct ParseError: Error, CustomStringConvertible {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    init(_ source: String) throws {
        var lexer = Lexer(Array(source.utf8))
        let tokens = try lexer.tokens()
        var parser = TreeBuilder(tokens: Self.removingStandaloneLines(tokens))
        nodes = try parser.build()
    }

    // MARK: Tokens

    enum TagKind: Equatable {
        case variable, raw, sectionOpen, invertedOpen, sectionClose, comment, partial, delimiters

        /// Tags that, alone on a line, take the line with them.
        var canStandAlone: Bool {
            switch self {
            case .variable, .raw: return false
            default: return true
            }
        }
    }

    enum Token {
        case text([UInt8])
        case tag(TagKind, String, line: Int, indentation: [UInt8] = [])
    }

    /// Applies the specification's standalone rule: on a line whose only tag may stand alone and
    /// whose text is only spaces and tabs, drop that whitespace and the line's end. A standalone
    /// partial keeps the whitespace before it, which also becomes its indentation.
    static func removingStandaloneLines(_ tokens: [Token]) -> [Token] {
        var result: [Token] = []
        result.reserveCapacity(tokens.count)
        var lineStart = 0
        func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool { bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
        while lineStart < tokens.count {
            // A line runs to the first text token that ends with a newline, or to the end.
            var index = lineStart
            while index < tokens.count {
                if case .text(let bytes) = tokens[index], bytes.last == 0x0A { break }
                index += 1
            }
            let lineEnd = min(index, tokens.count - 1)
            let line = tokens[lineStart...lineEnd]
            var tags = 0
            var standalone = true
            for token in line {
                switch token {
                case .tag(let kind, _, _, _):
                    tags += 1
                    if !kind.canStandAlone { standalone = false }
                case .text(var bytes):
                    if bytes.last == 0x0A { bytes.removeLast(); if bytes.last == 0x0D { bytes.removeLast() } }
                    if !isBlank(bytes[...]) { standalone = false }
                }
            }
            if tags == 1 && standalone {
                let tagIndex = line.firstIndex { if case .tag = $0 { return true } else { return false } }!
                // Text is split at tags and newlines, so at most one text token precedes the tag.
                var leading: [UInt8] = []
                if tagIndex > lineStart, case .text(let bytes) = tokens[tagIndex - 1] { leading = bytes }
                if case .tag(.partial, let name, let number, _) = tokens[tagIndex] {
                    if !leading.isEmpty { result.append(.text(leading)) }
                    result.append(.tag(.partial, name, line: number, indentation: leading))
                } else {
                    result.append(tokens[tagIndex])
                }
            } else {
                result.append(contentsOf: line)
            }
            lineStart = lineEnd + 1
        }
        return result
    }

    /// Splits template bytes into text (never past a newline) and tags, following delimiter changes.
    struct Lexer {
        let bytes: [UInt8]
        var open: [UInt8] = Array("{{".utf8)
        var close: [UInt8] = Array("}}".utf8)

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func starts(_ pattern: [UInt8], at index: Int) -> Bool {
            guard index + pattern.count <= bytes.count else { return false }
            for i in 0..<pattern.count where bytes[index + i] != pattern[i] { return false }
            return true
        }

        func find(_ pattern: [UInt8], from start: Int) -> Int? {
            var index = start
            while index + pattern.count <= bytes.count {
                if starts(pattern, at: index) { return index }
                index += 1
            }
            return nil
        }

        mutating func tokens() throws -> [Token] {
            var tokens: [Token] = []
            var text: [UInt8] = []
            var line = 1
            var index = 0
            func flush() {
                if !text.isEmpty { tokens.append(.text(text)); text = [] }
            }
            while index < bytes.count {
                if starts(open, at: index) {
                    flush()
                    let tagLine = line
                    var start = index + open.count
                    var end: Int
                    var kind = TagKind.variable
                    // `{{{name}}}` closes with a third brace only with the default delimiters.
                    if open == Array("{{".utf8), start < bytes.count, bytes[start] == UInt8(ascii: "{") {
                        guard let found = find(Array("}}}".utf8), from: start + 1) else {
                            throw ParseError(line: tagLine, message: "unclosed {{{")
                        }
                        kind = .raw
                        start += 1
                        end = found
                        index = found + 3
                    } else {
                        guard let found = find(close, from: start) else {
                            throw ParseError(line: tagLine, message: "unclosed \(String(decoding: open, as: UTF8.self))")
                        }
                        end = found
                        index = found + close.count
                    }
                    var body = Array(bytes[start..<end])
                    for byte in body where byte == 0x0A { line += 1 }
                    if kind == .variable, let sigil = body.first {
                        switch sigil {
                        case UInt8(ascii: "#"): kind = .sectionOpen
                        case UInt8(ascii: "^"): kind = .invertedOpen
                        case UInt8(ascii: "/"): kind = .sectionClose
                        case UInt8(ascii: "!"): kind = .comment
                        case UInt8(ascii: ">"): kind = .partial
                        case UInt8(ascii: "&"): kind = .raw
                        case UInt8(ascii: "="): kind = .delimiters
                        case UInt8(ascii: "<"), UInt8(ascii: "$"), UInt8(ascii: "*"):
                            throw ParseError(line: tagLine, message: "inheritance and dynamic names are not supported")
                        default: break
                        }
                        if kind != .variable { body.removeFirst() }
                    }
                    let name = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    switch kind {
                    case .comment:
                        tokens.append(.tag(.comment, "", line: tagLine))
                    case .delimiters:
                        guard name.hasSuffix("=") else { throw ParseError(line: tagLine, message: "a delimiter change must end with =") }
                        let pair = name.dropLast().split(whereSeparator: { $0 == " " || $0 == "\t" })
                        guard pair.count == 2 else { throw ParseError(line: tagLine, message: "a delimiter change needs two delimiters") }
                        open = Array(pair[0].utf8)
                        close = Array(pair[1].utf8)
                        tokens.append(.tag(.delimiters, "", line: tagLine))
                    default:
                        guard Self.isValidName(name, partial: kind == .partial) else {
                            throw ParseError(line: tagLine, message: "“\(name)” is not a name a template can use")
                        }
                        tokens.append(.tag(kind, name, line: tagLine))
                    }
                } else {
                    let byte = bytes[index]
                    text.append(byte)
                    index += 1
                    if byte == 0x0A {
                        line += 1
                        flush()
                    }
                }
            }
            flush()
            return tokens
        }

        static func isValidName(_ name: String, partial: Bool) -> Bool {
            guard !name.isEmpty else { return false }
            if name == "." { return !partial }
            return name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                    return true
                case UInt8(ascii: "/"): return partial
                default: return false
                }
            }
        }
    }

    /// Nests the tokens into sections and checks that each section is closed by its own name.
    struct TreeBuilder {
        let tokens: [Token]
        var index = 0

        mutating func build() throws -> [Node] {
            let nodes = try nodes(closing: nil)
            return nodes
        }

        private mutating func nodes(closing open: (name: String, line: Int)?) throws -> [Node] {
            var nodes: [Node] = []
            while index < tokens.count {
                let token = tokens[index]
                index += 1
                switch token {
                case .text(let bytes):
                    nodes.append(.text(bytes))
                case .tag(let kind, let name, let line, let indentation):
                    switch kind {
                    case .variable: nodes.append(.variable(Name(name), escaped: true))
                    case .raw: nodes.append(.variable(Name(name), escaped: false))
                    case .sectionOpen, .invertedOpen:
                        let inner = try self.nodes(closing: (name, line))
                        nodes.append(.section(Name(name), inner, inverted: kind == .invertedOpen))
                    case .sectionClose:
                        guard let open else { throw ParseError(line: line, message: "{{/\(name)}} closes no section") }
                        guard open.name == name else {
                            throw ParseError(line: line, message: "{{/\(name)}} closes {{#\(open.name)}} from line \(open.line)")
                        }
                        return nodes
                    case .partial:
                        nodes.append(.partial(name, indentation: indentation))
                    case .comment, .delimiters:
                        break
                    }
                }
            }
            if let open { throw ParseError(line: open.line, message: "{{#\(open.name)}} is never closed") }
            return nodes
        }
    }
}
