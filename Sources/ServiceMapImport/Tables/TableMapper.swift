import Foundation
import ServiceMapCore

/// Maps the rows of any `TableReader` onto the model: finds each sheet's header row (past title
/// rows and group headers), decides what the table holds, and turns rows into drafts, reporting
/// every cell it cannot use at that cell.
public struct TableMapper {
    public var options: ImportOptions
    /// How many rows at the top of a sheet may be searched for the header.
    static let headerSearchRows = 30

    public init(options: ImportOptions) {
        self.options = options
    }

    public func map(_ reader: some TableReader, file: String) throws -> GraphFragment {
        var fragment = GraphFragment()
        let sheets = try reader.sheets()
        let visible = sheets.filter { !$0.isHidden }
        for sheet in sheets {
            let base = SourceLocation(file: file, sheet: reader.usesCellLocations ? sheet.name : nil)
            if sheet.isHidden {
                fragment.diagnostics.append(.note(.hiddenSheetSkipped, "sheet '\(sheet.name)' is hidden; skipped", at: base))
                continue
            }
            var table = SheetMapping(mapper: self, file: file, sheet: sheet, usesCells: reader.usesCellLocations,
                                     singleSheet: visible.count == 1)
            try reader.forEachRow(in: sheet, diagnostics: &fragment.diagnostics) { row in
                table.consume(row)
            }
            table.finish()
            fragment.append(table.fragment)
        }
        return fragment
    }
}

extension DiagnosticCode {
    public static let noHeader: DiagnosticCode = "no-header-row"
    public static let unknownColumn: DiagnosticCode = "unknown-column"
    public static let missingName: DiagnosticCode = "missing-name"
    public static let unreadableAge: DiagnosticCode = "unreadable-age"
    public static let unreadableDate: DiagnosticCode = "unreadable-date"
    public static let futureDate: DiagnosticCode = "future-date"
    public static let unreadableValue: DiagnosticCode = "unreadable-value"
    public static let refusedLink: DiagnosticCode = "refused-link"
    public static let missingField: DiagnosticCode = "missing-field"
}

/// The state of one sheet being mapped: rows before the header are held, the rest stream.
struct SheetMapping {
    let mapper: TableMapper
    let file: String
    let sheet: SheetInfo
    let usesCells: Bool
    let singleSheet: Bool
    var fragment = GraphFragment()
    private var pending: [Row] = []
    private var header: Header?
    private var gaveUp = false
    private var sawData = false
    /// The last row's field locations, whose list of columns the next rows share when theirs is the same.
    private var layout = FieldLocations()
    /// The columns the last row's fields were read from, in order: a row read from the same
    /// columns has the same field locations, but for its row.
    private var layoutColumns: [Int] = []

    struct Header {
        var kind: TableKind
        var row: Int
        var fields: [Int: Field]
        var attributes: [Int: String]
        var names: [Int: String]
        /// `names` as `ColumnMapping.normalise` gives them, to spot the header repeated below.
        var normalisedNames: [Int: String]
        var fieldCount: Int?
        var ignored: Set<Int>
    }
    private var raggedReported = 0
    /// A directory writes the same few age ranges thousands of times: parse each text once.
    private let ageTexts = AgeTexts()

    init(mapper: TableMapper, file: String, sheet: SheetInfo, usesCells: Bool, singleSheet: Bool) {
        self.mapper = mapper
        self.file = file
        self.sheet = sheet
        self.usesCells = usesCells
        self.singleSheet = singleSheet
    }

    var place: CellPlace { CellPlace(file: file, sheet: usesCells ? sheet.name : nil) }

    func location(_ row: Row, _ column: Int?) -> SourceLocation {
        place.location(row, column)
    }

    /// The row's field locations, sharing their list of columns with the last row's when the same
    /// (every row of a tidy sheet): a list of a dozen or more fields per record is most of a
    /// large import's provenance.
    private mutating func sharedFieldLocations(_ c: RowContext) -> FieldLocations {
        if c.fields.columns == layoutColumns, !layoutColumns.isEmpty {
            let place = location(c.row, nil)
            if let same = FieldLocations(columnsOf: layout, file: place.file, sheet: place.sheet, row: place.row) { return same }
        }
        let fields = c.fieldLocations.sharingColumns(with: layout)
        layout = fields
        layoutColumns = c.fields.columns
        return fields
    }

