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
/// The common shapes (provenance, lists, string maps) are written by hand: JSONEncoder was a
/// tenth of a large import's time. The output is what JSONEncoder with sorted keys would give.
enum JSONColumn {
    /// Provenance, compactly: each file and sheet name once, locations as arrays of indexes and
    /// numbers. A service read from a 17-column row has 18 locations in the same file and row.
    /// `{"c":[citations],"n":[names],"l":[[file,sheet,row,col]…],"f":{"field":[file,sheet,row,col]}}`
    /// with -1 for a missing part.
    static func encode(_ sources: Sources) -> String {
        var names: [String] = []
        func index(_ name: String?) -> Int {
            guard let name else { return -1 }
            if let i = names.firstIndex(of: name) { return i }
            names.append(name)
            return names.count - 1
        }
        func place(_ l: SourceLocation) -> String {
            "[\(index(l.file)),\(index(l.sheet)),\(l.row ?? -1),\(l.column ?? -1)]"
        }
        let locations = sources.locations.map(place).joined(separator: ",")
        let fields = sources.fields.keys.sorted().map { key in
            var text = ""
            appendString(key, to: &text)
            return text + ":" + place(sources.fields[key]!)
        }.joined(separator: ",")
        var out = "{\"c\":"
        appendArray(sources.citations, to: &out)
        out += ",\"n\":"
        appendArray(names, to: &out)
        return out + ",\"l\":[\(locations)],\"f\":{\(fields)}}"
    }

    static func decodeSources(_ text: String) throws -> Sources {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return Sources() }
        let names = object["n"] as? [String] ?? []
        func place(_ value: Any?) -> SourceLocation? {
            guard let parts = value as? [Int], parts.count == 4, names.indices.contains(parts[0]) else { return nil }
            return SourceLocation(file: names[parts[0]], sheet: names.indices.contains(parts[1]) ? names[parts[1]] : nil,
                                  row: parts[2] < 0 ? nil : parts[2], column: parts[3] < 0 ? nil : parts[3])
        }
        var fields: [String: SourceLocation] = [:]
        for (key, value) in object["f"] as? [String: Any] ?? [:] { fields[key] = place(value) }
        return Sources(locations: (object["l"] as? [Any] ?? []).compactMap(place), fields: fields,
                       citations: object["c"] as? [String] ?? [])
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

    private static func appendArray(_ strings: [String], to out: inout String) {
        out += "["
        for (i, s) in strings.enumerated() {
            if i > 0 { out += "," }
            appendString(s, to: &out)
        }
        out += "]"
    }

    static func appendString(_ s: String, to out: inout String) { JSONText.appendString(s, to: &out) }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
