import Foundation
import ServiceMapCore

/// Turns the tokens of one worksheet part into rows, one at a time.
///
/// Cells and rows may lack their `r` reference (SpreadsheetGear, LibreOffice): a row without one
/// follows the previous row, a cell without one follows the previous cell.
struct XLSXSheetParser {
    enum CellType { case number, shared, formulaString, inline, bool, error, isoDate }

    let sharedStrings: [String]
    let styles: XLSXStyles
    let uses1904: Bool
    let limits: ReaderLimits
    let location: SourceLocation

    private var rowNumber = 0
    private var inRow = false
    private var cells: [Cell] = []
    private var cellsSorted = true
    private var cellCount = 0

    // The cell being read.
    private var inCell = false
    private var column = 0
    private var type = CellType.number
    private var style = 0
    private var value: CellValue = .empty
    private var inValue = false
    private var inInline = false
    private var inInlineText = false
    private var preserve = false
    private var phoneticDepth = 0
    private var inlineText = ""
    private var texts = RepeatedTexts()

    init(sharedStrings: [String], styles: XLSXStyles, uses1904: Bool, limits: ReaderLimits, location: SourceLocation) {
        self.sharedStrings = sharedStrings
        self.styles = styles
        self.uses1904 = uses1904
        self.limits = limits
        self.location = location
        cells.reserveCapacity(32)
    }

    private func tooMany(_ what: String) -> ImportFailure {
        ImportFailure(.tooManyCells, what, at: location)
    }

    mutating func handle(_ xml: XMLTokenizer, _ event: XMLEvent, diagnostics: inout [Diagnostic], _ body: (Row) throws -> Void) throws {
        switch event {
        case .start:
            let local = xml.localName
            if local.count == 1 {
                switch local[0] {
                case 0x63: try startCell(xml)  // c
                case 0x76: inValue = inCell && !xml.isSelfClosing  // v
                case 0x74:  // t
                    if inInline && phoneticDepth == 0 && !xml.isSelfClosing {
                        inInlineText = true
                        preserve = xml.attribute("space", prefix: "xml").map { XMLTokenizer.equal(xml.bytes($0), "preserve") } ?? false
                    }
                default: break
                }
            } else if XMLTokenizer.equal(local, "row") {
                var number = rowNumber + 1
                if let r = xml.attribute("r"), let n = XMLText.integer(xml.bytes(r)) { number = n }
                guard number >= 1 else { break }
                if number > limits.maxRows { throw tooMany("row \(number) is beyond the limit of \(limits.maxRows) rows") }
                rowNumber = number
                inRow = true
                cells.removeAll(keepingCapacity: true)
                cellsSorted = true
                column = 0
                if xml.isSelfClosing { inRow = false }
            } else if XMLTokenizer.equal(local, "is") {
                if inCell && !xml.isSelfClosing { inInline = true; inlineText = "" }
            } else if XMLTokenizer.equal(local, "rPh") {
                if !xml.isSelfClosing { phoneticDepth += 1 }
            }
        case .end:
            let local = xml.localName
            if local.count == 1 {
                switch local[0] {
                case 0x63: finishCell()
                case 0x76: inValue = false
                case 0x74: inInlineText = false
                default: break
                }
            } else if XMLTokenizer.equal(local, "row") {
                try finishRow(body)
            } else if XMLTokenizer.equal(local, "is") {
                inInline = false
            } else if XMLTokenizer.equal(local, "rPh") {
                phoneticDepth = max(0, phoneticDepth - 1)
            }
        case .text:
            if inValue { try readValue(xml) } else if inInlineText { inlineText += try xml.textString(trim: !preserve) }
        default:
            break
        }
    }

    private mutating func startCell(_ xml: XMLTokenizer) throws {
        if !inRow {  // a cell outside any <row>: treat as its own row after the last
            rowNumber += 1
            inRow = true
            implicitRow = true
            cells.removeAll(keepingCapacity: true)
            column = 0
        }
        inCell = true
        value = .empty
        type = .number
        style = 0
        var nextColumn = column + 1
        for attribute in xml.attributes {
            let name = xml.bytes(attribute.localStart..<attribute.name.upperBound)
            let v = xml.bytes(attribute.value)
            guard name.count == 1 else { continue }
            switch name[0] {
            case 0x72:  // r = "AB12"
                var letters = 0
                for b in v {
                    let upper = b & 0xDF
                    guard upper >= 0x41 && upper <= 0x5A else { break }
                    letters = letters * 26 + Int(upper - 0x40)
                    if letters > limits.maxColumns { break }
                }
                if letters > 0 { nextColumn = letters }
            case 0x74:  // t
                if v.count == 1 {
                    switch v[0] {
                    case 0x73: type = .shared
                    case 0x62: type = .bool
                    case 0x65: type = .error
                    case 0x64: type = .isoDate
                    default: type = .number
                    }
                } else if XMLTokenizer.equal(v, "str") { type = .formulaString
                } else if XMLTokenizer.equal(v, "inlineStr") { type = .inline
                } else { type = .number }
            case 0x73:  // s (may be empty: s="")
                style = XMLText.integer(v) ?? 0
            default: break
            }
        }
        if nextColumn > limits.maxColumns {
            throw tooMany("a cell in row \(rowNumber) is beyond the limit of \(limits.maxColumns) columns")
        }
        if nextColumn <= column { cellsSorted = false }
        column = nextColumn
        if xml.isSelfClosing { inCell = false }
    }
    private var implicitRow = false

