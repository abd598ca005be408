import Foundation

/// The small part of Markdown that service descriptions use — paragraphs, bullet lists, `##`
/// headings, **bold**, *italic* and [links](https://…) — rendered safely: every character of the
/// source is HTML-escaped first, so nothing a file says can become markup of its own, and links
/// keep only http, https and mailto targets. (Ink passes raw HTML and unescaped URLs through,
/// which is why the site does not use it for imported text.)
enum SafeMarkdown {
    /// HTML blocks (`<p>`, `<ul>`, `<h3>`) for a description.
    static func blocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var paragraph: [String] = []
        var items: [String] = []
        func flushParagraph() {
            if !paragraph.isEmpty { blocks.append("<p>" + inline(paragraph.joined(separator: " ")) + "</p>") }
            paragraph = []
        }
        func flushList() {
            if !items.isEmpty { blocks.append("<ul>" + items.map { "<li>" + inline($0) + "</li>" }.joined() + "</ul>") }
            items = []
        }
        // Lines split by bytes: without CR, every LF is a character of its own.
        let normalized = text.containsUTF8(0x0D) ? text.replacingOccurrences(of: "\r\n", with: "\n") : text
        for bytes in normalized.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let rawLine = normalized[bytes.startIndex..<bytes.endIndex]
            let line = String(rawLine).trimmingSpaces()
            if line.isEmpty {
                flushParagraph()
                flushList()
            } else if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") {
                flushParagraph()
                items.append(String(line.dropFirst(2)))
            } else if line.hasPrefix("#") {
                flushParagraph()
                flushList()
                let title = line.drop { $0 == "#" }.trimmingSpaces()
                if !title.isEmpty { blocks.append("<h3>" + inline(title) + "</h3>") }
            } else if !items.isEmpty && rawLine.hasPrefix("  ") {
                items[items.count - 1] += " " + line  // a wrapped list item
            } else {
                flushList()
                paragraph.append(line)
            }
        }
        flushParagraph()
        flushList()
        return blocks
    }

    /// The text without Markdown markers, for summaries and search snippets.
    static func plain(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while rest.containsUTF8(0x5B), let open = rest.firstIndex(of: "[") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "]"), after[after.index(after: close)...].hasPrefix("("),
               let paren = after[close...].firstIndex(of: ")")
            {
                out += after[..<close]
                rest = after[after.index(after: paren)...]
            } else {
                out += "["
                rest = after
            }
        }
        out += rest
        // Most descriptions are one plain paragraph: nothing below would change them, and the
        // Foundation calls cost a large directory's build seconds, so they are skipped.
        let hasBold = out.containsUTF8 { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "_") }
        if !hasBold && !out.containsUTF8(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "-") }) {
            return out
        }
        if hasBold { out = out.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "") }
        // One line: the same rule as below without splitting the text into lines by characters
        // ("drop-in" alone sent every description through the split).
        if !out.containsUTF8(0x0A) {
            guard !out.isEmpty else { return out }
            return plainLine(Substring(out))
        }
        return out
            .split(separator: "\n").map(plainLine).joined(separator: "\n")
    }

    /// A line without its heading or list marker.
    private static func plainLine(_ line: Substring) -> String {
        let t = line.trimmingSpaces()
        if t.hasPrefix("#") { return t.drop { $0 == "#" }.trimmingSpaces() }
        if t.hasPrefix("- ") || t.hasPrefix("* ") { return String(t.dropFirst(2)) }
        return String(line)
    }

    /// Escapes, then turns `**x**`, `*x*` and `[text](url)` into elements.
    static func inline(_ text: String) -> String {
        var html = ""
        var rest = Substring(text)
        // Links first, on the raw text, so the URL can be checked before it is escaped. (The byte
        // test spares the search by characters when there is no bracket at all.)
        while rest.containsUTF8(0x5B), let open = rest.firstIndex(of: "[") {
            html += emphasis(Escape.html(String(rest[..<open])))
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "]"), after[after.index(after: close)...].hasPrefix("("),
                  let paren = after[close...].firstIndex(of: ")")
            else {
                html += "["
                rest = after
                continue
            }
            let label = String(after[..<close])
            let url = String(after[after.index(close, offsetBy: 2)..<paren]).trimmingSpaces()
            let lower = url.lowercased()
            if lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:"),
               !url.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "'" })
            {
                html += "<a href=\"" + Escape.html(url) + "\">" + emphasis(Escape.html(label)) + "</a>"
            } else {
                html += emphasis(Escape.html(label))
            }
            rest = after[after.index(after: paren)...]
        }
        html += emphasis(Escape.html(String(rest)))
        return html
    }

    /// `**bold**` and `*italic*` on already-escaped text (the markers are not escaped characters).
    private static func emphasis(_ escaped: String) -> String {
        var result = replacePairs(escaped, marker: "**", open: "<strong>", close: "</strong>")
        result = replacePairs(result, marker: "__", open: "<strong>", close: "</strong>")
        result = replacePairs(result, marker: "*", open: "<em>", close: "</em>")
        return result
    }

    private static func replacePairs(_ text: String, marker: String, open: String, close: String) -> String {
        // Text without the marker's character has no pairs: skip Foundation's split, which is slow on Linux.
        guard let first = marker.utf8.first, text.containsUTF8(first) else { return text }
        let parts = text.components(separatedBy: marker)
        guard parts.count >= 3 else { return text }
        var out = parts[0]
        var index = 1
        while index < parts.count {
            if index + 1 < parts.count, !parts[index].isEmpty, parts[index].first != " " {
                out += open + parts[index] + close + parts[index + 1]
                index += 2
            } else {
                out += marker + parts[index]
                index += 1
            }
        }
        return out
    }
}
