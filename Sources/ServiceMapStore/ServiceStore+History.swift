import Foundation
import GRDB
import ServiceMapCore

extension ServiceStore {
    /// What changed from the state after run `from` to the state after run `to` (`from` < `to`, or
    /// nil for "before any run"), composed from the changes each run between them recorded.
    ///
    /// Runs keep their changes, not copies of the whole graph: a copy per run made a
    /// 100,000-service import several times slower and its database several times larger, and the
    /// recorded changes (old and new value of every changed field) compose to the same answer.
    public func changes(fromRun from: Int64?, toRun to: Int64) throws -> [RecordChange] {
        if let from, from == to { return [] }
        let between = try runs().map(\.id).filter { $0 > (from ?? Int64.min) && $0 <= to }
        return try RecordChange.compose(between.map { try changes(inRun: $0) })
    }

    /// One record's history: every run that changed it, oldest first.
    public func history(entity: String, id: String) throws -> [(run: Run, change: RecordChange)] {
        let byID = Dictionary(uniqueKeysWithValues: try runs().map { ($0.id, $0) })
        let rows = try writer.read { db in
            try RecordChangeRecord.fetchAll(db, sql: "SELECT * FROM recordChange WHERE entity = ? AND entityId = ? ORDER BY runId",
                                            arguments: [entity, id])
        }
        return try rows.compactMap { r in
            guard let run = byID[r.runId] else { return nil }
            let change = RecordChange(entity: r.entity, id: r.entityId, kind: RecordChange.Kind(rawValue: r.change) ?? .changed, name: r.name,
                                      fields: try JSONColumn.decode([RecordChange.FieldChange].self, r.fields))
            return (run, change)
        }
    }
}
