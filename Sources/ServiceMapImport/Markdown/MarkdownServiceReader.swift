import Foundation
import ServiceMapCore
import Yams

/// Reads a service description written in Markdown: YAML front matter between `---` lines
/// holds the fields, the body is the description (kept as Markdown source; the site renders it).
///
/// ```markdown
/// ---
/// name: Glasgow Family Support
/// organisation: Example Trust
/// area: [Glasgow City]
/// categories: [parenting, poverty and housing]
/// ages: pre-birth to 5
/// self-referral: yes
/// referred-by: [health visitor, GP]
/// last-verified: 2024-03-01
/// source: "000 Phase 1 findings, Glasgow"
/// ---
/// Weekly groups and home visits for families …
/// ```
///
/// Keys are the spreadsheet's field names in lowercase kebab case (`last-verified`,
/// `confidential-address`); `snake_case` and the spreadsheet header synonyms are accepted too.
/// List fields take a YAML list or a `;`/`,`-separated string. Every value's location is the line
/// and column of its key in the file (`file.md:7:1`). Unknown keys are kept as attributes, with
/// one note naming them. A file without front matter, or whose front matter has no `name`, is not
/// a service description: it gets one warning and is skipped.
public struct MarkdownServiceReader {
    public let path: String
    let options: ImportOptions

    public init(path: String, options: ImportOptions) {
        self.path = path
        self.options = options
    }

    public func read() throws -> GraphFragment {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImportFailure(.unreadableFile, "could not open the file: \(error.localizedDescription)", at: SourceLocation(file: path))
        }
        let (bytes, encoding) = TextDecoding.utf8Bytes(data)
        var fragment = read(text: String(decoding: bytes, as: UTF8.self))
        if encoding == .windows1252 {
            fragment.diagnostics.insert(.warning(.encodingFallback, "the file is not valid UTF-8; read it as Windows-1252",
                                                 at: SourceLocation(file: path)), at: 0)
        }
        return fragment
    }

    /// Reads a description already in memory; `path` still names it in locations.
    public func read(text: String) -> GraphFragment {
        var fragment = GraphFragment()
        let file = SourceLocation(file: path)
        guard let (yaml, body, firstLine) = Self.split(text) else {
            fragment.diagnostics.append(.warning(.notAServiceDescription,
                "no YAML front matter (a '---' line, fields, a '---' line) at the top; not read as a service", at: file))
            return fragment
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            fragment.diagnostics.append(.error(.invalidFrontMatter, "the front matter is not valid YAML: \(Self.describe(error))",
                                               at: Self.location(of: error, file: path, firstLine: firstLine) ?? file))
            return fragment
        }
        guard let mapping = root?.mapping else {
            fragment.diagnostics.append(.warning(.notAServiceDescription,
                "the front matter is not a list of 'key: value' fields; not read as a service", at: file.at(row: firstLine)))
            return fragment
        }
        var entries = FrontMatter(file: path, firstLine: firstLine, mapping: options.mapping)
        entries.read(mapping)
        guard let name = entries.text(.name) else {
            fragment.diagnostics += entries.diagnostics
            fragment.diagnostics.append(.warning(.notAServiceDescription,
                "the front matter has no 'name'; not read as a service", at: file.at(row: firstLine)))
            return fragment
        }
        var draft = entries.serviceDraft(name: name, body: body)
        draft.service.sources.locations = [file.at(row: 1, column: 1)]
        fragment.services.append(draft)
        fragment.diagnostics += entries.diagnostics
        return fragment
    }

    /// The front matter's YAML, the body, and the file line the YAML starts on.
    static func split(_ text: String) -> (yaml: String, body: String, firstLine: Int)? {
        // "\r\n" is one Character in Swift, so split on every kind of line end.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
        guard let first = lines.first, first.trimmed == "---" else { return nil }
        guard let end = lines.indices.dropFirst().first(where: {
            let t = lines[$0].trimmed
            return t == "---" || t == "..."
        }) else { return nil }
        let yaml = lines[1..<end].joined(separator: "\n")
        var body = Array(lines[(end + 1)...])
        while let firstBody = body.first, firstBody.allSatisfy(\.isWhitespace) { body.removeFirst() }
        while let lastBody = body.last, lastBody.allSatisfy(\.isWhitespace) { body.removeLast() }
        return (yaml, body.joined(separator: "\n"), 2)
    }

    static func describe(_ error: Error) -> String {
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
            default: break
            }
        }
        return String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }

    static func location(of error: Error, file: String, firstLine: Int) -> SourceLocation? {
        guard let yaml = error as? YamlError else { return nil }
        switch yaml {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: file, row: mark.line + firstLine - 1, column: mark.column)
        default:
            return nil
        }
    }
}

