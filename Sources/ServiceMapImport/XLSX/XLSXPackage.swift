import Foundation
import ServiceMapCore

/// One relationship from a `.rels` part.
struct XLSXRelationship {
    var id: String
    var type: String
    /// The target resolved to a part name in the package (empty for external targets).
    var target: String

    /// The last path segment of the type, which names the relationship in both the transitional
    /// (`http://schemas.openxmlformats.org/...`) and strict (`http://purl.oclc.org/ooxml/...`) URIs.
    var kind: String { type.split(separator: "/").last.map(String.init) ?? type }
}

/// The workbook-level parts of an xlsx package: where the sheets are and how to read their cells.
struct XLSXWorkbook {
    struct Sheet {
        var name: String
        var isHidden: Bool
        var part: String
    }
    var sheets: [Sheet] = []
    var uses1904 = false
    var sharedStringsPart: String?
    var stylesPart: String?

    /// Reads `_rels/.rels` → the office document → its relationships, so parts are found wherever
    /// the writer put them (`xl/`, `wtf/`, the package root), in transitional or strict OOXML.
    init(package: ZipPackage) throws {
        let location = SourceLocation(file: package.path)
        if !package.contains("[Content_Types].xml") && package.contains("mimetype") && package.contains("content.xml") {
            throw ImportFailure(.wrongFileType, "this is an OpenDocument spreadsheet (.ods) saved with an .xlsx extension", at: location)
        }
        var workbookPart: String?
        if package.contains("_rels/.rels") {
            let rels = try Self.relationships(of: "", in: package)
            workbookPart = rels.first { $0.kind == "officeDocument" && package.contains($0.target) }?.target
        }
        if workbookPart == nil {
            workbookPart = ["xl/workbook.xml", "workbook.xml"].first(where: package.contains)
                ?? package.partNames.first { ZipPackage.normalise($0).hasSuffix("workbook.xml") }
        }
        guard let workbookPart else {
            if package.contains("word/document.xml") || package.contains("ppt/presentation.xml") {
                throw ImportFailure(.wrongFileType, "this is a Word or PowerPoint file, not a workbook", at: location)
            }
            throw ImportFailure(.missingPart, "the package has no workbook part (no officeDocument relationship, no xl/workbook.xml)", at: location)
        }
        let rels = try Self.relationships(of: workbookPart, in: package)
        var relsByID: [String: XLSXRelationship] = [:]
        for rel in rels { relsByID[rel.id] = rel }
        sharedStringsPart = rels.first { $0.kind == "sharedStrings" && package.contains($0.target) }?.target
        if sharedStringsPart == nil {
            sharedStringsPart = package.partNames.first { ZipPackage.normalise($0).hasSuffix("sharedstrings.xml") }
        }
        stylesPart = rels.first { $0.kind == "styles" && package.contains($0.target) }?.target

        var listed: [(name: String, hidden: Bool, rid: String?)] = []
        var uses1904 = false
        try package.parseXML(workbookPart) { xml, event in
            guard event == .start else { return }
            if xml.isNamed("sheet") {
                let name = try xml.attributeString("name") ?? "Sheet\(listed.count + 1)"
                let state = try xml.attributeString("state") ?? "visible"
                let rid = try xml.prefixedAttribute("id").map { try XMLText.decode(xml.bytes($0), trim: true, part: workbookPart) }
                listed.append((name, state == "hidden" || state == "veryHidden", rid))
            } else if xml.isNamed("workbookPr"), let value = try xml.attributeString("date1904")?.lowercased() {
                // Only when said: Excel for Mac can write a second workbookPr without it.
                uses1904 = value == "1" || value == "true"
            }
        }
        self.uses1904 = uses1904
        for (index, entry) in listed.enumerated() {
            guard let rid = entry.rid, let rel = relsByID[rid] else {
                throw ImportFailure(.missingPart, "sheet '\(entry.name)' has no relationship to a worksheet part", at: location)
            }
            // Chart sheets, dialog sheets and macro sheets hold no cells to import.
            guard rel.kind == "worksheet" else { continue }
            guard package.contains(rel.target) else {
                throw ImportFailure(.missingPart, "sheet '\(entry.name)' points to the part '\(rel.target)', which the package does not contain",
                                    at: location)
            }
            _ = index
            sheets.append(Sheet(name: entry.name, isHidden: entry.hidden, part: rel.target))
        }
        if listed.isEmpty {
            throw ImportFailure(.missingPart, "the workbook lists no sheets", at: location)
        }
    }

