import Foundation
import ServiceMapCore

/// Reads OpenDocument spreadsheets (.ods) by streaming `content.xml`: one `table:table` per sheet.
///
/// Repeated rows and columns (`number-rows-repeated`, `number-columns-repeated`) are expanded only
/// when they hold something: trailing empty repeats — LibreOffice writes a last row repeated to
/// row 1,048,576 — cost nothing, and a non-empty repeat that would pass `ReaderLimits` is refused
/// before anything is allocated (calamine's issue_594 file repeats a cell 999,999,999² times).
public struct ODSReader: TableReader {
    public let path: String
    let package: ZipPackage
    let limits: ReaderLimits
    let tables: [SheetInfo]

    public init(path: String, limits: ReaderLimits = ReaderLimits()) throws {
        self.path = path
        self.limits = limits
        let location = SourceLocation(file: path)
        let package = try ZipPackage(path: path, limits: limits, kind: "ods")
        self.package = package
        if package.contains("META-INF/manifest.xml") {
            let manifest = try package.read("META-INF/manifest.xml")
            if Self.contains(manifest, "encryption-data") {
                throw ImportFailure(.encryptedWorkbook, "this spreadsheet is password-protected; remove the password (File ▸ Properties ▸ Security) and save it again",
                                    at: location)
            }
        }
        guard package.contains("content.xml") else {
            if package.contains("[Content_Types].xml") {
                throw ImportFailure(.wrongFileType, "this is an Office Open XML file (.xlsx/.docx) saved with an .ods extension", at: location)
            }
            throw ImportFailure(.missingPart, "the package has no content.xml, so it holds no sheets", at: location)
        }
        tables = try Self.listTables(package)
    }

    static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard bytes.count >= n.count else { return false }
        for i in 0...(bytes.count - n.count) where bytes[i] == n[0] && Array(bytes[i..<(i + n.count)]) == n { return true }
        return false
    }

    /// The tables in document order, hidden ones (an automatic table style with `table:display="false"`) marked.
    static func listTables(_ package: ZipPackage) throws -> [SheetInfo] {
        var hiddenStyles: Set<String> = []
        var currentStyle: String?
        var tables: [SheetInfo] = []
        var tableDepth = 0
        try package.parseXML("content.xml") { xml, event in
            switch event {
            case .start:
                if xml.isNamed("style") {
                    currentStyle = try xml.attributeString("family", prefix: "style") == "table" ? xml.attributeString("name", prefix: "style") : nil
                    if xml.isSelfClosing { currentStyle = nil }
                } else if xml.isNamed("table-properties"), let style = currentStyle {
                    if try xml.attributeString("display", prefix: "table") == "false" { hiddenStyles.insert(style) }
                } else if xml.isNamed("table"), !xml.isSelfClosing || tableDepth == 0,
                          XMLTokenizer.equal(xml.qualifiedName, "table:table") || xml.attribute("name", prefix: "table") != nil
                {
                    if tableDepth == 0 {
                        let name = try xml.attributeString("name", prefix: "table") ?? "Sheet\(tables.count + 1)"
                        let style = try xml.attributeString("style-name", prefix: "table")
                        tables.append(SheetInfo(name: name, index: tables.count, isHidden: style.map(hiddenStyles.contains) ?? false,
                                                part: "content.xml"))
                    }
                    if !xml.isSelfClosing { tableDepth += 1 }
                }
            case .end:
                if xml.isNamed("style") { currentStyle = nil }
                else if xml.isNamed("table") && tableDepth > 0 { tableDepth -= 1 }
            default: break
            }
        }
        return tables
    }

    public var usesCellLocations: Bool { true }

    public func sheets() throws -> [SheetInfo] { tables }

    public func forEachRow(in sheet: SheetInfo, diagnostics: inout [Diagnostic], _ body: (Row) throws -> Void) throws {
        var parser = ODSTableParser(target: sheet.index, limits: limits, location: SourceLocation(file: path, sheet: sheet.name))
        do {
            try package.parseXML("content.xml") { xml, event in
                try parser.handle(xml, event, body)
            }
        } catch is StopReading {
            // The sheet has been read; the rest of content.xml belongs to other sheets.
        }
    }
}

/// Turns the tokens of content.xml into the rows of one table.
struct ODSTableParser {
    let target: Int
    let limits: ReaderLimits
    let location: SourceLocation

    private var tableIndex = -1
    private var tableDepth = 0
    private var inTarget: Bool { tableDepth == 1 && tableIndex == target }

    private var rowNumber = 0  // rows consumed so far
    private var rowRepeat = 1
    private var inRow = false
    private var cells: [Cell] = []
    private var column = 0  // columns consumed so far in the row
    private var cellCount = 0

    private var inCell = false
    private var covered = false
    private var columnRepeat = 1
    private var valueType = ""
    private var isErrorCell = false
    private var attributeValue: CellValue = .empty
    private var text = ""
    private var paragraphs = 0
    private var paragraphDepth = 0
    private var skipDepth = 0  // inside office:annotation and other content that is not the value

    init(target: Int, limits: ReaderLimits, location: SourceLocation) {
        self.target = target
        self.limits = limits
        self.location = location
    }

    private func tooMany(_ what: String) -> ImportFailure { ImportFailure(.tooManyCells, what, at: location) }

    private static func repeatCount(_ xml: XMLTokenizer, _ name: StaticString) -> Int {
        guard let range = xml.attribute(name, prefix: "table"), let n = XMLText.integer(xml.bytes(range)) else { return 1 }
        return max(1, n)
    }