    private mutating func readValue(_ xml: XMLTokenizer) throws {
        let bytes = xml.textIsCDATA ? xml.bytes(xml.text) : xml.bytes(xml.text)
        switch type {
        case .number:
            guard let n = XMLText.number(bytes) else {
                let text = try xml.textString(trim: true)
                if !text.isEmpty { value = .text(text) }
                return
            }
            value = numberValue(n)
        case .shared:
            if let index = XMLText.integer(bytes), index < sharedStrings.count {
                let s = sharedStrings[index]
                value = s.isEmpty ? .empty : .text(s)
            }
        case .formulaString:
            let s = XMLText.unescapeOOXML(try xml.textString())
            value = s.isEmpty ? .empty : .text(s)
        case .inline:
            break  // a stray <v> beside <is>: the inline string is the value
        case .bool:
            let s = try xml.textString(trim: true)
            value = .bool(s == "1" || s.lowercased() == "true")
        case .error:
            let s = try xml.textString(trim: true)
            if !s.isEmpty { value = .error(s) }
        case .isoDate:
            let s = try xml.textString(trim: true)
            value = Self.isoDate(s) ?? (s.isEmpty ? .empty : .text(s))
        }
    }

    private func numberValue(_ n: Double) -> CellValue {
        switch styles.kind(ofStyle: style) {
        case .number, .duration:
            return .number(n)
        case .time where n < 1:
            return .number(n)
        case .date, .time:
            let total = (n * 86_400).rounded()
            let days = (total / 86_400).rounded(.down)
            guard let day = ExcelDate.day(fromSerial: days, use1904: uses1904) else { return .number(n) }
            return .date(day, seconds: Int(total - days * 86_400))
        }
    }

    /// `2021-01-01`, `2021-01-01T10:10:10(.000)(Z)`; a bare time stays text.
    static func isoDate(_ s: String) -> CellValue? {
        let utf8 = Array(s.utf8)
        guard utf8.count >= 10, utf8[4] == 0x2D, utf8[7] == 0x2D,
              let y = Int(String(decoding: utf8[0..<4], as: UTF8.self)),
              let m = Int(String(decoding: utf8[5..<7], as: UTF8.self)),
              let d = Int(String(decoding: utf8[8..<10], as: UTF8.self)),
              (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        var seconds = 0
        if utf8.count >= 19, utf8[10] == 0x54 || utf8[10] == 0x20,
           let hh = Int(String(decoding: utf8[11..<13], as: UTF8.self)),
           let mm = Int(String(decoding: utf8[14..<16], as: UTF8.self)),
           let ss = Int(String(decoding: utf8[17..<19], as: UTF8.self))
        {
            seconds = hh * 3600 + mm * 60 + ss
        }
        return .date(Day(year: y, month: m, day: d), seconds: seconds)
    }

    private mutating func finishCell() {
        guard inCell else { return }
        inCell = false
        inValue = false
        if type == .inline {
            let s = XMLText.unescapeOOXML(inlineText)
            value = s.isEmpty ? .empty : .text(texts.shared(s))
            inlineText = ""
        }
        if case .empty = value { return }
        cells.append(Cell(column: column, value: value))
        if implicitRow {
            // Nothing more to collect for a row that had no <row> element.
        }
    }

    private mutating func finishRow(_ body: (Row) throws -> Void) throws {
        inRow = false
        implicitRow = false
        guard !cells.isEmpty else { return }
        cellCount += cells.count
        if cellCount > limits.maxCellsPerSheet {
            throw tooMany("the sheet has more than \(limits.maxCellsPerSheet) cells")
        }
        if !cellsSorted {
            cells.sort { $0.column < $1.column }
            // Two cells claiming one column: the later one wins, as in Excel.
            var unique: [Cell] = []
            for cell in cells {
                if unique.last?.column == cell.column { unique[unique.count - 1] = cell } else { unique.append(cell) }
            }
            cells = unique
        }
        try body(Row(number: rowNumber, cells: cells))
    }

    /// Flushes a row left open at the end of the part (a cell outside any <row>).
    mutating func finish(_ body: (Row) throws -> Void) throws {
        if inRow { try finishRow(body) }
    }
}