    /// The relationships of `part` (the package's own for ""), targets resolved to part names.
    static func relationships(of part: String, in package: ZipPackage) throws -> [XLSXRelationship] {
        let normalised = part.replacingOccurrences(of: "\\", with: "/")
        let directory = (normalised as NSString).deletingLastPathComponent
        let file = (normalised as NSString).lastPathComponent
        let relsPart = part.isEmpty ? "_rels/.rels" : (directory.isEmpty ? "" : directory + "/") + "_rels/" + file + ".rels"
        guard package.contains(relsPart) else { return [] }
        var result: [XLSXRelationship] = []
        try package.parseXML(relsPart) { xml, event in
            guard event == .start, xml.isNamed("Relationship") else { return }
            guard let id = try xml.attributeString("Id"), let type = try xml.attributeString("Type"),
                  let target = try xml.attributeString("Target") else { return }
            if try xml.attributeString("TargetMode") == "External" { return }
            result.append(XLSXRelationship(id: id, type: type, target: resolve(target, from: directory)))
        }
        return result
    }

    /// Resolves a relationship target against the source part's folder (absolute targets start at the root).
    static func resolve(_ target: String, from directory: String) -> String {
        let target = target.replacingOccurrences(of: "\\", with: "/")
        var segments: [Substring] = target.hasPrefix("/") ? [] : directory.split(separator: "/")
        for segment in target.split(separator: "/") {
            if segment == "." { continue }
            if segment == ".." { if !segments.isEmpty { segments.removeLast() }; continue }
            segments.append(segment)
        }
        return segments.joined(separator: "/")
    }
}

/// The styles part, reduced to what reading values needs: which cell styles show numbers as dates.
struct XLSXStyles {
    /// By cell style index (`s` attribute): how numbers in that style read.
    var kinds: [NumberFormatKind] = []

    init() {}

    init(package: ZipPackage, part: String) throws {
        var custom: [Int: NumberFormatKind] = [:]
        var inNumFmts = false, inCellXfs = false
        var xfFormats: [Int] = []
        try package.parseXML(part) { xml, event in
            switch event {
            case .start:
                if xml.isNamed("numFmts") { inNumFmts = !xml.isSelfClosing }
                else if xml.isNamed("cellXfs") { inCellXfs = !xml.isSelfClosing }
                else if inNumFmts && xml.isNamed("numFmt") {
                    if let id = xml.attribute("numFmtId").flatMap({ XMLText.integer(xml.bytes($0)) }),
                       let code = try xml.attributeString("formatCode")
                    {
                        custom[id] = NumberFormatKind.classify(code)
                    }
                } else if inCellXfs && xml.isNamed("xf") {
                    xfFormats.append(xml.attribute("numFmtId").flatMap { XMLText.integer(xml.bytes($0)) } ?? 0)
                }
            case .end:
                if xml.isNamed("numFmts") { inNumFmts = false }
                else if xml.isNamed("cellXfs") { inCellXfs = false }
            default: break
            }
        }
        kinds = xfFormats.map { custom[$0] ?? NumberFormatKind.builtIn($0) }
    }

    func kind(ofStyle index: Int) -> NumberFormatKind {
        index >= 0 && index < kinds.count ? kinds[index] : .number
    }
}

/// Reads the shared strings table once into an array: cells refer to it by index.
enum XLSXSharedStrings {
    static func read(package: ZipPackage, part: String) throws -> [String] {
        var strings: [String] = []
        var current = ""
        var inItem = false, inText = false, preserve = false
        var phoneticDepth = 0
        try package.parseXML(part) { xml, event in
            switch event {
            case .start:
                if xml.isNamed("si") {
                    inItem = !xml.isSelfClosing
                    current = ""
                    if xml.isSelfClosing { strings.append("") }
                } else if xml.isNamed("rPh") {
                    if !xml.isSelfClosing { phoneticDepth += 1 }
                } else if inItem && phoneticDepth == 0 && xml.isNamed("t") && !xml.isSelfClosing {
                    inText = true
                    preserve = xml.attribute("space", prefix: "xml").map { XMLTokenizer.equal(xml.bytes($0), "preserve") } ?? false
                } else if xml.isNamed("sst"), let count = xml.attribute("uniqueCount").flatMap({ XMLText.integer(xml.bytes($0)) }) {
                    strings.reserveCapacity(min(count, 2_000_000))
                }
            case .end:
                if xml.isNamed("si") {
                    strings.append(XMLText.unescapeOOXML(current))
                    inItem = false
                } else if xml.isNamed("t") {
                    inText = false
                } else if xml.isNamed("rPh") {
                    phoneticDepth = max(0, phoneticDepth - 1)
                }
            case .text:
                if inText { current += try xml.textString(trim: !preserve) }
            default: break
            }
        }
        return strings
    }
}
