import Foundation

/// What changed between two versions of a directory, record by record and field by field.
public struct RecordChange: Hashable, Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case added, removed, changed
    }

    public struct FieldChange: Hashable, Codable, Sendable {
        public var field: String
        public var old: String
        public var new: String

        public init(field: String, old: String, new: String) {
            self.field = field
            self.old = old
            self.new = new
        }
    }

    public var entity: String
    public var id: String
    public var kind: Kind
    public var name: String
    public var fields: [FieldChange]

    public init(entity: String, id: String, kind: Kind, name: String, fields: [FieldChange]) {
        self.entity = entity
        self.id = id
        self.kind = kind
        self.name = name
        self.fields = fields
    }
}

public enum GraphDiff {
    /// Changes from `old` to `new`, sorted by entity then id. Provenance alone is not a change.
    public static func changes(from old: ServiceGraph, to new: ServiceGraph) -> [RecordChange] {
        var result: [RecordChange] = []
        forEachChange(from: old, to: new) { result.append($0) }
        return result
    }

    /// Gives each change from `old` to `new` to `body`, in the order `changes(from:to:)` lists
    /// them, without holding them all: a first import of 100,000 services is 150,000 changes.
    public static func forEachChange(from old: ServiceGraph, to new: ServiceGraph, _ body: (RecordChange) throws -> Void) rethrows {
        func compare<ID: Comparable & CustomStringConvertible, T>(
            _ entity: String, _ a: [ID: T], _ b: [ID: T], name: (T) -> String, fields: (T) -> [String: String],
            into body: (RecordChange) throws -> Void
        ) rethrows {
            // Into an empty directory (a first import) everything is added: no set of every id.
            let ids = a.isEmpty ? b.keys.sorted() : b.isEmpty ? a.keys.sorted() : Set(a.keys).union(b.keys).sorted()
            for id in ids {
                switch (a[id], b[id]) {
                case (nil, let added?):
                    try body(RecordChange(entity: entity, id: id.description, kind: .added, name: name(added), fields: []))
                case (let removed?, nil):
                    try body(RecordChange(entity: entity, id: id.description, kind: .removed, name: name(removed), fields: []))
                case (let before?, let after?):
                    let f0 = fields(before), f1 = fields(after)
                    let changed = Set(f0.keys).union(f1.keys).sorted().compactMap { key -> RecordChange.FieldChange? in
                        let o = f0[key] ?? "", n = f1[key] ?? ""
                        return o == n ? nil : RecordChange.FieldChange(field: key, old: o, new: n)
                    }
                    if !changed.isEmpty {
                        try body(RecordChange(entity: entity, id: id.description, kind: .changed, name: name(after), fields: changed))
                    }
                default: break
                }
            }
        }
        try compare("area", old.areas, new.areas, name: \.name, fields: {
            ["name": $0.name, "kind": $0.kind.rawValue, "parent": $0.parent?.rawValue ?? ""]
        }, into: body)
        try compare("level", old.levels, new.levels, name: \.name, fields: {
            ["name": $0.name, "area": $0.area.rawValue, "order": String($0.order), "ring": $0.ring?.name ?? "", "description": $0.description]
        }, into: body)
        try compare("organisation", old.organisations, new.organisations, name: \.name, fields: {
            ["name": $0.name, "sector": $0.sector?.rawValue ?? "", "website": $0.website ?? "", "description": $0.description]
        }, into: body)
        try compare("service", old.services, new.services, name: \.name, fields: \.comparableFields, into: body)
        try compare("route", old.routes, new.routes, name: { "\($0.from) → \($0.to)" }, fields: {
            ["conditions": $0.conditions ?? "", "notes": $0.notes ?? ""]
        }, into: body)
    }
}

extension Service {
    /// The service's fields as text, for field-by-field comparison.
    public var comparableFields: [String: String] {
        [
            "name": name, "organisation": organisation?.rawValue ?? "", "description": description,
            "areas": areas.map(\.rawValue).joined(separator: "; "),
            "categories": categories.map(\.rawValue).joined(separator: "; "),
            "ages": ages?.description ?? "", "levels": levels.map(\.rawValue).joined(separator: "; "),
            "eligibility": eligibility.map(\.key).joined(separator: "; "),
            "cost": cost?.rawValue ?? "", "cost note": costNote ?? "", "languages": languages.joined(separator: "; "),
            "delivery": delivery.map(\.rawValue).joined(separator: "; "),
            "phone": contact.phone ?? "", "email": contact.email ?? "", "website": contact.website ?? "",
            "address": contact.address ?? "", "postcode": contact.postcode ?? "",
            "confidential address": confidentialAddress ? "yes" : "no", "status": status.rawValue,
            "last verified": lastVerified?.description ?? "", "sector": sector?.rawValue ?? "",
            "how to refer": howToRefer ?? "",
            "attributes": attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "),
        ]
    }
}
