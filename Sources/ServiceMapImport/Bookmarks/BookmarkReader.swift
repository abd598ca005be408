import Foundation
import ServiceMapCore

/// Reads Netscape bookmark HTML — the format every browser (Chrome, Edge, Firefox, Safari, IE)
/// and bookmark service (Delicious, Shaarli, Scuttle, Google Bookmarks) exports — into service
/// supplements.
///
/// Each bookmark becomes a `ServiceDraft` with `isSupplement = true`: its title is the service
/// name, `HREF` the website, the `<DD>` text the description, `ADD_DATE` the `first-seen`
/// attribute (an ISO date; it says when the researcher found the link, not that anyone checked
/// it, so it is never used as "last verified"). Folder names and `TAGS` travel as hints: a hint
/// that names an area becomes the service's area, one that names a category its category, and
/// the rest are dropped by the assembler without complaint; the folder path and tags are also kept
/// as attributes. A bookmark whose title matches a spreadsheet service merges into it.
///
/// The reader is a tolerant single pass over the bytes: no HTML library, no DOM. Unclosed
/// `<DL>`, a missing `</A>`, `<H3>` outside any `<DL>`, mixed-case tags and attribute values
/// spanning lines all still import what they can.
public struct BookmarkReader {
    public let path: String
    let options: ImportOptions

    public init(path: String, options: ImportOptions) {
        self.path = path
        self.options = options
    }

    public func read() throws -> GraphFragment {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw ImportFailure(.unreadableFile, "could not open the file: \(error.localizedDescription)", at: SourceLocation(file: path))
        }
        return try read(data: data)
    }

    /// Reads bookmark HTML already in memory (tests, previews). `path` still names it in locations.
    public func read(data: Data) throws -> GraphFragment {
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) || data.prefix(4096).contains(0) && !data.starts(with: [0xFF, 0xFE]) && !data.starts(with: [0xFE, 0xFF]) {
            throw ImportFailure(.wrongFileType, "this file holds binary data, not bookmark HTML", at: SourceLocation(file: path))
        }
        let (bytes, encoding) = TextDecoding.utf8Bytes(data)
        var scanner = BookmarkScanner(bytes: bytes, file: path)
        scanner.scan()
        var fragment = GraphFragment()
        if encoding == .windows1252 {
            fragment.diagnostics.append(.warning(.encodingFallback,
                "the file is not valid UTF-8; read it as Windows-1252", at: SourceLocation(file: path)))
        }
        for bookmark in scanner.bookmarks {
            if let draft = makeDraft(bookmark, diagnostics: &fragment.diagnostics) {
                fragment.services.append(draft)
            }
        }
        if scanner.bookmarks.isEmpty {
            let looksLikeBookmarks = scanner.sawDoctype || scanner.sawDefinitionList
            fragment.diagnostics.append(looksLikeBookmarks
                ? .warning(.noBookmarks, "the bookmark file holds no bookmarks", at: SourceLocation(file: path))
                : .warning(.notABookmarkFile, "this HTML file is not a Netscape bookmark export (no <!DOCTYPE NETSCAPE-Bookmark-file-1>, no <DL> of links); nothing imported", at: SourceLocation(file: path)))
        }
        return fragment
    }

    private func makeDraft(_ bookmark: Bookmark, diagnostics: inout [Diagnostic]) -> ServiceDraft? {
        let title = BookmarkScanner.collapseWhitespace(bookmark.title)
        let (link, refused) = ValueParsing.safeLink(bookmark.href ?? "")
        if bookmark.href == nil || link == nil || refused {
            let shown = bookmark.href.map { $0.count > 60 ? String($0.prefix(57)) + "…" : $0 } ?? ""
            let reason = bookmark.href == nil || shown.isEmpty ? "has no link" : "links to '\(shown)', which is not an http or https address"
            diagnostics.append(.warning(.refusedLink, "bookmark '\(title)' \(reason); refused and skipped", at: bookmark.location))
            return nil
        }
        guard !title.isEmpty else {
            diagnostics.append(.warning(.missingName, "bookmark for \(link!) has no title; skipped", at: bookmark.location))
            return nil
        }
        var service = Service(id: "", name: title)
        service.contact.website = link
        var fields: [String: SourceLocation] = ["name": bookmark.titleLocation, "website": bookmark.location]
        if let description = bookmark.description {
            service.description = description.text
            fields["description"] = description.location
        }
        if let added = bookmark.addDate {
            service.attributes["first-seen"] = added.description
            fields["first-seen"] = bookmark.location
        }
        let folders = bookmark.folders.filter { !BookmarkScanner.isContainerFolder($0.name) && !$0.isContainer }
        if !folders.isEmpty { service.attributes["folder"] = folders.map(\.name).joined(separator: " / ") }
        if !bookmark.tags.isEmpty { service.attributes["tags"] = bookmark.tags.joined(separator: ", ") }
        service.sources = Sources(locations: [bookmark.location], fields: fields)
        var draft = ServiceDraft(id: nil, name: title, nameLocation: bookmark.titleLocation, service: service)
        draft.isSupplement = true
        // Innermost folder first: "Glasgow / Parenting" should try "Parenting" before "Glasgow"
        // only for categories; areas are unioned anyway, so the order only decides the id's area.
        draft.hints = folders.map { TextReference($0.name, at: $0.location) }
            + bookmark.tags.map { TextReference($0, at: bookmark.location) }
        return draft
    }
}