    mutating func consume(_ row: Row) {
        if gaveUp { return }
        if header != nil {
            mapRow(row)
            return
        }
        if !row.isBlank { sawData = true }
        pending.append(row)
        if pending.count >= TableMapper.headerSearchRows { detectHeader() }
    }

    mutating func finish() {
        if header == nil && !gaveUp { detectHeader() }
    }

    private mutating func detectHeader() {
        let nameKey = Slug.make(sheet.name + " " + (file as NSString).lastPathComponent)
        let forced = mapper.options.mapping.sheetKinds[Slug.make(sheet.name)]
            ?? mapper.options.mapping.sheetKinds[Slug.make((file as NSString).lastPathComponent)]
        var best: (score: Int, index: Int, kind: TableKind)?
        for (index, row) in pending.enumerated() where row.nonBlankCount >= 2 {
            for kind in forced.map({ [$0] }) ?? TableKind.allCases {
                var fields: Set<Field> = []
                for cell in row.cells {
                    guard case .text(let text) = cell.value else { continue }
                    if let field = mapper.options.mapping.fields(for: text, kind: kind) { fields.insert(field) }
                }
                guard kind.keyFields.allSatisfy({ !fields.isDisjoint(with: $0) }) else { continue }
                var score = fields.count * 10
                if kind.nameHints.contains(where: { nameKey.contains($0) }) { score += 25 }
                if forced != nil { score += 100 }
                if best == nil || score > best!.score { best = (score, index, kind) }
            }
        }
        guard let best else {
            gaveUp = true
            if sawData {
                let message = "found no header row in the first \(TableMapper.headerSearchRows) rows (a services table needs at least a 'Service' or 'Name' column); sheet not imported"
                let location = usesCells ? SourceLocation(file: file, sheet: sheet.name) : SourceLocation(file: file)
                fragment.diagnostics.append(singleSheet ? .error(.noHeader, message, at: location) : .warning(.noHeader, message, at: location))
            }
            pending = []
            return
        }
        let headerRow = pending[best.index]
        var fields: [Int: Field] = [:]
        var attributes: [Int: String] = [:]
        var names: [Int: String] = [:]
        var unknown: [String] = []
        var ignored: Set<Int> = []
        var used: Set<Field> = []
        for cell in headerRow.cells {
            guard let text = cell.value.text?.trimmed, !text.isEmpty else { continue }
            names[cell.column] = text
            if let field = mapper.options.mapping.fields(for: text, kind: best.kind) {
                if used.contains(field) && !Self.repeatableFields.contains(field) {
                    attributes[cell.column] = text  // a second "Name" column: keep, don't overwrite
                    unknown.append(text)
                } else {
                    fields[cell.column] = field
                    used.insert(field)
                }
            } else if mapper.options.mapping.ignored.contains(ColumnMapping.normalise(text)) {
                ignored.insert(cell.column)
            } else {
                attributes[cell.column] = text
                unknown.append(text)
            }
        }
        if !unknown.isEmpty {
            fragment.diagnostics.append(.note(.unknownColumn,
                "column\(unknown.count == 1 ? "" : "s") \(unknown.map { "'\($0)'" }.joined(separator: ", ")) not recognised; kept as attributes",
                at: location(headerRow, nil)))
        }
        header = Header(kind: best.kind, row: headerRow.number, fields: fields, attributes: attributes, names: names,
                        normalisedNames: names.mapValues(ColumnMapping.normalise), fieldCount: headerRow.fieldCount, ignored: ignored)
        let rest = pending[(best.index + 1)...]
        pending = []
        for row in rest { mapRow(row) }
    }

    static let repeatableFields: Set<Field> = [.area, .council, .healthBoard, .locality, .categories, .levels, .eligibility,
                                               .exclusions, .languages, .referredBy, .source, .notes, .description]

