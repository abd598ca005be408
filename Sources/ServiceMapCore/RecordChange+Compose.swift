import Foundation

extension RecordChange {
    /// Several runs' changes, oldest first, as the one change set they add up to: added then
    /// changed is added; added then removed is nothing; changed twice keeps the first old and the
    /// last new value of each field (and vanishes if every field is back where it was); removed
    /// then added is a change whose fields are unknown (listed with none).
    public static func compose(_ runs: [[RecordChange]]) -> [RecordChange] {
        struct Key: Hashable { var entity: String; var id: String }
        var result: [Key: RecordChange] = [:]
        for run in runs {
            for change in run {
                let key = Key(entity: change.entity, id: change.id)
                guard let earlier = result[key] else {
                    result[key] = change
                    continue
                }
                switch (earlier.kind, change.kind) {
                case (.added, .removed):
                    result[key] = nil
                case (.added, _):
                    result[key] = RecordChange(entity: change.entity, id: change.id, kind: .added, name: change.name, fields: [])
                case (.removed, .added):
                    result[key] = RecordChange(entity: change.entity, id: change.id, kind: .changed, name: change.name, fields: [])
                case (.changed, .removed), (.removed, _):
                    result[key] = change.kind == .removed ? change : earlier
                case (.changed, .changed):
                    var fields: [String: FieldChange] = Dictionary(uniqueKeysWithValues: earlier.fields.map { ($0.field, $0) })
                    for field in change.fields {
                        if let first = fields[field.field] {
                            fields[field.field] = FieldChange(field: field.field, old: first.old, new: field.new)
                        } else {
                            fields[field.field] = field
                        }
                    }
                    let kept = fields.values.filter { $0.old != $0.new }.sorted { $0.field < $1.field }
                    result[key] = kept.isEmpty && !earlier.fields.isEmpty
                        ? nil : RecordChange(entity: change.entity, id: change.id, kind: .changed, name: change.name, fields: kept)
                case (.changed, .added):
                    result[key] = change
                }
            }
        }
        return result.values.sorted { ($0.entity, $0.id) < ($1.entity, $1.id) }
    }
}