extension DiagnosticCode {
    public static let notAServiceDescription: DiagnosticCode = "not-a-service-description"
    public static let invalidFrontMatter: DiagnosticCode = "invalid-front-matter"
    public static let unknownKey: DiagnosticCode = "unknown-key"
}

/// Front-matter fields with the location of each key, and the parsing of their values.
private struct FrontMatter {
    let file: String
    let firstLine: Int
    let mapping: ColumnMapping
    var values: [Field: (items: [String], location: SourceLocation)] = [:]
    var attributes: [String: String] = [:]
    var diagnostics: [Diagnostic] = []

    init(file: String, firstLine: Int, mapping: ColumnMapping) {
        self.file = file
        self.firstLine = firstLine
        self.mapping = mapping
    }

    func location(_ node: Node) -> SourceLocation {
        guard let mark = node.mark else { return SourceLocation(file: file, row: firstLine) }
        return SourceLocation(file: file, row: mark.line + firstLine - 1, column: mark.column)
    }

    mutating func read(_ root: Node.Mapping) {
        var unknown: [(String, SourceLocation)] = []
        for (keyNode, valueNode) in root {
            guard let key = keyNode.scalar?.string else { continue }
            let at = location(keyNode)
            let items = Self.items(valueNode)
            let slug = Slug.make(key)
            if let field = Field(rawValue: slug) ?? mapping.fields(for: key, kind: .services), Self.serviceFields.contains(field) {
                if values[field] != nil {
                    diagnostics.append(.warning(.unreadableValue, "'\(key)' is given twice; the first is kept", at: at))
                    continue
                }
                values[field] = (items, at)
            } else {
                attributes[key] = items.joined(separator: "; ")
                unknown.append((key, at))
            }
        }
        if !unknown.isEmpty {
            diagnostics.append(.note(.unknownKey,
                "key\(unknown.count == 1 ? "" : "s") \(unknown.map { "'\($0.0)'" }.joined(separator: ", ")) not recognised; kept as attributes",
                at: unknown[0].1))
        }
    }

    static let serviceFields: Set<Field> = [
        .id, .name, .organisation, .description, .area, .locality, .council, .healthBoard, .categories, .ages, .minAge, .maxAge,
        .levels, .eligibility, .exclusions, .cost, .languages, .delivery, .phone, .email, .website, .address, .postcode,
        .confidentialAddress, .status, .lastVerified, .sector, .selfReferral, .referredBy, .howToRefer, .source, .notes,
    ]

    /// A scalar gives one item, a sequence one per entry; nested mappings are written back as YAML.
    static func items(_ node: Node) -> [String] {
        switch node {
        case .scalar(let scalar):
            let text = scalar.string.trimmed
            return text.isEmpty || text == "~" || text == "null" ? [] : [text]
        case .sequence(let sequence):
            return sequence.flatMap { items($0) }
        case .mapping, .alias:
            return [((try? Yams.serialize(node: node)) ?? "").trimmed].filter { !$0.isEmpty }
        }
    }

    func at(_ field: Field) -> SourceLocation? { values[field]?.location }

    func text(_ field: Field) -> String? {
        guard let first = values[field]?.items.first, !ValueParsing.isEmptyWord(first) else { return nil }
        return values[field]!.items.joined(separator: field == .description || field == .howToRefer ? "\n\n" : "; ")
    }

    func list(_ field: Field) -> [String] {
        (values[field]?.items ?? []).flatMap { ValueParsing.list($0) }
    }

    func references(_ field: Field) -> [TextReference] {
        list(field).map { TextReference($0, at: at(field)) }
    }

    mutating func warn(_ code: DiagnosticCode, _ message: String, _ field: Field) {
        diagnostics.append(.warning(code, message, at: at(field)))
    }

    var fieldLocations: [String: SourceLocation] {
        var result: [String: SourceLocation] = [:]
        for (field, value) in values {
            let key: String = switch field {
            case .minAge, .maxAge: "ages"
            case .lastVerified: "last verified"
            default: field.rawValue
            }
            result[key] = value.location
        }
        return result
    }

