import Foundation
import ServiceMapCore
import Testing
@testable import ServiceMapSite
import ServiceMapStore

/// An incremental build (a build over the folder of the last one) renders and writes only what
/// changed, and leaves exactly the folder a full build of the same graph makes.
@Suite("Incremental site builds")
struct IncrementalBuildTests {
    /// Every regular file and folder under `folder`, by relative path; folders map to nil.
    static func tree(_ folder: URL) -> [String: Data?] {
        var result: [String: Data?] = [:]
        let base = folder.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isDirectoryKey]) else { return [:] }
        for case let url as URL in walker {
            let relative = String(url.standardizedFileURL.path.dropFirst(base.count + 1))
            if (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                result[relative] = .some(nil)
            } else {
                result[relative] = try? Data(contentsOf: url)
            }
        }
        return result
    }

    /// Identity of a file on disk: inode and modification time, which a rewrite changes.
    static func stamp(_ url: URL) throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        let inode = attributes[.systemFileNumber] as? Int ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(inode)/\(modified)"
    }

    static let options = SiteOptions(documentsPerShard: 3)

    /// Builds `before` into a folder, then `after` over it, and compares the result with a full
    /// build of `after` into a fresh folder: every file and folder the same, byte for byte.
    @discardableResult
    func expectIncrementalEqualsFull(
        _ before: ServiceGraph, _ after: ServiceGraph, theme: URL = SiteFixtures.theme, themeAfter: URL? = nil,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> (report: SiteBuildReport, site: URL) {
        let site = SiteFixtures.temporaryFolder("incremental")
        let fresh = SiteFixtures.temporaryFolder("full")
        try SiteBuilder(graph: before, theme: theme, output: site, options: Self.options).build()
        let report = try SiteBuilder(graph: after, theme: themeAfter ?? theme, output: site, options: Self.options).build()
        var full = Self.options
        full.incremental = false
        let fullReport = try SiteBuilder(graph: after, theme: themeAfter ?? theme, output: fresh, options: full).build()
        #expect(!fullReport.incremental, sourceLocation: sourceLocation)
        let updated = Self.tree(site), expected = Self.tree(fresh)
        #expect(updated.keys.sorted() == expected.keys.sorted(), sourceLocation: sourceLocation)
        for (path, data) in expected where updated[path] != data {
            Issue.record("\(path) differs from a full build", sourceLocation: sourceLocation)
        }
        #expect(report.files == fullReport.files && report.bytes == fullReport.bytes && report.pages == fullReport.pages,
                sourceLocation: sourceLocation)
        return (report, site)
    }

    /// Services read from a store are keyed by their rows (`Service.storedDigest`), not by their
    /// fields: an edit stored and read back still rewrites exactly what a full build changes.
    @Test func servicesReadFromAStoreAreKeyedByTheirRows() throws {
        let store = try ServiceStore.inMemory()
        var graph = SiteFixtures.synthetic(count: 40)
        // The generator may list a need twice; the store, like an import, keeps each once.
        for id in graph.services.keys { graph.services[id]!.categories = graph.services[id]!.categories.distinct }
        try store.apply(graph)
        let before = try store.loadGraph()
        var edited = before
        edited.services["home-start-glasgow"]!.description = "Volunteers visit families at home, now on Saturdays too."
        edited.services["money-advice-glasgow"]!.contact.phone = "0141 000 0000"
        try store.apply(edited)
        let after = try store.loadGraph()
        #expect(after.services.values.allSatisfy { $0.storedDigest != nil })
        let (report, _) = try expectIncrementalEqualsFull(before, after)
        #expect(report.incremental && report.filesWritten > 0 && report.filesWritten < report.files / 4)
    }

    @Test func editingAServiceRewritesOnlyThePagesThatShowIt() throws {
        let before = SiteFixtures.synthetic(count: 40)
        var after = before
        after.services["home-start-glasgow"]!.description = "Volunteers visit families at home, now on Saturdays too."
        let site = SiteFixtures.temporaryFolder("incremental")
        try SiteBuilder(graph: before, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        let untouched = ["services/money-advice-glasgow.html", "areas/bromley.html", "organisations/nhs-ggc.html", "assets/style.css"]
        let stamps = try untouched.map { try Self.stamp(site.appendingPathComponent($0)) }
        let edited = try Self.stamp(site.appendingPathComponent("services/home-start-glasgow.html"))
        Thread.sleep(forTimeInterval: 0.01)

        let report = try SiteBuilder(graph: after, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        #expect(report.incremental)
        // The service's page, the lists it is in (its area, levels, categories, organisation, A–Z
        // letter), its search record and words: a handful of the site's files.
        #expect(report.filesWritten > 0 && report.filesWritten < report.files / 10, "wrote \(report.filesWritten) of \(report.files)")
        #expect(report.filesWritten + report.filesUnchanged == report.files)
        #expect(report.filesRemoved == 0)
        #expect(try untouched.map { try Self.stamp(site.appendingPathComponent($0)) } == stamps)
        #expect(try Self.stamp(site.appendingPathComponent("services/home-start-glasgow.html")) != edited)
        let page = String(decoding: try Data(contentsOf: site.appendingPathComponent("services/home-start-glasgow.html")), as: UTF8.self)
        #expect(page.contains("now on Saturdays too"))

        try expectIncrementalEqualsFull(before, after)
    }

    @Test func nothingChangedWritesNothing() throws {
        let graph = SiteFixtures.family()
        let site = SiteFixtures.temporaryFolder()
        let first = try SiteBuilder(graph: graph, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        #expect(!first.incremental && first.filesWritten == first.files)
        let again = try SiteBuilder(graph: graph, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        #expect(again.incremental)
        #expect(again.filesWritten == 0 && again.filesUnchanged == first.files && again.filesRemoved == 0)
    }

    @Test func addingAServiceEqualsAFullBuild() throws {
        let before = SiteFixtures.synthetic(count: 12)
        var after = before
        after.services["zebra-club"] = Service(
            id: "zebra-club", name: "Zebra Club for Dads", organisation: "home-start", description: "Synthetic: a new group.",
            areas: ["east-renfrewshire"], categories: ["parenting"], levels: ["scotland-universal"],
            sources: Sources(citations: ["synthetic"]))
        after.insert(ReferralRoute(from: .role(.self), to: "zebra-club", mode: .selfReferral))
        after.insert(ReferralRoute(from: .service("home-start-glasgow"), to: "zebra-club", mode: .professional))
        let (report, site) = try expectIncrementalEqualsFull(before, after)
        #expect(report.incremental)
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("a-z/z.html").path))
    }

    @Test func removingAServiceDeletesItsPage() throws {
        let before = SiteFixtures.hostile()
        var after = before
        after.services["../../evil"] = nil
        after.routes = after.routes.filter { $0.value.to != "../../evil" }
        let (report, site) = try expectIncrementalEqualsFull(before, after)
        #expect(report.incremental && report.filesRemoved > 0)
        #expect(!SiteFixtures.files(in: site).keys.contains { $0.hasPrefix("services/evil") })
    }

    @Test func renamingAServiceOrganisationOrAreaEqualsAFullBuild() throws {
        let before = SiteFixtures.synthetic(count: 20)
        var renamedService = before
        renamedService.services["money-advice-glasgow"]!.name = "Advice on Money for Families"  // another A–Z letter
        try expectIncrementalEqualsFull(before, renamedService)
        var renamedOrganisation = before
        renamedOrganisation.organisations["nhs-ggc"]!.name = "NHS Glasgow"
        try expectIncrementalEqualsFull(before, renamedOrganisation)
        var renamedArea = before
        renamedArea.areas["glasgow-city"]!.name = "City of Glasgow"
        try expectIncrementalEqualsFull(before, renamedArea)
        var closed = before
        closed.services["synthetic-3"]!.status = .closed
        try expectIncrementalEqualsFull(before, closed)
        var moved = before
        moved.services["synthetic-4"]!.areas = ["bromley"]
        moved.services["synthetic-4"]!.levels = ["bromley-level-2"]
        try expectIncrementalEqualsFull(before, moved)
    }

    /// Edits that change what the search index reads of a service or of the records it names,
    /// each built over the site of the unedited directory: the analyses kept in the search cache
    /// must never stand in for a changed service's.
    @Test func editsTheSearchIndexReadsEqualAFullBuild() throws {
        let before = SiteFixtures.synthetic(count: 20)
        let someCategory = before.services["synthetic-5"]!.categories[0]
        var edits: [(String, (inout ServiceGraph) -> Void)] = [
            ("category renamed", { $0.categories[someCategory]!.name = "Zither lessons" }),
            ("category synonyms", { $0.categories[someCategory]!.synonyms.append("quokka") }),
            ("category moved", { $0.categories[someCategory]!.parent = $0.categories.keys.sorted().first { $0 != someCategory } }),
            ("area renamed", { $0.areas["bromley"]!.name = "Bromley Borough" }),
            ("ages", { $0.services["synthetic-7"]!.ages = AgeRange(minMonths: 24, maxMonths: 59) }),
            ("no ages", { $0.services["synthetic-7"]!.ages = nil }),
            ("closed", { $0.services["synthetic-2"]!.status = .closed }),
            ("pilot", { $0.services["synthetic-8"]!.status = .pilot }),
            ("languages", { $0.services["synthetic-9"]!.languages = ["Gàidhlig"] }),
            ("how to refer", { $0.services["synthetic-10"]!.howToRefer = "Ring the xylophone desk." }),
            ("cost", { $0.services["synthetic-11"]!.cost = nil }),
            ("organisation sector", {
                $0.services["synthetic-12"]!.organisation = "bromley-council"
                $0.services["synthetic-12"]!.levels = []
                $0.organisations["bromley-council"]!.sector = .socialWork
            }),
            ("level ring", { $0.levels["scotland-additional"]!.ring = .childInNeed }),
            ("role route", { $0.insert(ReferralRoute(from: .role(.self), to: "synthetic-13", mode: .selfReferral, conditions: "Yak owners")) }),
            ("first service removed: every document number shifts", {
                let first = $0.services.values.min { ($0.name, $0.id) < ($1.name, $1.id) }!.id
                $0.services[first] = nil
                $0.routes = $0.routes.filter { $0.value.to != first && $0.value.from != .service(first) }
            }),
            ("service added first", {
                $0.services["aardvark"] = Service(
                    id: "aardvark", name: "Aardvark drop-in", description: "Synthetic: added before every other.",
                    areas: ["glasgow-city"], categories: [someCategory], sources: Sources(citations: ["synthetic"]))
            }),
        ]
        edits.append(("new area served", { $0.services["synthetic-14"]!.areas.append("scotland") }))
        for (name, edit) in edits {
            var after = before
            edit(&after)
            let (report, _) = try expectIncrementalEqualsFull(before, after)
            #expect(report.incremental, "\(name)")
        }
    }

    /// An incremental build takes unchanged services' analyses from the cache, so it rewrites
    /// only the document shards of the services that changed; a cache it cannot read only makes
    /// it analyse every service again.
    @Test func theSearchCacheKeepsUnchangedShards() throws {
        let before = SiteFixtures.synthetic(count: 30)
        var after = before
        // Renamed in place: it keeps its place in name order, so its document number.
        after.services["synthetic-17"]!.name = "Synthetic service 17 babies quince"
        let site = SiteFixtures.temporaryFolder("incremental")
        try SiteBuilder(graph: before, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        let cacheFile = site.appendingPathComponent(SearchAnalysisCache.fileName)
        #expect(FileManager.default.fileExists(atPath: cacheFile.path))
        let shards = try FileManager.default.contentsOfDirectory(atPath: site.appendingPathComponent("search/d").path).sorted()
        let stamps = try shards.map { try Self.stamp(site.appendingPathComponent("search/d/" + $0)) }
        Thread.sleep(forTimeInterval: 0.01)
        try SiteBuilder(graph: after, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        let rewritten = try zip(shards, stamps).filter { try Self.stamp(site.appendingPathComponent("search/d/" + $0.0)) != $0.1 }.map(\.0)
        #expect(rewritten.count == 1, "rewrote \(rewritten)")
        let texts = try rewritten.map { String(decoding: try Data(contentsOf: site.appendingPathComponent("search/d/" + $0)), as: UTF8.self) }
        #expect(texts.contains { $0.contains("babies quince") })

        // A damaged cache is not read: the build analyses everything and still equals a full one.
        var damaged = try Data(contentsOf: cacheFile)
        damaged.removeLast(5)
        try damaged.write(to: cacheFile)
        var again = after
        again.services["synthetic-3"]!.name = "Renamed synthetic service"
        try SiteBuilder(graph: again, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        let fresh = SiteFixtures.temporaryFolder("full")
        var full = Self.options
        full.incremental = false
        try SiteBuilder(graph: again, theme: SiteFixtures.theme, output: fresh, options: full).build()
        let updated = Self.tree(site), expected = Self.tree(fresh)
        #expect(updated.keys.sorted() == expected.keys.sorted())
        for (path, data) in expected where updated[path] != data { Issue.record("\(path) differs from a full build") }
    }

    /// The cache reads back what it wrote, and refuses another analysis key or a cut-short file.
    @Test func theSearchCacheRoundTrips() throws {
        var key = Fingerprint()
        key.add("analysis")
        var first = Fingerprint(), second = Fingerprint()
        first.add("one")
        second.add("two")
        var builder = SearchAnalysisCache.Builder(analysisKey: .init(key), capacity: 0)
        builder.add(key: .init(first), facets: [0, 3, 7, 300],
                    terms: [SearchAnalysisCache.pack(term: 2, weight: 30), SearchAnalysisCache.pack(term: 0, weight: 1)])
        builder.add(key: .init(second), facets: [], terms: [SearchAnalysisCache.pack(term: 1, weight: 6)])
        let bytes = builder.finish(terms: ["famili", "support", "gàidhlig"])
        let back = try #require(SearchAnalysisCache.parse(bytes, analysisKey: .init(key), facetCount: 301))
        #expect(back.terms == ["famili", "support", "gàidhlig"] && back.keys == [.init(first), .init(second)])
        func decoded(_ position: Int) -> (facets: [Int32], terms: [String], weights: [Int32]) {
            var facets: [Int32] = [], packed: [UInt32] = []
            back.read(document: position, facets: &facets, terms: &packed)
            return (facets, packed.map { back.terms[SearchAnalysisCache.term($0)] }, packed.map(SearchAnalysisCache.weight))
        }
        #expect(decoded(0).facets == [0, 3, 7, 300] && decoded(0).terms == ["gàidhlig", "famili"] && decoded(0).weights == [30, 1])
        #expect(decoded(1).facets == [] && decoded(1).terms == ["support"] && decoded(1).weights == [6])
        var other = Fingerprint()
        other.add("another analysis")
        #expect(SearchAnalysisCache.parse(bytes, analysisKey: .init(other), facetCount: 301) == nil)
        #expect(SearchAnalysisCache.parse(bytes, analysisKey: .init(key), facetCount: 300) == nil)
        #expect(SearchAnalysisCache.parse(Array(bytes.dropLast(1)), analysisKey: .init(key), facetCount: 301) == nil)
        var cut = bytes
        cut.remove(at: SearchAnalysisCache.magic.count + 20)
        #expect(SearchAnalysisCache.parse(cut, analysisKey: .init(key), facetCount: 301) == nil)
    }

    /// A seeded run of edits of every kind on random services, each built over the last site and compared
    /// with a full build: the incremental folder never drifts from the full one.
    @Test func aRunOfRandomEditsNeverDriftsFromAFullBuild() throws {
        var random = SeededRandom(seed: 2026)
        var graph = SiteFixtures.synthetic(count: 30)
        let site = SiteFixtures.temporaryFolder("incremental")
        try SiteBuilder(graph: graph, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        let words = ["Alder", "birch", "Cedar", "damson", "Elm", "fir", "Ōak", "7 Rowan"]
        // Steps 12 on edit the service at the far end of a route, which shows on the near one's page.
        var far: ServiceID = ""
        for step in 0..<16 {
            let ids = graph.services.keys.sorted()
            let id = ids[random.next(ids.count)]
            let word = words[random.next(words.count)]
            switch step {  // every kind of edit once, on a random service
            case 0: graph.services[id]!.name = "\(word) service \(step)"
            case 1: graph.services[id]!.description += " \(word) on Tuesdays."
            case 2: graph.services[id]!.areas = [["glasgow-city", "bromley", "east-renfrewshire", "scotland"][random.next(4)]]
            case 3: graph.services[id]!.levels = [["scotland-universal", "scotland-intensive", "bromley-level-4"][random.next(3)]]
            case 4: graph.services[id]!.categories = [NeedCategory.standard[random.next(NeedCategory.standard.count)].id]
            case 5: graph.services[id]!.organisation = ["nhs-ggc", "home-start", "bromley-council", nil][random.next(4)]
            case 6: graph.services[id]!.status = [.active, .pilot, .closed][random.next(3)]
            case 7: graph.services[id]!.lastVerified = random.next(2) == 0 ? nil : Day(year: 2025, month: 1 + random.next(12), day: 1)
            case 8:
                let newID = ServiceID("new-\(step)")
                graph.services[newID] = Service(
                    id: newID, name: "\(word) new \(step)", organisation: "home-start", description: "Synthetic: added in step \(step).",
                    areas: ["glasgow-city"], categories: ["parenting"], levels: ["scotland-additional"], sources: Sources(citations: ["synthetic"]))
                graph.insert(ReferralRoute(from: .service(id), to: newID, mode: .professional))
            case 9:
                graph.services[id] = nil
                graph.routes = graph.routes.filter { $0.value.to != id && $0.value.from != .service(id) }
            case 10: graph.organisations["home-start"]!.name = "\(word) Home-Start"
            case 11: graph.levels["scotland-additional"]!.ring = [.earlyHelp, .universal, .childInNeed][random.next(3)]
            case 12:
                far = ids.first { $0 != id }!
                graph.insert(ReferralRoute(from: .service(id), to: far, mode: .professional, conditions: "\(word) first"))
            case 13: graph.services[far]!.name = "\(word) far end"
            case 14:
                graph.services[far]!.organisation = "bromley-council"
                graph.organisations["bromley-council"]!.sector = [.socialWork, .health, .thirdSector][random.next(3)]
            default:
                graph.services[far]!.levels = ["bromley-level-4"]
                graph.levels["bromley-level-4"]!.ring = [.childInNeed, .earlyHelp][random.next(2)]
            }
            let report = try SiteBuilder(graph: graph, theme: SiteFixtures.theme, output: site, options: Self.options).build()
            #expect(report.incremental)
            let fresh = SiteFixtures.temporaryFolder("full")
            var full = Self.options
            full.incremental = false
            try SiteBuilder(graph: graph, theme: SiteFixtures.theme, output: fresh, options: full).build()
            let updated = Self.tree(site), expected = Self.tree(fresh)
            #expect(updated.keys.sorted() == expected.keys.sorted(), "step \(step)")
            for (path, data) in expected where updated[path] != data { Issue.record("step \(step): \(path) differs from a full build") }
        }
    }

    @Test func changingATemplateMakesAFullBuild() throws {
        let theme = SiteFixtures.temporaryFolder("theme")
        try FileManager.default.copyItem(at: SiteFixtures.theme, to: theme)
        let changed = SiteFixtures.temporaryFolder("theme-changed")
        try FileManager.default.copyItem(at: SiteFixtures.theme, to: changed)
        let footer = changed.appendingPathComponent("templates/layout.mustache")
        let layout = try String(contentsOf: footer, encoding: .utf8)
        try layout.replacingOccurrences(of: "</body>", with: "<!-- re-branded --></body>").write(to: footer, atomically: true, encoding: .utf8)
        let graph = SiteFixtures.family()
        let (report, site) = try expectIncrementalEqualsFull(graph, graph, theme: theme, themeAfter: changed)
        #expect(!report.incremental)
        #expect(String(decoding: try Data(contentsOf: site.appendingPathComponent("index.html")), as: UTF8.self).contains("<!-- re-branded -->"))
    }

    /// A manifest whose identity matches but whose lines do not parse (cut short, edited by hand)
    /// gives a full build, swapped in whole: a file the new site no longer makes is gone.
    @Test func aManifestDamagedBelowItsIdentityGivesAFullBuild() throws {
        let site = SiteFixtures.temporaryFolder()
        let before = SiteFixtures.synthetic(count: 12)
        try SiteBuilder(graph: before, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        let manifest = site.appendingPathComponent(SiteManifest.fileName)
        var lines = try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        lines[lines.count - 2] = "not a line of a manifest"
        try lines.joined(separator: "\n").write(to: manifest, atomically: true, encoding: .utf8)
        var after = before
        let gone = try #require(after.services.keys.sorted().first)
        after.services[gone] = nil
        after.routes = after.routes.filter { $0.value.to != gone && $0.value.from != .service(gone) }
        let report = try SiteBuilder(graph: after, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        #expect(!report.incremental)
        let fresh = SiteFixtures.temporaryFolder("full")
        try SiteBuilder(graph: after, theme: SiteFixtures.theme, output: fresh, options: Self.options).build()
        #expect(Self.tree(site) == Self.tree(fresh))
        #expect(!FileManager.default.fileExists(atPath: site.appendingPathComponent("services/\(gone.rawValue).html").path))
        #expect(SiteManifest.read(in: site) != nil)
    }

    @Test func aBuildThatStopsHalfWayLeavesNoManifest() throws {
        let site = SiteFixtures.temporaryFolder()
        try SiteBuilder(graph: SiteFixtures.family(), theme: SiteFixtures.theme, output: site, options: Self.options).build()
        #expect(SiteManifest.read(in: site) != nil)
        // A theme without its service template fails before any page is written…
        let broken = SiteFixtures.temporaryFolder("broken-theme")
        try FileManager.default.copyItem(at: SiteFixtures.theme, to: broken)
        try FileManager.default.removeItem(at: broken.appendingPathComponent("templates/service.mustache"))
        #expect(throws: SiteBuildError.self) {
            try SiteBuilder(graph: SiteFixtures.family(), theme: broken, output: site, options: Self.options).build()
        }
        // …and leaves the last site, manifest and all.
        #expect(SiteManifest.read(in: site) != nil)
        // A failure inside an incremental build (here a folder where a new page must go) removes
        // the manifest, so the next build is a full one.
        var added = SiteFixtures.family()
        added.services["new-thing"] = Service(id: "new-thing", name: "New Thing", areas: ["bromley"], sources: Sources(citations: ["synthetic"]))
        try FileManager.default.createDirectory(at: site.appendingPathComponent("services/new-thing.html"), withIntermediateDirectories: true)
        #expect(throws: SiteBuildError.self) {
            try SiteBuilder(graph: added, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        }
        #expect(SiteManifest.read(in: site) == nil)
        let next = try SiteBuilder(graph: added, theme: SiteFixtures.theme, output: site, options: Self.options).build()
        #expect(!next.incremental)
        #expect(SiteFixtures.files(in: site)["services/new-thing.html"] != nil)
    }

    @Test func manifestRoundTrips() throws {
        let manifest = SiteManifest(identity: "abc", entries: [
            "services/a b.html": .init(content: Digest(x: 0x0123, y: .max), inputs: Digest(x: 0x4567_89AB_CDEF_0000, y: 1), size: 12),
            "search/meta.js": .init(content: Digest(x: 0, y: 0x89AB), inputs: nil, size: 3),
        ], steps: ["coverage": Digest(x: 0xCDEF, y: 2), "a step": Digest(x: 0x0011, y: 3)])
        let folder = SiteFixtures.temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(manifest.text.utf8).write(to: folder.appendingPathComponent(SiteManifest.fileName))
        let read = try #require(SiteManifest.read(in: folder))
        #expect(read.identity == "abc" && read.entries == manifest.entries && read.steps == manifest.steps)
        #expect(manifest.text.contains("0000000000000123ffffffffffffffff 456789abcdef00000000000000000001 12 services/a b.html\n"))
    }

    /// A manifest the build cannot read in full is not trusted in part: the build is a full one.
    @Test func aDamagedManifestIsNotRead() throws {
        let line = "0000000000000123ffffffffffffffff - 12 services/a.html"
        for damaged in [line.replacingOccurrences(of: "0123", with: "01g3"), line.replacingOccurrences(of: " - ", with: " 12 "),
                        line.replacingOccurrences(of: "0000000000000123", with: "123"), line.replacingOccurrences(of: " 12 ", with: " x ")] {
            let bytes = Array("\(SiteManifest.header)\nidentity abc\n\(damaged)\n".utf8)
            #expect(bytes.withUnsafeBytes { SiteManifest.parse($0) } == nil, "\(damaged)")
        }
        let bytes = Array("\(SiteManifest.header)\nidentity abc\n\(line)\n".utf8)
        #expect(bytes.withUnsafeBytes { SiteManifest.parse($0) }?.entries["services/a.html"]?.size == 12)
    }

    @Test func digestsReadBackFromTheirHex() {
        for digest in [Digest(x: 0, y: 0), Digest(x: .max, y: 1), Digest(x: 0x0123_4567_89AB_CDEF, y: 0xFEDC_BA98_7654_3210)] {
            #expect(digest.hex.count == 32 && Digest(hex: digest.hex) == digest)
        }
        #expect(Digest(hex: "0123456789ABCDEF0123456789abcdef") == Digest(x: 0x0123_4567_89AB_CDEF, y: 0x0123_4567_89AB_CDEF))
        #expect(Digest(hex: "0123") == nil && Digest(hex: String(repeating: "z", count: 32)) == nil)
    }

    @Test func fingerprintsTellValuesApart() {
        func hex(_ value: Any) -> String {
            var f = Fingerprint()
            f.add(value: TemplateValue(value))
            return f.hex
        }
        #expect(hex(["a": "bc"] as [String: Any]) == hex(["a": "bc"] as [String: Any]))
        #expect(hex(["ab", "c"]) != hex(["a", "bc"]))
        #expect(hex(["a": 1] as [String: Any]) != hex(["a": "1"] as [String: Any]))
        #expect(hex(["a": true] as [String: Any]) != hex(["a": 1] as [String: Any]))
        #expect(hex(["x": ["y": "z"]] as [String: Any]) != hex(["x": ["y": "Z"]] as [String: Any]))
        #expect(Fingerprint.of("") != Fingerprint.of("\u{0}"))
        #expect(Fingerprint.of(String(repeating: "a", count: 17)) != Fingerprint.of(String(repeating: "a", count: 16)))
    }
}

/// The key that lets a rebuild keep a service's page without working out its values.
@Suite("Service page keys")
struct ServicePageKeyTests {
    /// Every stored property of a service, as `Fingerprint.add(record:)` covers them. A new field
    /// fails this test until it is added there (or a page could show it and a rebuild miss it).
    @Test func theKeyCoversEveryFieldOfAService() {
        let fields = Mirror(reflecting: Service(id: "x", name: "x")).children.compactMap(\.label)
        #expect(fields == [
            "id", "name", "organisation", "description", "areas", "categories", "ages", "levels", "eligibility",
            "cost", "costNote", "languages", "delivery", "contact", "confidentialAddress", "status", "lastVerified",
            "sector", "howToRefer", "attributes", "sources",
        ])
        let contact = Mirror(reflecting: Contact()).children.compactMap(\.label)
        #expect(contact == ["phone", "email", "website", "address", "postcode"])
    }

    @Test func anyFieldChangesTheKey() throws {
        let graph = SiteFixtures.family()
        let context = SiteContext(graph: graph, options: SiteOptions(), theme: try Theme(folder: SiteFixtures.theme),
                                  staging: SiteFixtures.temporaryFolder())
        let base = try #require(graph.services.values.sorted { $0.id < $1.id }.first)
        let edits: [(String, (inout Service) -> Void)] = [
            ("name", { $0.name += "!" }), ("description", { $0.description += "!" }), ("ages", { $0.ages = AgeRange(minMonths: 1, maxMonths: 2) }),
            ("cost", { $0.cost = .paid }), ("languages", { $0.languages.append("Gaelic") }), ("phone", { $0.contact.phone = "0141 000 0000" }),
            ("postcode", { $0.contact.postcode = "G1 1AA" }), ("confidential", { $0.confidentialAddress.toggle() }),
            ("status", { $0.status = .closed }), ("verified", { $0.lastVerified = Day(year: 2024, month: 2, day: 3) }),
            ("attributes", { $0.attributes["Opening hours"] = "9 to 5" }), ("citations", { $0.sources.citations.append("another source") }),
            ("howToRefer", { $0.howToRefer = "Phone us." }), ("sector", { $0.sector = .justice }),
        ]
        let before = ServiceKeys.key(base, context)
        for (name, edit) in edits {
            var changed = base
            edit(&changed)
            #expect(ServiceKeys.key(changed, context) != before, "\(name)")
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failing run of random edits can be replayed.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
