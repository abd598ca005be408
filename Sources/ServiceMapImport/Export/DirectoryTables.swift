import Foundation
import ServiceMapCore

/// One table of servicemap's own import layout: a sheet of a workbook, or a file of a CSV folder.
public struct DirectoryTable: Sendable, Equatable {
    /// The sheet name ("Referral routes").
    public var name: String
    /// The file name in a CSV folder ("referral-routes.csv").
    public var fileName: String
    public var header: [String]
    public var rows: [[XLSXCell]]
}

/// The directory as servicemap's own import layout — the tables `TableMapper` recognises — so
/// that import → export → import gives the same graph.
///
/// **What survives a round trip.** Every field of every record, in order, with these rules:
/// - *Provenance* after a round trip means: the citations (the Source column) are kept exactly;
///   the file locations (`Sources.locations` and `Sources.fields`) now point at the exported
///   workbook's cells, because that is where the facts were read from. A record that was merged
///   from two files comes back as one row, citing both.
/// - Referral routes are all written to the routes table (including self-referral), so the services
///   table leaves `Self-referral?` and `Referred by` empty.
/// - A service's id is written only when it is not the id servicemap would derive from its name and
///   first area; derived ids come back by derivation.
/// - Only categories that are not servicemap's standard taxonomy get a Categories table.
/// - The organisations table names its name column "Organisation", not "Name", so that no file
///   name (`directory.xlsx` hints at services) can make it look like a services table.
/// - Lists are written with `; ` (a lone item with a comma gets a trailing `;` so it is not split).
/// Known limits, reported as notes by `lossyFields`: a cost with both a kind and a note keeps the
/// kind; an eligibility rule's note is dropped; an age range with no lower bound reads back from 0.
public enum DirectoryTables {
    public static let areaHeader = ["Code", "Name", "Kind", "Parent", "Source"]
    public static let levelHeader = ["ID", "Area", "Name", "Order", "Ring", "Description", "Source"]
    public static let categoryHeader = ["ID", "Name", "Parent", "Synonyms"]
    public static let organisationHeader = ["ID", "Organisation", "Sector", "Website", "Description", "Source"]
    public static let serviceHeader = [
        "ID", "Name", "Organisation", "Area", "Description", "Categories", "Ages", "Levels", "Eligibility", "Exclusions", "Cost",
        "Languages", "Delivery", "Phone", "Email", "Website", "Address", "Postcode", "Confidential address", "Status",
        "Last verified", "Sector", "Self-referral?", "Referred by", "How to refer", "Source",
    ]
    public static let routeHeader = ["From", "To", "Area", "Mode", "Kind", "Conditions", "Notes", "Source"]

    /// The tables for `graph`, in import order. Dates are date cells (CSV writes them as ISO text).
    public static func tables(for graph: ServiceGraph) -> [DirectoryTable] {
        var tables: [DirectoryTable] = []
        tables.append(DirectoryTable(name: "Areas", fileName: "areas.csv", header: areaHeader, rows: graph.sortedAreas.map { area in
            [.text(area.code.rawValue), .text(area.name), .text(area.kind.rawValue), text(area.parent?.rawValue), list(area.sources.citations)]
        }))
        tables.append(DirectoryTable(name: "Levels", fileName: "levels.csv", header: levelHeader, rows: graph.sortedLevels.map { level in
            [.text(level.id.rawValue), .text(level.area.rawValue), .text(level.name), .number(Double(level.order)),
             text(level.ring?.name), text(level.description), list(level.sources.citations)]
        }))
        let standard = Dictionary(uniqueKeysWithValues: NeedCategory.standard.map { ($0.id, $0) })
        let ownCategories = graph.sortedCategories.filter { standard[$0.id] != $0 }
        if !ownCategories.isEmpty {
            tables.append(DirectoryTable(name: "Categories", fileName: "categories.csv", header: categoryHeader, rows: ownCategories.map { c in
                [.text(c.id.rawValue), .text(c.name), text(c.parent?.rawValue), list(c.synonyms)]
            }))
        }
        tables.append(DirectoryTable(name: "Organisations", fileName: "organisations.csv", header: organisationHeader,
                                     rows: graph.sortedOrganisations.map { org in
            [.text(org.id.rawValue), .text(org.name), text(org.sector?.rawValue), text(org.website), text(org.description),
             list(org.sources.citations)]
        }))
        // Attributes (columns the importer did not recognise) come back as columns of their own.
        let attributeNames = Set(graph.services.values.flatMap(\.attributes.keys)).sorted()
        tables.append(DirectoryTable(name: "Services", fileName: "services.csv", header: serviceHeader + attributeNames,
                                     rows: graph.sortedServices.map { row(for: $0, attributes: attributeNames) }))
        tables.append(DirectoryTable(name: "Referral routes", fileName: "referral-routes.csv", header: routeHeader,
                                     rows: graph.sortedRoutes.map { route in
            let from: String = switch route.from {
            case .role(let role): role.rawValue
            case .service(let id): id.rawValue
            }
            return [.text(from), .text(route.to.rawValue), .empty, .text(route.mode.rawValue), .text(route.kind.rawValue),
                    text(route.conditions), text(route.notes), list(route.sources.citations)]
        }))
        return tables
    }

