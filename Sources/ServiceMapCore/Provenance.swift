import Foundation

/// Where a record's facts came from: the places in files it was read from, per field where known,
/// and the citations its source gave (a seed document and section, or "public fact").
public struct Sources: Hashable, Codable, Sendable {
    /// Every place this record was read from (two after a spreadsheet row and a bookmark merge).
    public var locations: [SourceLocation]
    /// Where each field's value came from, keyed by field name (`name`, `ages`, `phone` …).
    public var fields: [String: SourceLocation]
    /// Citations as written in the source, e.g. "000 Phase 1 findings, Bromley".
    public var citations: [String]

    public init(locations: [SourceLocation] = [], fields: [String: SourceLocation] = [:], citations: [String] = []) {
        self.locations = locations
        self.fields = fields
        self.citations = citations
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
