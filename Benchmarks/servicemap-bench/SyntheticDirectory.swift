import Foundation
import ServiceMapImport

/// A generated directory the size of a large real one, for benchmarks. Deterministic (seeded), and
/// labelled synthetic everywhere: contact details use reserved ranges (Ofcom's drama numbers,
/// example.org), so nothing could be mistaken for a real service.
struct SyntheticDirectory {
    var rows: Int

    /// 17 columns, like a real directory.
    static let header = ["Service name", "Organisation", "Description", "Area covered", "Council", "Health board", "Level of need",
                         "Categories", "Ages", "Self-referral?", "How to refer", "Phone", "Email", "Website", "Address", "Postcode",
                         "Last verified"]

    /// Writes `folder/csv/` (services as CSV) and `folder/xlsx/` (the same services as a workbook),
    /// each with the synthetic areas and levels beside them, so either folder imports on its own.
    func write(to folder: String) throws {
        for format in ["csv", "xlsx"] {
            let dir = folder + "/" + format
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try areas().write(toFile: dir + "/synthetic-areas.csv", atomically: true, encoding: .utf8)
            try levels().write(toFile: dir + "/synthetic-levels.csv", atomically: true, encoding: .utf8)
        }
        let handle = try TextSink(path: folder + "/csv/synthetic-services.csv")
        handle.write(Self.header.map(Self.quote).joined(separator: ",") + "\n")
        var random = SeededRandom(seed: 20261121)
        var sheetRows: [[XLSXCell]] = []
        sheetRows.reserveCapacity(rows)
        for i in 0..<rows {
            let fields = row(i, &random)
            handle.write(fields.map(Self.quote).joined(separator: ",") + "\n")
            sheetRows.append(fields.map { $0.isEmpty ? .empty : .text($0) })
        }
        try handle.close()
        try XLSXWriter(sheets: [XLSXSheet(name: "Synthetic services", header: Self.header, rows: sheetRows)])
            .write(to: URL(fileURLWithPath: folder + "/xlsx/synthetic-services.xlsx"))
    }

    static let boards = 14
    static let councilsPerBoard = 3

    func areas() -> String {
        var lines = ["Code,Name,Kind,Parent,Source", "synthetic-nation,Synthetic Nation,nation,,synthetic"]
        for b in 1...Self.boards {
            lines.append("synthetic-board-\(b),Synthetic Board \(b),health-board,synthetic-nation,synthetic")
            for c in 1...Self.councilsPerBoard {
                lines.append("synthetic-council-\(b)-\(c),Synthetic Council \(b)-\(c),council,synthetic-board-\(b),synthetic")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func levels() -> String {
        """
        ID,Area,Name,Order,Ring,Description,Source
        synthetic-1,synthetic-nation,Universal,1,Universal,Synthetic level,synthetic
        synthetic-2,synthetic-nation,Additional support,2,Early Help,Synthetic level,synthetic
        synthetic-3,synthetic-nation,Intensive support,3,Child in Need,Synthetic level,synthetic
        synthetic-4,synthetic-nation,Statutory measures,4,Child Protection,Synthetic level,synthetic

        """
    }

    static let words = ["family", "support", "parenting", "group", "mental", "health", "infant", "perinatal", "drop-in", "advice",
                        "money", "housing", "counselling", "play", "nurture", "outreach", "peer", "befriending", "recovery", "alcohol",
                        "drugs", "domestic", "abuse", "autism", "assessment", "home", "visits", "course", "weekly", "community"]
    static let categories = ["parental mental health", "substance use", "domestic abuse", "neurodevelopmental", "poverty and housing",
                             "perinatal", "infant mental health", "parenting", "early years"]
    static let ages = ["0-5", "pre-birth to 3", "under 5s", "0-18", "18+", "0–5 years", "pregnancy", "2-4"]

    func row(_ i: Int, _ random: inout SeededRandom) -> [String] {
        let board = random.next(Self.boards) + 1
        let council = random.next(Self.councilsPerBoard) + 1
        var description = "Synthetic record \(i) for benchmarking, not a real service."
        let target = 200 + random.next(400)
        while description.count < target {
            description += " " + Self.words[random.next(Self.words.count)]
        }
        let level = random.next(4) + 1
        let levels = level == 1 ? "1" : "1-\(min(level, 3))"
        let cats = (0..<(1 + random.next(3))).map { _ in Self.categories[random.next(Self.categories.count)] }
        return [
            "Synthetic service \(i)", "Synthetic organisation \(i % 2000)", description, "",
            "synthetic-council-\(board)-\(council)", "synthetic-board-\(board)", levels, cats.joined(separator: "; "),
            Self.ages[random.next(Self.ages.count)], random.next(2) == 0 ? "yes" : "no",
            "Synthetic: referral by a professional", "0141 496 0\(String(format: "%03d", i % 1000))",
            "service\(i)@example.org", "https://example.org/synthetic/\(i)", "\(i) Synthetic Street", "ZZ99 3AA",
            "2025-\(String(format: "%02d", 1 + i % 12))-\(String(format: "%02d", 1 + i % 28))",
        ]
    }

    static func quote(_ field: String) -> String {
        field.contains(",") || field.contains("\"") || field.contains("\n")
            ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}

/// xorshift64*: a small deterministic generator so every run makes the same data.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Int((state &* 2685821657736338717) % UInt64(bound))
    }
}

/// Buffered writing of a large text file.
final class TextSink {
    let handle: FileHandle
    var buffer = Data()
    init(path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown) }
        handle = h
    }
    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count > 1 << 20 { handle.write(buffer); buffer.removeAll(keepingCapacity: true) }
    }
    func close() throws {
        handle.write(buffer)
        try handle.close()
    }
}
