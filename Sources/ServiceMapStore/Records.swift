import Foundation
import GRDB
import ServiceMapCore

// One record type per table, mirroring the schema. JSON columns hold small nested values
// (provenance, lists) that are always read with their row and never queried inside.

struct AreaRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "area"
    var code: String
    var name: String
    var kind: String
    var parentCode: String?
    var sources: String
}

struct LevelRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "levelOfNeed"
    var id: String
    var areaCode: String
    var name: String
    var position: Int
    var ring: Int?
    var description: String
    var sources: String
}

struct CategoryRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "category"
    var id: String
    var name: String
    var parentId: String?
    var synonyms: String
}

struct OrganisationRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "organisation"
    var id: String
    var name: String
    var sector: String?
    var website: String?
    var description: String
    var sources: String
}

struct ServiceRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "service"
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let name = Column(CodingKeys.name)
    }
    var id: String
    var name: String
    var organisationId: String?
    var description: String
    var minAgeMonths: Int?
    var maxAgeMonths: Int?
    var cost: String?
    var costNote: String?
    var languages: String
    var delivery: String
    var phone: String?
    var email: String?
    var website: String?
    var address: String?
    var postcode: String?
    var confidentialAddress: Bool
    var status: String
    var lastVerified: String?
    var sector: String?
    var howToRefer: String?
    var attributes: String
    var sources: String
}

struct ServiceAreaRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "serviceArea"
    var serviceId: String
    var areaCode: String
    var position: Int
}

struct ServiceLevelRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "serviceLevel"
    var serviceId: String
    var levelId: String
    var position: Int
}

struct ServiceCategoryRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "serviceCategory"
    var serviceId: String
    var categoryId: String
    var position: Int
}

struct EligibilityRuleRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "eligibilityRule"
    var serviceId: String
    var position: Int
    var effect: String
    var condition: String
    var note: String?
}

struct RouteRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "referralRoute"
    var id: String
    var fromRole: String?
    var fromServiceId: String?
    var toServiceId: String
    var mode: String
    var kind: String
    var conditions: String?
    var notes: String?
    var sources: String
}

struct ImportRunRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "importRun"
    var id: Int64?
    var startedAt: String
    var finishedAt: String
    var mode: String
    var serviceCount: Int
    var routeCount: Int
    var errorCount: Int
    var warningCount: Int
    var noteCount: Int

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct ImportRunFileRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "importRunFile"
    var runId: Int64
    var path: String
    var format: String
    var sha256: String
    var records: Int
}

struct ImportRunDiagnosticRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "importRunDiagnostic"
    var runId: Int64
    var position: Int
    var severity: String
    var code: String
    var location: String?
    var message: String
}

struct RecordChangeRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "recordChange"
    var runId: Int64
    var entity: String
    var entityId: String
    var change: String
    var name: String
    var fields: String
}

/// Stable JSON for JSON columns: sorted keys, so the same value always stores the same text.
/// The shapes the store writes (provenance, lists, string maps, field changes) are written and read
/// by hand: JSONEncoder and JSONSerialization were a tenth of a large import's time, and most of
/// loading one. The output is what JSONEncoder with sorted keys would give.
enum JSONColumn {
    /// Provenance, compactly: each file and sheet name once, locations as arrays of indexes and
    /// numbers. A service read from a 17-column row has 18 locations in the same file and row, so
    /// a field read from the record's first location's file, sheet and row is written as its
    /// column number alone.
    /// `{"c":[citations],"n":[names],"l":[[file,sheet,row,col]…],"f":{"field":col or [file,sheet,row,col]}}`
    /// with -1 for a missing part.
    static func encode(_ sources: Sources) -> String {
        var names: [String] = []
        func index(_ name: String?) -> Int {
            guard let name else { return -1 }
            if let i = names.firstIndex(of: name) { return i }
            names.append(name)
            return names.count - 1
        }
        var places = ""
        places.reserveCapacity(32 + 16 * (sources.locations.count + sources.fields.count))
        func place(_ l: SourceLocation) {
            places += "["
            places += String(index(l.file))
            places += ","
            places += String(index(l.sheet))
            places += ","
            places += String(l.row ?? -1)
            places += ","
            places += String(l.column ?? -1)
            places += "]"
        }
        places += ",\"l\":["
        for (i, location) in sources.locations.enumerated() {
            if i > 0 { places += "," }
            place(location)
        }
        places += "],\"f\":{"
        let first = sources.locations.first
        for (i, (key, location)) in sources.fields.enumerated() {
            if i > 0 { places += "," }
            appendString(key, to: &places)
            places += ":"
            if let first, location.file == first.file, location.sheet == first.sheet, location.row == first.row {
                places += String(location.column ?? -1)
            } else {
                place(location)
            }
        }
        places += "}}"
        var out = "{\"c\":"
        appendArray(sources.citations, to: &out)
        out += ",\"n\":"
        appendArray(names, to: &out)
        return out + places
    }

