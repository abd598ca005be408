import Foundation
import ServiceMapCore
import ServiceMapStore

/// The directory's recent history for the "What's new" page and its Atom feed: one entry per
/// import run that changed something, newest first, read from the store's recorded runs.
public struct Changelog: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var run: Int64
        /// When the run finished, as the store recorded it (ISO 8601, UTC).
        public var finishedAt: String
        /// How many records of each entity the run added, changed and removed.
        public var counts: [String: [RecordChange.Kind: Int]]
        /// The changes the page lists, in listing order (`ChangelogPage.listingOrder`): at most
        /// `ChangelogPage.recordsPerEntry`, since a first import changes every record.
        public var listed: [RecordChange]

        public init(run: Int64, finishedAt: String, counts: [String: [RecordChange.Kind: Int]], listed: [RecordChange]) {
            self.run = run
            self.finishedAt = finishedAt
            self.counts = counts
            self.listed = listed.sorted(by: ChangelogPage.listingOrder)
        }

        /// An entry from all of a run's changes.
        public init(run: Int64, finishedAt: String, changes: [RecordChange]) {
            var counts: [String: [RecordChange.Kind: Int]] = [:]
            for change in changes { counts[change.entity, default: [:]][change.kind, default: 0] += 1 }
            self.init(run: run, finishedAt: finishedAt, counts: counts,
                      listed: Array(changes.sorted(by: ChangelogPage.listingOrder).prefix(ChangelogPage.recordsPerEntry)))
        }

        /// All the changes the run made.
        public var total: Int { counts.values.reduce(0) { $0 + $1.values.reduce(0, +) } }

        /// The day of the run, "21 November 2026".
        public var dayText: String { Changelog.dayText(finishedAt) }

        /// "2 services changed, 1 referral route added".
        public var summary: String {
            var parts: [String] = []
            for (entity, singular, plural) in Changelog.entityWords {
                for kind in [RecordChange.Kind.added, .changed, .removed] {
                    let n = counts[entity]?[kind] ?? 0
                    if n > 0 { parts.append("\(n) \(n == 1 ? singular : plural) \(kind.rawValue)") }
                }
            }
            return parts.isEmpty ? "No changes" : parts.joined(separator: ", ")
        }
    }

    /// Newest first.
    public var entries: [Entry]
    /// When the first recorded run started: the directory's birth, which keeps the feed's id stable.
    public var startedAt: String?

    public init(entries: [Entry], startedAt: String? = nil) {
        self.entries = entries
        self.startedAt = startedAt
    }

    public static let empty = Changelog(entries: [])

    /// The last `limit` runs that changed something.
    public static func load(from store: ServiceStore, limit: Int = 20) throws -> Changelog {
        let runs = try store.runs()
        var entries: [Entry] = []
        for run in runs.reversed() where entries.count < limit {
            let overview = try store.changeOverview(inRun: run.id, listing: ChangelogPage.recordsPerEntry)
            if overview.total > 0 {
                entries.append(Entry(run: run.id, finishedAt: run.finishedAt, counts: overview.counts, listed: overview.listed))
            }
        }
        return Changelog(entries: entries, startedAt: runs.first?.startedAt)
    }

    static let entityWords: [(String, String, String)] = [
        ("service", "service", "services"), ("route", "referral route", "referral routes"),
        ("organisation", "organisation", "organisations"), ("area", "area", "areas"), ("level", "level of need", "levels of need"),
    ]

    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                         "November", "December"]

    static func dayText(_ iso: String) -> String {
        guard let day = Day(parsing: String(iso.prefix(10))) else { return iso }
        return "\(day.day) \(months[day.month - 1]) \(day.year)"
    }
}