    /// A row's values by field, with the column each came from. Error cells are reported here.
    private mutating func values(of row: Row, header: Header) -> (fields: FieldValues, attributes: [String: String]) {
        var fields = FieldValues(capacity: header.fields.count)
        var attributes: [String: String] = [:]
        for cell in row.cells {
            if case .error(let code) = cell.value {
                let name = header.names[cell.column].map { " ('\($0)')" } ?? ""
                fragment.diagnostics.append(.warning(.cellError, "cell\(name) holds the error value \(code); treated as empty",
                                                     at: location(row, cell.column)))
                continue
            }
            guard let text = cell.value.text?.trimmed, !text.isEmpty,
                  !header.ignored.contains(cell.column) else { continue }
            if let field = header.fields[cell.column] {
                fields.append(field, text, column: cell.column)
            } else if let name = header.attributes[cell.column] {
                attributes[name] = text
            } else {
                attributes[ColumnName.letters(cell.column)] = text
            }
        }
        // Dates stay dates: keep the cell's own value for the verified-date column.
        return (fields, attributes)
    }

    private mutating func mapRow(_ row: Row) {
        guard let header else { return }
        if row.isBlank { return }
        // Rows wider or narrower than the header (a stray delimiter, a missing quote) are reported;
        // a few are enough to show the pattern.
        if let expected = header.fieldCount, let count = row.fieldCount, count != expected {
            raggedReported += 1
            if raggedReported <= 20 {
                fragment.diagnostics.append(.warning(.raggedRow,
                    "row has \(count) fields but the header has \(expected)\(count > expected ? "; the extra values are kept as attributes" : "")",
                    at: location(row, nil)))
            }
        }
        let (fields, attributes) = values(of: row, header: header)
        if fields.isEmpty && attributes.isEmpty { return }
        // Section labels ("Perinatal services", "South Glasgow") inside the table: one cell, nothing else.
        if row.nonBlankCount == 1 && header.fields.count + header.attributes.count >= 3 {
            let onlyField = fields.firstField
            if onlyField == nil || onlyField == .name || onlyField == .id || onlyField == .from || onlyField == .code {
                return
            }
        }
        // A header row repeated inside the table (after a page break) is skipped.
        if row.cells.allSatisfy({ cell in header.normalisedNames[cell.column].map { $0 == ColumnMapping.normalise(cell.value.text ?? "") } ?? false }) {
            return
        }
        var context = RowContext(fields: fields, attributes: attributes, row: row, place: place, headerNames: header.names,
                                 headerFields: header.fields, ageTexts: ageTexts)
        switch header.kind {
        case .services: mapService(&context, row: row)
        case .routes: mapRoute(&context, row: row)
        case .areas: mapArea(&context, row: row)
        case .levels: mapLevel(&context, row: row)
        case .organisations: mapOrganisation(&context, row: row)
        case .categories: mapCategory(&context, row: row)
        }
        fragment.diagnostics += context.diagnostics
    }

    // MARK: Kinds of table

