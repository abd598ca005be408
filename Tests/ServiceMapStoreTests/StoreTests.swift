import Foundation
import GRDB
import Testing
import TestSupport
@testable import ServiceMapCore
@testable import ServiceMapImport
@testable import ServiceMapStore

private typealias SourceLocation = ServiceMapCore.SourceLocation

/// Imports the seed fixture files into a graph, as the command line does.
func importFixture(_ text: String = SeedFixture.files) throws -> (graph: ServiceGraph, diagnostics: [Diagnostic], tree: FileTree) {
    let tree = try FileTree(text)
    let result = Importer().read([tree.path()])
    var assembler = GraphAssembler()
    assembler.add(result.fragment)
    let (graph, diagnostics) = assembler.assemble()
    return (graph, diagnostics, tree)
}

@Suite("The SQLite store")
struct StoreTests {
    @Test func schemaIsMigratedByNameAndUsesWAL() throws {
        let path = temporaryPath("store.sqlite")
        let store = try ServiceStore(path: path)
        #expect(try store.appliedMigrations() == ["v1-graph", "v2-contentless-search", "v3-checks-without-lists", "v4-search-segments",
                                                      "v5-unread-indexes"])
        #expect(try store.journalMode == "wal")
        removeDatabase(path)
    }

    /// A database an import creates is written with a rollback journal, then switched to WAL; one
    /// whose first import fails is left holding nothing, and one that exists is opened in WAL mode.
    @Test func aNewDatabaseIsWrittenWithoutALogThenSwitchedToWAL() throws {
        let (graph, _, tree) = try importFixture()
        defer { tree.remove() }
        let path = temporaryPath("new.sqlite")
        defer { removeDatabase(path) }
        let store = try ServiceStore.forImport(path: path)
        #expect(try store.journalMode == "delete")
        // With pages of 16 KiB, not SQLite's 4 KiB: a service's row is about a kilobyte.
        #expect(try store.writer.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 16384)
        var broken = graph
        broken.services["zzz-last"] = Service(id: "zzz-last", name: "Broken", ages: AgeRange(minMonths: 60, maxMonths: 12))
        #expect(throws: (any Error).self) { try store.apply(broken) }
        #expect(try store.tableCounts().values.allSatisfy { $0 == 0 })
        #expect(try store.journalMode == "delete")

        try store.apply(graph)
        #expect(try store.journalMode == "wal")
        #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
        let reopened = try ServiceStore.forImport(path: path)
        #expect(try reopened.journalMode == "wal")
        #expect(try reopened.loadGraph() == graph)
        #expect(try reopened.runs().count == 1)
    }

    /// A file store loads the upper half of the services on a second connection; the halves must
    /// join into the graph that was stored, lists and rules included.
    @Test func aFileStoreLoadsTheSameGraphInTwoHalves() throws {
        let (graph, _, tree) = try importFixture()
        defer { tree.remove() }
        let path = temporaryPath("halves.sqlite")
        defer { removeDatabase(path) }
        let store = try ServiceStore(path: path)
        try store.apply(graph)
        let loaded = try store.loadGraph()
        #expect(loaded == graph)
        #expect(loaded.services.values.contains { !$0.eligibility.isEmpty || $0.areas.count > 1 || !$0.categories.isEmpty })
    }

    /// A service read from the store carries a fingerprint of its rows, which the site keys its
    /// page by: the same rows give the same digest, any stored change a different one, and a
    /// service changed after it was read has none.
    @Test func loadedServicesCarryADigestOfTheirRows() throws {
        let (graph, _, tree) = try importFixture()
        defer { tree.remove() }
        let store = try ServiceStore.inMemory()
        try store.apply(graph)
        let first = try store.loadGraph(), again = try store.loadGraph()
        #expect(first.services.values.allSatisfy { $0.storedDigest != nil })
        #expect(first.services.allSatisfy { again.services[$0.key]?.storedDigest == $0.value.storedDigest })
        #expect(Set(first.services.values.compactMap(\.storedDigest)).count == first.services.count)
        let id = try #require(first.services.keys.sorted().first)
        let changes: [(String, (inout Service) -> Void)] = [
            ("name", { $0.name += " (changed)" }),
            ("phone", { $0.contact.phone = "0141 000 0000" }),
            ("last verified", { $0.lastVerified = Day(year: 2026, month: 11, day: 22) }),
            ("an area", { service in service.areas += first.areas.keys.filter { !service.areas.contains($0) }.sorted().prefix(1) }),
            ("a source row", { $0.sources.locations = $0.sources.locations.map { $0.at(row: ($0.row ?? 0) + 1, column: $0.column) } }),
        ]
        for (what, change) in changes {
            var edited = first
            change(&edited.services[id]!)
            #expect(edited.services[id]!.storedDigest == nil, "\(what)")
            try store.apply(edited)
            #expect(try store.loadGraph().services[id]?.storedDigest != first.services[id]?.storedDigest, "\(what)")
        }
        try store.apply(graph)
        #expect(try store.loadGraph().services[id]?.storedDigest == first.services[id]?.storedDigest)
        #expect(Service(id: "new", name: "New").storedDigest == nil)
    }

    /// Texts are bound from one arena per statement (`TextArena`): a text longer than the arena,
    /// texts that fill it part way through a row, and empty texts (not NULL) must all come back.
    @Test func longAndEmptyTextsRoundTrip() throws {
        var graph = ServiceGraph()
        let long = String(repeating: "Synthetic description, labelled synthetic. ", count: 2_000)  // 88 KB
        graph.services["a-long"] = Service(id: "a-long", name: "Long", description: long, costNote: "")
        graph.services["b-after"] = Service(id: "b-after", name: "After", description: String(long.prefix(40_000)), costNote: "x")
        graph.services["c-empty"] = Service(id: "c-empty", name: "Empty", description: "", howToRefer: "")
        let store = try ServiceStore.inMemory()
        try store.apply(graph)
        let loaded = try store.loadGraph()
        #expect(loaded == graph)
        #expect(loaded.services["a-long"]?.description.utf8.count == long.utf8.count)
        #expect(loaded.services["a-long"]?.costNote == "")
        #expect(loaded.services["c-empty"]?.howToRefer == "")
    }

    @Test func csvRoundTripsThroughTheStore() throws {
        let (graph, diagnostics, tree) = try importFixture()
        defer { tree.remove() }
        #expect(!diagnostics.hasErrors, "\(diagnostics.filter { $0.severity == .error })")
        let store = try ServiceStore.inMemory()
        let summary = try store.apply(graph)
        #expect(summary.servicesAdded == graph.services.count)
        let loaded = try store.loadGraph()
        #expect(loaded == graph)
        #expect(loaded.services.count == 8)
        // Provenance survives: the Hub's row is line 2 of bromley-services.csv.
        let hub = try #require(loaded.services["children-and-families-hub--bromley"])
        #expect(hub.sources.locations.first?.description == tree.path("bromley-services.csv") + ":2")
        #expect(hub.sources.citations == ["000 §Bromley Hub"])
        #expect(Set(loaded.routes(into: hub.id).map(\.from)) == [.role(.school), .role(.gp), .role(.healthVisitor), .role(.police)])
    }

    @Test func aFailingRunLeavesTheDatabaseExactlyAsItWas() throws {
        let (graph, _, tree) = try importFixture()
        defer { tree.remove() }
        let path = temporaryPath("atomic.sqlite")
        defer { removeDatabase(path) }
        let store = try ServiceStore(path: path)
        try store.apply(graph)
        let before = try store.tableCounts()
        let beforeGraph = try store.loadGraph()

        // A graph that breaks a schema constraint half-way through writing (a reversed age range on
        // the last service written) must roll back everything, including the deletes before it.
        var broken = graph
        broken.services["zzz-last"] = Service(id: "zzz-last", name: "Broken", ages: AgeRange(minMonths: 60, maxMonths: 12))
        #expect(throws: (any Error).self) { try store.apply(broken) }
        #expect(try store.tableCounts() == before)
        #expect(try store.loadGraph() == beforeGraph)

        // A route to a service that is not there breaks a foreign key: also rolled back whole.
        var dangling = graph
        dangling.insert(ReferralRoute(from: .role(.gp), to: "nowhere", mode: .professional))
        let error = #expect(throws: (any Error).self) { try store.apply(dangling) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("a row of referralRoute (rowid"))
        #expect(try store.tableCounts() == before)
        #expect(try store.runs().count == 1)
    }

    @Test func servicesInAnAreaIncludeSubAreas() throws {
        let (graph, _, tree) = try importFixture()
        defer { tree.remove() }
        let store = try ServiceStore.inMemory()
        try store.apply(graph)
        let scotland = try store.services(in: "scotland")
        #expect(scotland == ["children-and-families-duty-team--glasgow-city", "gift--glasgow-city", "health-visiting--glasgow-city",
                             "primary-care-mental-health-team--glasgow-city"])
        #expect(try store.services(in: "bromley").count == 4)
    }

    @Test func routesIntoAndOutOf() throws {
        let (graph, _, tree) = try importFixture()
        defer { tree.remove() }
        let store = try ServiceStore.inMemory()
        try store.apply(graph)
        let out = try store.routes(outOf: "children-and-families-hub--bromley")
        #expect(out.map(\.to) == ["bromley-children-project--bromley"])
        #expect(out.first?.kind == .stepDown)
        let into = try store.routes(into: "gift--glasgow-city").map(\.from)
        #expect(Set(into) == [.role(.court), .role(.socialWorker), .service("children-and-families-duty-team--glasgow-city")])
    }

    @Test func reachabilityAndShortestPathOnSeedData() throws {
        let (graph, _, tree) = try importFixture()
        defer { tree.remove() }
        let store = try ServiceStore.inMemory()
        try store.apply(graph)
        let fromHV = try store.reachableWithoutSocialWork(from: .healthVisitor).map(\.service)
        #expect(fromHV.contains("bromley-children-project--bromley"))
        #expect(!fromHV.contains("gift--glasgow-city"))
        #expect(!fromHV.contains("children-and-families-hub--bromley"))
        #expect(try store.reachableWithoutSocialWork(from: .court).map(\.service).contains("gift--glasgow-city"))
        let path = try #require(try store.shortestPath(from: "health-visiting--glasgow-city", to: "gift--glasgow-city"))
        #expect(path.map(\.to) == ["children-and-families-duty-team--glasgow-city", "gift--glasgow-city"])
    }

    @Test func fullTextSearchStems() throws {
        let (graph, _, tree) = try importFixture()
        defer { tree.remove() }
        let store = try ServiceStore.inMemory()
        try store.apply(graph)
        // "parents" and "parenting" share the stem "parent"; category synonyms are indexed too.
        #expect(try store.search("parents").keys.contains("bromley-children-project--bromley"))
        #expect(try store.search("debt").keys.contains("bromley-children-project--bromley"))
        #expect(try store.search("infant").keys.contains("gift--glasgow-city"))
        #expect(try store.search("xyzzy").isEmpty)
    }

    @Test func runsRecordWhatChanged() throws {
        let (graph, _, tree) = try importFixture()
        defer { tree.remove() }
        let store = try ServiceStore.inMemory()
        try store.apply(graph, files: [.init(path: "a.csv", format: "csv", sha256: "00", records: 3)])
        var edited = graph
        edited.services["gift--glasgow-city"]?.description = "Glasgow Infant and Family Team"
        edited.services.removeValue(forKey: "lift--bromley")
        edited.routes = edited.routes.filter { $0.value.to != "lift--bromley" }
        let second = try store.apply(edited)
        let changes = try store.changes(inRun: second.runID).filter { $0.entity == "service" }
        #expect(changes.map(\.kind) == [.changed, .removed])
        #expect((second.servicesAdded, second.servicesChanged, second.servicesRemoved) == (0, 1, 1))
        // What was written is what the diff finds, for every kind of record (routes were removed too).
        #expect(try Set(store.changes(inRun: second.runID)) == Set(GraphDiff.changes(from: graph, to: edited)))
        #expect(try store.changes(inRun: second.runID).contains { $0.entity == "route" && $0.kind == .removed })
        #expect(changes[0].fields == [RecordChange.FieldChange(field: "description", old: "", new: "Glasgow Infant and Family Team")])
        #expect(try store.runs().map(\.files) == [["a.csv"], []])
    }

    @Test func provenanceFromSeveralFilesAndAwkwardTextRoundTrips() throws {
        // Field locations in the record's own row are stored as column numbers; one from another
        // file (a merged bookmark) and one in another row keep their whole place. Text with quotes,
        // backslashes, control characters and non-ASCII letters must come back unchanged.
        let row = SourceLocation(file: "dir/a \"b\".xlsx", sheet: "Sheet 1", row: 7)
        var sources = Sources(locations: [row, SourceLocation(file: "bookmarks.html", row: 12)], citations: ["Café \\ 1\t2\u{1}"])
        sources.fields["name"] = row.at(row: 7, column: 1)
        sources.fields["ages"] = row.at(row: 7, column: nil)
        sources.fields["website"] = SourceLocation(file: "bookmarks.html", row: 12, column: 3)
        sources.fields["phone"] = row.at(row: 8, column: 4)
        var graph = ServiceGraph.empty
        graph.areas["x"] = Area(code: "x", name: "X", kind: .council)
        graph.services["s"] = Service(id: "s", name: "Naïve \"quoted\" name", description: "line one\nline two ✓", areas: ["x"],
                                      languages: ["Gàidhlig", "Polski"], attributes: ["Notes \"x\"": "a\\b"], sources: sources)
        let store = try ServiceStore.inMemory()
        try store.apply(graph)
        let loaded = try store.loadGraph()
        #expect(loaded == graph)
        #expect(loaded.services["s"]?.sources.fields["website"]?.description == "bookmarks.html:12:3")
        #expect(loaded.services["s"]?.sources.fields["phone"]?.description == "dir/a \"b\".xlsx:Sheet 1!D8")
        #expect(loaded.services["s"]?.sources.fields.keys == ["ages", "name", "phone", "website"])
    }

    @Test func servicesReadFromOneSheetComeBackWithTheirOwnRowsAndFiles() throws {
        // The loader shares one layout of fields and columns among records written alike: each
        // service must still get its own file, sheet and row, and a record whose layout differs
        // (a field from another row, a missing field, another file) must get exactly its own.
        func sources(_ file: String, row: Int, phoneRow: Int? = nil, withPhone: Bool = true) -> Sources {
            let at = SourceLocation(file: file, sheet: "Services", row: row)
            var sources = Sources(at)
            sources.fields["name"] = at.at(row: row, column: 1)
            sources.fields["ages"] = at.at(row: row, column: nil)
            if withPhone { sources.fields["phone"] = at.at(row: phoneRow ?? row, column: 4) }
            return sources
        }
        var graph = ServiceGraph.empty
        let cases: [(String, Sources)] = [
            ("a", sources("dir.xlsx", row: 2)), ("b", sources("dir.xlsx", row: 3)), ("c", sources("other.xlsx", row: 3)),
            ("d", sources("dir.xlsx", row: 5, phoneRow: 6)), ("e", sources("dir.xlsx", row: 7, withPhone: false)),
            ("f", sources("dir.xlsx", row: 8)),
        ]
        for (id, sources) in cases {
            graph.services[ServiceID(id)] = Service(id: ServiceID(id), name: "Service \(id)", sources: sources)
        }
        let store = try ServiceStore.inMemory()
        try store.apply(graph)
        let loaded = try store.loadGraph()
        #expect(loaded == graph)
        #expect(loaded.services["b"]?.sources.fields["phone"]?.description == "dir.xlsx:Services!D3")
        #expect(loaded.services["c"]?.sources.fields["name"]?.description == "other.xlsx:Services!A3")
        #expect(loaded.services["d"]?.sources.fields["phone"]?.description == "dir.xlsx:Services!D6")
        #expect(loaded.services["e"]?.sources.fields.keys == ["ages", "name"])
        #expect(loaded.services["f"]?.sources.fields["ages"]?.description == "dir.xlsx:Services!8")
    }

    @Test func searchFollowsEachReplacingImport() throws {
        let (graph, _, tree) = try importFixture()
        defer { tree.remove() }
        let store = try ServiceStore.inMemory()
        try store.apply(graph)
        #expect(try store.search("infant").keys.contains("gift--glasgow-city"))
        // Replacing the directory replaces the index: the removed service is no longer found,
        // and a renamed one is found by its new words only.
        var edited = graph
        edited.services.removeValue(forKey: "gift--glasgow-city")
        edited.routes = edited.routes.filter { $0.value.to != "gift--glasgow-city" && $0.value.from != .service("gift--glasgow-city") }
        edited.services["lift--bromley"]?.description = "Xylophone lessons"
        try store.apply(edited)
        #expect(!(try store.search("infant").keys.contains("gift--glasgow-city")))
        #expect(Array(try store.search("xylophone").keys) == ["lift--bromley"])
        #expect(try store.search("bromley").keys.contains("bromley-children-project--bromley"))
    }
}
