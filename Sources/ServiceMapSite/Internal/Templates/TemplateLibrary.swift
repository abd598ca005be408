import Foundation

/// The theme's templates by name, so templates can include each other as partials (`{{>name}}`).
struct TemplateLibrary: Sendable {
    private var templates: [String: Template] = [:]

    init() {}

    mutating func register(_ source: String, named name: String) throws {
        templates[name] = try Template(source)
    }

    func template(named name: String) -> Template? { templates[name] }

    /// Renders the named template with `values`; an unknown name renders nothing.
    func render(_ name: String, _ values: TemplateValue) -> String {
        var bytes: [UInt8] = []
        render(name, values, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Renders the named template with `values` after the bytes already in `output`.
    func render(_ name: String, _ values: TemplateValue, into output: inout [UInt8]) {
        guard let template = templates[name] else { return }
        var renderer = TemplateRenderer(library: self, values: values, output: output)
        output = []
        renderer.render(template.nodes, indentation: [])
        output = renderer.output
    }
}

/// A copy of the templates for each rendering thread.
///
/// Rendering retains the templates' nodes and texts as it walks them. With one library shared by
/// every thread, each of those retains is an atomic write to memory another core is writing too,
/// and on a large build half the rendering time went on that. Each thread here renders with its
/// own copy, parsed from the same sources, so no two threads touch the same template memory.
final class TemplatePool: @unchecked Sendable {
    private let sources: [(name: String, text: String)]
    private let lock = NSLock()
    private var byThread: [UInt: TemplateLibrary] = [:]

    init(sources: [(String, String)]) {
        self.sources = sources.map { (name: $0.0, text: $0.1) }
    }

    func render(_ name: String, _ values: TemplateValue) -> String {
        library().render(name, values)
    }

    func render(_ name: String, _ values: TemplateValue, into output: inout [UInt8]) {
        library().render(name, values, into: &output)
    }

    /// An identifier of the calling thread, for per-thread copies.
    static var currentThread: UInt {
        #if canImport(Glibc)
        UInt(pthread_self())
        #else
        UInt(bitPattern: unsafeBitCast(pthread_self(), to: Int.self))
        #endif
    }

    /// This thread's copy (a build's threads are the few of Dispatch's pool, so copies are few).
    private func library() -> TemplateLibrary {
        let thread = Self.currentThread
        lock.lock()
        if let library = byThread[thread] {
            lock.unlock()
            return library
        }
        lock.unlock()
        var library = TemplateLibrary()
        // The sources parsed when the theme was loaded: they cannot fail now.
        for (name, text) in sources { try? library.register(text, named: name) }
        lock.lock()
        byThread[thread] = library
        lock.unlock()
        return library
    }
}

/// Renders template nodes into UTF-8 bytes, looking names up through a stack of values: a name is
/// taken from the innermost value that has it, as Mustache specifies.
struct TemplateRenderer {
    let library: TemplateLibrary
    private(set) var output: [UInt8] = []
    private var stack: [TemplateValue]
    private var partialDepth = 0

    /// How deeply partials may include partials. A theme whose partial includes itself without end
    /// stops here instead of exhausting the stack.
    static let maximumPartialDepth = 64

    init(library: TemplateLibrary, values: TemplateValue, output: [UInt8] = []) {
        self.library = library
        self.stack = [values]
        self.output = output
        self.output.reserveCapacity(self.output.count + 8192)
    }

    /// Renders `nodes`. Inside a standalone partial, `indentation` goes before each line: before the
    /// output of any node that starts a new line of this rendering (as each line of a partial is a
    /// node of its own, that indents the partial's lines but not the lines of a value shown in it).
    mutating func render(_ nodes: [Template.Node], indentation: [UInt8]) {
        let start = output.count
        for node in nodes {
            let mark = output.count
            let startsLine = !indentation.isEmpty && mark > start && output[mark - 1] == 0x0A
            render(node, indentation: indentation)
            if startsLine && output.count > mark {
                output.insert(contentsOf: indentation, at: mark)
            }
        }
    }

    private mutating func render(_ node: Template.Node, indentation: [UInt8]) {
        switch node {
        case .text(let bytes):
            output.append(contentsOf: bytes)
        case .variable(let name, let escaped):
            guard let value = lookUp(name) else { return }
            switch value {
            case .text(let text): append(text, escaped: escaped)
            case .number(let number): append(String(number), escaped: false)
            case .flag(let flag): append(flag ? "true" : "false", escaped: false)
            case .deferred(let deferred): append(deferred.text, escaped: escaped)
            // A list or a set of values has no text of its own.
            case .list, .object: break
            }
        case .section(let name, let inner, let inverted):
            let value = lookUp(name)
            if inverted {
                if Self.isFalsy(value) { render(inner, indentation: indentation) }
                return
            }
            switch value {
            case nil, .flag(false): return
            case .flag(true): render(inner, indentation: indentation)
            case .list(let items):
                for item in items {
                    stack.append(item)
                    render(inner, indentation: indentation)
                    stack.removeLast()
                }
            case .some(let value):
                stack.append(value)
                render(inner, indentation: indentation)
                stack.removeLast()
            }
        case .partial(let name, let own):
            guard partialDepth < Self.maximumPartialDepth, let template = library.template(named: name) else { return }
            partialDepth += 1
            render(template.nodes, indentation: indentation + own)
            partialDepth -= 1
        }
    }

    /// Absent, false and the empty list are false; anything else, even empty text or zero, is true.
    static func isFalsy(_ value: TemplateValue?) -> Bool {
        switch value {
        case nil, .flag(false): return true
        case .list(let items): return items.isEmpty
        default: return false
        }
    }

    private func lookUp(_ name: Template.Name) -> TemplateValue? {
        guard let first = name.parts.first else { return stack.last }
        for value in stack.reversed() {
            guard var found = value.child(first) else { continue }
            // Once the first name is found, the rest must be inside it: no looking further out.
            for part in name.parts.dropFirst() {
                guard let next = found.child(part) else { return nil }
                found = next
            }
            return found
        }
        return nil
    }

    /// Appends a value's text, read in place (native strings are contiguous; others are copied).
    private mutating func append(_ text: String, escaped: Bool) {
        if text.utf8.withContiguousStorageIfAvailable({ bytes in append(bytes, escaped: escaped) }) == nil {
            var copy = text
            copy.withUTF8 { append($0, escaped: escaped) }
        }
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, escaped: Bool) {
        guard escaped else { output.append(contentsOf: bytes); return }
        var plain = 0
        for (index, byte) in bytes.enumerated() {
            let replacement: StaticString
            switch byte {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            default: continue
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<index]))
            output.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
            plain = index + 1
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain...]))
    }
}