    mutating func serviceDraft(name: String, body: String) -> ServiceDraft {
        var service = Service(id: "", name: name)
        service.sources = Sources(locations: [], fields: fieldLocations, citations: list(.source))
        service.description = [text(.description), body.isEmpty ? nil : body].compactMap { $0 }.joined(separator: "\n\n")
        service.eligibility = list(.eligibility).map { SheetMapping.rule($0, defaultEffect: .requires) }
            + list(.exclusions).map { SheetMapping.rule($0, defaultEffect: .excludes) }
        if let cost = text(.cost) {
            if let parsed = Cost(parsing: cost) { service.cost = parsed } else { service.costNote = cost }
        }
        service.languages = list(.languages)
        for word in list(.delivery) {
            if let mode = DeliveryMode(parsing: word) {
                if !service.delivery.contains(mode) { service.delivery.append(mode) }
            } else {
                warn(.unreadableValue, "delivery mode '\(word)' is not one of: \(DeliveryMode.allCases.map(\.rawValue).joined(separator: ", ")); kept as an attribute", .delivery)
                service.attributes["delivery"] = word
            }
        }
        service.contact.phone = text(.phone)
        if let email = text(.email) {
            if let valid = ValueParsing.email(email) { service.contact.email = valid } else {
                warn(.unreadableValue, "'\(email)' is not an e-mail address; ignored", .email)
            }
        }
        if let website = text(.website) {
            let (link, refused) = ValueParsing.safeLink(website)
            if let link, !refused { service.contact.website = link } else {
                warn(.refusedLink, "link '\(website)' is not an http or https address; refused", .website)
            }
        }
        service.contact.address = text(.address)
        service.contact.postcode = text(.postcode)
        if let flag = text(.confidentialAddress) {
            switch ValueParsing.yesNo(flag) {
            case .some(let value): service.confidentialAddress = value ?? false
            case .none:
                warn(.unreadableValue, "'\(flag)' is not yes or no; the address is treated as confidential to be safe", .confidentialAddress)
                service.confidentialAddress = true
            }
        }
        if let status = text(.status) {
            if let parsed = ServiceStatus(parsing: status) { service.status = parsed } else {
                warn(.unreadableValue, "status '\(status)' is not one of: active, pilot, inactive, closed; taken as active", .status)
            }
        }
        if let verified = text(.lastVerified), !verified.lowercased().hasPrefix("never") {
            if let day = Day(parsing: verified) { service.lastVerified = day } else {
                warn(.unreadableDate, "'\(verified)' is not a date (use 2024-03-01)", .lastVerified)
            }
        }
        if let sector = text(.sector) {
            if let parsed = Sector(parsing: sector) { service.sector = parsed } else {
                warn(.unreadableValue, "sector '\(sector)' is not one of: \(Sector.allCases.map(\.rawValue).joined(separator: ", "))", .sector)
            }
        }
        service.howToRefer = text(.howToRefer)
        service.ages = ages()
        if let notes = text(.notes) { attributes["notes"] = notes }
        service.attributes.merge(attributes) { old, _ in old }

        var draft = ServiceDraft(id: text(.id), name: name, nameLocation: at(.name), service: service)
        if let organisation = text(.organisation) { draft.organisation = TextReference(organisation, at: at(.organisation)) }
        for field in [Field.locality, .council, .area, .healthBoard] {
            let refs = references(field)
            if !refs.isEmpty {
                draft.areas = refs
                break
            }
        }
        draft.categories = references(.categories)
        draft.levels = references(.levels)
        draft.referredBy = references(.referredBy)
        if let flag = text(.selfReferral) {
            switch ValueParsing.yesNo(flag) {
            case .some(let value): draft.selfReferral = value
            case .none: warn(.unreadableValue, "'\(flag)' is not yes or no (self-referral)", .selfReferral)
            }
            draft.selfReferralLocation = at(.selfReferral)
        }
        return draft
    }

    mutating func ages() -> AgeRange? {
        if let text = text(.ages) {
            switch AgeRangeParser.parse(text) {
            case .success(let range): return range
            case .failure:
                warn(.unreadableAge, "age range '\(text)' is not readable (try '0-5', 'pre-birth to 3', 'under 5s', '18+')", .ages)
                return nil
            }
        }
        let lo = text(.minAge), hi = text(.maxAge)
        guard lo != nil || hi != nil else { return nil }
        func months(_ text: String?, upper: Bool) -> Int?? {
            guard let text else { return .some(nil) }
            if ["pregnancy", "pre-birth", "prebirth", "antenatal", "unborn"].contains(text.lowercased()) { return .some(AgeRange.pregnancyStart) }
            guard let n = Double(text) else { return nil }
            return .some(upper ? Int(n * 12) + 11 : Int(n * 12))
        }
        guard let min = months(lo, upper: false), let max = months(hi, upper: true) else {
            warn(.unreadableAge, "minimum or maximum age is not a number of years", lo != nil ? .minAge : .maxAge)
            return nil
        }
        return AgeRange(minMonths: min, maxMonths: max)
    }
}
