import Foundation
import ServiceMapCore

/// Reads delimited text (RFC 4180) as one sheet: quoted fields with embedded newlines and
/// doubled quotes, CR/LF/CRLF line ends, any BOM, Windows-1252 fallback, and a delimiter
/// sniffed from the first lines (comma, semicolon, tab or pipe).
public struct CSVReader: TableReader {
    public let path: String
    let text: Text
    let encoding: TextDecoding.Encoding
    public let delimiter: UInt8
    let limits: ReaderLimits
    /// How much of a file is read at a time; a record longer than that is read in larger blocks.
    let blockSize: Int

    /// Where the rows are read from.
    enum Text {
        /// UTF-8 text in memory, from `start` on (past a byte-order mark).
        case memory([UInt8], start: Int)
        /// A UTF-8 file, read a block at a time from `start` on: a large directory's file is never
        /// held whole beside the records made from it.
        case file(start: Int)
    }

    /// Reads the file at `path`. A UTF-8 file (nearly all) is checked in one pass and read row by
    /// row in another; a file in another encoding is read whole and converted.
    public init(path: String, limits: ReaderLimits = ReaderLimits()) throws {
        try self.init(path: path, limits: limits, blockSize: 1 << 20)
    }

    init(path: String, limits: ReaderLimits, blockSize: Int) throws {
        var opening: [UInt8] = []
        var converting = false
        var valid = true
        do {
            let file = try FileBlocks(path)
            // Enough to tell the encoding and the delimiter by, whatever the block size.
            try file.next(max(blockSize, 64 << 10)) { opening = Array($0) }
            try Self.refuseNonText(opening, path: path)
            converting = Self.needsConverting(opening)
            if !converting {
                var check = TextDecoding.UTF8Check()
                valid = check.feed(opening[...])
                while valid {
                    let count = try file.next(blockSize) { valid = check.feed($0) }
                    if count == 0 { valid = check.finish(); break }
                }
            }
        } catch let failure as ImportFailure {
            throw failure
        } catch {
            throw ImportFailure(.unreadableFile, "could not open the file: \(error)", at: SourceLocation(file: path))
        }
        if !converting && valid {
            let start = opening.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            self.init(path: path, text: .file(start: start), encoding: .utf8,
                      delimiter: Self.delimiter(path: path, opening: opening[start...]), limits: limits, blockSize: blockSize)
            return
        }
        let bytes: [UInt8]
        do {
            bytes = try FileBlocks(path).rest()
        } catch {
            throw ImportFailure(.unreadableFile, "could not open the file: \(error)", at: SourceLocation(file: path))
        }
        try self.init(path: path, bytes: bytes, limits: limits)
    }

    public init(path: String, data: Data, limits: ReaderLimits = ReaderLimits()) throws {
        try self.init(path: path, bytes: [UInt8](data), limits: limits)
    }

    /// Reads text already in memory.
    public init(path: String, bytes: [UInt8], limits: ReaderLimits = ReaderLimits()) throws {
        try Self.refuseNonText(bytes, path: path)
        let (utf8, start, encoding) = TextDecoding.utf8Text(bytes)
        self.init(path: path, text: .memory(utf8, start: start), encoding: encoding,
                  delimiter: Self.delimiter(path: path, opening: utf8[start...]), limits: limits, blockSize: 0)
    }

    private init(path: String, text: Text, encoding: TextDecoding.Encoding, delimiter: UInt8, limits: ReaderLimits, blockSize: Int) {
        self.blockSize = blockSize
        self.path = path
        self.text = text
        self.encoding = encoding
        self.delimiter = delimiter
        self.limits = limits
    }

