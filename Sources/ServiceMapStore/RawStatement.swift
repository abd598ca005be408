import Foundation
import GRDB
import GRDBSQLite
import ServiceMapCore

/// A prepared statement driven through SQLite's C interface, for the store's bulk paths: writing
/// a 100,000-service directory (about a million rows) and loading it back.
///
/// GRDB's `execute(arguments:)` builds a `StatementArguments` array of boxed values, validates it
/// and copies every string for each row; decoding rows through `Codable` records does the same in
/// reverse. At a million rows that overhead was most of the store's time, so these paths bind and
/// read columns directly. The statement is GRDB's (prepared by GRDB, so its authorizer and
/// connection rules apply); only binding, stepping and column access bypass it.
struct RawStatement {
    let statement: Statement
    private var handle: OpaquePointer { statement.sqliteStatement }
    private var next: Int32 = 1
    /// The bound texts' bytes, held until the row is written (see `TextArena`).
    private let arena = TextArena()

    init(_ db: Database, _ sql: String) throws {
        // Not cached: GRDB must never see this statement half-stepped.
        statement = try db.makeStatement(sql: sql)
    }

    // MARK: Writing

    mutating func bind(_ text: String?) {
        defer { next += 1 }
        guard var text else {
            sqlite3_bind_null(handle, next)
            return
        }
        let h = handle, index = next, arena = arena
        text.withUTF8 { bytes in
            // SQLite reads the bytes where the arena keeps them, rather than copying each text
            // into a block of its own and freeing it after the row: with millions of texts bound
            // in an import, those allocations were a sixth of the store's time.
            let (start, count) = arena.copy(bytes)
            sqlite3_bind_text(h, index, start.assumingMemoryBound(to: CChar.self), Int32(count), sqliteStatic)
        }
    }

    mutating func bind(_ number: Int?) {
        defer { next += 1 }
        if let number { sqlite3_bind_int64(handle, next, Int64(number)) } else { sqlite3_bind_null(handle, next) }
    }

    mutating func bind(_ flag: Bool) { bind(flag ? 1 : 0) }

    /// Runs the statement with the values bound since the last run, then clears them.
    mutating func run(_ db: Database) throws {
        let code = sqlite3_step(handle)
        next = 1
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            arena.clear()
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        arena.clear()
    }

    // MARK: Reading

    /// Steps to the next row; false when there are no more.
    func step(_ db: Database) throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                            sql: statement.sql)
    }

    func reset() { sqlite3_reset(handle) }

    /// The text of column `index` (0-based); nil for NULL.
    func text(_ index: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Column `index`'s bytes, valid until the next step, for parsing without making a String.
    func withBytes<R>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let bytes = sqlite3_column_text(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        return try body(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : count))
    }

    /// Adds columns `0..<count` of the current row to `fingerprint`, each framed by its kind: NULL,
    /// an integer, or text. Call before reading the row's columns any other way.
    func addColumns(_ count: Int32, to fingerprint: inout Fingerprint) {
        for index in 0..<count {
            switch sqlite3_column_type(handle, index) {
            case SQLITE_NULL:
                fingerprint.add(-3)
            case SQLITE_INTEGER:
                fingerprint.add(-4)
                fingerprint.add(Int(sqlite3_column_int64(handle, index)))
            default:
                withBytes(index) { fingerprint.add(bytes: UnsafeRawBufferPointer($0)) }
            }
        }
    }

    func int(_ index: Int32) -> Int? {
        sqlite3_column_type(handle, index) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(handle, index))
    }
}

/// SQLite uses a value bound with this destructor where it is, without copying or freeing it.
private let sqliteStatic = unsafeBitCast(0, to: sqlite3_destructor_type.self)

/// Bytes of the texts bound to one row of a statement, kept in one block reused from row to row,
/// valid until `clear()`: SQLite reads texts bound as static from where they are, until they are
/// cleared after the row is written. A text too large for what is left of the block gets a block
/// of its own, freed at `clear()`.
final class TextArena {
    private static let capacity = 64 << 10
    private let block = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    private var used = 0
    private var overflow: [UnsafeMutableRawPointer] = []

