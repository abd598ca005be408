import Foundation
import ServiceMapCore
import Testing
import TestSupport

@testable import ServiceMapImport

@Suite("Open Referral HSDS reader")
struct HSDSReaderTests {
    func readJSON(_ text: String, file: String = "feed.json") throws -> GraphFragment {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(file)
        try Data(text.utf8).write(to: url)
        var fragment = try HSDSReader(path: url.path, options: ImportOptions()).readJSON()
        // Report locations relative to the fixture name so tests can compare them.
        for i in fragment.services.indices {
            fragment.services[i].service.sources.locations = fragment.services[i].service.sources.locations.map { SourceLocation(file: file, row: $0.row, column: $0.column) }
        }
        return fragment
    }

    /// Builds a package folder from the corpus's flattened `<tag>__<name>` files.
    func package(tag: String, descriptor: String) throws -> URL {
        let folder = try makeTemporaryFolder()
        let hsds = FormatsCorpus.folder("hsds")
        for name in try FileManager.default.contentsOfDirectory(atPath: hsds.path) where name.hasPrefix(tag + "__") {
            try FileManager.default.copyItem(at: hsds.appendingPathComponent(name),
                                             to: folder.appendingPathComponent(String(name.dropFirst(tag.count + 2))))
        }
        let target = folder.appendingPathComponent("datapackage.json")
        if !FileManager.default.fileExists(atPath: target.path) {
            try FileManager.default.copyItem(at: hsds.appendingPathComponent(descriptor), to: target)
        }
        return folder
    }

    @Test func fullServiceFromTheSpecification() throws {
        let path = FormatsCorpus.file("hsds", "hsds30-examples__service_full.json")
        let fragment = try HSDSReader(path: path, options: ImportOptions()).readJSON()
        #expect(!fragment.diagnostics.hasErrors)
        let draft = try #require(fragment.services.first)
        let s = draft.service
        #expect(fragment.services.count == 1)
        #expect(draft.name == "Community Counselling")
        #expect(draft.nameLocation?.description == "\(path):3:11")
        #expect(s.sources.locations == [SourceLocation(file: path, row: 1, column: 1)])
        #expect(s.contact.website == "http://example.com/counselling")
        #expect(s.contact.email == "email@example.com")
        #expect(s.contact.phone == "+44 1234 234567")
        #expect(s.contact.address == "1-30 Main Street, MyVillage, MyCity, MyRegion, MyState")
        #expect(s.contact.postcode == "ABC 1234")
        #expect(s.ages == AgeRange(minMonths: 144, maxMonths: 1211))
        #expect(s.lastVerified == Day(year: 2005, month: 1, day: 1))  // assured_date, not last_modified
        #expect(s.sources.fields["last verified"]?.row == 18)
        #expect(s.attributes["last-modified"] == "2023-03-15T10:30:45.123Z")
        #expect(s.languages == ["Urdu"])
        #expect(s.cost == .paid)
        #expect(s.costNote?.contains("Under 18s and Over 60s: 35 GBP: per 1 hour session") == true)
        #expect(s.howToRefer?.hasPrefix("If you are an NHS patient") == true)
        #expect(s.eligibility.count == 1)
        #expect(s.attributes["schedule"]?.hasPrefix("The service is available from 10 am") == true)
        #expect(s.attributes["locations"] == "MyCity Civic Center")
        #expect(s.attributes["programme"] == "Community Mental Health Support")
        #expect(s.attributes["hsds-id"] == "ac148810-d857-441c-9679-408f346de14b")
        #expect(draft.organisation?.text == "Example Organization Inc.")
        #expect(fragment.organisations.map(\.name) == ["Example Organization Inc."])
        #expect(fragment.organisations.first?.website == "http://example.com")
    }

