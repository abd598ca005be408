import Foundation

/// Where a value came from: a file and, inside it, a sheet cell or a text line.
///
/// Spreadsheet locations print as `file:Sheet!D14`, text locations as `file:12:4`.
public struct SourceLocation: Hashable, Codable, Sendable, CustomStringConvertible {
    public var file: String
    public var sheet: String?
    /// 1-based row (spreadsheets, CSV records) or line (text files).
    public var row: Int?
    /// 1-based column.
    public var column: Int?

    public init(file: String, sheet: String? = nil, row: Int? = nil, column: Int? = nil) {
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
    }

    /// A location without a file: facts built into servicemap itself.
    public static let builtIn = SourceLocation(file: "<servicemap>")

    public func at(row: Int?, column: Int? = nil) -> SourceLocation {
        SourceLocation(file: file, sheet: sheet, row: row, column: column)
    }

    public var description: String {
        if let sheet {
            var text = "\(file):\(sheet)"
            if let row {
                text += "!" + (column.map(ColumnName.letters) ?? "") + String(row)
            } else if let column {
                text += "!" + ColumnName.letters(column)
            }
            return text
        }
        var text = file
        if let row {
            text += ":\(row)"
            if let column { text += ":\(column)" }
        }
        return text
    }
}

/// Spreadsheet column names: 1 → A, 27 → AA.
public enum ColumnName {
    public static func letters(_ column: Int) -> String {
        precondition(column >= 1)
        var n = column
        var scalars: [Unicode.Scalar] = []
        while n > 0 {
            let rem = (n - 1) % 26
            scalars.append(Unicode.Scalar(UInt8(65 + rem)))
            n = (n - 1) / 26
        }
        var s = ""
        s.unicodeScalars.append(contentsOf: scalars.reversed())
        return s
    }

    /// "AA" → 27; nil when the text is not a column name.
    public static func number(_ letters: Substring) -> Int? {
        guard !letters.isEmpty, letters.utf8.count <= 3 else { return nil }
        var n = 0
        for b in letters.utf8 {
            let upper = b & ~0x20
            guard upper >= 65 && upper <= 90 else { return nil }
            n = n * 26 + Int(upper - 64)
        }
        return n
    }
}