extension DiagnosticCode {
    public static let noBookmarks: DiagnosticCode = "no-bookmarks"
    public static let notABookmarkFile: DiagnosticCode = "not-a-bookmark-file"
}

struct Bookmark {
    struct Folder {
        var name: String
        var location: SourceLocation
        /// A browser's own root folder (toolbar, unfiled), marked by attribute.
        var isContainer: Bool
    }
    var title: String
    var titleLocation: SourceLocation
    var href: String?
    var location: SourceLocation
    var addDate: Day?
    var tags: [String]
    var folders: [Folder]
    var description: (text: String, location: SourceLocation)?
}

/// The single-pass scanner: a tag at a time, with a stack of open folders.
struct BookmarkScanner {
    let bytes: [UInt8]
    let file: String
    var position = 0
    var bookmarks: [Bookmark] = []
    var sawDoctype = false
    var sawDefinitionList = false

    /// Open `<DL>`s; each remembers the folder (`<H3>`) that introduced it, if any.
    private var stack: [Bookmark.Folder?] = []
    private var pendingFolder: Bookmark.Folder?
    /// What the last `<DT>` held, so a following `<DD>` knows whose description it is.
    private enum Last { case none, bookmark(Int), folder }
    private var last: Last = .none
    private var lines = LineCounter()

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    mutating func scan() {
        let count = bytes.count
        while position < count {
            guard let lt = index(of: 0x3C, from: position) else { break }  // '<'
            position = lt
            if matches("<!--") {
                position = find("-->", from: position + 4).map { $0 + 3 } ?? count
                continue
            }
            if matches("<!") || matches("<?") {
                if matchesCaseInsensitive("<!DOCTYPE NETSCAPE-Bookmark-file") { sawDoctype = true }
                position = index(of: 0x3E, from: position).map { $0 + 1 } ?? count
                continue
            }
            guard let tag = readTag() else {
                position += 1
                continue
            }
            handle(tag, at: lt)
        }
    }

    private mutating func handle(_ tag: Tag, at start: Int) {
        switch (tag.name, tag.closing) {
        case ("dl", false):
            sawDefinitionList = true
            stack.append(pendingFolder)
            pendingFolder = nil
            last = .none
        case ("dl", true):
            if !stack.isEmpty { stack.removeLast() }
            pendingFolder = nil
            last = .none
        case ("h3", false):
            let textStart = position
            let (text, _) = readText(until: "h3")
            let attributes = tag.attributes
            pendingFolder = Bookmark.Folder(
                name: Self.collapseWhitespace(Self.decodeEntities(text)),
                location: location(at: textStart),
                isContainer: attributes["personal_toolbar_folder"] != nil || attributes["unfiled_bookmarks_folder"] != nil)
            last = .folder
        case ("a", false):
            let tagLocation = location(at: start)  // asked first: the line counter only moves forward
            let textStart = position
            let (text, _) = readText(until: "a")
            var tags: [String] = []
            if let raw = tag.attributes["tags"] {
                for t in raw.split(separator: ",") {
                    let trimmed = Self.collapseWhitespace(String(t))
                    if !trimmed.isEmpty && !tags.contains(trimmed) { tags.append(trimmed) }
                }
            }
            var bookmark = Bookmark(
                title: Self.decodeEntities(text), titleLocation: location(at: textStart),
                href: tag.attributes["href"].map { $0.trimmed },
                location: tagLocation,
                addDate: tag.attributes["add_date"].flatMap(Self.day(fromTimestamp:)),
                tags: tags,
                folders: (stack.compactMap { $0 }),
                description: nil)
            // Scuttle writes the description as an attribute rather than a <DD>.
            if let description = tag.attributes["description"].map({ $0.trimmed }), !description.isEmpty {
                bookmark.description = (description, tagLocation)
            }
            // An <H3> whose <DL> never came (Safari's empty folders) does not own this link.
            pendingFolder = nil
            bookmarks.append(bookmark)
            last = .bookmark(bookmarks.count - 1)
        case ("dd", false):
            let textStart = skipWhitespace(from: position)
            let end = descriptionEnd(from: position)
            let raw = String(decoding: bytes[position..<end], as: UTF8.self)
            position = end
            if case .bookmark(let i) = last {
                let text = Self.decodeEntities(raw).trimmed
                if !text.isEmpty { bookmarks[i].description = (text, location(at: textStart)) }
            }
            last = .none
        case ("dt", false):
            last = .none
        default:
            break  // <HR>, <p>, <TITLE>, <H1>, <META>, </DT>… carry nothing servicemap uses.
        }
    }

