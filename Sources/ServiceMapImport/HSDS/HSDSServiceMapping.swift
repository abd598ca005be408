import Foundation
import ServiceMapCore

/// servicemap's own Open Referral vocabulary: what HSDS cannot say (levels of need, referral
/// routes, servicemap's ids, areas and categories, the confidential-address flag) travels as HSDS
/// `attributes` on the service, each linking a `taxonomy_term` of one of these taxonomies. Export
/// (issue 8) writes exactly this; import reads it back.
///
/// | taxonomy (`taxonomy_term.taxonomy`) | `taxonomy_term.code`                         | `attribute.value`                     | becomes |
/// |---|---|---|---|
/// | `servicemap-id`                     | the servicemap service id (`bookbug--glasgow-city`) | —                              | the service id (HSDS ids must be UUIDs) |
/// | `servicemap-level`                  | a level id (`bromley-level-2`); `name` the level's name | —                              | a level of need the service works at |
/// | `servicemap-referral`               | the referrer: a role id (`self`, `health-visitor`, `gp`) or `service:<id>` | `<mode>[;<kind>]`, e.g. `professional-referral` or `professional-referral;step-down` | a referral route to this service (`self` + `self-referral` = self-referral accepted) |
/// | `servicemap-category`               | a category id (`perinatal-mental-health`)    | —                                     | a category |
/// | `servicemap-area`                   | an area code (`glasgow-city`)                | —                                     | an area the service covers |
/// | `servicemap-flag`                   | `confidential-address`                       | `true` / `false`                      | the confidential-address flag (the address is then never read) |
///
/// Modes are `ReferralMode` raw values, kinds `RouteKind` raw values. Terms of any other
/// taxonomy become hints: a category if one is named so, otherwise dropped (and kept in the
/// `taxonomy` attribute).
public enum ServiceMapVocabulary {
    public static let id = "servicemap-id"
    public static let level = "servicemap-level"
    public static let referral = "servicemap-referral"
    public static let category = "servicemap-category"
    public static let area = "servicemap-area"
    public static let flag = "servicemap-flag"
    public static let confidentialAddress = "confidential-address"
}

/// Maps HSDS "full service" records onto service drafts, keeping what the model cannot hold as
/// attributes.
struct HSDSServiceMapping {
    let file: String
    var fragment = GraphFragment()
    private var organisationKeys: Set<String> = []

    init(file: String) {
        self.file = file
    }

    mutating func mapOrganisation(_ record: JSONNode) {
        guard let name = record["name"]?.text else { return }
        let key = Slug.make(name)
        guard organisationKeys.insert(key).inserted else { return }
        var website: String?
        if let text = record.first("website", "url")?.text {
            let (link, refused) = ValueParsing.safeLink(text)
            if let link, !refused { website = link }
        }
        var fields: [String: SourceLocation] = ["name": record["name"]!.location]
        if let node = record.first("website", "url") { fields["website"] = node.location }
        fragment.organisations.append(OrganisationDraft(
            id: nil, name: name, sector: nil, website: website, description: record["description"]?.text ?? "",
            sources: Sources(locations: [record.location], fields: fields)))
    }

