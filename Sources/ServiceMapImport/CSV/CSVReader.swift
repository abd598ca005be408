import Foundation
import ServiceMapCore

/// Reads delimited text (RFC 4180) as one sheet: quoted fields with embedded newlines and
/// doubled quotes, CR/LF/CRLF line ends, any BOM, Windows-1252 fallback, and a delimiter
/// sniffed from the first lines (comma, semicolon, tab or pipe).
public struct CSVReader: TableReader {
    public let path: String
    /// The file's text as UTF-8, from `textStart` on (past a byte-order mark, which is skipped
    /// rather than cut off so that the bytes are never copied).
    let bytes: [UInt8]
    let textStart: Int
    let encoding: TextDecoding.Encoding
    public let delimiter: UInt8
    let limits: ReaderLimits

    public init(path: String, limits: ReaderLimits = ReaderLimits()) throws {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch {
            throw ImportFailure(.unreadableFile, "could not open the file: \(error)", at: SourceLocation(file: path))
        }
        try self.init(path: path, bytes: bytes, limits: limits)
    }

    public init(path: String, data: Data, limits: ReaderLimits = ReaderLimits()) throws {
        try self.init(path: path, bytes: [UInt8](data), limits: limits)
    }

    /// Reads text already in memory. A UTF-8 file's bytes are parsed where they are, so a caller
    /// that also needs them (the import hashes every file) shares one copy with the reader.
    public init(path: String, bytes: [UInt8], limits: ReaderLimits = ReaderLimits()) throws {
        self.path = path
        self.limits = limits
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw ImportFailure(.wrongFileType, "this file is a zip archive (a spreadsheet saved with the wrong extension?), not CSV text",
                                at: SourceLocation(file: path))
        }
        if bytes.prefix(4096).contains(0) && !bytes.starts(with: [0xFF, 0xFE]) && !bytes.starts(with: [0xFE, 0xFF])
            && !bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) && TextDecoding.bomlessUTF16(Array(bytes.prefix(512))) == nil
        {
            throw ImportFailure(.wrongFileType, "this file holds binary data, not CSV text", at: SourceLocation(file: path))
        }
        (self.bytes, textStart, encoding) = TextDecoding.utf8Text(bytes)
        let ext = (path as NSString).pathExtension.lowercased()
        delimiter = ext == "tsv" || ext == "tab" ? 0x09 : ext == "psv" ? 0x7C : Self.sniffDelimiter(self.bytes[textStart...])
    }

    public var usesCellLocations: Bool { false }

    public func sheets() throws -> [SheetInfo] {
        [SheetInfo(name: (path as NSString).lastPathComponent, index: 0)]
    }

    /// Picks the candidate that splits the first lines into the same number (>1) of fields most often.
    static func sniffDelimiter(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        let candidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]  // , ; tab |
        var counts: [[Int]] = Array(repeating: [], count: candidates.count)
        var current = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var lines = 0
        for byte in bytes.prefix(64 * 1024) {
            if byte == 0x22 { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if byte == 0x0A || byte == 0x0D {
                if current.contains(where: { $0 > 0 }) {
                    for i in candidates.indices { counts[i].append(current[i]) }
                    lines += 1
                    if lines >= 20 { break }
                }
                current = Array(repeating: 0, count: candidates.count)
                continue
            }
            if let i = candidates.firstIndex(of: byte) { current[i] += 1 }
        }
        if current.contains(where: { $0 > 0 }) { for i in candidates.indices { counts[i].append(current[i]) } }
        // The most common non-zero count per line wins, weighted by how many lines agree, so a
        // title row above the table ("Directory; updated May") does not decide the delimiter.
        var best: (score: Int, delimiter: UInt8) = (0, 0x2C)
        for (i, perLine) in counts.enumerated() {
            var frequency: [Int: Int] = [:]
            for count in perLine where count > 0 { frequency[count, default: 0] += 1 }
            guard let mode = frequency.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }) else { continue }
            let score = mode.value * 1000 + min(mode.key, 999)
            if score > best.score { best = (score, candidates[i]) }
        }
        return best.delimiter
    }

    public func forEachRow(in sheet: SheetInfo, diagnostics: inout [Diagnostic], _ body: (Row) throws -> Void) throws {
        if encoding == .windows1252 {
            diagnostics.append(.warning(.encodingFallback,
                "the file is not valid UTF-8; read it as Windows-1252 (save as \"CSV UTF-8\" to avoid this)",
                at: SourceLocation(file: path)))
        }
        var cells = 0
        try bytes.withUnsafeBufferPointer { whole in
            var parser = Parser(buffer: UnsafeBufferPointer(rebasing: whole[textStart...]), delimiter: delimiter)
            var record = 0
            while let (fields, line) = parser.nextRecord() {
                record += 1
                if fields.count == 1 && fields[0].isEmpty { continue }  // blank line
                cells += fields.count
                if cells > limits.maxCellsPerSheet {
                    throw ImportFailure(.tooManyCells, "the file has more than \(limits.maxCellsPerSheet) cells", at: SourceLocation(file: path, row: line))
                }
                var row = Row(number: record, line: line, cells: [], fieldCount: fields.count)
                row.cells.reserveCapacity(fields.count)
                for (i, field) in fields.enumerated() where !field.isEmpty {
                    row.cells.append(Cell(column: i + 1, value: .text(field)))
                }
                try body(row)
            }
            if parser.unterminatedQuoteLine != nil, let line = parser.unterminatedQuoteLine {
                diagnostics.append(.warning(.unterminatedQuote,
                    "a quoted field opened here is never closed; the rest of the file was read as that field",
                    at: SourceLocation(file: path, row: line)))
            }
        }
    }

    /// A byte-level RFC 4180 scanner. Fields are decoded to String once, at the end of each field.
    struct Parser {
        let buffer: UnsafeBufferPointer<UInt8>
        let delimiter: UInt8
        var position = 0
        var line = 1
        var unterminatedQuoteLine: Int?
        var scratch: [UInt8] = []
        var texts = RepeatedTexts()

        init(buffer: UnsafeBufferPointer<UInt8>, delimiter: UInt8) {
            self.buffer = buffer
            self.delimiter = delimiter
        }

        mutating func nextRecord() -> ([String], Int)? {
            guard position < buffer.count else { return nil }
            let startLine = line
            var fields: [String] = []
            while true {
                let (field, ended) = nextField()
                fields.append(field)
                if ended { break }
            }
            return (fields, startLine)
        }

        /// Returns the field and whether it ended its record.
        mutating func nextField() -> (String, Bool) {
            let count = buffer.count
            if position < count && buffer[position] == 0x22 {
                // Quoted field: copy bytes, turning "" into ".
                position += 1
                let openLine = line
                scratch.removeAll(keepingCapacity: true)
                while position < count {
                    let byte = buffer[position]
                    if byte == 0x22 {
                        if position + 1 < count && buffer[position + 1] == 0x22 {
                            scratch.append(0x22)
                            position += 2
                            continue
                        }
                        position += 1
                        // Text after the closing quote (`"a"b`) is kept, as spreadsheets do.
                        while position < count, buffer[position] != delimiter, buffer[position] != 0x0A, buffer[position] != 0x0D {
                            scratch.append(buffer[position])
                            position += 1
                        }
                        return (scratch.withUnsafeBufferPointer { texts.string($0) }, endField())
                    }
                    if byte == 0x0A || (byte == 0x0D && !(position + 1 < count && buffer[position + 1] == 0x0A)) { line += 1 }
                    scratch.append(byte)
                    position += 1
                }
                unterminatedQuoteLine = openLine
                return (scratch.withUnsafeBufferPointer { texts.string($0) }, true)
            }
            let start = position
            while position < count {
                let byte = buffer[position]
                if byte == delimiter || byte == 0x0A || byte == 0x0D { break }
                position += 1
            }
            let field = texts.string(UnsafeBufferPointer(rebasing: buffer[start..<position]))
            return (field, endField())
        }

        /// Consumes the delimiter or line end after a field; true at the end of a record.
        mutating func endField() -> Bool {
            guard position < buffer.count else { return true }
            let byte = buffer[position]
            if byte == delimiter {
                position += 1
                if position >= buffer.count { return false }  // trailing delimiter: one more empty field
                return false
            }
            if byte == 0x0D {
                position += 1
                if position < buffer.count && buffer[position] == 0x0A { position += 1 }
                line += 1
                return true
            }
            if byte == 0x0A {
                position += 1
                line += 1
                return true
            }
            return true
        }
    }
}

extension DiagnosticCode {
    public static let unterminatedQuote: DiagnosticCode = "unterminated-quote"
}
