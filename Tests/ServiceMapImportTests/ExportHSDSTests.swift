import Foundation
import Testing
import TestSupport
import ServiceMapCore
@testable import ServiceMapImport

/// Open Referral HSDS 3.0 export of the shipped Data/: valid against the official schemas, and
/// read back without loss of what HSDS carries.
@Suite("HSDS export")
struct ExportHSDSTests {
    static let data = repositoryRoot.appendingPathComponent("Data").path
    static let shipped = ExportDirectoryTests.shipped

    static func exported() throws -> URL {
        let folder = URL(fileURLWithPath: temporaryPath("hsds"))
        try HSDSWriter(graph: shipped).write(to: folder)
        return folder
    }

    /// What HSDS carries of a service, in servicemap's terms. Organisations are compared by name
    /// (HSDS organisation ids are UUIDs, so servicemap ids them by name on the way back).
    struct Carried: Equatable, CustomStringConvertible {
        var fields: [String: String]
        var description: String { fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " | ") }

        init(_ s: Service, in graph: ServiceGraph) {
            var f: [String: String] = [
                "name": s.name, "description": s.description, "website": s.contact.website ?? "", "email": s.contact.email ?? "",
                "phone": s.contact.phone ?? "", "status": s.status == .pilot ? "active" : s.status.rawValue,
                "how to refer": s.howToRefer ?? "", "last verified": s.lastVerified?.description ?? "",
                "cost": s.cost?.rawValue ?? "", "cost note": s.costNote ?? "", "languages": s.languages.joined(separator: ";"),
                "organisation": s.organisation.flatMap { graph.organisations[$0]?.name } ?? "",
                "areas": s.areas.map(\.rawValue).joined(separator: ";"), "categories": s.categories.map(\.rawValue).joined(separator: ";"),
                "levels": s.levels.map(\.rawValue).joined(separator: ";"), "confidential": String(s.confidentialAddress),
                "address": s.confidentialAddress ? "" : s.contact.address ?? "", "postcode": s.confidentialAddress ? "" : s.contact.postcode ?? "",
                "routes in": graph.routes(into: s.id).map { "\($0.from) \($0.mode.rawValue) \($0.kind.rawValue)" }.sorted().joined(separator: ";"),
            ]
            if s.eligibility.count <= 1 && s.eligibility.allSatisfy({ $0.effect == .requires }) {
                f["eligibility"] = s.eligibility.map(\.key).joined(separator: ";")
            }
            if let ages = s.ages { f["ages"] = "\(ages.minMonths.map(String.init) ?? "")…\(ages.maxMonths.map(String.init) ?? "")" }
            fields = f
        }
    }

    static func assertCarried(_ back: ServiceGraph) {
        #expect(Set(back.services.keys) == Set(shipped.services.keys))
        for s in shipped.sortedServices {
            guard let other = back.services[s.id] else { continue }
            let a = Carried(s, in: shipped)
            var b = Carried(other, in: back)
            // Several eligibility rules travel as one description: not compared.
            if a.fields["eligibility"] == nil { b.fields["eligibility"] = nil }
            let differing = Set(a.fields.keys).union(b.fields.keys).sorted().filter { a.fields[$0] != b.fields[$0] }
                .map { "\($0): '\(a.fields[$0] ?? "-")' → '\(b.fields[$0] ?? "-")'" }
            #expect(a == b, "\(s.id): \(differing.joined(separator: "; "))")
        }
    }

    @Test func jsonReadsBackWithoutLossOfWhatHSDSCarries() throws {
        let folder = try Self.exported()
        defer { try? FileManager.default.removeItem(at: folder) }
        // HSDS has no areas or levels of need: the ids it carries resolve against the shipped ones.
        let (back, diagnostics) = ExportDirectoryTests.importGraph([folder.appendingPathComponent("services.json").path,
                                                                   Self.data + "/areas.csv", Self.data + "/levels.csv"])
        #expect(!diagnostics.hasErrors, "\(diagnostics.filter { $0.severity == .error }.prefix(10).map(\.description))")
        Self.assertCarried(back)
    }

    @Test func csvDataPackageReadsBackWithoutLossOfWhatHSDSCarries() throws {
        let folder = try Self.exported()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (back, diagnostics) = ExportDirectoryTests.importGraph([folder.appendingPathComponent("csv/datapackage.json").path,
                                                                   Self.data + "/areas.csv", Self.data + "/levels.csv"])
        #expect(!diagnostics.hasErrors, "\(diagnostics.filter { $0.severity == .error }.prefix(10).map(\.description))")
        Self.assertCarried(back)
    }

    @Test func exportIsDeterministicAndNeverWritesAConfidentialAddress() throws {
        let writer = HSDSWriter(graph: Self.shipped)
        #expect(try writer.servicesJSON() == writer.servicesJSON())
        var graph = Self.shipped
        let id = try #require(graph.sortedServices.first?.id)
        graph.services[id]?.contact.address = "1 Secret Street"
        graph.services[id]?.contact.postcode = "G1 1AA"
        graph.services[id]?.confidentialAddress = true
        let text = String(decoding: try HSDSWriter(graph: graph).servicesJSON(), as: UTF8.self)
        #expect(!text.contains("Secret Street") && !text.contains("G1 1AA"))
        #expect(text.contains("\"code\": \"confidential-address\""))
        #expect(HSDSWriter.uuid("service", "x") == HSDSWriter.uuid("service", "x"))
        #expect(HSDSWriter.uuid("service", "x").count == 36)
    }

    /// Every exported full service validates against the official HSDS 3.0 schema, with PyPI's
    /// check-jsonschema (formats checked: uuid, email, uri where its checker is installed).
    @Test func servicesValidateAgainstTheOfficialSchema() throws {
        let schema = corpusRoot.appendingPathComponent("hsds/hsds30-schema-compiled__service_with_definitions.json")
        guard let tool = Self.checkJSONSchema, FileManager.default.fileExists(atPath: schema.path)
        else {
            report("skipped: check-jsonschema (pip install check-jsonschema) or the HSDS schema in ../shared/corpus/hsds is missing — HSDS output not validated")
            return
        }
        let folder = try Self.exported()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("services.json"))) as? [String: Any]
        let services = try #require(page?["contents"] as? [[String: Any]])
        #expect(services.count == Self.shipped.services.count)
        var files: [String] = []
        for (i, service) in services.enumerated() {
            let file = folder.appendingPathComponent("service-\(i).json")
            try JSONSerialization.data(withJSONObject: service).write(to: file)
            files.append(file.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--schemafile", schema.path] + files
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text.prefix(3000))")
        #expect(text.contains("ok -- validation done"))
    }

    /// The CSV data package validates too: its tables, read as HSDS's tabular JSON (one array of
    /// rows per table, typed by the schema: an empty cell is an absent value unless the column is
    /// plain text), against the official compiled tabular schema.
    @Test func csvDataPackageValidatesAgainstTheOfficialTabularSchema() throws {
        let schemaURL = corpusRoot.appendingPathComponent("hsds/hsds30-schema-compiled__tabular.json")
        guard let tool = Self.checkJSONSchema, FileManager.default.fileExists(atPath: schemaURL.path) else {
            report("skipped: check-jsonschema (pip install check-jsonschema) or the HSDS schema in ../shared/corpus/hsds is missing — HSDS package not validated")
            return
        }
        let folder = try Self.exported()
        defer { try? FileManager.default.removeItem(at: folder) }
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
        let tables = try #require(schema["properties"] as? [String: Any])
        var tabular: [String: Any] = [:]
        var seen: [String] = []
        for (name, value) in tables {
            guard let items = (value as? [String: Any])?["items"] as? [String: Any], let path = items["path"] as? String,
                  let properties = items["properties"] as? [String: Any] else { continue }
            let file = folder.appendingPathComponent("csv/" + path)
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            seen.append(path)
            let reader = try CSVReader(path: file.path, limits: ReaderLimits())
            var header: [Int: String] = [:]
            var rows: [[String: Any]] = []
            var diagnostics: [Diagnostic] = []
            for sheet in try reader.sheets() {
                try reader.forEachRow(in: sheet, diagnostics: &diagnostics) { row in
                    if header.isEmpty {
                        for cell in row.cells { header[cell.column] = cell.value.text }
                        return
                    }
                    var object: [String: Any] = [:]
                    for cell in row.cells {
                        guard let key = header[cell.column], let text = cell.value.text else { continue }
                        let property = properties[key] as? [String: Any] ?? [:]
                        let type = property["type"] as? String ?? "string"
                        if type == "number" || type == "integer" {
                            if let n = Double(text) { object[key] = n }
                        } else if !text.isEmpty || (property["format"] == nil && type == "string") {
                            object[key] = text
                        }
                    }
                    rows.append(object)
                }
            }
            tabular[name] = rows
        }
        #expect(seen.contains("services.csv") && seen.contains("taxonomy_terms.csv") && seen.contains("attributes.csv"))
        let instance = folder.appendingPathComponent("tabular.json")
        try JSONSerialization.data(withJSONObject: tabular).write(to: instance)
        let (status, text) = try Self.run(tool, ["--schemafile", schemaURL.path, instance.path])
        #expect(status == 0, "\(text.prefix(3000))")
    }

    /// check-jsonschema on the PATH, or where pip puts it.
    static var checkJSONSchema: String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let places = path + ["/usr/local/bin", "/usr/bin", NSHomeDirectory() + "/.local/bin", NSHomeDirectory() + "/.pyenv/shims"]
        return places.map { $0 + "/check-jsonschema" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