    /// Copies `bytes` in; the copy stays put until `clear()`. (Never a null pointer, which SQLite
    /// would read as NULL rather than as an empty text.)
    func copy(_ bytes: UnsafeBufferPointer<UInt8>) -> (UnsafeRawPointer, Int) {
        let count = bytes.count
        if used + count <= Self.capacity {
            let start = block + used
            if let base = bytes.baseAddress { start.copyMemory(from: base, byteCount: count) }
            used += count
            return (UnsafeRawPointer(start), count)
        }
        let own = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 1)
        own.copyMemory(from: bytes.baseAddress!, byteCount: count)
        overflow.append(own)
        return (UnsafeRawPointer(own), count)
    }

    func clear() {
        used = 0
        for own in overflow { own.deallocate() }
        overflow.removeAll(keepingCapacity: true)
    }

    deinit {
        clear()
        block.deallocate()
    }
}

/// Makes Strings of texts that repeat from row to row (area codes, level ids, file names,
/// organisation ids) once, and hands out the same String after: a loaded directory then holds
/// one copy of each instead of one per row, and loading skips the allocations.
///
/// Recently seen texts are found by comparing bytes, so no String is made to look one up.
final class TextInterner {
    private var recent: [(bytes: [UInt8], text: String)] = []
    private var next = 0
    /// How many texts are remembered; a directory's codes and file names fit many times over.
    private static let capacity = 64

    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Texts of up to 15 bytes are stored inline in a String: nothing to share.
        if bytes.count <= 15 { return String(decoding: bytes, as: UTF8.self) }
        for entry in recent where sameBytes(entry.bytes, bytes) { return entry.text }
        let text = String(decoding: bytes, as: UTF8.self)
        if recent.count < Self.capacity {
            recent.append((Array(bytes), text))
        } else {
            recent[next] = (Array(bytes), text)
            next = (next + 1) % Self.capacity
        }
        return text
    }

    /// Field layouts of provenance (`JSONReader.sources`) by their text: one per sheet read, usually.
    private var layouts: [(bytes: [UInt8], fields: FieldLocations)] = []

    /// The layout remembered for a text that `bytes` starts with, and the text's length. A layout's
    /// text is a whole JSON object, which ends where its text does: no need to find its end first.
    func layout(at bytes: UnsafeBufferPointer<UInt8>) -> (FieldLocations, Int)? {
        for entry in layouts where entry.bytes.count <= bytes.count
            && sameBytes(entry.bytes, UnsafeBufferPointer(rebasing: bytes[..<entry.bytes.count])) {
            return (entry.fields, entry.bytes.count)
        }
        return nil
    }

    func remember(layout: FieldLocations, text: UnsafeBufferPointer<UInt8>) {
        if layouts.count == Self.capacity { layouts.removeFirst() }
        layouts.append((Array(text), layout))
    }

    /// As `string`, nil for an empty buffer (a NULL column).
    func optionalString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        bytes.baseAddress == nil ? nil : string(bytes)
    }
}

/// Whether the array holds exactly these bytes, compared with `memcmp` (the generic
/// `elementsEqual` walked both one element at a time and was a tenth of loading a directory).
func sameBytes(_ array: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard array.count == bytes.count else { return false }
    guard let base = bytes.baseAddress, !array.isEmpty else { return true }
    return array.withUnsafeBufferPointer { memcmp($0.baseAddress!, base, bytes.count) == 0 }
}

/// The rows of a list table (`serviceId, value, position, …`, ordered by service id), read
/// alongside the services in the same order: `take` returns one service's items in `position`
/// order and leaves the cursor at the next service's first row.
struct ListCursor<Item> {
    private let statement: RawStatement
    private let make: (RawStatement) -> Item
    private var hasRow: Bool
    /// A list's rows as they come (in key order, not position order), kept between services so
    /// that each list costs one allocation, its own.
    private var scratch: [(position: Int, item: Item)] = []

    init(_ db: Database, _ query: (sql: String, arguments: [String]), make: @escaping (RawStatement) -> Item) throws {
        var statement = try RawStatement(db, query.sql)
        for argument in query.arguments { statement.bind(argument) }
        self.statement = statement
        self.make = make
        hasRow = try statement.step(db)
    }

    /// The items of the service whose id is `id`; rows of ids before it (a list whose service
    /// is gone) are passed over.
    mutating func take(_ id: UnsafeBufferPointer<UInt8>, _ db: Database) throws -> [Item] {
        scratch.removeAll(keepingCapacity: true)
        while hasRow {
            let order = statement.withBytes(0) { ByteOrder.compare($0, id) }
            if order > 0 { break }
            if order == 0 { scratch.append((statement.int(2) ?? 0, make(statement))) }
            hasRow = try statement.step(db)
        }
        if scratch.isEmpty { return [] }
        if scratch.count > 1 { scratch.sort { $0.position < $1.position } }
        return scratch.map(\.item)
    }
}
