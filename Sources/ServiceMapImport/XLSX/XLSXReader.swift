import Foundation
import ServiceMapCore

/// Reads .xlsx/.xlsm workbooks: the package is opened once, the shared strings and styles are read
/// up front, and each worksheet part is streamed — inflated in chunks and tokenized as it arrives —
/// so a 100,000-row sheet is never held whole, neither as XML nor as cells.
public struct XLSXReader: TableReader {
    public let path: String
    let package: ZipPackage
    let workbook: XLSXWorkbook
    let styles: XLSXStyles
    let sharedStrings: [String]
    let limits: ReaderLimits

    public init(path: String, limits: ReaderLimits = ReaderLimits()) throws {
        self.path = path
        self.limits = limits
        let package = try ZipPackage(path: path, limits: limits, kind: "xlsx")
        let workbook = try XLSXWorkbook(package: package)
        self.package = package
        self.workbook = workbook
        styles = try workbook.stylesPart.map { try XLSXStyles(package: package, part: $0) } ?? XLSXStyles()
        sharedStrings = try workbook.sharedStringsPart.map { try XLSXSharedStrings.read(package: package, part: $0) } ?? []
    }

    public var usesCellLocations: Bool { true }

    public func sheets() throws -> [SheetInfo] {
        workbook.sheets.enumerated().map { index, sheet in
            SheetInfo(name: sheet.name, index: index, isHidden: sheet.isHidden, part: sheet.part)
        }
    }

    public func forEachRow(in sheet: SheetInfo, diagnostics: inout [Diagnostic], _ body: (Row) throws -> Void) throws {
        var parser = XLSXSheetParser(sharedStrings: sharedStrings, styles: styles, uses1904: workbook.uses1904, limits: limits,
                                     location: SourceLocation(file: path, sheet: sheet.name))
        try package.parseXML(sheet.part) { xml, event in
            try parser.handle(xml, event, diagnostics: &diagnostics, body)
        }
        try parser.finish(body)
    }
}