    @Test func servicemapVocabularyMapsBackToLevelsRoutesAndFlags() throws {
        let fragment = try readJSON("""
        [{
          "id": "0b8c3b1e-0000-4000-8000-000000000001",
          "name": "Bookbug",
          "minimum_age": 0, "maximum_age": 5,
          "attributes": [
            {"value": null, "taxonomy_term": {"taxonomy": "servicemap-id", "code": "bookbug--glasgow-city", "name": "Bookbug"}},
            {"taxonomy_term": {"taxonomy": "servicemap-level", "code": "glasgow-universal", "name": "Universal"}},
            {"taxonomy_term": {"taxonomy": "servicemap-area", "code": "glasgow-city"}},
            {"taxonomy_term": {"taxonomy": "servicemap-category", "code": "early-years"}},
            {"value": "self-referral", "taxonomy_term": {"taxonomy": "servicemap-referral", "code": "self"}},
            {"value": "professional-referral;step-down", "taxonomy_term": {"taxonomy": "servicemap-referral", "code": "service:family-support--glasgow-city"}},
            {"value": "true", "taxonomy_term": {"taxonomy": "servicemap-flag", "code": "confidential-address"}},
            {"taxonomy_term": {"taxonomy": "AIRS", "code": "PH-1", "name": "Parenting"}}
          ],
          "service_at_locations": [{"location": {"name": "Refuge", "addresses": [{"address_1": "1 Secret Street", "postal_code": "G1 1AA"}]}}]
        }]
        """)
        let draft = try #require(fragment.services.first)
        #expect(draft.id == "bookbug--glasgow-city")
        #expect(draft.levels.map(\.text) == ["glasgow-universal"])
        #expect(draft.areas.map(\.text) == ["glasgow-city"])
        #expect(draft.categories.map(\.text) == ["early-years"])
        #expect(draft.selfReferral == true)
        #expect(draft.selfReferralLocation?.row == 10)
        #expect(draft.hints.map(\.text) == ["Parenting"])
        #expect(draft.service.attributes["taxonomy"] == "AIRS: Parenting")
        #expect(draft.service.confidentialAddress)
        #expect(draft.service.contact.address == nil)
        #expect(draft.service.contact.postcode == nil)
        #expect(draft.service.ages == AgeRange(minMonths: 0, maxMonths: 71))
        let route = try #require(fragment.routes.first)
        #expect(fragment.routes.count == 1)
        #expect(route.from.text == "family-support--glasgow-city")
        #expect(route.to.text == "bookbug--glasgow-city")
        #expect(route.mode == .professional)
        #expect(route.kind == .stepDown)
        #expect(route.sources.locations.first?.row == 11)
    }