    private mutating func mapService(_ c: inout RowContext, row: Row) {
        guard let name = c.text(.name) else {
            c.diagnostics.append(.error(.missingName, "row has data but no service name", at: location(row, header!.fields.first { $0.value == .name }?.key)))
            return
        }
        var service = Service(id: "", name: name)
        service.sources = Sources(locations: [location(row, nil)], fields: sharedFieldLocations(c), citations: c.list(.source))
        service.description = c.all(.description).joined(separator: "\n\n")
        service.eligibility = c.list(.eligibility).map { Self.rule($0, defaultEffect: .requires) }
            + c.list(.exclusions).map { Self.rule($0, defaultEffect: .excludes) }
        if let cost = c.text(.cost) {
            if let parsed = Cost(parsing: cost) { service.cost = parsed } else { service.costNote = cost }
        }
        service.languages = c.list(.languages)
        for word in c.list(.delivery) {
            if let mode = DeliveryMode(parsing: word) {
                if !service.delivery.contains(mode) { service.delivery.append(mode) }
            } else {
                c.warn(.unreadableValue, "delivery mode '\(word)' is not one of: \(DeliveryMode.allCases.map(\.rawValue).joined(separator: ", ")); kept as an attribute", .delivery)
                service.attributes["delivery"] = word
            }
        }
        service.contact.phone = c.text(.phone)
        if let email = c.text(.email) {
            if let valid = ValueParsing.email(email) { service.contact.email = valid } else {
                c.warn(.unreadableValue, "'\(email)' is not an e-mail address; ignored", .email)
            }
        }
        if let website = c.text(.website) {
            let (link, refused) = ValueParsing.safeLink(website)
            if let link { service.contact.website = link }
            if refused || link == nil {
                c.warn(.refusedLink, "link '\(website)' is not an http or https address; refused", .website)
            }
        }
        service.contact.address = c.text(.address)
        service.contact.postcode = c.text(.postcode)
        if let flag = c.text(.confidentialAddress) {
            switch ValueParsing.yesNo(flag) {
            case .some(let value): service.confidentialAddress = value ?? false
            case .none: c.warn(.unreadableValue, "'\(flag)' is not yes or no; the address is treated as confidential to be safe", .confidentialAddress)
                service.confidentialAddress = true
            }
        }
        if let status = c.text(.status) {
            if let parsed = ServiceStatus(parsing: status) { service.status = parsed } else {
                c.warn(.unreadableValue, "status '\(status)' is not one of: active, pilot, inactive, closed; taken as active", .status)
            }
        }
        service.lastVerified = c.day(.lastVerified)
        if let sector = c.text(.sector) {
            if let parsed = Sector(parsing: sector) { service.sector = parsed } else {
                c.warn(.unreadableValue, "sector '\(sector)' is not one of: \(Sector.allCases.map(\.rawValue).joined(separator: ", "))", .sector)
            }
        }
        service.howToRefer = c.all(.howToRefer).joined(separator: "\n")
        if service.howToRefer?.isEmpty == true { service.howToRefer = nil }
        service.ages = c.ages()
        service.attributes = c.attributes

        var draft = ServiceDraft(id: c.text(.id), name: name, nameLocation: c.location(of: .name), service: service)
        draft.organisation = c.reference(.organisation)
        // The most specific area column wins; lists give several areas.
        for field in [Field.locality, .council, .area, .healthBoard] {
            let refs = c.references(field)
            if !refs.isEmpty {
                draft.areas = refs
                break
            }
        }
        draft.categories = c.references(.categories)
        draft.levels = c.references(.levels)
        draft.referredBy = c.references(.referredBy)
        if let flag = c.text(.selfReferral) {
            switch ValueParsing.yesNo(flag) {
            case .some(let value): draft.selfReferral = value
            case .none: c.warn(.unreadableValue, "'\(flag)' is not yes or no (self-referral)", .selfReferral)
            }
            draft.selfReferralLocation = c.location(of: .selfReferral)
        }
        fragment.services.append(draft)
    }

    static func rule(_ text: String, defaultEffect: EligibilityRule.Effect) -> EligibilityRule {
        let lower = text.lowercased()
        for effect in [EligibilityRule.Effect.requires, .excludes] where lower.hasPrefix(effect.rawValue + ":") {
            return EligibilityRule(effect, EligibilityCondition(parsing: String(text.dropFirst(effect.rawValue.count + 1))))
        }
        var effect = defaultEffect
        if lower.hasPrefix("not ") || lower.hasPrefix("no ") || lower.hasPrefix("excludes") || lower.hasPrefix("exclude") { effect = .excludes }
        return EligibilityRule(effect, EligibilityCondition(parsing: text))
    }

    private mutating func mapRoute(_ c: inout RowContext, row: Row) {
        guard let from = c.reference(.from), let to = c.reference(.to) else {
            let missing = c.text(.from) == nil ? "from" : "to"
            c.diagnostics.append(.error(.missingField, "referral route has no '\(missing)'", at: location(row, nil)))
            return
        }
        var mode = ReferrerRole.recognise(from.text) == .self ? ReferralMode.selfReferral : .professional
        if let text = c.text(.mode) {
            if let parsed = ReferralMode(parsing: text) { mode = parsed } else {
                c.warn(.unreadableValue, "referral mode '\(text)' is not one of: \(ReferralMode.allCases.map(\.rawValue).joined(separator: ", ")); taken as \(mode.rawValue)", .mode)
            }
        }
        var kind = RouteKind.referral
        if let text = c.text(.kind) {
            if let parsed = RouteKind(parsing: text) { kind = parsed } else {
                c.warn(.unreadableValue, "route kind '\(text)' is not one of: referral, step-up, step-down", .kind)
            }
        }
        fragment.routes.append(RouteDraft(
            from: from, to: to, area: c.reference(.area), mode: mode, kind: kind,
            conditions: c.text(.conditions), notes: c.all(.notes).joined(separator: "\n").nilIfEmpty,
            sources: Sources(locations: [location(row, nil)], fields: sharedFieldLocations(c), citations: c.list(.source))))
    }

