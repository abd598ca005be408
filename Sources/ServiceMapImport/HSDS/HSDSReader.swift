import Foundation
import ServiceMapCore

/// Reads Open Referral data — HSDS 3.x and the UK profile (ORUK 3.0) as JSON, and the CSV data
/// package of HSDS 3.0, 2.0.1 and 1.1 — into service, organisation and route drafts.
///
/// JSON may be a single service, an array of them, a paginated API response
/// (`{"contents": [...]}`), a service-at-location or an organisation with nested services, the
/// "tabular" JSON form (`{"services.csv": [...], ...}`), or a `datapackage.json`. A package's
/// tables are joined by id into the same nested "full service" shape, so both roads share one
/// mapping (`HSDSServiceMapping`).
///
/// **Provenance.** JSON values are located at the `file:line:column` where the value starts
/// (the record at its opening `{`); CSV values at `file:line:field`, where `line` is the line the
/// CSV record starts on and `field` its 1-based field number — the same form `CSVReader` uses.
public struct HSDSReader {
    public let path: String
    let options: ImportOptions

    public init(path: String, options: ImportOptions) {
        self.path = path
        self.options = options
    }

    public func readJSON() throws -> GraphFragment {
        let root = try JSONParser.parse(try load(path), file: path)
        if let resources = root["resources"]?.array, root.isObject {
            return try readPackage(descriptor: root, resources: resources)
        }
        return read(root)
    }

    /// Reads a data package: `path` is its `datapackage.json`; tables are found beside it.
    public func readPackage() throws -> GraphFragment {
        let root = try JSONParser.parse(try load(path), file: path)
        guard let resources = root["resources"]?.array else {
            throw ImportFailure(.notHSDSData, "datapackage.json lists no 'resources'", at: root.location)
        }
        return try readPackage(descriptor: root, resources: resources)
    }