    static func row(for s: Service, attributes: [String]) -> [XLSXCell] {
        let derived = ServiceID.derived(name: s.name, area: s.areas.first)
        var cost: XLSXCell = .empty
        if let kind = s.cost { cost = .text(kind.rawValue) } else if let note = s.costNote { cost = .text(note) }
        var cells: [XLSXCell] = [
            s.id == derived ? .empty : .text(s.id.rawValue), .text(s.name), text(s.organisation?.rawValue),
            list(s.areas.map(\.rawValue)), text(s.description), list(s.categories.map(\.rawValue)), text(s.ages.map(ages)),
            list(s.levels.map(\.rawValue)), list(s.eligibility.map(\.key)), .empty, cost, list(s.languages),
            list(s.delivery.map(\.rawValue)), text(s.contact.phone), text(s.contact.email), text(s.contact.website),
            text(s.contact.address), text(s.contact.postcode), s.confidentialAddress ? .text("yes") : .empty,
            .text(s.status.rawValue), s.lastVerified.map { .date($0) } ?? .empty, text(s.sector?.rawValue), .empty, .empty,
            text(s.howToRefer), list(s.sources.citations),
        ]
        cells += attributes.map { text(s.attributes[$0]) }
        return cells
    }

    /// Ages in words the age parser reads back to the same months: whole years where they are
    /// whole years ("0 to 5 years", "pre-birth to 3 years", "18+ years"), months otherwise.
    public static func ages(_ range: AgeRange) -> String {
        switch (range.minMonths, range.maxMonths) {
        case (nil, nil): return "all ages"
        case (let lo?, nil) where lo >= 0:
            return lo % 12 == 0 ? "\(lo / 12)+ years" : "\(lo)+ months"
        case (let lo?, let hi?) where lo == AgeRange.pregnancyStart && hi == -1:
            return "pre-birth"
        case (let lo?, let hi?) where lo == AgeRange.pregnancyStart && hi >= 0:
            return (hi + 1) % 12 == 0 ? "pre-birth to \((hi + 1) / 12 - 1) years" : "pre-birth to \(hi) months"
        case (let lo?, let hi?) where lo >= 0 && hi >= lo:
            if lo % 12 == 0 && (hi + 1) % 12 == 0 { return "\(lo / 12) to \((hi + 1) / 12 - 1) years" }
            return "\(lo) to \(hi) months"
        case (nil, let hi?) where hi >= 0:
            return "up to \(hi) months"
        default:
            return range.description
        }
    }

    /// Fields of `graph` the layout cannot carry exactly, as notes for the person exporting.
    public static func lossyFields(_ graph: ServiceGraph) -> [String] {
        var notes: [String] = []
        for s in graph.sortedServices {
            if s.cost != nil, let note = s.costNote { notes.append("\(s.id): cost note '\(note)' is not written (the cost kind is)") }
            if s.eligibility.contains(where: { $0.note != nil }) { notes.append("\(s.id): eligibility notes are not written") }
            if let ages = s.ages, AgeRangeParser.parse(Self.ages(ages)) != .success(ages) {
                notes.append("\(s.id): ages \(ages) read back as '\(Self.ages(ages))'")
            }
        }
        return notes
    }

    static func text(_ value: String?) -> XLSXCell {
        guard let value, !value.isEmpty else { return .empty }
        return .text(value)
    }

    /// A list cell that `ValueParsing.list` splits back into the same items.
    static func list(_ items: [String]) -> XLSXCell {
        guard !items.isEmpty else { return .empty }
        var joined = items.joined(separator: "; ")
        if items.count == 1 && joined.contains(",") { joined += ";" }
        return .text(joined)
    }
}