    private mutating func mapArea(_ c: inout RowContext, row: Row) {
        guard let name = c.text(.name) ?? c.text(.code) else {
            c.diagnostics.append(.error(.missingName, "area row has no name", at: location(row, nil)))
            return
        }
        guard let kindText = c.text(.kind) else {
            c.diagnostics.append(.error(.missingField, "area '\(name)' has no kind (nation, region, health-board, council, locality)", at: location(row, nil)))
            return
        }
        guard let kind = AreaKind(parsing: kindText) else {
            c.diagnostics.append(.error(.unreadableValue, "area kind '\(kindText)' is not one of: nation, region, health-board, council, locality", at: c.location(of: .kind)))
            return
        }
        fragment.areas.append(AreaDraft(code: c.text(.code), name: name, kind: kind, parent: c.reference(.parent),
                                        sources: Sources(locations: [location(row, nil)], fields: sharedFieldLocations(c), citations: c.list(.source))))
    }

    private mutating func mapLevel(_ c: inout RowContext, row: Row) {
        guard let name = c.text(.name), let area = c.reference(.area) else {
            c.diagnostics.append(.error(.missingField, "level row needs a name and an area", at: location(row, nil)))
            return
        }
        var ring: ContinuumRing?
        if let text = c.text(.ring) {
            ring = ContinuumRing(parsing: text)
            if ring == nil {
                c.diagnostics.append(.error(.levelWithoutRing,
                    "'\(text)' is not a ring of the continuum (Universal, Early Help, Child in Need, Unidentified Child Protection, Child Protection, Pre-proceedings, Court)",
                    at: c.location(of: .ring)))
                return
            }
        }
        var order: Int?
        if let text = c.text(.order) {
            order = Int(text) ?? Int(text.filter(\.isNumber))
            if order == nil { c.warn(.unreadableValue, "order '\(text)' is not a number", .order) }
        }
        fragment.levels.append(LevelDraft(id: c.text(.id), area: area, name: name, order: order, ring: ring,
                                          description: c.all(.description).joined(separator: "\n\n"),
                                          sources: Sources(locations: [location(row, nil)], fields: sharedFieldLocations(c), citations: c.list(.source))))
    }

    private mutating func mapOrganisation(_ c: inout RowContext, row: Row) {
        guard let name = c.text(.name) else {
            c.diagnostics.append(.error(.missingName, "organisation row has no name", at: location(row, nil)))
            return
        }
        var sector: Sector?
        if let text = c.text(.sector) {
            sector = Sector(parsing: text)
            if sector == nil { c.warn(.unreadableValue, "sector '\(text)' is not one of: \(Sector.allCases.map(\.rawValue).joined(separator: ", "))", .sector) }
        }
        var website: String?
        if let text = c.text(.website) {
            let (link, refused) = ValueParsing.safeLink(text)
            website = link
            if refused || link == nil { c.warn(.refusedLink, "link '\(text)' is not an http or https address; refused", .website) }
        }
        fragment.organisations.append(OrganisationDraft(id: c.text(.id), name: name, sector: sector, website: website,
                                                        description: c.all(.description).joined(separator: "\n\n"),
                                                        sources: Sources(locations: [location(row, nil)], fields: sharedFieldLocations(c), citations: c.list(.source))))
    }

    private mutating func mapCategory(_ c: inout RowContext, row: Row) {
        guard let name = c.text(.name) ?? c.text(.id) else { return }
        fragment.categories.append(CategoryDraft(id: c.text(.id), name: name, parent: c.reference(.parent), synonyms: c.list(.synonyms),
                                                 sources: Sources(locations: [location(row, nil)])))
    }
}

/// Where a table's cells are: a sheet of a workbook (`file:Sheet!B4`) or lines of text (`file:12:4`).
struct CellPlace {
    var file: String
    var sheet: String?

    func location(_ row: Row, _ column: Int?) -> SourceLocation {
        sheet != nil
            ? SourceLocation(file: file, sheet: sheet, row: row.number, column: column)
            : SourceLocation(file: file, row: row.line ?? row.number, column: column)
    }
}