    func load(_ file: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ImportFailure(.unreadableFile, "could not open the file: \(error.localizedDescription)", at: SourceLocation(file: file))
        }
    }

    // MARK: JSON documents

    func read(_ root: JSONNode) -> GraphFragment {
        var fragment = GraphFragment()
        if root.isObject, root["$schema"] != nil || root["openapi"] != nil || root["swagger"] != nil
            || (root["properties"]?.isObject == true && root["type"] != nil)
        {
            fragment.diagnostics.append(.error(.notHSDSData, "this JSON file is a JSON Schema or API description, not HSDS data", at: root.location))
            return fragment
        }
        // Tabular JSON: one array of rows per CSV table name.
        if let entries = root.entries, !entries.isEmpty, entries.allSatisfy({ $0.key.hasSuffix(".csv") && $0.value.array != nil }) {
            var tables: [String: [JSONNode]] = [:]
            for entry in entries { tables[Self.tableKey(entry.key)] = entry.value.array }
            fragment.append(PackageJoin(tables: tables, file: path).fragment())
            return fragment
        }
        var records: [JSONNode]
        if let contents = root["contents"]?.array {
            records = contents
        } else if let array = root.array {
            records = array
        } else {
            records = [root]
        }
        var mapping = HSDSServiceMapping(file: path)
        var kinds: [String] = []
        for record in records {
            switch Self.kind(of: record) {
            case .service:
                mapping.map(record)
            case .serviceAtLocation:
                if let service = record["service"], service.isObject {
                    var sal = record.entries ?? []
                    sal.removeAll { $0.key == "service" }
                    mapping.map(service.setting("service_at_locations", .array([JSONNode(value: .object(sal), location: record.location)], at: record.location)))
                }
            case .organization:
                mapping.mapOrganisation(record)
                for service in record["services"]?.array ?? [] where service.isObject {
                    mapping.map(service.setting("organization", record))
                }
            case .other(let name):
                kinds.append(name)
            }
        }
        fragment.append(mapping.fragment)
        if fragment.services.isEmpty && fragment.organisations.isEmpty && !fragment.diagnostics.hasErrors {
            let what = kinds.isEmpty ? "no records" : Array(Set(kinds)).sorted().joined(separator: ", ")
            fragment.diagnostics.append(.warning(.noHSDSServices, "this HSDS file holds no services or organisations (\(what)); nothing imported", at: root.location))
        }
        return fragment
    }

    enum RecordKind: Equatable { case service, serviceAtLocation, organization, other(String) }

    static func kind(of record: JSONNode) -> RecordKind {
        guard record.isObject else { return .other("a \(record.array != nil ? "list" : "value")") }
        if record["service"]?.isObject == true { return .serviceAtLocation }
        let keys = Set((record.entries ?? []).map(\.key))
        if keys.contains("services") || !keys.isDisjoint(with: ["legal_status", "tax_status", "year_incorporated", "organization_identifiers", "logo", "website"]) && !keys.contains("url") {
            return keys.contains("name") ? .organization : .other("an organisation without a name")
        }
        if keys.contains("name"), !keys.isDisjoint(with: ["url", "status", "organization", "organization_id", "service_at_locations", "minimum_age",
                                                           "eligibility_description", "application_process", "assured_date", "fees_description", "cost_options", "email", "description"])
            && !keys.contains("location_type") && !keys.contains("taxonomy") && !keys.contains("term_uri") && !keys.contains("version") {
            return .service
        }
        if keys.contains("location_type") || keys.contains("addresses") || keys.contains("latitude") { return .other("a location") }
        if keys.contains("term_uri") || keys.contains("taxonomy") || keys.contains("taxonomy_detail") { return .other("a taxonomy term") }
        if keys.contains("version") && (keys.contains("uri") || keys.contains("openapi_url")) {
            return .other(keys.contains("openapi_url") ? "an API base document" : "a taxonomy")
        }
        return .other("an unrecognised record")
    }

    /// "services.csv", "all_resources/services.csv" → "services".
    static func tableKey(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension.lowercased()
    }

    // MARK: Data packages

    func readPackage(descriptor: JSONNode, resources: [JSONNode]) throws -> GraphFragment {
        var fragment = GraphFragment()
        let base = (path as NSString).deletingLastPathComponent
        var tables: [String: [JSONNode]] = [:]
        var missing: [String] = []
        for resource in resources {
            guard let relative = resource["path"]?.text ?? resource["path"]?.array?.first?.text else { continue }
            if relative.contains("://") { continue }  // remote tables are never fetched
            let file = base.isEmpty ? relative : base + "/" + relative
            guard FileManager.default.fileExists(atPath: file) else {
                missing.append(relative)
                continue
            }
            do {
                tables[Self.tableKey(relative)] = try readCSVTable(file, diagnostics: &fragment.diagnostics)
            } catch let failure as ImportFailure {
                fragment.diagnostics.append(failure.diagnostic)
            }
        }
        if !missing.isEmpty {
            let servicesMissing = missing.contains { Self.tableKey($0) == "services" }
            let message = "the package lists \(missing.count == 1 ? "a table" : "tables") not found beside it: \(missing.joined(separator: ", "))"
            fragment.diagnostics.append(servicesMissing
                ? .error(.missingPackageResource, message + "; without services.csv nothing can be imported", at: descriptor.location)
                : .warning(.missingPackageResource, message, at: descriptor.location))
        }
        fragment.append(PackageJoin(tables: tables, file: path).fragment())
        if fragment.services.isEmpty && !fragment.diagnostics.hasErrors {
            fragment.diagnostics.append(.warning(.noHSDSServices, "the data package holds no services; nothing imported", at: descriptor.location))
        }
        return fragment
    }

    /// A CSV table as records located at their cells (`file:line:field`).
    func readCSVTable(_ file: String, diagnostics: inout [Diagnostic]) throws -> [JSONNode] {
        let reader = try CSVReader(path: file, limits: options.limits)
        var header: [Int: String] = [:]
        var records: [JSONNode] = []
        var tableDiagnostics: [Diagnostic] = []
        for sheet in try reader.sheets() {
            try reader.forEachRow(in: sheet, diagnostics: &tableDiagnostics) { row in
                if header.isEmpty {
                    for cell in row.cells { header[cell.column] = cell.value.text?.trimmed.lowercased() }
                    return
                }
                let line = row.line ?? row.number
                var entries: [(String, JSONNode)] = []
                for cell in row.cells {
                    guard let key = header[cell.column], let text = cell.value.text else { continue }
                    entries.append((key, .string(text, at: SourceLocation(file: file, row: line, column: cell.column))))
                }
                records.append(.object(entries, at: SourceLocation(file: file, row: line)))
            }
        }
        // Ragged rows in HSDS tables are common and harmless once joined by column name.
        diagnostics += tableDiagnostics.filter { $0.code != .raggedRow }
        return records
    }
}

extension DiagnosticCode {
    public static let notHSDSData: DiagnosticCode = "not-hsds-data"
    public static let noHSDSServices: DiagnosticCode = "no-hsds-services"
    public static let missingPackageResource: DiagnosticCode = "missing-package-resource"
}

