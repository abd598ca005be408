import Foundation

/// Where a record's facts came from: the places in files it was read from, per field where known,
/// and the citations its source gave (a seed document and section, or "public fact").
public struct Sources: Hashable, Codable, Sendable {
    /// Every place this record was read from (two after a spreadsheet row and a bookmark merge).
    public var locations: [SourceLocation]
    /// Where each field's value came from, keyed by field name (`name`, `ages`, `phone` …).
    public var fields: FieldLocations
    /// Citations as written in the source, e.g. "000 Phase 1 findings, Bromley".
    public var citations: [String]

    public init(locations: [SourceLocation] = [], fields: FieldLocations = FieldLocations(), citations: [String] = []) {
        self.locations = locations
        self.fields = fields
        self.citations = citations
    }

    public init(locations: [SourceLocation] = [], fields: [String: SourceLocation], citations: [String] = []) {
        self.init(locations: locations, fields: FieldLocations(fields), citations: citations)
    }

    public init(_ location: SourceLocation, citations: [String] = []) {
        self.init(locations: [location], citations: citations)
    }

    public var isEmpty: Bool { locations.isEmpty && citations.isEmpty }

    /// Both provenances, without repeats, in first-seen order.
    public func merged(with other: Sources) -> Sources {
        var result = self
        for location in other.locations where !result.locations.contains(location) {
            result.locations.append(location)
        }
        for (field, location) in other.fields where result.fields[field] == nil {
            result.fields[field] = location
        }
        for citation in other.citations where !result.citations.contains(citation) {
            result.citations.append(citation)
        }
        return result
    }
}

/// Where each field of a record came from, stored compactly.
///
/// A spreadsheet row gives a service a dozen or more fields, all in one file, sheet and row: as a
/// dictionary of full locations that was two thirds of a large import's memory (about 2.5 KB per
/// service). Here the file, sheet and row are held once, and each field keeps only its column;
/// a field from another file, sheet or row (after merging sources) keeps its whole location.
/// Every record read from one sheet has the same fields in the same columns, so readers give them
/// all one shared list of columns (`init(columnsOf:file:sheet:row:)`, `sharingColumns(with:)`).
///
/// Behaves as a dictionary from field name to location: subscript, `keys`, iteration in field-name
/// order, equality and hashing by content, and Codable as a JSON object.
public struct FieldLocations: Hashable, Codable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// The file, sheet and row shared by the fields in `columns`; -1 for no row.
    private var file = ""
    private var sheet: String?
    private var row: Int32 = -1
    /// Fields read from `file`, `sheet` and `row`, sorted by field name.
    private var columns: [Column] = []
    /// Fields read elsewhere, sorted by field name.
    private var other: [(field: String, location: SourceLocation)] = []

    /// A field and its column (-1 for none).
    private struct Column: Hashable, Sendable {
        var field: String
        var column: Int32
    }

    public init() {}

    public init(_ fields: [String: SourceLocation]) {
        for (field, location) in fields { self[field] = location }
    }

    public init(dictionaryLiteral elements: (String, SourceLocation)...) {
        for (field, location) in elements { self[field] = location }
    }

    /// The fields and columns of `layout`, read from another file, sheet or row, sharing its list
    /// of columns; nil when `layout` has fields read elsewhere, or the row does not fit.
    public init?(columnsOf layout: FieldLocations, file: String, sheet: String?, row: Int?) {
        guard layout.other.isEmpty, let row = Self.compact(row) else { return nil }
        if !layout.columns.isEmpty {
            self.file = file
            self.sheet = sheet
            self.row = row
            self.columns = layout.columns
        }
    }

    /// These fields, sharing `layout`'s list of columns when both have the same fields in the
    /// same columns (rows of one sheet, usually): one list for the sheet rather than one a row.
    public func sharingColumns(with layout: FieldLocations) -> FieldLocations {
        guard other.isEmpty, layout.other.isEmpty, !columns.isEmpty, columns == layout.columns else { return self }
        var shared = self
        shared.columns = layout.columns
        return shared
    }

    public var isEmpty: Bool { columns.isEmpty && other.isEmpty }
    public var count: Int { columns.count + other.count }
    /// Field names, sorted.
    public var keys: [String] { map(\.key) }

    private func location(_ entry: Column) -> SourceLocation {
        SourceLocation(file: file, sheet: sheet, row: row < 0 ? nil : Int(row), column: entry.column < 0 ? nil : Int(entry.column))
    }

    private func isShared(_ location: SourceLocation) -> Bool {
        location.file == file && location.sheet == sheet && Self.compact(location.row) == row
    }

    public subscript(field: String) -> SourceLocation? {
        get {
            if let entry = columns.first(where: { $0.field == field }) { return location(entry) }
            return other.first { $0.field == field }?.location
        }
        set {
            columns.removeAll { $0.field == field }
            other.removeAll { $0.field == field }
            guard let location = newValue else { return }
            if isEmpty, let row = Self.compact(location.row) {
                file = location.file
                sheet = location.sheet
                self.row = row
            }
            if isShared(location), let column = Self.compact(location.column) {
                let entry = Column(field: field, column: column)
                columns.insert(entry, at: columns.firstIndex { $0.field > field } ?? columns.endIndex)
            } else {
                other.insert((field, location), at: other.firstIndex { $0.field > field } ?? other.endIndex)
            }
        }
    }

    /// Adds a field after those already here, as a loader reading fields in name order does:
    /// no search. A field out of order, or already present, is set as by the subscript.
    public mutating func append(_ field: String, _ location: SourceLocation) {
        if isEmpty, let row = Self.compact(location.row) {
            file = location.file
            sheet = location.sheet
            self.row = row
        }
        if other.isEmpty, columns.last.map({ $0.field < field }) ?? true, isShared(location), let column = Self.compact(location.column) {
            columns.append(Column(field: field, column: column))
        } else {
            self[field] = location
        }
    }

    /// A row or column as stored (-1 for none); nil when it does not fit, and the location is then kept whole.
    private static func compact(_ number: Int?) -> Int32? {
        guard let number else { return -1 }
        return number >= 0 && number <= Int(Int32.max) ? Int32(number) : nil
    }

    /// The fields in name order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: SourceLocation)]> {
        var all: [(key: String, value: SourceLocation)] = []
        all.reserveCapacity(count)
        for entry in columns { all.append((entry.field, location(entry))) }
        for entry in other { all.append((entry.field, entry.location)) }
        if !columns.isEmpty && !other.isEmpty { all.sort { $0.key < $1.key } }
        return all.makeIterator()
    }

    public static func == (lhs: FieldLocations, rhs: FieldLocations) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.other.isEmpty && rhs.other.isEmpty {
            return lhs.columns.isEmpty || (lhs.file == rhs.file && lhs.sheet == rhs.sheet && lhs.row == rhs.row && lhs.columns == rhs.columns)
        }
        return zip(lhs, rhs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for (field, location) in self {
            hasher.combine(field)
            hasher.combine(location)
        }
    }

    public init(from decoder: Decoder) throws {
        self.init(try [String: SourceLocation](from: decoder))
    }

    public func encode(to encoder: Encoder) throws {
        try Dictionary(uniqueKeysWithValues: map { ($0.key, $0.value) }).encode(to: encoder)
    }
}
