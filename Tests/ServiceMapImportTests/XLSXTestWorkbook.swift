import Foundation
import TestSupport
import ZIPFoundation
import ServiceMapCore
@testable import ServiceMapImport

/// A test-only xlsx writer: a few XML strings zipped with ZIPFoundation, enough to make the messy
/// workbooks researchers keep (title rows, section rows, dates) without checking binaries in.
struct XLSXTestWorkbook {
    enum Value {
        case text(String)
        case number(Double)
        /// A date serial shown with the built-in date format 14.
        case date(Double)
        case error(String)
    }

    struct Sheet {
        var name: String
        var rows: [[Value?]]
        var hidden = false
    }

    var sheets: [Sheet]
    /// Extra or replacement parts, by path (to build hostile packages).
    var overrides: [String: String] = [:]

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    func parts() -> [(String, String)] {
        var parts: [(String, String)] = []
        parts.append(("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/></Types>
            """))
        parts.append(("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """))
        var sheetList = "", rels = ""
        for (i, sheet) in sheets.enumerated() {
            sheetList += "<sheet name=\"\(Self.escape(sheet.name))\" sheetId=\"\(i + 1)\"\(sheet.hidden ? " state=\"hidden\"" : "") r:id=\"rId\(i + 1)\"/>"
            rels += "<Relationship Id=\"rId\(i + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(i + 1).xml\"/>"
            var data = ""
            for (r, row) in sheet.rows.enumerated() {
                data += "<row r=\"\(r + 1)\">"
                for (c, value) in row.enumerated() {
                    guard let value else { continue }
                    let ref = ColumnName.letters(c + 1) + String(r + 1)
                    switch value {
                    case .text(let s): data += "<c r=\"\(ref)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Self.escape(s))</t></is></c>"
                    case .number(let n): data += "<c r=\"\(ref)\"><v>\(n)</v></c>"
                    case .date(let n): data += "<c r=\"\(ref)\" s=\"1\"><v>\(n)</v></c>"
                    case .error(let e): data += "<c r=\"\(ref)\" t=\"e\"><f>1/0</f><v>\(Self.escape(e))</v></c>"
                    }
                }
                data += "</row>"
            }
            parts.append(("xl/worksheets/sheet\(i + 1).xml", """
                <?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\(data)</sheetData></worksheet>
                """))
        }
        rels += "<Relationship Id=\"rIdS\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        parts.append(("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\(sheetList)</sheets></workbook>
            """))
        parts.append(("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(rels)</Relationships>
            """))
        parts.append(("xl/styles.xml", """
            <?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>
            """))
        var result: [(String, String)] = []
        for (path, text) in parts { result.append((path, overrides[path] ?? text)) }
        for (path, text) in overrides where !parts.contains(where: { $0.0 == path }) { result.append((path, text)) }
        return result
    }

    /// Writes the workbook to a fresh temporary file and returns its path.
    func write(name: String = "test.xlsx") throws -> String {
        try Self.zip(parts().map { ($0.0, Data($0.1.utf8)) }, name: name)
    }

    static func zip(_ entries: [(String, Data)], name: String) throws -> String {
        let dir = Scratch.folder("sheets")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        let archive = try Archive(url: url, accessMode: .create)
        for (path, data) in entries {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        return url.path
    }
}
