import Foundation
import ServiceMapCore

/// Writes the directory as Open Referral HSDS 3.0: full services as JSON (a paginated list, the
/// shape of the API's `/services` answer) and the CSV data package (`csv/datapackage.json` and
/// one CSV file per table).
///
/// What HSDS cannot say travels in servicemap's own vocabulary (`ServiceMapVocabulary`), exactly
/// as `HSDSServiceMapping` reads it back: the service id, areas, categories, levels of need,
/// referral routes and the confidential-address flag as `attributes` linking taxonomy terms.
///
/// Ids: HSDS ids are UUIDs. Each is derived from the record's servicemap id (SHA-256 of
/// `servicemap:<kind>:<id>`, shaped as a version-8 UUID), so the same directory always gives the
/// same ids and a consumer can follow a record from one export to the next.
///
/// Not carried (HSDS has no place for them; a re-import keeps what is stored for them when merged):
/// route conditions and notes, delivery modes other than online, a `pilot` status (written as
/// active), organisation sectors, several eligibility rules (written as one description) and
/// unrecognised columns. A confidential address is never written.
public struct HSDSWriter {
    public var graph: ServiceGraph

    public init(graph: ServiceGraph) {
        self.graph = graph
    }

    public struct Written: Sendable {
        public var json: [String]
        public var tables: [String]
    }