/// One row's values by field, with helpers that parse them and report at the right cell.
/// It holds copies of small values only: holding the sheet's mapping state would share its
/// growing arrays and make every append copy them.
/// A row's values by field, each with its column, in the row's order. A row has a dozen or two,
/// so fields are found by a scan: a dictionary of arrays per row (hashing every lookup, an array
/// per field) was a fifth of mapping a large sheet.
struct FieldValues {
    private var fields: [Field] = []
    private var texts: [String] = []
    /// The columns the values were read from, in order: rows read from the same columns have
    /// the same fields in the same places.
    private(set) var columns: [Int] = []

    init(capacity: Int) {
        fields.reserveCapacity(capacity)
        texts.reserveCapacity(capacity)
        columns.reserveCapacity(capacity)
    }

    mutating func append(_ field: Field, _ text: String, column: Int) {
        fields.append(field)
        texts.append(text)
        columns.append(column)
    }

    var isEmpty: Bool { fields.isEmpty }
    var firstField: Field? { fields.first }

    /// The field's first value.
    func first(_ field: Field) -> (text: String, column: Int)? {
        fields.firstIndex(of: field).map { (texts[$0], columns[$0]) }
    }

    /// All the field's values (a repeatable field can have several columns).
    func all(_ field: Field) -> [(text: String, column: Int)] {
        fields.indices.compactMap { fields[$0] == field ? (texts[$0], columns[$0]) : nil }
    }

    /// Each field that has a value, with its first value's column.
    var firstColumns: [(field: Field, column: Int)] {
        var seen: [(field: Field, column: Int)] = []
        for (field, column) in zip(fields, columns) where !seen.contains(where: { $0.field == field }) {
            seen.append((field, column))
        }
        return seen
    }
}

struct RowContext {
    let fields: FieldValues
    let attributes: [String: String]
    let row: Row
    let mapping: RowMappingView
    let ageTexts: AgeTexts
    var diagnostics: [Diagnostic] = []

    init(fields: FieldValues, attributes: [String: String], row: Row, place: CellPlace, headerNames: [Int: String],
         headerFields: [Int: Field], ageTexts: AgeTexts) {
        self.fields = fields
        self.attributes = attributes
        self.row = row
        self.mapping = RowMappingView(place: place, names: headerNames, fields: headerFields)
        self.ageTexts = ageTexts
    }

    func location(of field: Field) -> SourceLocation? {
        fields.first(field).map { mapping.location(row, $0.column) }
    }

    /// Where each field's first value was, by provenance key. Min and max age share `ages`, which
    /// cites the first of their columns. In key order, so each is appended without a search.
    var fieldLocations: FieldLocations {
        var firsts = fields.firstColumns.map { (key: Self.provenanceKey($0.field), column: $0.column) }
        firsts.sort { ($0.key, $0.column) < ($1.key, $1.column) }
        var result = FieldLocations()
        for (i, first) in firsts.enumerated() where i == 0 || firsts[i - 1].key != first.key {
            result.append(first.key, mapping.location(row, first.column))
        }
        return result
    }

    /// Field names as the model's provenance keys them (`ages` for min/max age columns too).
    static func provenanceKey(_ field: Field) -> String {
        switch field {
        case .minAge, .maxAge: "ages"
        case .lastVerified: "last verified"
        default: field.rawValue
        }
    }

    func text(_ field: Field) -> String? {
        guard let first = fields.first(field)?.text, !ValueParsing.isEmptyWord(first) else { return nil }
        return first
    }

    func all(_ field: Field) -> [String] {
        fields.all(field).map(\.text).filter { !ValueParsing.isEmptyWord($0) }
    }

    func list(_ field: Field) -> [String] {
        fields.all(field).flatMap { ValueParsing.list($0.text) }
    }

    func reference(_ field: Field) -> TextReference? {
        guard let (text, column) = fields.first(field), !ValueParsing.isEmptyWord(text) else { return nil }
        return TextReference(text, at: mapping.location(row, column))
    }

    func references(_ field: Field) -> [TextReference] {
        fields.all(field).flatMap { value in
            ValueParsing.list(value.text).map { TextReference($0, at: mapping.location(row, value.column)) }
        }
    }

