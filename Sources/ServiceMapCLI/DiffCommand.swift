import ArgumentParser
import Foundation
import ServiceMapCore
import ServiceMapStore

/// `servicemap diff`: what changed between two import runs, or between two files or folders.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two import runs (default: the last two) or two files or folders.",
        discussion: """
            Examples:
              servicemap diff                          the last run against the one before it
              servicemap diff --from 3 --to 7          run 3 against run 7 (see `servicemap diff --runs`)
              servicemap diff old/Data new/Data        two folders (or files), each read as an import would
              servicemap diff --format csv > changes.csv
            Services are listed added (+), removed (-) or changed (~) with each field's old → new value;
            referral routes, areas, levels and organisations likewise.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Argument(help: "Two files or folders to compare (old, then new). Without them, runs are compared.")
    var paths: [String] = []

    @Option(name: .long, help: "The earlier run's number (default: the run before --to).")
    var from: Int64?

    @Option(name: .long, help: "The later run's number (default: the last run).")
    var to: Int64?

    @Option(name: .long, help: "table, csv or json.")
    var format: Format = .table

    @Flag(name: .long, help: "List the recorded runs instead.")
    var runs = false

    @OptionGroup var store: StoreOptions

    func run() throws {
        let console = Console()
        let report: ChangeReport
        if !paths.isEmpty {
            guard paths.count == 2, from == nil, to == nil else {
                console.err("servicemap diff: give two files or folders (old, new), or --from/--to run numbers, not both")
                throw ExitCode(2)
            }
            report = try compareFiles(console: console)
        } else {
            guard FileManager.default.fileExists(atPath: store.database) else {
                console.err("servicemap: no database at \(store.database); run `servicemap import` first")
                throw ExitCode(2)
            }
            let serviceStore = try ServiceStore(path: store.database)
            let all = try serviceStore.runs()
            if runs {
                for run in all {
                    console.out("run \(run.id)  \(run.startedAt)  \(run.mode)  \(run.serviceCount) services, \(run.routeCount) routes  \(run.files.count) files")
                }
                return
            }
            guard let last = all.last else {
                console.err("servicemap diff: no import runs recorded in \(store.database)")
                throw ExitCode(2)
            }
            let toRun = to ?? last.id
            guard let later = all.first(where: { $0.id == toRun }) else {
                console.err("servicemap diff: no run \(toRun) (runs are \(all.map { String($0.id) }.joined(separator: ", ")))")
                throw ExitCode(2)
            }
            let fromRun = from ?? all.last(where: { $0.id < toRun })?.id
            if let fromRun, !all.contains(where: { $0.id == fromRun }) {
                console.err("servicemap diff: no run \(fromRun) (runs are \(all.map { String($0.id) }.joined(separator: ", ")))")
                throw ExitCode(2)
            }
            if let fromRun, fromRun > toRun {
                console.err("servicemap diff: --from \(fromRun) is later than --to \(toRun)")
                throw ExitCode(2)
            }
            let earlier = fromRun.flatMap { id in all.first { $0.id == id } }
            report = ChangeReport(
                from: earlier.map { "run \($0.id) (\($0.startedAt))" } ?? "an empty directory",
                to: "run \(later.id) (\(later.startedAt))",
                changes: try serviceStore.changes(fromRun: fromRun, toRun: toRun))
        }
        console.out(report.render(format))
    }

    func compareFiles(console: Console) throws -> ChangeReport {
        var graphs: [ServiceGraph] = []
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else {
                console.err("servicemap: no such file or folder: \(path)")
                throw ExitCode(2)
            }
            let outcome = ImportPipeline(paths: [path]).check()
            if outcome.diagnostics.hasErrors {
                console.report(outcome.diagnostics.filter { $0.severity == .error })
                console.err("servicemap diff: \(path) has errors (above); the comparison uses the records that could be read")
            }
            graphs.append(outcome.graph)
        }
        return ChangeReport(from: paths[0], to: paths[1], changes: GraphDiff.changes(from: graphs[0], to: graphs[1]))
    }
}

/// A list of changes between two versions, as a terminal table, CSV or JSON.
struct ChangeReport: Codable {
    var from: String
    var to: String
    var changes: [RecordChange]

    static let entityOrder = ["service", "route", "organisation", "area", "level"]

    var ordered: [RecordChange] {
        changes.sorted {
            let a = Self.entityOrder.firstIndex(of: $0.entity) ?? 99, b = Self.entityOrder.firstIndex(of: $1.entity) ?? 99
            return (a, $0.id) < (b, $1.id)
        }
    }

    func render(_ format: DiffCommand.Format) -> String {
        switch format {
        case .table: table()
        case .csv: csv()
        case .json: json()
        }
    }

    func summary() -> String {
        Self.entityOrder.compactMap { entity -> String? in
            let mine = changes.filter { $0.entity == entity }
            guard !mine.isEmpty else { return nil }
            let counts = [RecordChange.Kind.added, .removed, .changed].map { kind in "\(mine.filter { $0.kind == kind }.count) \(kind.rawValue)" }
            return "\(entity)s: " + counts.joined(separator: ", ")
        }.joined(separator: "; ")
    }

    func table() -> String {
        var lines = ["Changes from \(from) to \(to)"]
        guard !changes.isEmpty else { return (lines + ["No changes."]).joined(separator: "\n") }
        lines.append(summary())
        for change in ordered {
            let mark = switch change.kind {
            case .added: "+"
            case .removed: "-"
            case .changed: "~"
            }
            lines.append("\(mark) \(change.entity) \(change.id)  \(change.name)")
            for field in change.fields {
                lines.append("    \(field.field): \(Self.quote(field.old)) → \(Self.quote(field.new))")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func quote(_ text: String) -> String {
        text.isEmpty ? "(empty)" : "'" + text.replacingOccurrences(of: "\n", with: "⏎") + "'"
    }

    func csv() -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = ["entity,id,change,name,field,old,new"]
        for change in ordered {
            let head = [change.entity, change.id, change.kind.rawValue, change.name].map(field)
            if change.fields.isEmpty {
                lines.append((head + ["", "", ""]).joined(separator: ","))
            }
            for f in change.fields {
                lines.append((head + [f.field, f.old, f.new].map(field)).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let ordered = ChangeReport(from: from, to: to, changes: ordered)
        return String(decoding: (try? encoder.encode(ordered)) ?? Data(), as: UTF8.self)
    }
}