    /// Writes `services.json` and `csv/` into `folder` (created if needed).
    @discardableResult
    public func write(to folder: URL) throws -> Written {
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("csv"), withIntermediateDirectories: true)
        try servicesJSON().write(to: folder.appendingPathComponent("services.json"), options: .atomic)
        var names: [String] = []
        for table in tables() {
            var text = CSVText.line(table.columns)
            for row in table.rows { text += CSVText.line(row.map(CSVText.field)) }
            try Data(text.utf8).write(to: folder.appendingPathComponent("csv/\(table.name).csv"), options: .atomic)
            names.append(table.name)
        }
        try dataPackage(tables()).write(to: folder.appendingPathComponent("csv/datapackage.json"), options: .atomic)
        return Written(json: ["services.json"], tables: names)
    }

    // MARK: JSON

    /// The full services as one page of the `/services` list.
    public func servicesJSON() throws -> Data {
        let services = graph.sortedServices.map(fullService)
        let page: [String: JSONValue] = [
            "total_items": .number(Double(services.count)), "total_pages": .number(1), "page_number": .number(1),
            "size": .number(Double(services.count)), "first_page": .bool(true), "last_page": .bool(true), "empty": .bool(services.isEmpty),
            "contents": .array(services),
        ]
        return Data(JSONValue.object(page).serialized(pretty: true).utf8)
    }

    /// One service as an HSDS 3.0 full service record.
    public func fullService(_ s: Service) -> JSONValue {
        let serviceID = Self.uuid("service", s.id.rawValue)
        var o: [String: JSONValue] = [
            "id": .string(serviceID), "name": .string(s.name), "status": .string(Self.status(s.status)),
        ]
        if !s.description.isEmpty { o["description"] = .string(s.description) }
        if let url = s.contact.website { o["url"] = .string(url) }
        if let email = s.contact.email { o["email"] = .string(email) }
        if let how = s.howToRefer { o["application_process"] = .string(how) }
        if let day = s.lastVerified { o["assured_date"] = .string(day.description) }
        if let cost = s.cost {
            o["fees_description"] = .string(cost.rawValue)
            if let note = s.costNote {
                o["cost_options"] = .array([.object(["id": .string(Self.uuid("cost", s.id.rawValue)), "service_id": .string(serviceID),
                                                     "amount_description": .string(note)])])
            }
        } else if let note = s.costNote {
            o["fees_description"] = .string(note)
        }
        if !s.eligibility.isEmpty { o["eligibility_description"] = .string(eligibilityText(s.eligibility)) }
        if let ages = s.ages {
            if let lo = ages.minMonths { o["minimum_age"] = .number(Self.years(lower: lo)) }
            if let hi = ages.maxMonths { o["maximum_age"] = .number(Self.years(upper: hi)) }
        }
        if let phone = s.contact.phone {
            o["phones"] = .array([.object(["id": .string(Self.uuid("phone", s.id.rawValue)), "service_id": .string(serviceID), "number": .string(phone)])])
        }
        if !s.languages.isEmpty {
            o["languages"] = .array(s.languages.map { name in
                .object(["id": .string(Self.uuid("language", s.id.rawValue + "/" + name)), "service_id": .string(serviceID), "name": .string(name)])
            })
        }
        if let org = s.organisation.flatMap({ graph.organisations[$0] }) {
            o["organization_id"] = .string(Self.uuid("organization", org.id.rawValue))
            o["organization"] = organization(org)
        }
        if let sal = serviceAtLocation(s) { o["service_at_locations"] = .array([sal]) }
        o["attributes"] = .array(attributes(s).map { attribute in
            var a: [String: JSONValue] = [
                "id": .string(attribute.id), "link_id": .string(serviceID), "link_type": .string("service"), "link_entity": .string("service"),
                "taxonomy_term_id": .string(attribute.term.id), "taxonomy_term": attribute.term.json,
            ]
            if let value = attribute.value { a["value"] = .string(value) }
            return .object(a)
        })
        return .object(o)
    }

    func organization(_ org: Organisation) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(Self.uuid("organization", org.id.rawValue)), "name": .string(org.name), "description": .string(org.description),
        ]
        if let website = org.website { o["website"] = .string(website) }
        return .object(o)
    }

    /// The service's one physical location, unless its address is confidential or unknown.
    func serviceAtLocation(_ s: Service) -> JSONValue? {
        guard !s.confidentialAddress, s.contact.address != nil || s.contact.postcode != nil else { return nil }
        let locationID = Self.uuid("location", s.id.rawValue)
        let address: [String: JSONValue] = [
            "id": .string(Self.uuid("address", s.id.rawValue)), "location_id": .string(locationID),
            "address_1": .string(s.contact.address ?? ""), "city": .string(""), "state_province": .string(""),
            "postal_code": .string(s.contact.postcode ?? ""), "country": .string("GB"), "address_type": .string("physical"),
        ]
        let location: [String: JSONValue] = [
            "id": .string(locationID), "location_type": .string("physical"), "addresses": .array([.object(address)]),
        ]
        return .object([
            "id": .string(Self.uuid("service_at_location", s.id.rawValue)), "service_id": .string(Self.uuid("service", s.id.rawValue)),
            "location_id": .string(locationID), "location": .object(location),
        ])
    }

    // MARK: servicemap's vocabulary

    struct Term: Hashable {
        var taxonomy: String
        var code: String
        var name: String
        var description: String
        var id: String { HSDSWriter.uuid("taxonomy_term", taxonomy + "/" + code) }
        var json: JSONValue {
            .object(["id": .string(id), "code": .string(code), "name": .string(name), "description": .string(description),
                     "taxonomy": .string(taxonomy), "taxonomy_id": .string(HSDSWriter.uuid("taxonomy", taxonomy))])
        }
    }

    struct Attribute {
        var id: String
        var term: Term
        var value: String?
    }

    static let taxonomies: [(name: String, description: String)] = [
        (ServiceMapVocabulary.id, "servicemap's own id for the service (HSDS ids are UUIDs)"),
        (ServiceMapVocabulary.area, "The areas a service covers, by servicemap area code"),
        (ServiceMapVocabulary.category, "servicemap's taxonomy of needs"),
        (ServiceMapVocabulary.level, "The levels of need a service works at, in its area's own framework"),
        (ServiceMapVocabulary.referral, "Who can refer to a service: the attribute's value is the referral mode and, after ';', the route kind"),
        (ServiceMapVocabulary.flag, "servicemap's flags on a service"),
    ]

    func attributes(_ s: Service) -> [Attribute] {
        var result: [Attribute] = []
        func add(_ taxonomy: String, _ code: String, _ name: String, _ description: String, value: String? = nil) {
            let term = Term(taxonomy: taxonomy, code: code, name: name, description: description)
            result.append(Attribute(id: Self.uuid("attribute", s.id.rawValue + "/" + taxonomy + "/" + code), term: term, value: value))
        }
        add(ServiceMapVocabulary.id, s.id.rawValue, s.id.rawValue, "servicemap service id")
        for code in s.areas {
            add(ServiceMapVocabulary.area, code.rawValue, graph.areas[code]?.name ?? code.rawValue, graph.areas[code]?.kind.label ?? "Area")
        }
        for id in s.categories {
            add(ServiceMapVocabulary.category, id.rawValue, graph.categories[id]?.name ?? id.rawValue, "Category of need")
        }
        for id in s.levels {
            let level = graph.levels[id]
            let ring = level?.ring.map { " (ring \($0.rawValue) of the continuum: \($0.name))" } ?? ""
            add(ServiceMapVocabulary.level, id.rawValue, level?.name ?? id.rawValue,
                "Level of need in \(level.flatMap { graph.areas[$0.area]?.name } ?? "its area")'s framework\(ring)")
        }
        for route in graph.routes(into: s.id) {
            let code: String, name: String
            switch route.from {
            case .role(let role): code = role.rawValue; name = role.label
            case .service(let id): code = "service:\(id.rawValue)"; name = graph.services[id]?.name ?? id.rawValue
            }
            let value = route.kind == .referral ? route.mode.rawValue : "\(route.mode.rawValue);\(route.kind.rawValue)"
            // One attribute per route: the same referrer may refer in two modes.
            let term = Term(taxonomy: ServiceMapVocabulary.referral, code: code, name: name, description: "Referrer")
            result.append(Attribute(id: Self.uuid("attribute", s.id.rawValue + "/" + route.id), term: term, value: value))
        }
        if s.confidentialAddress {
            add(ServiceMapVocabulary.flag, ServiceMapVocabulary.confidentialAddress, "Confidential address",
                "The address is never shown", value: "true")
        }
        return result
    }

    /// One rule as its key (read back exactly); several as plain words.
    func eligibilityText(_ rules: [EligibilityRule]) -> String {
        if rules.count == 1, rules[0].effect == .requires { return rules[0].condition.key }
        return rules.map(\.description).joined(separator: "; ")
    }

    static func status(_ status: ServiceStatus) -> String {
        switch status {
        case .active, .pilot: "active"
        case .inactive: "inactive"
        case .closed: "defunct"
        }
    }

    /// Years such that the reader's `Int(years × 12)` gives back `months`: exact for whole years,
    /// otherwise nudged half a month away from zero so truncation cannot land on the wrong month.
    /// Months before birth give negative years (pregnancy starts at −0.75).
    static func years(lower months: Int) -> Double {
        months % 12 == 0 ? Double(months / 12) : (Double(months) + (months < 0 ? -0.5 : 0.5)) / 12
    }

    /// Years such that the reader's `Int(years × 12) + 11` gives back `months` (an upper bound is
    /// the last month of the year named: "up to 5" is 71 months).
    static func years(upper months: Int) -> Double {
        years(lower: months - 11)
    }

    /// A stable UUID for a record: SHA-256 of `servicemap:<kind>:<key>`, version 8, RFC 4122 variant.
    public static func uuid(_ kind: String, _ key: String) -> String {
        var bytes = Array(SHA256.digest(Data("servicemap:\(kind):\(key)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }

    // MARK: CSV data package

    struct Table {
        var name: String
        var columns: [String]
        var rows: [[String]]
    }

    /// The HSDS 3.0 tables, rows in a stable order.
    func tables() -> [Table] {
        var organizations = Table(name: "organizations", columns: ["id", "name", "description", "website"], rows: [])
        var services = Table(name: "services", columns: ["id", "organization_id", "name", "description", "url", "email", "status",
                                                         "application_process", "fees_description", "eligibility_description",
                                                         "minimum_age", "maximum_age", "assured_date"], rows: [])
        var phones = Table(name: "phones", columns: ["id", "service_id", "number"], rows: [])
        var languages = Table(name: "languages", columns: ["id", "service_id", "name"], rows: [])
        var costOptions = Table(name: "cost_options", columns: ["id", "service_id", "amount_description"], rows: [])
        var locations = Table(name: "locations", columns: ["id", "location_type"], rows: [])
        var addresses = Table(name: "addresses", columns: ["id", "location_id", "address_1", "city", "state_province", "postal_code",
                                                           "country", "address_type"], rows: [])
        var sal = Table(name: "service_at_location", columns: ["id", "service_id", "location_id"], rows: [])
        var taxonomies = Table(name: "taxonomies", columns: ["id", "name", "description"], rows: [])
        var terms = Table(name: "taxonomy_terms", columns: ["id", "code", "name", "description", "taxonomy", "taxonomy_id"], rows: [])
        var attributes = Table(name: "attributes", columns: ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"], rows: [])

        for org in graph.sortedOrganisations {
            organizations.rows.append([Self.uuid("organization", org.id.rawValue), org.name, org.description, org.website ?? ""])
        }
        for (name, description) in Self.taxonomies {
            taxonomies.rows.append([Self.uuid("taxonomy", name), name, description])
        }
        var seenTerms: Set<String> = []
        for s in graph.sortedServices {
            guard case .object(let o) = fullService(s) else { continue }
            func text(_ key: String) -> String {
                switch o[key] {
                case .string(let t): t
                case .number(let n): JSONValue.number(n).serialized(pretty: false)
                default: ""
                }
            }
            let id = text("id")
            services.rows.append(services.columns.map(text))
            if let phone = s.contact.phone { phones.rows.append([Self.uuid("phone", s.id.rawValue), id, phone]) }
            for name in s.languages { languages.rows.append([Self.uuid("language", s.id.rawValue + "/" + name), id, name]) }
            if s.cost != nil, let note = s.costNote { costOptions.rows.append([Self.uuid("cost", s.id.rawValue), id, note]) }
            if serviceAtLocation(s) != nil {
                let locationID = Self.uuid("location", s.id.rawValue)
                locations.rows.append([locationID, "physical"])
                addresses.rows.append([Self.uuid("address", s.id.rawValue), locationID, s.contact.address ?? "", "", "",
                                       s.contact.postcode ?? "", "GB", "physical"])
                sal.rows.append([Self.uuid("service_at_location", s.id.rawValue), id, locationID])
            }
            for attribute in self.attributes(s) {
                attributes.rows.append([attribute.id, id, attribute.term.id, "service", "service", attribute.value ?? ""])
                if seenTerms.insert(attribute.term.id).inserted {
                    let t = attribute.term
                    terms.rows.append([t.id, t.code, t.name, t.description, t.taxonomy, Self.uuid("taxonomy", t.taxonomy)])
                }
            }
        }
        terms.rows.sort { $0[0] < $1[0] }
        return [organizations, services, phones, languages, costOptions, locations, addresses, sal, taxonomies, terms, attributes]
    }

    /// A Frictionless tabular data package descriptor naming each table and its columns.
    func dataPackage(_ tables: [Table]) -> Data {
        let numeric: Set<String> = ["minimum_age", "maximum_age"]
        let resources: [JSONValue] = tables.map { table in
            .object([
                "name": .string(table.name), "path": .string(table.name + ".csv"), "profile": .string("tabular-data-resource"),
                "format": .string("csv"), "mediatype": .string("text/csv"), "encoding": .string("utf-8"),
                "schema": .object(["fields": .array(table.columns.map { column in
                    .object(["name": .string(column), "type": .string(numeric.contains(column) ? "number" : "string")])
                }), "primaryKey": .string("id")]),
            ])
        }
        let package: JSONValue = .object([
            "name": .string("servicemap-directory"), "title": .string("Service directory exported by servicemap"),
            "profile": .string("tabular-data-package"), "version": .string("3.0"),
            "description": .string("Open Referral HSDS 3.0 tables. Levels of need, referral routes, areas, categories and servicemap ids are attributes linking taxonomy terms of the servicemap-* taxonomies."),
            "resources": .array(resources),
        ])
        return Data(package.serialized(pretty: true).utf8)
    }
}

/// A JSON value written with sorted keys and stable number forms, so output is deterministic.
public indirect enum JSONValue: Hashable, Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    public func serialized(pretty: Bool) -> String {
        var out = ""
        write(into: &out, indent: pretty ? 0 : nil)
        return pretty ? out + "\n" : out
    }

    private func write(into out: inout String, indent: Int?) {
        let newline = indent == nil ? "" : "\n"
        let pad = { (level: Int) in String(repeating: "  ", count: level) }
        switch self {
        case .string(let s): Self.quote(s, into: &out)
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { out += String(Int(n)) } else { out += String(n) }
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + newline
            for (i, item) in items.enumerated() {
                if let indent { out += pad(indent + 1) }
                item.write(into: &out, indent: indent.map { $0 + 1 })
                out += (i < items.count - 1 ? "," : "") + newline
            }
            if let indent { out += pad(indent) }
            out += "]"
        case .object(let entries):
            if entries.isEmpty { out += "{}"; return }
            out += "{" + newline
            let keys = entries.keys.sorted()
            for (i, key) in keys.enumerated() {
                if let indent { out += pad(indent + 1) }
                Self.quote(key, into: &out)
                out += indent == nil ? ":" : ": "
                entries[key]!.write(into: &out, indent: indent.map { $0 + 1 })
                out += (i < keys.count - 1 ? "," : "") + newline
            }
            if let indent { out += pad(indent) }
            out += "}"
        }
    }

    static func quote(_ s: String, into out: inout String) { JSONText.appendString(s, to: &out) }
}