    mutating func warn(_ code: DiagnosticCode, _ message: String, _ field: Field) {
        diagnostics.append(.warning(code, message, at: location(of: field)))
    }

    /// A date from a date cell, or from text in ISO, UK or "1 March 2024" form.
    mutating func day(_ field: Field) -> Day? {
        guard let (text, column) = fields.first(field) else { return nil }
        if ValueParsing.isEmptyWord(text) || text.lowercased().hasPrefix("never") || text.lowercased().hasPrefix("not verified") { return nil }
        var day: Day?
        if case .date(let d, _) = row[column] {
            day = d
        } else if let d = Day(parsing: text) {
            day = d
        } else if let serial = Double(text), (20000...80000).contains(serial) {
            day = ExcelDate.day(fromSerial: serial, use1904: false)
        }
        guard let day else {
            warn(.unreadableDate, "'\(text)' is not a date (use 2024-03-01 or 01/03/2024)", field)
            return nil
        }
        return day
    }

    /// Ages from an "Ages" column or "Min age"/"Max age" columns (years unless the header says months).
    mutating func ages() -> AgeRange? {
        if let text = text(.ages) {
            switch ageTexts.parse(text) {
            case .success(let range): return range
            case .failure:
                warn(.unreadableAge, "age range '\(text)' is not readable (try '0-5', 'pre-birth to 3', 'under 5s', '18+')", .ages)
                return nil
            }
        }
        let minText = text(.minAge), maxText = text(.maxAge)
        guard minText != nil || maxText != nil else { return nil }
        func months(_ text: String?, _ field: Field, upper: Bool) -> Int?? {
            guard let text else { return .some(nil) }
            let header = mapping.headerName(for: field, row: row)?.lowercased() ?? ""
            let inMonths = header.contains("month") || text.lowercased().contains("month")
            if ["pregnancy", "pre-birth", "prebirth", "antenatal", "unborn"].contains(text.lowercased()) { return .some(AgeRange.pregnancyStart) }
            guard let n = Double(text.filter { $0.isNumber || $0 == "." }), !text.filter(\.isNumber).isEmpty else { return nil }
            if inMonths { return .some(Int(n)) }
            return .some(upper ? Int(n * 12) + 11 : Int(n * 12))
        }
        guard let lo = months(minText, .minAge, upper: false), let hi = months(maxText, .maxAge, upper: true) else {
            warn(.unreadableAge, "minimum or maximum age is not a number", minText != nil ? .minAge : .maxAge)
            return nil
        }
        return AgeRange(minMonths: lo, maxMonths: hi)
    }
}

/// Age-range texts already parsed, shared by the rows of one sheet.
final class AgeTexts {
    private var parsed: [String: Result<AgeRange, AgeRangeParser.Failure>] = [:]

    func parse(_ text: String) -> Result<AgeRange, AgeRangeParser.Failure> {
        if let known = parsed[text] { return known }
        let result = AgeRangeParser.parse(text)
        if parsed.count < 10_000 { parsed[text] = result }
        return result
    }
}

/// What a row needs to know of its table: where it is and what the header said.
struct RowMappingView {
    let place: CellPlace
    let names: [Int: String]
    let fields: [Int: Field]

    func location(_ row: Row, _ column: Int?) -> SourceLocation { place.location(row, column) }

    func headerName(for field: Field, row: Row) -> String? {
        fields.first { $0.value == field }.flatMap { names[$0.key] }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Spreadsheet serial dates: days since 1899-12-30 (1900 system, with Excel's phantom 29 Feb 1900
/// absorbed by that epoch for dates after it) or since 1904-01-01.
public enum ExcelDate {
    public static func day(fromSerial serial: Double, use1904: Bool) -> Day? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        var days = Int(serial.rounded(.down))
        if use1904 { days += 1462 }
        // 1900 system: serial 60 is the non-existent 1900-02-29; serials below it are one day later
        // than the 1899-12-30 epoch suggests.
        if !use1904 && days < 61 { days += 1 }
        return civilFromDays(days - 25569)  // 25569 = days from 1899-12-30 to 1970-01-01
    }

    /// Howard Hinnant's days-from-civil inverse: days since 1970-01-01 → calendar date.
    static func civilFromDays(_ z0: Int) -> Day {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return Day(year: m <= 2 ? y + 1 : y, month: m, day: d)
    }
}
