import ArgumentParser
import Foundation
import ServiceMapCore
import ServiceMapImport
import ServiceMapStore

struct GapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Coverage matrices, graph findings and stale records, for executive leads and researchers.",
        discussion: """
            Examples:
              servicemap gaps --area Scotland                     the 14 health boards side by side
              servicemap gaps --area "Glasgow City" --area Bromley --category "parental mental health"
              servicemap gaps --area "NHS Greater Glasgow and Clyde" --format xlsx -o ggc-gaps.xlsx
            Areas are compared on the common seven-ring continuum of need, because each area has its \
            own levels. A board-wide or Scotland-wide service counts for every area within it; a \
            service in part of an area counts for the whole area, marked "only in". The output says so.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json, xlsx
    }

    @Option(name: .long, help: "An area code or name: its sub-areas side by side. Repeat to compare areas side by side.")
    var area: [String] = []

    @Option(name: [.long, .customLong("need")], help: "A category of need (name, id or common word); repeatable. Default: all.")
    var category: [String] = []

    @Option(name: [.long, .customLong("ring")], help: "A ring of the continuum (name or 1–7) or a local level (\"Tier 3\"); repeatable.")
    var level: [String] = []

    @Option(name: .long, help: "A referrer role for the reachability findings (health visitor, GP, self …); repeatable. Default: every role that refers in the area.")
    var referrer: [String] = []

    @Option(name: [.customLong("stale-after"), .customLong("threshold")], help: "Months since last verified after which a record is stale.")
    var staleAfter: Int = 12

    @Option(name: .long, help: "Today's date for staleness, YYYY-MM-DD (default: the real date).")
    var today: String?

    @Option(name: .long, help: "table, csv, json or xlsx (xlsx needs -o).")
    var format: Format = .table

    @Option(name: [.short, .customLong("output")], help: "Write to this file instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Width of the terminal table.")
    var width: Int = 100

    @OptionGroup var store: StoreOptions

    func run() throws {
        let console = Console()
        if format == .xlsx && output == nil {
            console.err("servicemap gaps: --format xlsx writes a file: give it with -o FILE")
            throw ExitCode(2)
        }
        guard FileManager.default.fileExists(atPath: store.database) else {
            console.err("servicemap: no database at \(store.database); run `servicemap import` first")
            throw ExitCode(2)
        }
        let graph = try ServiceStore(path: store.database).loadGraph()
        let options: GapsOptions
        switch Self.options(area: area, category: category, level: level, referrer: referrer, staleAfter: staleAfter, today: today, in: graph) {
        case .success(let o): options = o
        case .failure(let problems):
            for p in problems.messages { console.err("servicemap gaps: \(p)") }
            throw ExitCode(2)
        }
        let report = graph.gaps(options)
        let data: Data
        switch format {
        case .table: data = Data(report.table(graph, width: width).utf8)
        case .csv: data = Data(report.csv(graph).utf8)
        case .json: data = try Self.json(report)
        case .xlsx: data = try Self.workbook(report, graph).data()
        }
        if let output {
            try data.write(to: URL(fileURLWithPath: output), options: .atomic)
        } else {
            FileHandle.standardOutput.write(data)
        }
    }

    struct Problems: Error {
        var messages: [String]
    }

    /// Turns what a person typed into a question, or says what it could not read.
    static func options(
        area: [String], category: [String], level: [String], referrer: [String], staleAfter: Int, today: String?,
        in graph: ServiceGraph
    ) -> Result<GapsOptions, Problems> {
        var problems: [String] = []
        var options = GapsOptions(staleAfterMonths: staleAfter, today: Day.today)
        for text in area {
            if let code = QueryTerms.area(text, in: graph) { options.areas.append(code) } else { problems.append("unknown area '\(text)'") }
        }
        for text in category {
            if let id = QueryTerms.category(text, in: graph) { options.categories.append(id) } else { problems.append("unknown need '\(text)'") }
        }
        for text in level {
            if let ring = QueryTerms.ring(text, area: options.areas.first, in: graph) {
                if !options.rings.contains(ring) { options.rings.append(ring) }
            } else {
                problems.append("'\(text)' is neither a ring of the continuum nor a level of need")
            }
        }
        options.referrers = referrer.map { ReferrerRole.recognise($0) ?? ReferrerRole(Slug.make($0)) }
        if let today {
            if let day = Day(parsing: today) { options.today = day } else { problems.append("unreadable date '\(today)' (use YYYY-MM-DD)") }
        }
        if staleAfter < 0 { problems.append("--stale-after must be 0 or more months") }
        return problems.isEmpty ? .success(options) : .failure(Problems(messages: problems))
    }

    static func json(_ report: GapsReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(report) + Data("\n".utf8)
    }

    /// Sheets: About (the counting rule), Summary (areas × needs), Cells (every cell with its
    /// services), Graph findings, Data quality.
    static func workbook(_ report: GapsReport, _ graph: ServiceGraph) -> XLSXWriter {
        let about = XLSXSheet(name: "About", header: ["item", "value"], rows: [
            [.text("areas"), .text(report.matrix.title)],
            [.text("how services are counted"), .text(report.countingRule)],
            [.text("today"), .date(report.today)],
            [.text("stale after (months)"), .number(Double(report.staleAfterMonths))],
            [.text("rings"), .text(ContinuumRing.allCases.map { "\($0.rawValue) \($0.name)" }.joined(separator: "; "))],
        ])
        let grid = report.summaryGrid()
        let summary = XLSXSheet(name: "Summary", header: grid.header, rows: grid.rows.map { row in
            [.text(row[0])] + row.dropFirst().map { .number(Double($0) ?? 0) }
        })
        let countColumn = GapsReport.cellHeader.firstIndex(of: "count")!
        let cells = XLSXSheet(name: "Cells", header: GapsReport.cellHeader, rows: report.cellRows(graph).map { row in
            row.enumerated().map { i, text in i == countColumn ? .number(Double(text) ?? 0) : .text(text) }
        })
        let findings = XLSXSheet(name: "Graph findings", header: GapsReport.findingHeader,
                                 rows: report.findingRows(graph).map { $0.map { .text($0) } })
        let quality = XLSXSheet(name: "Data quality", header: GapsReport.qualityHeader, rows: report.qualityRows().map { $0.map { .text($0) } })
        return XLSXWriter(sheets: [about, summary, cells, findings, quality])
    }
}

extension Day {
    /// Today's date where the command runs.
    static var today: Day {
        let parts = Calendar(identifier: .gregorian).dateComponents([.year, .month, .day], from: Date())
        return Day(year: parts.year!, month: parts.month!, day: parts.day!)
    }
}
