import Foundation
import Testing
import TestSupport
import ZIPFoundation
@testable import ServiceMapImport
import ServiceMapCore

/// A zip written by hand, so an entry can hold a deflate stream that stops before its end while
/// the archive's directory stays intact: the case that makes ZIPFoundation's inflate loop spin.
private func handMadeZip(_ entries: [(name: String, data: Data, method: UInt16, uncompressed: Int)]) -> Data {
    var out = Data()
    var central = Data()
    func u16(_ v: Int, _ d: inout Data) { d.append(UInt8(v & 0xFF)); d.append(UInt8((v >> 8) & 0xFF)) }
    func u32(_ v: Int, _ d: inout Data) { u16(v & 0xFFFF, &d); u16((v >> 16) & 0xFFFF, &d) }
    for entry in entries {
        let offset = out.count
        let name = Data(entry.name.utf8)
        u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(Int(entry.method), &out); u16(0, &out); u16(0x21, &out)
        u32(0, &out); u32(entry.data.count, &out); u32(entry.uncompressed, &out); u16(name.count, &out); u16(0, &out)
        out.append(name); out.append(entry.data)
        u32(0x0201_4B50, &central); u16(20, &central); u16(20, &central); u16(0, &central); u16(Int(entry.method), &central)
        u16(0, &central); u16(0x21, &central); u32(0, &central); u32(entry.data.count, &central); u32(entry.uncompressed, &central)
        u16(name.count, &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central); u32(0, &central)
        u32(offset, &central); central.append(name)
    }
    let directoryOffset = out.count
    out.append(central)
    u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(entries.count, &out); u16(entries.count, &out)
    u32(central.count, &out); u32(directoryOffset, &out); u16(0, &out)
    return out
}

@Suite("Zip streams that end early")
struct ZipTruncationTests {
    /// A large part that inflates past the size it declares is stopped as a bomb when it is
    /// inflated on a thread of its own too: the limits are checked as its chunks arrive.
    @Test func aLargePartThatLiesAboutItsSizeIsStopped() throws {
        // Random letters, 64 KiB repeated: each repeat lies beyond deflate's 32 KiB window, so
        // the whole deflates only about 2×, under the ratio limit.
        let block = (0..<(64 << 10)).map { _ in UInt8(ascii: "a") + UInt8.random(in: 0..<16) }
        let text = Data(Array(repeating: block, count: 128).joined())
        var deflated = Data()
        _ = try Data.compress(size: Int64(text.count), bufferSize: 64 * 1024, provider: { position, size in
            text.subdata(in: Int(position)..<(Int(position) + size))
        }, consumer: { deflated.append($0) })
        let declared = 5 << 20
        #expect(UInt64(declared) >= ZipPackage.inflateAheadBytes)
        let path = temporaryPath("liar.zip")
        try handMadeZip([("big.xml", deflated, 8, declared)]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let package = try ZipPackage(path: path, limits: ReaderLimits(), kind: "xlsx")
        var inflated = 0
        let error = #expect(throws: ImportFailure.self) {
            try package.stream("big.xml") { inflated += $0.count }
        }
        #expect(error?.code == .zipBomb)
        // Stopped within a chunk of the declared size and its 1 MiB of slack, not at 8 MiB.
        #expect(inflated <= declared + (1 << 20))
    }

    /// 3,000 rows are inflated as they are parsed; 60,000 (a 7 MB part) on a thread of their own
    /// (`ZipPackage.inflateAheadBytes`), which must end the same way.
    @Test(arguments: [3000, 60000]) func aDeflateStreamCutShortIsAnErrorNotAHang(rowCount: Int) throws {
        let rows = (1...rowCount).map { "<row r=\"\($0)\"><c r=\"A\($0)\" t=\"inlineStr\"><is><t>Service \($0) \(UUID().uuidString)</t></is></c></row>" }
        let sheet = Data(("<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
            + rows.joined() + "</sheetData></worksheet>").utf8)
        var deflated = Data()
        _ = try Data.compress(size: Int64(sheet.count), bufferSize: 16 * 1024, provider: { position, size in
            sheet.subdata(in: Int(position)..<(Int(position) + size))
        }, consumer: { deflated.append($0) })
        let cut = deflated.prefix(deflated.count / 2)
        func stored(_ name: String, _ text: String) -> (String, Data, UInt16, Int) { (name, Data(text.utf8), 0, text.utf8.count) }
        let zip = handMadeZip([
            stored("[Content_Types].xml", """
                <?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
                <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>
                """),
            stored("_rels/.rels", """
                <?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
                """),
            stored("xl/workbook.xml", """
                <?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
                xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Services" sheetId="1" r:id="rId1"/></sheets></workbook>
                """),
            stored("xl/_rels/workbook.xml.rels", """
                <?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>
                """),
            ("xl/worksheets/sheet1.xml", Data(cut), 8, sheet.count),
        ])
        let path = temporaryPath("truncated.xlsx")
        try zip.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let reader = try XLSXReader(path: path, limits: ReaderLimits())
        var rowsRead = 0
        var diagnostics: [ServiceMapCore.Diagnostic] = []
        let error = #expect(throws: ImportFailure.self) {
            try reader.forEachRow(in: try reader.sheets()[0], diagnostics: &diagnostics) { _ in rowsRead += 1 }
        }
        // Either the inflater reports the missing input, or the XML ends mid-element first; never a hang.
        #expect(error?.code == .truncatedFile || error?.code == .malformedXML)
        // Rows before the cut were read (the small part's first inflated chunk may be all there
        // is), and none after it.
        #expect(rowsRead < rowCount)
        if rowCount > 3000 { #expect(rowsRead > rowCount / 4) }
        #expect((sheet.count >= Int(ZipPackage.inflateAheadBytes)) == (rowCount > 3000))
    }
}