    // MARK: Tags

    struct Tag {
        var name: String
        var closing: Bool
        var attributes: [String: String]
    }

    /// Reads `<name attr="v" attr='v' attr=v flag>` at `position`; nil if it is not a tag.
    private mutating func readTag() -> Tag? {
        let count = bytes.count
        var p = position + 1
        var closing = false
        if p < count && bytes[p] == 0x2F { closing = true; p += 1 }
        let nameStart = p
        while p < count, Self.isNameByte(bytes[p]) { p += 1 }
        guard p > nameStart else { return nil }
        let name = String(decoding: bytes[nameStart..<p], as: UTF8.self).lowercased()
        var attributes: [String: String] = [:]
        while p < count {
            while p < count, Self.isSpace(bytes[p]) || bytes[p] == 0x2F { p += 1 }
            guard p < count else { break }
            if bytes[p] == 0x3E { p += 1; break }
            if bytes[p] == 0x3C { break }  // a '<' before '>': the tag was never closed
            let attrStart = p
            while p < count, !Self.isSpace(bytes[p]), bytes[p] != 0x3D, bytes[p] != 0x3E, bytes[p] != 0x3C { p += 1 }
            let attrName = String(decoding: bytes[attrStart..<p], as: UTF8.self).lowercased()
            while p < count, Self.isSpace(bytes[p]) { p += 1 }
            var value = ""
            if p < count && bytes[p] == 0x3D {
                p += 1
                while p < count, Self.isSpace(bytes[p]) { p += 1 }
                if p < count && (bytes[p] == 0x22 || bytes[p] == 0x27) {
                    let quote = bytes[p]
                    let valueStart = p + 1
                    let close = index(of: quote, from: valueStart) ?? count
                    value = String(decoding: bytes[valueStart..<close], as: UTF8.self)
                    p = min(close + 1, count)
                } else {
                    let valueStart = p
                    while p < count, !Self.isSpace(bytes[p]), bytes[p] != 0x3E { p += 1 }
                    value = String(decoding: bytes[valueStart..<p], as: UTF8.self)
                }
            }
            if attrName.isEmpty {
                p += 1
                continue
            }
            // ICON data URIs run to kilobytes and say nothing about the service: not even decoded.
            if attrName == "icon" || attrName == "icon_uri" { continue }
            attributes[attrName] = Self.decodeEntities(value)
        }
        position = p
        return Tag(name: name, closing: closing, attributes: attributes)
    }

    /// Text up to `</name>` (consumed) or, when the closing tag is missing, up to the next tag
    /// that starts an item or list (`<DT>`, `<DD>`, `<DL>`, `</DL>`, `<H3>`, `<A`, `<HR>`) or a line end.
    private mutating func readText(until name: String) -> (String, Bool) {
        let count = bytes.count
        var p = position
        while p < count {
            if bytes[p] == 0x3C {
                if startsTag(at: p, name: name, closing: true) {
                    let text = String(decoding: bytes[position..<p], as: UTF8.self)
                    position = index(of: 0x3E, from: p).map { $0 + 1 } ?? count
                    return (text, true)
                }
                if Self.itemTags.contains(where: { startsTag(at: p, name: $0.0, closing: $0.1) }) { break }
            }
            if bytes[p] == 0x0A { break }
            p += 1
        }
        let text = String(decoding: bytes[position..<p], as: UTF8.self)
        position = p
        return (text, false)
    }

    private static let itemTags: [(String, Bool)] = [("dt", false), ("dd", false), ("dl", false), ("dl", true), ("h3", false), ("a", false), ("hr", false)]

    /// A `<DD>` runs to the next item or list tag; it may hold several lines and stray markup.
    private func descriptionEnd(from start: Int) -> Int {
        var p = start
        while p < bytes.count {
            if bytes[p] == 0x3C, [("dt", false), ("dl", false), ("dl", true), ("h3", false), ("hr", false)].contains(where: { startsTag(at: p, name: $0.0, closing: $0.1) }) {
                return p
            }
            p += 1
        }
        return p
    }

    private func startsTag(at p: Int, name: String, closing: Bool) -> Bool {
        var q = p + 1
        if closing {
            guard q < bytes.count, bytes[q] == 0x2F else { return false }
            q += 1
        }
        for byte in name.utf8 {
            guard q < bytes.count, bytes[q] | 0x20 == byte else { return false }
            q += 1
        }
        return q >= bytes.count || !Self.isNameByte(bytes[q])
    }

