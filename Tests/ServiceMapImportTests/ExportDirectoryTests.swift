import Foundation
import Testing
import TestSupport
import ServiceMapCore
@testable import ServiceMapImport

/// Import → export → import on the shipped Data/: the same graph, modulo where facts were read
/// from (see `ServiceGraph.withoutLocations`).
@Suite("Directory export round trip")
struct ExportDirectoryTests {
    static let data = repositoryRoot.appendingPathComponent("Data").path

    static func importGraph(_ paths: [String]) -> (graph: ServiceGraph, diagnostics: [Diagnostic]) {
        let result = Importer().read(paths)
        var assembler = GraphAssembler()
        assembler.add(result.fragment)
        let (graph, diagnostics) = assembler.assemble()
        return (graph, result.fragment.diagnostics + diagnostics)
    }

    static let shipped = importGraph([data]).graph

    /// Names what differs, record by record, so a failure says which field broke.
    static func differences(_ a: ServiceGraph, _ b: ServiceGraph) -> [String] {
        var out: [String] = []
        for change in GraphDiff.changes(from: a, to: b) {
            out.append("\(change.entity) \(change.id) \(change.kind): " + change.fields.map { "\($0.field) '\($0.old)' → '\($0.new)'" }.joined(separator: "; "))
        }
        for id in Set(a.services.keys).intersection(b.services.keys) where a.services[id] != b.services[id] {
            out.append("service \(id) differs beyond its compared fields")
        }
        for id in Set(a.routes.keys).intersection(b.routes.keys) where a.routes[id] != b.routes[id] {
            out.append("route \(id) differs: \(a.routes[id]!) vs \(b.routes[id]!)")
        }
        if a.categories != b.categories { out.append("categories differ") }
        for id in Set(a.areas.keys).intersection(b.areas.keys) where a.areas[id] != b.areas[id] { out.append("area \(id) differs") }
        for id in Set(a.levels.keys).intersection(b.levels.keys) where a.levels[id] != b.levels[id] { out.append("level \(id) differs") }
        for id in Set(a.organisations.keys).intersection(b.organisations.keys) where a.organisations[id] != b.organisations[id] {
            out.append("organisation \(id) differs: \(a.organisations[id]!) vs \(b.organisations[id]!)")
        }
        return out
    }

    @Test func xlsxRoundTripGivesTheSameGraph() throws {
        let file = temporaryPath("directory.xlsx")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try DirectoryWriter.writeXLSX(Self.shipped, to: URL(fileURLWithPath: file))
        let (back, diagnostics) = Self.importGraph([file])
        #expect(!diagnostics.hasErrors, "\(diagnostics.filter { $0.severity == .error }.map(\.description))")
        let diff = Self.differences(Self.shipped.withoutLocations(), back.withoutLocations())
        #expect(diff.isEmpty, "\(diff.prefix(20).joined(separator: "\n"))")
        #expect(back.services.count == Self.shipped.services.count)
        #expect(back.withoutLocations() == Self.shipped.withoutLocations())
        // The facts now cite the exported workbook's cells.
        #expect(back.sortedServices.first?.sources.locations.first?.file == file)
    }

    @Test func csvRoundTripGivesTheSameGraph() throws {
        let folder = temporaryPath("directory-csv")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try DirectoryWriter.writeCSV(Self.shipped, to: URL(fileURLWithPath: folder))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names.contains("services.csv") && names.contains("referral-routes.csv") && names.contains("areas.csv"))
        let (back, diagnostics) = Self.importGraph([folder])
        #expect(!diagnostics.hasErrors, "\(diagnostics.filter { $0.severity == .error }.map(\.description))")
        let diff = Self.differences(Self.shipped.withoutLocations(), back.withoutLocations())
        #expect(diff.isEmpty, "\(diff.prefix(20).joined(separator: "\n"))")
        #expect(back.withoutLocations() == Self.shipped.withoutLocations())
    }

    @Test func exportIsDeterministicAndHasNothingLossyForShippedData() throws {
        #expect(try DirectoryWriter.xlsx(Self.shipped) == DirectoryWriter.xlsx(Self.shipped))
        #expect(DirectoryTables.lossyFields(Self.shipped).isEmpty, "\(DirectoryTables.lossyFields(Self.shipped))")
    }

    @Test(arguments: [
        AgeRange(minMonths: 0, maxMonths: 71), AgeRange(minMonths: -9, maxMonths: 47), AgeRange(minMonths: -9, maxMonths: -1),
        AgeRange(minMonths: 216, maxMonths: nil), AgeRange(minMonths: 14, maxMonths: 30), AgeRange(minMonths: nil, maxMonths: nil),
        AgeRange(minMonths: -9, maxMonths: 20), AgeRange(minMonths: 7, maxMonths: nil),
    ])
    func agesReadBackExactly(_ range: AgeRange) {
        #expect(AgeRangeParser.parse(DirectoryTables.ages(range)) == .success(range), "\(DirectoryTables.ages(range))")
    }

    @Test func lonelyListItemWithACommaStaysOneItem() {
        #expect(DirectoryTables.list(["Lives in Glasgow, with a baby"]) == .text("Lives in Glasgow, with a baby;"))
        #expect(ValueParsing.list("Lives in Glasgow, with a baby;") == ["Lives in Glasgow, with a baby"])
    }

    /// The workbook opens in LibreOffice: `soffice --headless --convert-to csv` reads the services
    /// sheet back with the names in it.
    @Test func workbookOpensInLibreOffice() throws {
        guard let soffice = ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/lib/libreoffice/program/soffice"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            report("skipped: soffice is not installed (apt-get install libreoffice-calc-nogui) — cannot check the workbook opens in LibreOffice")
            return
        }
        let folder = URL(fileURLWithPath: temporaryPath("soffice"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let workbook = folder.appendingPathComponent("directory.xlsx")
        try DirectoryWriter.writeXLSX(Self.shipped, to: workbook)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: soffice)
        // The filter options pick UTF-8 and the Services sheet (1-based; token 12).
        let sheet = try #require(DirectoryTables.tables(for: Self.shipped).firstIndex { $0.name == "Services" }) + 1
        process.arguments = ["-env:UserInstallation=file://\(folder.path)/profile", "--headless", "--convert-to",
                             "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,\(sheet)", "--outdir", folder.path, workbook.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let produced = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".csv") }
        let csv = try #require(produced.first.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) })
        #expect(csv.hasPrefix("ID,Name,Organisation,Area,Description"))
        for service in Self.shipped.sortedServices.prefix(10) {
            #expect(csv.contains(service.name), "LibreOffice's CSV lacks '\(service.name)'")
        }
    }
}
