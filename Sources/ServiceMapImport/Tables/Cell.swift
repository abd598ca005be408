import Foundation
import ServiceMapCore

/// A cell's value as the file stored it, before any mapping to the model.
public enum CellValue: Hashable, Sendable {
    case empty
    case text(String)
    case number(Double)
    case bool(Bool)
    /// A date cell (a number with a date format, an ISO `t="d"` cell, an ODS date). Time of day is kept
    /// in `seconds` for completeness but the model uses days only.
    case date(Day, seconds: Int)
    /// A spreadsheet error value such as `#N/A` or `#REF!`: reported, never used as a value.
    case error(String)

    /// The value as a researcher would read it in the cell; nil for empty and error cells.
    public var text: String? {
        switch self {
        case .empty, .error: return nil
        case .text(let s): return s
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
            return String(n)
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .date(let day, _): return day.description
        }
    }

    public var isBlank: Bool {
        switch self {
        case .empty: return true
        case .text(let s): return s.allSatisfy(\.isWhitespace)
        default: return false
        }
    }
}

/// One non-empty cell of a row. Columns are 1-based, as a spreadsheet numbers them (A = 1).
public struct Cell: Hashable, Sendable {
    public var column: Int
    public var value: CellValue

    public init(column: Int, value: CellValue) {
        self.column = column
        self.value = value
    }
}

/// A row as read: its 1-based number in the sheet (or record number in a CSV, whose `line` is
/// the text line the record started on) and its cells, sorted by column, blanks omitted.
public struct Row: Hashable, Sendable {
    public var number: Int
    /// For text formats: the 1-based line the row starts on, for `file:line:col` locations.
    public var line: Int?
    public var cells: [Cell]
    /// For delimited text: how many fields the record had, blanks included, so rows that do not
    /// match the header's width can be reported. Nil for spreadsheets.
    public var fieldCount: Int?

    public init(number: Int, line: Int? = nil, cells: [Cell], fieldCount: Int? = nil) {
        self.number = number
        self.line = line
        self.cells = cells
        self.fieldCount = fieldCount
    }

    public subscript(column: Int) -> CellValue {
        // Rows are short (tens of cells): a linear scan beats building a dictionary per row.
        for cell in cells where cell.column == column { return cell.value }
        return .empty
    }

    public var isBlank: Bool { cells.allSatisfy(\.value.isBlank) }
    public var nonBlankCount: Int { cells.lazy.filter { !$0.value.isBlank }.count }
    public var lastColumn: Int { cells.last?.column ?? 0 }
}

/// A sheet of a workbook (a CSV file is one sheet).
public struct SheetInfo: Hashable, Sendable {
    public var name: String
    /// Position in the workbook, 0-based, in the order the workbook lists its sheets.
    public var index: Int
    public var isHidden: Bool
    /// Format-specific handle (the part path of an xlsx worksheet, say).
    public var part: String

    public init(name: String, index: Int, isHidden: Bool = false, part: String = "") {
        self.name = name
        self.index = index
        self.isHidden = isHidden
        self.part = part
    }
}

/// A reader of tabular files. Readers stream rows: a 100,000-row sheet is never held whole.
public protocol TableReader {
    /// Whether locations in this file are sheet cells (`file:Sheet!B4`) or text lines (`file:12:4`).
    var usesCellLocations: Bool { get }
    /// The sheets in workbook order. Throws `ImportFailure` when the container cannot be read.
    func sheets() throws -> [SheetInfo]
    /// Calls `body` for each row with at least one cell, in order. Problems that lose no data are
    /// appended to `diagnostics`; problems that stop reading throw `ImportFailure`.
    func forEachRow(in sheet: SheetInfo, diagnostics: inout [Diagnostic], _ body: (Row) throws -> Void) throws
}

/// A problem that stops a file from being read at all (not a zip, encrypted, an entity bomb,
/// truncated): reported as one error at the file, never a crash.
public struct ImportFailure: Error, Sendable, CustomStringConvertible {
    public var code: DiagnosticCode
    public var message: String
    public var location: SourceLocation?

    public init(_ code: DiagnosticCode, _ message: String, at location: SourceLocation? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    public var diagnostic: Diagnostic { .error(code, message, at: location) }
    public var description: String { diagnostic.description }
}

/// Container-level failure codes, shared by every reader.
extension DiagnosticCode {
    public static let unreadableFile: DiagnosticCode = "unreadable-file"
    public static let notAZip: DiagnosticCode = "not-a-zip-archive"
    public static let encryptedWorkbook: DiagnosticCode = "encrypted-workbook"
    public static let wrongFileType: DiagnosticCode = "wrong-file-type"
    public static let truncatedFile: DiagnosticCode = "truncated-file"
    public static let zipBomb: DiagnosticCode = "zip-bomb"
    public static let xmlEntityExpansion: DiagnosticCode = "xml-entity-expansion"
    public static let malformedXML: DiagnosticCode = "malformed-xml"
    public static let missingPart: DiagnosticCode = "missing-part"
    public static let tooManyCells: DiagnosticCode = "too-many-cells"
    public static let cellError: DiagnosticCode = "cell-error-value"
    public static let hiddenSheetSkipped: DiagnosticCode = "hidden-sheet-skipped"
    public static let raggedRow: DiagnosticCode = "ragged-row"
    public static let encodingFallback: DiagnosticCode = "encoding-fallback"
}