    // MARK: Bytes

    private func index(of byte: UInt8, from start: Int) -> Int? {
        var p = start
        while p < bytes.count {
            if bytes[p] == byte { return p }
            p += 1
        }
        return nil
    }

    private func find(_ text: String, from start: Int) -> Int? {
        let needle = Array(text.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var p = start
        while p + needle.count <= bytes.count {
            if bytes[p] == needle[0] && bytes[p..<(p + needle.count)].elementsEqual(needle) { return p }
            p += 1
        }
        return nil
    }

    private func matches(_ text: String) -> Bool {
        let needle = Array(text.utf8)
        return position + needle.count <= bytes.count && bytes[position..<(position + needle.count)].elementsEqual(needle)
    }

    private func matchesCaseInsensitive(_ text: String) -> Bool {
        let needle = Array(text.lowercased().utf8)
        guard position + needle.count <= bytes.count else { return false }
        for (i, byte) in needle.enumerated() where Self.lower(bytes[position + i]) != byte { return false }
        return true
    }

    private func skipWhitespace(from start: Int) -> Int {
        var p = start
        while p < bytes.count, Self.isSpace(bytes[p]) { p += 1 }
        return p
    }

    private mutating func location(at offset: Int) -> SourceLocation {
        let (line, column) = lines.position(of: offset, in: bytes)
        return SourceLocation(file: file, row: line, column: column)
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }
    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D || b == 0x3A
    }
    static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    // MARK: Values

    /// Browsers' own folders, which say where a bookmark sits in the browser, not what it is.
    static func isContainerFolder(_ name: String) -> Bool {
        containerFolders.contains(Slug.make(name))
    }

    static let containerFolders: Set<String> = [
        "bookmarks", "bookmarks-bar", "bookmark-bar", "bookmarks-toolbar", "bookmarks-toolbar-folder", "toolbar",
        "personal-toolbar", "personal-toolbar-folder", "favorites-bar", "favourites-bar", "favorites", "favourites",
        "favoris", "barre-de-favoris", "other-bookmarks", "other-favorites", "other-favourites", "mobile-bookmarks",
        "bookmarks-menu", "menu-signets", "unsorted-bookmarks", "unfiled-bookmarks", "unfiled", "unlabeled", "unlabelled",
        "imported", "imported-bookmarks", "imported-from-firefox", "imported-from-chrome", "imported-from-safari",
        "imported-from-edge", "imported-from-internet-explorer", "links", "reading-list", "speed-dial",
    ]

    /// `ADD_DATE` is Unix seconds; Google Bookmarks wrote microseconds and some tools milliseconds.
    static func day(fromTimestamp text: String) -> Day? {
        guard var seconds = Double(text.trimmed), seconds > 0 else { return nil }
        while seconds > 1e11 { seconds /= 1000 }  // ms → s, µs → ms → s
        return ExcelDate.civilFromDays(Int((seconds / 86_400).rounded(.down)))
    }

    static func collapseWhitespace(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Decodes the character references bookmark exporters write: `&amp;`, `&#39;`, `&#x27;`,
    /// `&quot;` and the common named ones. Unknown references stay as written.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.prefix(12).firstIndex(of: ";") else {
                out.append("&")
                rest = after
                continue
            }
            let name = after[..<semi]
            var decoded: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if name.hasPrefix("#") {
                decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                decoded = namedEntities[String(name)]
            }
            if let decoded {
                out += decoded
                rest = after[after.index(after: semi)...]
            } else {
                out.append("&")
                rest = after
            }
        }
        out += rest
        return out
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "copy": "©", "reg": "®",
        "trade": "™", "hellip": "…", "ndash": "–", "mdash": "—", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
        "pound": "£", "euro": "€", "eacute": "é", "egrave": "è", "ecirc": "ê", "agrave": "à", "aacute": "á", "acirc": "â",
        "ccedil": "ç", "ouml": "ö", "uuml": "ü", "auml": "ä", "szlig": "ß", "iacute": "í", "oacute": "ó", "uacute": "ú",
        "ntilde": "ñ", "middot": "·", "bull": "•",
    ]
}

/// Turns byte offsets into 1-based line and column numbers. Offsets must be asked in increasing
/// order (a scanner's), so the whole file is counted once. Columns count bytes from the line start.
struct LineCounter {
    private var offset = 0
    private var line = 1
    private var lineStart = 0

    mutating func position(of target: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        if target < offset {
            // Rare backwards ask: recount from the start rather than be wrong.
            offset = 0; line = 1; lineStart = 0
        }
        while offset < target && offset < bytes.count {
            if bytes[offset] == 0x0A {
                line += 1
                lineStart = offset + 1
            }
            offset += 1
        }
        return (line, target - lineStart + 1)
    }
}
