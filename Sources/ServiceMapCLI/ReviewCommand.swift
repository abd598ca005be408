import ArgumentParser
import Foundation
import ServiceMapCore
import ServiceMapImport
import ServiceMapStore

/// `servicemap review`: what is due for review, grouped by organisation, and review workbooks.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "List services due for review (never verified, or verified too long ago) and write review workbooks.",
        discussion: """
            Examples:
              servicemap review                                  due today, 12-month cycle
              servicemap review --months 6 --today 2026-04-01
              servicemap review --workbooks review/              one workbook per organisation
            Each workbook lists the organisation's due services with the facts to confirm and a \
            "Verified on" column. When it comes back filled in, import it with
              servicemap import --merge review/<organisation>.xlsx
            Rows are matched by ID: the values in the workbook replace the stored ones, empty cells \
            keep them, every other record is left as it is, and the run records each change \
            (see `servicemap diff` and `servicemap review --history ID`).
            """
    )

    @Option(name: .long, help: "Due when last verified this many months ago or more.")
    var months: Int = 12

    @Option(name: .long, help: "The day to count from (YYYY-MM-DD; default today).")
    var today: String?

    @Option(name: .long, help: "Write a review workbook per organisation into this folder.")
    var workbooks: String?

    @Option(name: .long, help: "Show one service's recorded history (its id) instead.")
    var history: String?

    @OptionGroup var store: StoreOptions

    func run() throws {
        let console = Console()
        guard FileManager.default.fileExists(atPath: store.database) else {
            console.err("servicemap: no database at \(store.database); run `servicemap import` first")
            throw ExitCode(2)
        }
        let serviceStore = try ServiceStore(path: store.database)
        if let history {
            let entries = try serviceStore.history(entity: "service", id: history)
            guard !entries.isEmpty else {
                console.out("No recorded changes for service \(history).")
                return
            }
            for (run, change) in entries {
                console.out("run \(run.id) \(run.startedAt): \(change.kind.rawValue) \(change.name)")
                for field in change.fields { console.out("    \(field.field): \(ChangeReport.quote(field.old)) → \(ChangeReport.quote(field.new))") }
            }
            return
        }
        guard months >= 0 else {
            console.err("servicemap review: --months must be 0 or more")
            throw ExitCode(2)
        }
        let day: Day
        if let today {
            guard let parsed = Day(parsing: today) else {
                console.err("servicemap review: --today '\(today)' is not a date (use 2026-04-01)")
                throw ExitCode(2)
            }
            day = parsed
        } else {
            day = Self.currentDay()
        }
        let graph = try serviceStore.loadGraph()
        let plan = ReviewPlan(graph: graph, today: day, months: months)
        console.out("Due for review on \(day) (never verified, or last verified \(months) months ago or more): \(plan.dueCount) of \(plan.totalServices) services")
        for group in plan.groups {
            console.out("")
            console.out("\(group.title) (\(group.items.count))")
            for item in group.items {
                let when = item.service.lastVerified.map { "last verified \($0), \(item.monthsSince!) months ago" } ?? "never verified"
                console.out("  \(item.service.id)  \(item.service.name) — \(when)")
            }
        }
        if let workbooks {
            try FileManager.default.createDirectory(atPath: workbooks, withIntermediateDirectories: true)
            for group in plan.groups {
                let file = (workbooks as NSString).appendingPathComponent(group.fileStem + ".xlsx")
                try ReviewWorkbook.xlsx(group, graph: graph, today: day, file: file).write(to: URL(fileURLWithPath: file), options: .atomic)
            }
            console.err("wrote \(plan.groups.count) review workbooks to \(workbooks)/; when filled in: servicemap import --merge \(workbooks)/<organisation>.xlsx")
        }
    }

    /// Today in UTC, as a calendar day.
    static func currentDay() -> Day {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        return Day(year: parts.year!, month: parts.month!, day: parts.day!)
    }
}