    /// A zip archive or binary data is not CSV text, whatever its name says.
    private static func refuseNonText(_ opening: [UInt8], path: String) throws {
        if opening.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw ImportFailure(.wrongFileType, "this file is a zip archive (a spreadsheet saved with the wrong extension?), not CSV text",
                                at: SourceLocation(file: path))
        }
        // NULs are text only in UTF-16 or UTF-32.
        if opening.prefix(4096).contains(0) && !needsConverting(opening) {
            throw ImportFailure(.wrongFileType, "this file holds binary data, not CSV text", at: SourceLocation(file: path))
        }
    }

    /// Whether the text must be converted to UTF-8 (UTF-16 or UTF-32, marked or not), judged from
    /// its opening bytes.
    private static func needsConverting(_ opening: [UInt8]) -> Bool {
        opening.starts(with: [0xFF, 0xFE]) || opening.starts(with: [0xFE, 0xFF]) || opening.starts(with: [0x00, 0x00, 0xFE, 0xFF])
            || TextDecoding.bomlessUTF16(Array(opening.prefix(512))) != nil
    }

    private static func delimiter(path: String, opening: ArraySlice<UInt8>) -> UInt8 {
        let ext = (path as NSString).pathExtension.lowercased()
        return ext == "tsv" || ext == "tab" ? 0x09 : ext == "psv" ? 0x7C : sniffDelimiter(opening)
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
        let unterminatedQuoteLine = try forEachRecord { fields, line, record in
            if fields.count == 1 && fields[0].isEmpty { return }  // blank line
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
        if let line = unterminatedQuoteLine {
            diagnostics.append(.warning(.unterminatedQuote,
                "a quoted field opened here is never closed; the rest of the file was read as that field",
                at: SourceLocation(file: path, row: line)))
        }
    }

    /// Calls `body` with each record's fields, the line it starts on and its number (from 1,
    /// blank lines counted); returns the line of a quoted field never closed, if any.
    private func forEachRecord(_ body: ([String], Int, Int) throws -> Void) throws -> Int? {
        var record = 0
        switch text {
        case .memory(let bytes, let start):
            return try bytes.withUnsafeBufferPointer { whole in
                var parser = Parser(buffer: UnsafeBufferPointer(rebasing: whole[start...]), delimiter: delimiter)
                while let (fields, line) = parser.nextRecord() {
                    record += 1
                    try body(fields, line, record)
                }
                return parser.unterminatedQuoteLine
            }
        case .file(let start):
            let file: FileBlocks
            do {
                file = try FileBlocks(path)
                try file.next(start)
            } catch {
                throw ImportFailure(.unreadableFile, "could not read the file: \(error)", at: SourceLocation(file: path))
            }
            // The bytes not yet parsed: the start of a record, then whatever has been read after it.
            var window: [UInt8] = []
            var line = 1
            var texts = RepeatedTexts()
            var size = blockSize
            while true {
                let atEnd: Bool
                do { atEnd = try file.next(size) { window.append(contentsOf: $0) } == 0 } catch {
                    throw ImportFailure(.unreadableFile, "could not read the file: \(error)", at: SourceLocation(file: path))
                }
                var parsed = 0
                var unterminated: Int?
                try window.withUnsafeBufferPointer { buffer in
                    var parser = Parser(buffer: buffer, delimiter: delimiter, line: line, texts: texts)
                    while true {
                        let start = parser.position, startLine = parser.line
                        guard let (fields, recordLine) = parser.nextRecord() else { break }
                        if !atEnd && parser.position >= buffer.count {
                            // The record may go on past what has been read: read it again, with more.
                            parser.position = start
                            parser.line = startLine
                            parser.unterminatedQuoteLine = nil
                            break
                        }
                        record += 1
                        try body(fields, recordLine, record)
                    }
                    parsed = parser.position
                    line = parser.line
                    texts = parser.texts
                    unterminated = parser.unterminatedQuoteLine
                }
                if atEnd { return unterminated }
                // A record longer than a block is read in ever larger blocks, so that it is parsed
                // again only a few times, not once a block.
                size = parsed == 0 ? max(size, window.count) : blockSize
                window.removeFirst(parsed)
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

        init(buffer: UnsafeBufferPointer<UInt8>, delimiter: UInt8, line: Int = 1, texts: RepeatedTexts = RepeatedTexts()) {
            self.buffer = buffer
            self.delimiter = delimiter
            self.line = line
            self.texts = texts
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