    mutating func handle(_ xml: XMLTokenizer, _ event: XMLEvent, _ body: (Row) throws -> Void) throws {
        switch event {
        case .start:
            if xml.isNamed("table") && XMLTokenizer.equal(xml.qualifiedName, "table:table") {
                if tableDepth == 0 { tableIndex += 1 }
                if !xml.isSelfClosing { tableDepth += 1 }
                return
            }
            guard inTarget else { return }
            if skipDepth > 0 {
                if !xml.isSelfClosing { skipDepth += 1 }
                return
            }
            if inCell {
                if xml.isNamed("p") || xml.isNamed("h") {
                    if paragraphs > 0 { text += "\n" }
                    paragraphs += 1
                    if !xml.isSelfClosing { paragraphDepth += 1 }
                } else if xml.isNamed("s") {
                    let n = xml.attribute("c", prefix: "text").flatMap { XMLText.integer(xml.bytes($0)) } ?? 1
                    text += String(repeating: " ", count: min(max(n, 1), 10_000))
                } else if xml.isNamed("tab") {
                    text += "\t"
                } else if xml.isNamed("line-break") {
                    text += "\n"
                } else if xml.isNamed("annotation") || xml.isNamed("note") || xml.isNamed("tracked-changes") {
                    if !xml.isSelfClosing { skipDepth = 1 }
                }
                return
            }
            if xml.isNamed("table-row") {
                inRow = true
                rowRepeat = Self.repeatCount(xml, "number-rows-repeated")
                cells.removeAll(keepingCapacity: true)
                column = 0
                if xml.isSelfClosing { try finishRow(body) }
            } else if inRow && (xml.isNamed("table-cell") || xml.isNamed("covered-table-cell")) {
                startCell(xml)
                if xml.isSelfClosing { try finishCell() }
            }
        case .end:
            if xml.isNamed("table") && XMLTokenizer.equal(xml.qualifiedName, "table:table") && tableDepth > 0 {
                let wasTarget = inTarget
                tableDepth -= 1
                if wasTarget && tableDepth == 0 { throw StopReading() }
                return
            }
            guard inTarget else { return }
            if skipDepth > 0 { skipDepth -= 1; return }
            if inCell {
                if xml.isNamed("table-cell") || xml.isNamed("covered-table-cell") { try finishCell() }
                else if xml.isNamed("p") || xml.isNamed("h") { paragraphDepth = max(0, paragraphDepth - 1) }
                return
            }
            if xml.isNamed("table-row") { try finishRow(body) }
        case .text:
            if inTarget && inCell && skipDepth == 0 && paragraphDepth > 0 && !covered {
                text += try xml.textString()
            }
        default:
            break
        }
    }

    private mutating func startCell(_ xml: XMLTokenizer) {
        inCell = true
        covered = xml.isNamed("covered-table-cell")
        columnRepeat = Self.repeatCount(xml, "number-columns-repeated")
        text = ""
        paragraphs = 0
        paragraphDepth = 0
        attributeValue = .empty
        valueType = ""
        isErrorCell = false
        guard !covered else { return }
        if let range = xml.attribute("value-type", prefix: "office") {
            valueType = XMLText.string(xml.bytes(range))
        }
        if let range = xml.attribute("value-type", prefix: "calcext"), XMLTokenizer.equal(xml.bytes(range), "error") {
            isErrorCell = true
        }
        switch valueType {
        case "float", "percentage", "currency":
            if let range = xml.attribute("value", prefix: "office"), let n = XMLText.number(xml.bytes(range)) {
                attributeValue = .number(n)
            }
        case "date":
            if let range = xml.attribute("date-value", prefix: "office"),
               let date = XLSXSheetParser.isoDate(XMLText.string(xml.bytes(range)))
            {
                attributeValue = date
            }
        case "boolean":
            if let range = xml.attribute("boolean-value", prefix: "office") {
                let b = xml.bytes(range)
                attributeValue = .bool(XMLTokenizer.equal(b, "true") || XMLTokenizer.equal(b, "1"))
            }
        case "string":
            if let range = xml.attribute("string-value", prefix: "office"),
               let s = try? XMLText.decode(xml.bytes(range), trim: false, part: "content.xml"), !s.isEmpty
            {
                attributeValue = .text(s)
            }
        default:
            break
        }
    }

    private mutating func finishCell() throws {
        inCell = false
        var value: CellValue = .empty
        if !covered {
            if isErrorCell {
                value = text.isEmpty ? .error("#ERR") : .error(text)
            } else if case .empty = attributeValue {
                value = text.isEmpty ? .empty : .text(text)
            } else {
                value = attributeValue
            }
        }
        text = ""
        if case .empty = value {
            column = min(column + columnRepeat, Int.max / 4)
            return
        }
        if column + columnRepeat > limits.maxColumns {
            throw tooMany("a cell in row \(rowNumber + 1) is repeated \(columnRepeat) times, past the limit of \(limits.maxColumns) columns")
        }
        for _ in 0..<columnRepeat {
            column += 1
            cells.append(Cell(column: column, value: value))
        }
    }

    private mutating func finishRow(_ body: (Row) throws -> Void) throws {
        inRow = false
        guard !cells.isEmpty else {
            rowNumber = min(rowNumber + rowRepeat, Int.max / 4)
            return
        }
        if rowNumber + rowRepeat > limits.maxRows {
            throw tooMany("row \(rowNumber + 1) is repeated \(rowRepeat) times, past the limit of \(limits.maxRows) rows")
        }
        let (product, overflow) = cells.count.multipliedReportingOverflow(by: rowRepeat)
        if overflow || cellCount + product > limits.maxCellsPerSheet {
            throw tooMany("the sheet has more than \(limits.maxCellsPerSheet) cells")
        }
        cellCount += product
        for _ in 0..<rowRepeat {
            rowNumber += 1
            try body(Row(number: rowNumber, cells: cells))
        }
    }
}
