import Foundation
import ServiceMapCore

/// The services due for review — never verified, or last verified `months` or more before `today`
/// — grouped by the organisation that runs them (ALISS's and Connected Kingston's review cycle).
public struct ReviewPlan: Sendable {
    public struct Item: Sendable, Hashable {
        public var service: Service
        /// Whole months since the last verification; nil when never verified.
        public var monthsSince: Int?
    }

    public struct Group: Sendable {
        /// nil for services with no organisation.
        public var organisation: Organisation?
        public var items: [Item]

        /// A file-safe name for the group's workbook.
        public var fileStem: String { organisation?.id.rawValue ?? "no-organisation" }
        public var title: String { organisation?.name ?? "Services with no organisation" }
    }

    public var today: Day
    public var months: Int
    public var groups: [Group]
    public var totalServices: Int

    public var dueCount: Int { groups.reduce(0) { $0 + $1.items.count } }

    public init(graph: ServiceGraph, today: Day, months: Int = 12) {
        self.today = today
        self.months = months
        totalServices = graph.services.count
        var byOrganisation: [OrganisationID?: [Item]] = [:]
        for service in graph.sortedServices {
            let since = service.lastVerified.map { $0.months(until: today) }
            guard since == nil || since! >= months else { continue }
            byOrganisation[service.organisation, default: []].append(Item(service: service, monthsSince: since))
        }
        groups = byOrganisation.map { id, items in
            Group(organisation: id.flatMap { graph.organisations[$0] },
                  items: items.sorted { ($0.service.name, $0.service.id) < ($1.service.name, $1.service.id) })
        }.sorted { a, b in
            // Named organisations A–Z, services with none last.
            switch (a.organisation, b.organisation) {
            case (nil, nil): return false
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?): return (x.name, x.id) < (y.name, y.id)
            }
        }
    }
}

/// A review workbook for one organisation: the facts a provider can confirm, one row per service,
/// and a "Verified on" column. Filled in and imported with `servicemap import --merge FILE`, each
/// row updates the stored service of the same ID (its values win; empty cells keep what is stored),
/// and the run records every change, so the record keeps its history.
public enum ReviewWorkbook {
    public static let header = [
        "ID", "Name", "Organisation", "Area", "Description", "Ages", "Eligibility", "Cost", "Languages", "Delivery", "Phone", "Email",
        "Website", "Address", "Postcode", "Confidential address", "Status", "How to refer", "Verified on",
    ]

    /// The workbook's bytes: title rows saying what to do (the importer skips them), then the table.
    public static func xlsx(_ group: ReviewPlan.Group, graph: ServiceGraph, today: Day, file: String) throws -> Data {
        var rows: [[XLSXCell]] = [
            [.text("Review of \(group.title) in the service directory, prepared \(today).")],
            [.text("Please check each row and correct anything that is wrong. 'Verified on' shows when the row was last confirmed (empty: never); put the date you checked it there.")],
            [.text("Then import it: servicemap import --merge \(file)  (rows are matched by ID; empty cells keep what is stored).")],
            [],
            header.map { .text($0) },
        ]
        for item in group.items {
            let s = item.service
            rows.append([
                .text(s.id.rawValue), .text(s.name), DirectoryTables.text(s.organisation?.rawValue),
                DirectoryTables.list(s.areas.map(\.rawValue)), DirectoryTables.text(s.description),
                DirectoryTables.text(s.ages.map(DirectoryTables.ages)), DirectoryTables.list(s.eligibility.map(\.key)),
                DirectoryTables.text(s.cost?.rawValue ?? s.costNote), DirectoryTables.list(s.languages),
                DirectoryTables.list(s.delivery.map(\.rawValue)), DirectoryTables.text(s.contact.phone), DirectoryTables.text(s.contact.email),
                DirectoryTables.text(s.contact.website), DirectoryTables.text(s.contact.address), DirectoryTables.text(s.contact.postcode),
                s.confidentialAddress ? .text("yes") : .empty, .text(s.status.rawValue), DirectoryTables.text(s.howToRefer),
                s.lastVerified.map { .date($0) } ?? .empty,
            ])
        }
        // The sheet is called Services so the importer reads it as a services table; the title rows
        // sit above the header, which it finds by its column names.
        let sheet = XLSXSheet(name: "Services", header: rows[0].map { if case .text(let t) = $0 { t } else { "" } }, rows: Array(rows.dropFirst()))
        return try XLSXWriter(sheets: [sheet]).data()
    }
}