    static func decodeSources(_ text: String) throws -> Sources {
        var text = text
        return try text.withUTF8 { try decodeSources($0) }
    }

    static func decodeSources(_ bytes: UnsafeBufferPointer<UInt8>, interner: TextInterner? = nil) throws -> Sources {
        var reader = JSONReader(bytes)
        reader.interner = interner
        guard let sources = reader.sources() else { throw JSONColumnError(text: String(decoding: bytes, as: UTF8.self)) }
        return sources
    }

    static func decodeStrings(_ text: String) throws -> [String] {
        var text = text
        return try text.withUTF8 { try decodeStrings($0) }
    }

    static func decodeStrings(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [String] {
        var reader = JSONReader(bytes)
        guard let strings = reader.strings(), reader.atEnd else { throw JSONColumnError(text: String(decoding: bytes, as: UTF8.self)) }
        return strings
    }

    static func decodeStringMap(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [String: String] {
        var reader = JSONReader(bytes)
        guard let map = reader.stringMap(), reader.atEnd else { throw JSONColumnError(text: String(decoding: bytes, as: UTF8.self)) }
        return map
    }

    static func encode(_ strings: [String]) -> String {
        var out = ""
        appendArray(strings, to: &out)
        return out
    }

    static func encode(_ map: [String: String]) -> String {
        var out = "{"
        for (i, key) in map.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            appendString(key, to: &out)
            out += ":"
            appendString(map[key]!, to: &out)
        }
        return out + "}"
    }

    /// A run's field changes, `[{"field":…,"new":…,"old":…}]`: most runs' changes are "added",
    /// with none, so this is usually `[]`.
    static func encode(_ changes: [RecordChange.FieldChange]) -> String {
        var out = "["
        for (i, change) in changes.enumerated() {
            if i > 0 { out += "," }
            out += "{\"field\":"
            appendString(change.field, to: &out)
            out += ",\"new\":"
            appendString(change.new, to: &out)
            out += ",\"old\":"
            appendString(change.old, to: &out)
            out += "}"
        }
        return out + "]"
    }

    private static func appendArray(_ strings: [String], to out: inout String) {
        out += "["
        for (i, s) in strings.enumerated() {
            if i > 0 { out += "," }
            appendString(s, to: &out)
        }
        out += "]"
    }

    static func appendString(_ s: String, to out: inout String) { JSONText.appendString(s, to: &out) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// A JSON column that is not in the shape the store writes.
struct JSONColumnError: Error, CustomStringConvertible {
    var text: String
    var description: String { "unexpected JSON in a stored column: \(text.prefix(200))" }
}

/// Reads the few JSON shapes the store writes (string lists, string maps, provenance) straight
/// from a column's bytes. Whitespace and key order are free, as in any JSON; anything else
/// unexpected returns nil.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    /// Shares the Strings of file and sheet names between the records of one load.
    var interner: TextInterner?

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return position == bytes.count
        }
    }

    mutating func skipSpace() {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x0A || bytes[position] == 0x0D || bytes[position] == 0x09 {
            position += 1
        }
    }

    mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Reads `[item, …]` or `{item, …}` with `item` reading one element; nil if malformed.
    mutating func sequence(_ open: UInt8, _ close: UInt8, _ item: (inout JSONReader) -> Bool) -> Bool {
        guard take(open) else { return false }
        if take(close) { return true }
        repeat {
            guard item(&self) else { return false }
        } while take(0x2C)
        return take(close)
    }

    mutating func string() -> String? {
        guard take(0x22) else { return nil }
        let start = position
        // Fast path: no escapes.
        while position < bytes.count, bytes[position] != 0x22, bytes[position] != 0x5C { position += 1 }
        guard position < bytes.count else { return nil }
        if bytes[position] == 0x22 {
            position += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(position - 1)]), as: UTF8.self)
        }
        var out = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == 0x22 { return String(decoding: out, as: UTF8.self) }
            guard byte == 0x5C else { out.append(byte); continue }
            guard position < bytes.count else { return nil }
            let escape = bytes[position]
            position += 1
            if let byte = JSONText.simpleEscape(escape) {
                out.append(byte)
                continue
            }
            guard escape == 0x75, var unit = hex4() else { return nil }  // \uXXXX
            var scalar = Unicode.Scalar(unit)
            if (0xD800..<0xDC00).contains(unit), position + 1 < bytes.count, bytes[position] == 0x5C, bytes[position + 1] == 0x75 {
                position += 2
                guard let low = hex4() else { return nil }
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low &- 0xDC00)
                scalar = Unicode.Scalar(unit)
            }
            out.append(contentsOf: String(scalar ?? "\u{FFFD}").utf8)
        }
        return nil
    }

    /// A string without escapes through the interner; others as `string()`.
    mutating func internedString() -> String? {
        guard let interner else { return string() }
        skipSpace()
        guard position < bytes.count, bytes[position] == 0x22 else { return nil }
        var end = position + 1
        while end < bytes.count, bytes[end] != 0x22, bytes[end] != 0x5C { end += 1 }
        guard end < bytes.count, bytes[end] == 0x22 else { return string() }
        let text = interner.string(UnsafeBufferPointer(rebasing: bytes[(position + 1)..<end]))
        position = end + 1
        return text
    }

    private mutating func hex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[position]
            position += 1
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    mutating func integer() -> Int? {
        skipSpace()
        var negative = false
        if position < bytes.count, bytes[position] == 0x2D { negative = true; position += 1 }
        let start = position
        var value = 0
        while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
            value = value &* 10 &+ Int(bytes[position] - 0x30)
            position += 1
        }
        guard position > start else { return nil }
        return negative ? -value : value
    }

    mutating func strings(interned: Bool = false) -> [String]? {
        var result: [String] = []
        let ok = sequence(0x5B, 0x5D) { reader in
            guard let s = interned ? reader.internedString() : reader.string() else { return false }
            result.append(s)
            return true
        }
        return ok ? result : nil
    }

    mutating func stringMap() -> [String: String]? {
        var result: [String: String] = [:]
        let ok = sequence(0x7B, 0x7D) { reader in
            guard let key = reader.string(), reader.take(0x3A), let value = reader.string() else { return false }
            result[key] = value
            return true
        }
        return ok ? result : nil
    }

    /// A place as the store writes it, `[file, sheet, row, column]` (name indexes and numbers).
    struct Place {
        var file: Int, sheet: Int, row: Int, column: Int
    }

    /// `[file, sheet, row, column]`; nil for any other array.
    mutating func place() -> Place? {
        guard take(0x5B), let file = integer(), take(0x2C), let sheet = integer(), take(0x2C), let row = integer(), take(0x2C),
              let column = integer(), take(0x5D) else { return nil }
        return Place(file: file, sheet: sheet, row: row, column: column)
    }

    mutating func integers() -> [Int]? {
        var result: [Int] = []
        let ok = sequence(0x5B, 0x5D) { reader in
            guard let n = reader.integer() else { return false }
            result.append(n)
            return true
        }
        return ok ? result : nil
    }

    /// Provenance as `JSONColumn.encode(_: Sources)` writes it. Places whose indexes are out of
    /// range are dropped, as the earlier JSONSerialization reader did.
    mutating func sources() -> Sources? {
        var citations: [String] = [], names: [String] = []
        var locations: [Place] = [], fields: [(String, Place)] = []
        // A layout of fields already read (TextInterner.layout), or where this one's text is.
        var layout: FieldLocations?
        var layoutBytes = 0..<0
        let ok = sequence(0x7B, 0x7D) { reader in
            guard let key = reader.string(), reader.take(0x3A) else { return false }
            switch key {
            case "c": guard let list = reader.strings() else { return false }; citations = list
            case "n":
                guard let list = reader.strings(interned: true) else { return false }
                names = list
            case "l":
                return reader.sequence(0x5B, 0x5D) { inner in
                    guard let place = inner.place() else { return false }
                    locations.append(place)
                    return true
                }
            case "f":
                // Records read from one sheet have the same fields in the same columns, written
                // alike: a layout already read is shared rather than read again.
                reader.skipSpace()
                let start = reader.position
                if let interner = reader.interner, let (known, length) = interner.layout(at: UnsafeBufferPointer(rebasing: reader.bytes[start...])) {
                    layout = known
                    reader.position = start + length
                    return true
                }
                layoutBytes = start..<start
                defer { layoutBytes = start..<reader.position }
                return reader.sequence(0x7B, 0x7D) { inner in
                    guard let field = inner.string(), inner.take(0x3A) else { return false }
                    inner.skipSpace()
                    if inner.position < inner.bytes.count, inner.bytes[inner.position] == 0x5B {
                        guard let place = inner.place() else { return false }
                        fields.append((field, place))
                    } else {
                        // A column alone: in the file, sheet and row of the first location.
                        guard let column = inner.integer() else { return false }
                        fields.append((field, Place(file: -2, sheet: -2, row: -2, column: column)))
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        guard ok, atEnd else { return nil }
        func location(_ p: Place) -> SourceLocation? {
            guard names.indices.contains(p.file) else { return nil }
            return SourceLocation(file: names[p.file], sheet: names.indices.contains(p.sheet) ? names[p.sheet] : nil,
                                  row: p.row < 0 ? nil : p.row, column: p.column < 0 ? nil : p.column)
        }
        let placed = locations.compactMap(location)
        let first = locations.first.flatMap(location)
        if let layout {
            guard let first else { return Sources(locations: placed, citations: citations) }
            if let shared = FieldLocations(columnsOf: layout, file: first.file, sheet: first.sheet, row: first.row) {
                return Sources(locations: placed, fields: shared, citations: citations)
            }
            // A row too large to share a layout with (beyond 2^31): field by field.
            var fieldLocations = FieldLocations()
            for (field, location) in layout { fieldLocations.append(field, first.at(row: first.row, column: location.column)) }
            return Sources(locations: placed, fields: fieldLocations, citations: citations)
        }
        var fieldLocations = FieldLocations()
        // Written in name order, so each field is appended (see `FieldLocations.append`).
        for (field, p) in fields {
            if p.file == -2 {
                guard let first else { continue }
                fieldLocations.append(field, first.at(row: first.row, column: p.column < 0 ? nil : p.column))
            } else if let found = location(p) {
                fieldLocations.append(field, found)
            }
        }
        // A layout of columns alone, in the first location's row, is remembered for the records after.
        if let interner, first != nil, !fieldLocations.isEmpty, fields.allSatisfy({ $0.1.file == -2 }),
           FieldLocations(columnsOf: fieldLocations, file: "", sheet: nil, row: nil) != nil {
            interner.remember(layout: fieldLocations, text: UnsafeBufferPointer(rebasing: bytes[layoutBytes]))
        }
        return Sources(locations: placed, fields: fieldLocations, citations: citations)
    }
}