    @Test func badJSONAndNonDataDocuments() throws {
        #expect {
            _ = try readJSON("{\n  \"name\": \"A\",\n  \"url\": oops\n}")
        } throws: { error in
            guard let failure = error as? ImportFailure else { return false }
            return failure.code == .malformedJSON && failure.location?.row == 3 && failure.location?.column == 10
        }
        #expect(try readJSON("{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\", \"properties\": {}}").diagnostics.map(\.code) == [.notHSDSData])
        #expect(try readJSON("[]").diagnostics.map(\.code) == [.noHSDSServices])
        let nameless = try readJSON("[{\"id\": \"x\", \"name\": \"\", \"url\": \"http://a.example\"}, {\"name\": \"B\", \"url\": \"ftp://b.example\"}]")
        #expect(nameless.services.map(\.name) == ["B"])
        #expect(Set(nameless.diagnostics.map(\.code)) == [.refusedLink, .missingName])
        let deep = String(repeating: "[", count: 10_000)
        #expect(throws: ImportFailure.self) { _ = try readJSON(deep) }
    }

    /// What each JSON file of the corpus yields: services imported, or the diagnostic that says why not.
    static let corpusExpectations: [String: (services: Int, codes: Set<String>)] = [
        "hsds30-examples__base.json": (0, ["no-hsds-services"]),
        "hsds30-examples__location.json": (0, ["no-hsds-services"]),
        "hsds30-examples__organization_full.json": (1, []),
        "hsds30-examples__organization_list.json": (0, []),
        "hsds30-examples__service_at_location_full.json": (1, []),
        "hsds30-examples__service_at_location_list.json": (1, []),
        "hsds30-examples__service_full.json": (1, []),
        "hsds30-examples__service_list.json": (1, []),
        "hsds30-examples__tabular.json": (1, []),
        "hsds30-examples__taxonomy.json": (0, ["no-hsds-services"]),
        "hsds30-examples__taxonomy_list.json": (0, ["no-hsds-services"]),
        "hsds30-examples__taxonomy_term.json": (0, ["no-hsds-services"]),
        "hsds30-examples__taxonomy_term_list.json": (0, ["no-hsds-services"]),
        "orukprofile__service_full.json": (1, []),
        // Package descriptors read alone: their tables are not beside them under these names.
        "hsds30__datapackage.json": (0, ["missing-package-resource"]),
        "hsds201__datapackage.json": (0, ["missing-package-resource"]),
        "hsdssample11-all__datapackage.json": (0, ["missing-package-resource"]),
        "hsdssample11-simple__datapackage.json": (0, ["missing-package-resource"]),
    ]

    @Test func everyCorpusJSONFileImportsOrFailsWithTheRightDiagnostic() throws {
        let files = FormatsCorpus.files("hsds", extensions: ["json"])
        #expect(files.count == 42)
        for url in files {
            let name = url.lastPathComponent
            let fragment = Importer().readFile(url.path).fragment
            let codes = Set(fragment.diagnostics.map(\.code.rawValue))
            report("hsds \(name): \(fragment.services.count) services, \(fragment.organisations.count) organisations, \(codes.sorted())")
            if name.hasPrefix("hsds30-schema") {
                // The specification's own JSON Schemas and OpenAPI document are not data.
                #expect(fragment.services.isEmpty, "\(name)")
                #expect(codes == ["not-hsds-data"], "\(name)")
                continue
            }
            guard let expected = Self.corpusExpectations[name] else {
                Issue.record("no expectation for \(name)")
                continue
            }
            #expect(fragment.services.count == expected.services, "\(name)")
            #expect(codes == expected.codes, "\(name)")
        }
    }

    @Test func hsds30CSVPackageJoinsTablesById() throws {
        let folder = try package(tag: "hsds30-examples-csv", descriptor: "hsds30__datapackage.json")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fragment = try HSDSReader(path: folder.appendingPathComponent("datapackage.json").path, options: ImportOptions()).readPackage()
        #expect(!fragment.diagnostics.hasErrors)
        let draft = try #require(fragment.services.first)
        #expect(fragment.services.count == 1)
        #expect(draft.name == "Community Counselling")
        #expect(draft.organisation?.text == "Example Organization Inc.")
        #expect(draft.service.contact.phone == "+44 1234 234567")
        #expect(draft.service.contact.postcode == "ABC 1234")
        #expect(draft.service.languages == ["Urdu"])
        #expect(draft.service.ages == AgeRange(minMonths: 144, maxMonths: 1211))
        #expect(draft.service.lastVerified == Day(year: 2005, month: 1, day: 1))
        let location = try #require(draft.service.sources.locations.first)
        #expect(location.file.hasSuffix("/services.csv"))
        #expect(location.row == 2)
        #expect(draft.nameLocation?.column == 4)  // id, organization_id, program_id, name
        #expect(draft.service.sources.fields["phone"]?.file.hasSuffix("/phones.csv") == true)
        // The same service through tabular JSON gives the same fields.
        let tabular = try HSDSReader(path: FormatsCorpus.file("hsds", "hsds30-examples__tabular.json"), options: ImportOptions()).readJSON()
        #expect(tabular.services.first?.service.contact == draft.service.contact)
        #expect(tabular.services.first?.service.ages == draft.service.ages)
    }

    @Test func hsds11SamplePackage() throws {
        let folder = try package(tag: "hsdssample11-all", descriptor: "hsdssample11-all__datapackage.json")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("datapackage.json").path
        // Through the importer: a folder with a datapackage.json is one package.
        let result = Importer().read([folder.path])
        #expect(result.files.map(\.format) == ["hsds-package"])
        let fragment = result.fragment
        report("hsdssample11-all: \(fragment.services.count) services, \(fragment.organisations.count) organisations, \(fragment.diagnostics.map(\.description))")
        #expect(!fragment.diagnostics.hasErrors)
        #expect(fragment.services.count == 13)  // every row of services.csv
        #expect(fragment.organisations.count == 10)
        let helpline = try #require(fragment.services.first { $0.name == "Never Homeless Helpline" })
        #expect(helpline.organisation?.text == "Sanctuary Example City")
        #expect(helpline.service.contact.email == "neverhomeless@example.com")
        #expect(helpline.service.contact.postcode == "10001")
        #expect(helpline.service.eligibility.count == 1)
        #expect(helpline.service.sources.locations.first?.description.hasPrefix(folder.path) == true)
        let inactive = try #require(fragment.services.first { $0.name == "Food Safety Program" })
        #expect(inactive.service.status == .inactive)
        _ = path
    }

    @Test func packagesWithoutTheirTables() throws {
        let simple = try package(tag: "hsdssample11-simple", descriptor: "hsdssample11-simple__datapackage.json")
        defer { try? FileManager.default.removeItem(at: simple) }
        let fragment = try HSDSReader(path: simple.appendingPathComponent("datapackage.json").path, options: ImportOptions()).readPackage()
        #expect(fragment.services.isEmpty)
        #expect(fragment.diagnostics.map(\.code) == [.missingPackageResource])
        #expect(fragment.diagnostics.first?.severity == .error)
        #expect(fragment.diagnostics.first?.message.contains("services.csv") == true)
    }
}