    mutating func map(_ record: JSONNode) {
        guard let nameNode = record["name"], let name = nameNode.text else {
            fragment.diagnostics.append(.error(.missingName, "HSDS service has no name", at: record.location))
            return
        }
        var service = Service(id: "", name: name)
        var fields: [String: SourceLocation] = ["name": nameNode.location]
        var attributes: [String: String] = [:]
        func warn(_ code: DiagnosticCode, _ message: String, _ node: JSONNode?) {
            fragment.diagnostics.append(.warning(code, message, at: node?.location ?? record.location))
        }
        func keep(_ key: String, as attribute: String) {
            if let text = record[key]?.text { attributes[attribute] = text }
        }

        if let node = record["description"], let text = node.text {
            service.description = text
            fields["description"] = node.location
        }
        if let node = record["url"], let text = node.text {
            let (link, refused) = ValueParsing.safeLink(text)
            if let link, !refused { service.contact.website = link; fields["website"] = node.location } else {
                warn(.refusedLink, "link '\(text)' is not an http or https address; refused", node)
            }
        }
        if let node = record["email"], let text = node.text {
            if let email = ValueParsing.email(text) { service.contact.email = email; fields["email"] = node.location } else {
                warn(.unreadableValue, "'\(text)' is not an e-mail address; ignored", node)
            }
        }
        if let node = record["status"], let text = node.text {
            switch Slug.make(text) {
            case "temporarily-closed": service.status = .inactive
            default:
                if let status = ServiceStatus(parsing: text) { service.status = status } else {
                    warn(.unreadableValue, "status '\(text)' is not an HSDS status (active, inactive, defunct, temporarily closed); taken as active", node)
                }
            }
            fields["status"] = node.location
        }
        // Verified means someone confirmed the facts: HSDS says that with assured_date (and some
        // feeds with last_verified). last_modified changes on any edit or feed sync, so reading it
        // as "verified" would make stale records look fresh — the opposite of what review needs.
        if let node = record.first("assured_date", "last_verified", "last_verified_date", "verified_date"), let text = node.text {
            if let day = Day(parsing: String(text.prefix(10))) { service.lastVerified = day; fields["last verified"] = node.location } else {
                warn(.unreadableDate, "'\(text)' is not a date", node)
            }
        }
        keep("last_modified", as: "last-modified")
        keep("alternate_name", as: "alternate-name")
        keep("alert", as: "alert")
        keep("wait_time", as: "wait-time")
        keep("accreditations", as: "accreditations")
        keep("licenses", as: "licences")
        keep("interpretation_services", as: "interpretation-services")
        keep("assurer_email", as: "assurer-email")
        keep("id", as: "hsds-id")
        if let node = record["application_process"], let text = node.text {
            service.howToRefer = text
            fields["how-to-refer"] = node.location
        }

        // Ages and eligibility.
        let minNode = record["minimum_age"], maxNode = record["maximum_age"]
        if minNode?.text != nil || maxNode?.text != nil {
            let lo = minNode?.text.flatMap(Double.init), hi = maxNode?.text.flatMap(Double.init)
            if (minNode?.text != nil && lo == nil) || (maxNode?.text != nil && hi == nil) {
                warn(.unreadableAge, "minimum_age or maximum_age is not a number of years", minNode ?? maxNode)
            } else {
                service.ages = AgeRange(minMonths: lo.map { Int($0 * 12) }, maxMonths: hi.map { Int($0 * 12) + 11 })
                fields["ages"] = (minNode ?? maxNode)!.location
            }
        }
        if let text = record["eligibility_description"]?.text {
            service.eligibility.append(EligibilityRule(.requires, EligibilityCondition(parsing: text)))
            fields["eligibility"] = record["eligibility_description"]!.location
        }
        for row in record["eligibility"]?.list ?? [] {  // HSDS 1.1 / 2.0 eligibility table
            if let text = row["eligibility"]?.text { service.eligibility.append(EligibilityRule(.requires, EligibilityCondition(parsing: text))) }
        }

        // Cost: a free option or none with an amount says free; any amount says paid.
        var costNotes: [String] = []
        var amounts: [Double] = []
        for option in record["cost_options"]?.list ?? [] {
            if let amount = option["amount"]?.text.flatMap(Double.init) { amounts.append(amount) }
            let parts = [option["option"]?.text, option["amount"]?.text.map { a in [a, option["currency"]?.text?.uppercased()].compactMap { $0 }.joined(separator: " ") },
                         option["amount_description"]?.text].compactMap { $0 }
            if !parts.isEmpty { costNotes.append(parts.joined(separator: ": ")) }
        }
        if !amounts.isEmpty { service.cost = amounts.allSatisfy { $0 == 0 } ? .free : .paid }
        if let fees = record.first("fees_description", "fees")?.text {
            if service.cost == nil, let parsed = Cost(parsing: fees) { service.cost = parsed } else { costNotes.insert(fees, at: 0) }
        }
        if !costNotes.isEmpty { service.costNote = costNotes.joined(separator: "\n") }

        // Languages: 3.0 objects with a name, 1.1/2.0 rows with a "language" list.
        for language in record["languages"]?.list ?? [] {
            for name in (language["name"]?.text).map({ [$0] }) ?? ValueParsing.list(language["language"]?.text ?? "") where !service.languages.contains(name) {
                service.languages.append(name)
            }
        }

        // Flags and servicemap's own vocabulary, read first: a confidential address is never read.
        var levels: [TextReference] = [], categories: [TextReference] = [], areas: [TextReference] = [], hints: [TextReference] = []
        var routes: [(from: TextReference, mode: ReferralMode, kind: RouteKind, at: SourceLocation)] = []
        var selfReferral: (Bool, SourceLocation)?
        var draftID: String?
        var otherTerms: [String] = []
        for attribute in record["attributes"]?.list ?? [] {
            guard let term = attribute["taxonomy_term"] else { continue }
            let taxonomy = term["taxonomy"]?.text ?? term["taxonomy_detail"]?["name"]?.text ?? term["vocabulary"]?.text ?? ""
            let code = term["code"]?.text ?? term["name"]?.text ?? term["term"]?.text
            let value = attribute["value"]?.text
            let at = attribute.location
            switch taxonomy {
            case ServiceMapVocabulary.id:
                draftID = code ?? value
            case ServiceMapVocabulary.level:
                if let code { levels.append(TextReference(code, at: at)) }
            case ServiceMapVocabulary.category:
                if let code { categories.append(TextReference(code, at: at)) }
            case ServiceMapVocabulary.area:
                if let code { areas.append(TextReference(code, at: at)) }
            case ServiceMapVocabulary.flag:
                if code == ServiceMapVocabulary.confidentialAddress {
                    service.confidentialAddress = value.map { ValueParsing.yesNo($0) == .some(true) } ?? true
                }
            case ServiceMapVocabulary.referral:
                guard let code else { continue }
                let parts = (value ?? "").split(separator: ";").map { String($0).trimmed }
                let mode = parts.first.flatMap(ReferralMode.init(rawValue:)) ?? (code == "self" ? .selfReferral : .professional)
                let kind = parts.dropFirst().first.flatMap(RouteKind.init(rawValue:)) ?? .referral
                if code == "self" && mode == .selfReferral && kind == .referral {
                    selfReferral = (true, at)
                } else {
                    let from = code.hasPrefix("service:") ? String(code.dropFirst(8)) : code
                    routes.append((TextReference(from, at: at), mode, kind, at))
                }
            default:
                guard let name = term["name"]?.text ?? term["term"]?.text ?? code else { continue }
                hints.append(TextReference(name, at: at))
                otherTerms.append(taxonomy.isEmpty ? name : "\(taxonomy): \(name)")
            }
        }
        if !otherTerms.isEmpty { attributes["taxonomy"] = otherTerms.joined(separator: "; ") }

        // Contact details: the service's own phones first, then its locations'; the first physical
        // address of its locations unless the address is confidential.
        var phones: [JSONNode] = record["phones"]?.list ?? []
        var addressNode: JSONNode?
        var locationNames: [String] = []
        var schedules: [String] = []
        for schedule in record["schedules"]?.list ?? [] { if let text = Self.schedule(schedule) { schedules.append(text) } }
        for sal in record["service_at_locations"]?.list ?? [] {
            phones += sal["phones"]?.list ?? []
            for schedule in sal["schedules"]?.list ?? [] { if let text = Self.schedule(schedule) { schedules.append(text) } }
            guard let location = sal["location"] else { continue }
            if let name = location["name"]?.text { locationNames.append(name) }
            phones += location["phones"]?.list ?? []
            if location["location_type"]?.text == "virtual", !service.delivery.contains(.online) { service.delivery.append(.online) }
            let addresses = location["addresses"]?.list ?? []
            let physical = addresses.first { $0["address_type"]?.text == "physical" } ?? addresses.first
            if addressNode == nil { addressNode = physical }
        }
        for contact in record["contacts"]?.list ?? [] { phones += contact["phones"]?.list ?? [] }
        let numbers = phones.compactMap { phone -> (String, SourceLocation)? in
            guard let number = phone["number"]?.text else { return nil }
            let clean = number.trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
            return clean.isEmpty ? nil : (clean, phone.location)
        }
        if let first = numbers.first {
            service.contact.phone = first.0
            fields["phone"] = first.1
            let others = numbers.dropFirst().map(\.0).filter { $0 != first.0 }
            if !others.isEmpty { attributes["other-phones"] = Array(NSOrderedSet(array: others)).compactMap { $0 as? String }.joined(separator: "; ") }
        }
        if let address = addressNode, !service.confidentialAddress {
            let lines = ["address_1", "address_2", "address_3", "address_4", "city", "region", "state_province"].compactMap { address[$0]?.text }
            if !lines.isEmpty { service.contact.address = lines.joined(separator: ", "); fields["address"] = address.location }
            if let postcode = address["postal_code"]?.text { service.contact.postcode = postcode; fields["postcode"] = address["postal_code"]!.location }
        }
        if !locationNames.isEmpty { attributes["locations"] = locationNames.joined(separator: "; ") }
        if !schedules.isEmpty { attributes["schedule"] = schedules.joined(separator: "\n") }
        for area in record["service_areas"]?.list ?? [] {
            if let name = area.first("name", "service_area")?.text {
                hints.append(TextReference(name, at: area.location))
                attributes["service-area", default: ""] += (attributes["service-area"] == nil ? "" : "; ") + name
            }
        }
        let contactNames = (record["contacts"]?.list ?? []).compactMap { c in
            [c["name"]?.text, c["title"]?.text].compactMap { $0 }.joined(separator: ", ").nilIfEmpty
        }
        if !contactNames.isEmpty { attributes["contacts"] = contactNames.joined(separator: "; ") }
        let documents = (record["required_documents"]?.list ?? []).compactMap { $0["document"]?.text }
        if !documents.isEmpty { attributes["required-documents"] = documents.joined(separator: "; ") }
        let funding = (record["funding"]?.list ?? []).compactMap { $0["source"]?.text }
        if !funding.isEmpty { attributes["funding"] = funding.joined(separator: "; ") }
        if let program = record["program"]?["name"]?.text { attributes["programme"] = program }

        service.attributes = attributes
        service.sources = Sources(locations: [record.location], fields: fields)

        var draft = ServiceDraft(id: draftID, name: name, nameLocation: nameNode.location, service: service)
        if let organisation = record["organization"], organisation.isObject, let orgName = organisation["name"]?.text {
            mapOrganisation(organisation)
            draft.organisation = TextReference(orgName, at: organisation["name"]!.location)
        }
        draft.areas = areas
        draft.categories = categories
        draft.levels = levels
        draft.hints = hints
        if let (flag, at) = selfReferral {
            draft.selfReferral = flag
            draft.selfReferralLocation = at
        }
        fragment.services.append(draft)
        let target = TextReference(draftID ?? name, at: nameNode.location)
        for route in routes {
            fragment.routes.append(RouteDraft(from: route.from, to: target, area: areas.first, mode: route.mode, kind: route.kind,
                                              conditions: nil, notes: nil, sources: Sources(route.at)))
        }
    }

    /// A schedule as a line of text: its description, or "WEEKLY TH,FR 10:00–18:00".
    static func schedule(_ node: JSONNode) -> String? {
        if let description = node["description"]?.text { return description }
        let parts = [node["freq"]?.text, node["byday"]?.text ?? node["weekday"]?.text,
                     [node["opens_at"]?.text, node["closes_at"]?.text].compactMap { $0 }.joined(separator: "–").nilIfEmpty].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}