/// Joins the tables of a data package (or tabular JSON) by id into nested full-service records.
/// Table names are the CSV file names without extension, so HSDS 3.0, 2.0.1 and 1.1 layouts all
/// resolve (`addresses` / `physical_addresses`, `service_at_location` / `services_at_location`,
/// `schedules` / `regular_schedules`, `attributes` / `service_attributes` / `services_taxonomy`).
struct PackageJoin {
    let tables: [String: [JSONNode]]
    let file: String

    func table(_ names: String...) -> [JSONNode] {
        names.flatMap { tables[$0] ?? [] }
    }

    func index(_ rows: [JSONNode], by key: String) -> [String: [JSONNode]] {
        var result: [String: [JSONNode]] = [:]
        for row in rows { if let id = row[key]?.text { result[id, default: []].append(row) } }
        return result
    }

    func fragment() -> GraphFragment {
        var mapping = HSDSServiceMapping(file: file)
        let organisations = index(table("organizations"), by: "id")
        let locations = index(table("locations"), by: "id")
        let addressesByLocation = index(table("addresses", "physical_addresses"), by: "location_id")
        let phonesByService = index(table("phones"), by: "service_id")
        let phonesByLocation = index(table("phones"), by: "location_id")
        let salByService = index(table("service_at_location", "services_at_location"), by: "service_id")
        let languagesByService = index(table("languages"), by: "service_id")
        let schedulesByService = index(table("schedules", "regular_schedules"), by: "service_id")
        let areasByService = index(table("service_areas"), by: "service_id")
        let costsByService = index(table("cost_options"), by: "service_id")
        let eligibilityByService = index(table("eligibility"), by: "service_id")
        let contactsByService = index(table("contacts"), by: "service_id")
        let documentsByService = index(table("required_documents"), by: "service_id")
        let fundingByService = index(table("funding"), by: "service_id")
        let programs = index(table("programs"), by: "id")
        let terms = index(table("taxonomy_terms", "taxonomy"), by: "id")
        let attributesByLink = index(table("attributes", "other_attributes"), by: "link_id")
        let serviceAttributes = index(table("service_attributes", "services_taxonomy"), by: "service_id")

        for organisation in table("organizations") { mapping.mapOrganisation(organisation) }
        for service in table("services") {
            let at = service.location
            let id = service["id"]?.text ?? ""
            var record = service
            func set(_ key: String, _ rows: [JSONNode]) {
                if !rows.isEmpty { record = record.setting(key, .array(rows, at: at)) }
            }
            if let orgID = service["organization_id"]?.text, let organisation = organisations[orgID]?.first {
                record = record.setting("organization", organisation)
            }
            set("phones", phonesByService[id] ?? [])
            set("service_at_locations", (salByService[id] ?? []).map { sal in
                guard let locationID = sal["location_id"]?.text, var location = locations[locationID]?.first else { return sal }
                if let addresses = addressesByLocation[locationID] { location = location.setting("addresses", .array(addresses, at: location.location)) }
                if let phones = phonesByLocation[locationID] { location = location.setting("phones", .array(phones, at: location.location)) }
                return sal.setting("location", location)
            })
            set("languages", languagesByService[id] ?? [])
            set("schedules", schedulesByService[id] ?? [])
            set("service_areas", areasByService[id] ?? [])
            set("cost_options", costsByService[id] ?? [])
            set("eligibility", eligibilityByService[id] ?? [])
            set("contacts", contactsByService[id] ?? [])
            set("required_documents", documentsByService[id] ?? [])
            set("funding", fundingByService[id] ?? [])
            if let programID = service["program_id"]?.text, let program = programs[programID]?.first {
                record = record.setting("program", program)
            }
            // Taxonomy: 3.0 attributes (link_id), 2.0.1 service_attributes, 1.1 services_taxonomy and taxonomy_ids.
            var attributes: [JSONNode] = []
            for link in (attributesByLink[id] ?? []) + (serviceAttributes[id] ?? []) {
                let termID = link["taxonomy_term_id"]?.text ?? link["taxonomy_id"]?.text
                if let termID, let term = terms[termID]?.first { attributes.append(link.setting("taxonomy_term", term)) } else { attributes.append(link) }
            }
            for termID in (service["taxonomy_ids"]?.text ?? "").split(separator: ",").map({ $0.trimmed }) where !termID.isEmpty {
                if let term = terms[termID]?.first { attributes.append(.object([("taxonomy_term", term)], at: at)) }
            }
            set("attributes", attributes)
            mapping.map(record)
        }
        return mapping.fragment
    }
}
