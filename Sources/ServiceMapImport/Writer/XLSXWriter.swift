import Foundation
import ServiceMapCore
import ZIPFoundation

/// A cell to write. Text is written as an inline string; dates as serial numbers with a date style.
public enum XLSXCell: Hashable, Sendable {
    case empty
    case text(String)
    case number(Double)
    case bool(Bool)
    case date(Day)
}

/// One sheet: a header row (bold, frozen) and data rows.
public struct XLSXSheet: Sendable {
    public var name: String
    public var header: [String]
    public var rows: [[XLSXCell]]

    public init(name: String, header: [String], rows: [[XLSXCell]]) {
        self.name = name
        self.header = header
        self.rows = rows
    }
}

/// A minimal, deterministic .xlsx writer: the same sheets give byte-identical files (fixed zip
/// timestamps, fixed part order, no document properties that carry the time).
///
/// Sheets get a bold, frozen header row and column widths from their content; text is XML-escaped
/// with characters XML 1.0 forbids removed; dates are 1900-system serials with a `yyyy-mm-dd` style.
public struct XLSXWriter: Sendable {
    public var sheets: [XLSXSheet]

    public init(sheets: [XLSXSheet]) {
        self.sheets = sheets
    }

    /// 1980-01-01T00:00:00Z, the earliest time a zip entry can hold.
    static let timestamp = Date(timeIntervalSince1970: 315_532_800)

    public func data() throws -> Data {
        let archive: Archive
        do {
            archive = try Archive(data: Data(), accessMode: .create)
        } catch {
            throw ImportFailure(.unreadableFile, "could not create the workbook archive: \(error)")
        }
        for (path, content) in parts() {
            let bytes = Data(content.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: Self.timestamp,
                                 compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        guard let data = archive.data else { throw ImportFailure(.unreadableFile, "the workbook archive is empty") }
        return data
    }

    public func write(to url: URL) throws {
        try data().write(to: url, options: .atomic)
    }

    /// The package parts in the order they are written.
    func parts() -> [(String, String)] {
        let names = uniqueSheetNames()
        var parts: [(String, String)] = []
        parts.append(("[Content_Types].xml", contentTypes()))
        parts.append(("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """))
        var sheetEntries = ""
        var relationships = ""
        for (i, name) in names.enumerated() {
            sheetEntries += "<sheet name=\"\(Self.escape(name))\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
            relationships += "<Relationship Id=\"rId\(i + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(i + 1).xml\"/>"
        }
        relationships += "<Relationship Id=\"rId\(names.count + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        parts.append(("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView activeTab="0"/></bookViews><sheets>\(sheetEntries)</sheets></workbook>
            """))
        parts.append(("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(relationships)</Relationships>
            """))
        parts.append(("xl/styles.xml", Self.styles))
        for (i, sheet) in sheets.enumerated() {
            parts.append(("xl/worksheets/sheet\(i + 1).xml", worksheet(sheet, selected: i == 0)))
        }
        return parts
    }

    /// Excel's rules: 1–31 characters, none of `[]:*?/\`, unique ignoring case.
    func uniqueSheetNames() -> [String] {
        var used: Set<String> = []
        return sheets.enumerated().map { i, sheet in
            var base = String(Self.clean(sheet.name).filter { !"[]:*?/\\".contains($0) }.prefix(31))
            if base.trimmed.isEmpty { base = "Sheet\(i + 1)" }
            var name = base
            var n = 2
            while used.contains(name.lowercased()) {
                let suffix = " (\(n))"
                name = String(base.prefix(31 - suffix.count)) + suffix
                n += 1
            }
            used.insert(name.lowercased())
            return name
        }
    }

    func contentTypes() -> String {
        var overrides = "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        overrides += "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        for i in sheets.indices {
            overrides += "<Override PartName=\"/xl/worksheets/sheet\(i + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>\(overrides)</Types>
            """
    }

    /// Style 0: default; 1: bold (header); 2: date `yyyy-mm-dd`; 3: wrapped text.
    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """

    func worksheet(_ sheet: XLSXSheet, selected: Bool) -> String {
        let columnCount = max(sheet.header.count, sheet.rows.map(\.count).max() ?? 0)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        xml += "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        if columnCount > 0 {
            xml += "<dimension ref=\"A1:\(ColumnName.letters(columnCount))\(sheet.rows.count + 1)\"/>"
        }
        xml += "<sheetViews><sheetView workbookViewId=\"0\"\(selected ? " tabSelected=\"1\"" : "")>"
        if !sheet.header.isEmpty {
            xml += "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/>"
        }
        xml += "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>"
        if columnCount > 0 {
            xml += "<cols>"
            for column in 0..<columnCount {
                xml += "<col min=\"\(column + 1)\" max=\"\(column + 1)\" width=\"\(Self.width(of: sheet, column: column))\" customWidth=\"1\"/>"
            }
            xml += "</cols>"
        }
        xml += "<sheetData>"
        var rowNumber = 1
        if !sheet.header.isEmpty {
            xml += "<row r=\"1\">"
            for (c, title) in sheet.header.enumerated() {
                xml += Self.cell(.text(title), ref: ColumnName.letters(c + 1) + "1", style: 1)
            }
            xml += "</row>"
            rowNumber = 2
        }
        for row in sheet.rows {
            var cells = ""
            for (c, value) in row.enumerated() where value != .empty {
                cells += Self.cell(value, ref: ColumnName.letters(c + 1) + String(rowNumber), style: nil)
            }
            xml += cells.isEmpty ? "" : "<row r=\"\(rowNumber)\">\(cells)</row>"
            rowNumber += 1
        }
        xml += "</sheetData></worksheet>"
        return xml
    }

    static func cell(_ value: XLSXCell, ref: String, style: Int?) -> String {
        switch value {
        case .empty:
            return ""
        case .text(let text):
            let clean = escape(text)
            let wrapped = style == nil && text.contains("\n")
            let s = style ?? (wrapped ? 3 : 0)
            let space = clean.first?.isWhitespace == true || clean.last?.isWhitespace == true || clean.contains("\n") ? " xml:space=\"preserve\"" : ""
            return "<c r=\"\(ref)\"\(s == 0 ? "" : " s=\"\(s)\"") t=\"inlineStr\"><is><t\(space)>\(clean)</t></is></c>"
        case .number(let n):
            guard n.isFinite else { return "<c r=\"\(ref)\" t=\"e\"><v>#NUM!</v></c>" }
            return "<c r=\"\(ref)\"><v>\(number(n))</v></c>"
        case .bool(let b):
            return "<c r=\"\(ref)\" t=\"b\"><v>\(b ? 1 : 0)</v></c>"
        case .date(let day):
            return "<c r=\"\(ref)\" s=\"2\"><v>\(serial(of: day))</v></c>"
        }
    }

    /// Shortest round-tripping decimal; integers without ".0".
    static func number(_ n: Double) -> String {
        if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        return "\(n)"
    }

    /// 1900 date system serial (Excel and LibreOffice both read it; 1900-03-01 onward).
    static func serial(of day: Day) -> Int {
        // Days from 1970-01-01 (Hinnant's days_from_civil), then shift to the 1899-12-30 epoch.
        let y = day.month <= 2 ? day.year - 1 : day.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (day.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468 + 25_569
    }

    /// Width in characters: the longest line in the column (header included), between 8 and 60.
    static func width(of sheet: XLSXSheet, column: Int) -> Int {
        var longest = column < sheet.header.count ? sheet.header[column].count + 2 : 0
        for row in sheet.rows.prefix(1000) where column < row.count {
            let length: Int
            switch row[column] {
            case .empty: length = 0
            case .text(let t): length = t.split(separator: "\n").map(\.count).max() ?? 0
            case .number(let n): length = number(n).count
            case .bool: length = 5
            case .date: length = 10
            }
            longest = max(longest, length)
        }
        return min(max(longest + 1, 8), 60)
    }

    /// Removes characters XML 1.0 forbids (controls other than tab, LF, CR; lone surrogates; U+FFFE/F).
    static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v) {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Text that looks like an OOXML `_xHHHH_` escape is itself escaped, or readers would decode it.
    static let ooxmlEscape = try! NSRegularExpression(pattern: "_(x[0-9A-Fa-f]{4}_)")

    static func escape(_ text: String) -> String {
        var source = clean(text)
        if source.contains("_x") {
            source = ooxmlEscape.stringByReplacingMatches(in: source, range: NSRange(source.startIndex..., in: source), withTemplate: "_x005F_$1")
        }
        var out = ""
        out.reserveCapacity(source.utf8.count)
        for ch in source {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\r\n": out += "&#13;\n"
            case "\r": out += "&#13;"
            default: out.append(ch)
            }
        }
        return out
    }
}
