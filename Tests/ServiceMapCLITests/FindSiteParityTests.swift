import Foundation
import Testing
import TestSupport
@testable import ServiceMapCLI
@testable import ServiceMapCore
@testable import ServiceMapSite

/// `servicemap find` and the site's alternatives view give the same answer for the same question.
///
/// The site is built from the shipped data; its search index (the files search.js reads) is read
/// back and the alternatives rules are applied to it exactly as search.js applies them (the rules
/// are listed at the top of Site/assets/search.js). The command line's side is `FindCommand.query`
/// — what a practitioner types — answered by `ServiceGraph.find`. Services, order and scores must
/// agree. Free text is left out: the command line ranks words with the store's SQLite full-text
/// index and the site with its own, so only the structured question is compared.
@Suite("find and the site agree", .serialized)
struct FindSiteParityTests {
    static let graph = ShippedData.graph
    static func build(_ graph: ServiceGraph) -> URL {
        let out = Scratch.folder("find-parity")
        _ = try! SiteBuilder(graph: graph, theme: repositoryRoot.appendingPathComponent("Site"), output: out,
                             options: SiteOptions(documentsPerShard: 7)).build()
        return out
    }
    nonisolated(unsafe) static var site: URL = build(graph)

    /// Reads `SM.put("key", data)` back into JSON.
    static func load(_ key: String) throws -> Any {
        let text = try String(contentsOf: site.appendingPathComponent("search/\(key).js"), encoding: .utf8)
        let prefix = "SM.put(\"\(key)\","
        return try JSONSerialization.jsonObject(with: Data(text.dropFirst(prefix.count).dropLast(3).utf8), options: [.fragmentsAllowed])
    }

    static func facet(_ term: String) throws -> Set<Int> {
        let key = "f/" + SearchIndexWriter.fileName("f:" + term)
        guard FileManager.default.fileExists(atPath: site.appendingPathComponent("search/\(key).js").path) else { return [] }
        let object = try load(key) as! [String: [Int]]
        var out: Set<Int> = [], previous = -1
        for v in object[term] ?? [] {
            if v < 0 { for _ in 0 ..< -v { previous += 1; out.insert(previous) } } else { previous += v; out.insert(previous) }
        }
        return out
    }

    static let documents: [String] = {
        let meta = try! load("meta") as! [String: Any]
        let count = meta["count"] as! Int, per = meta["per"] as! Int
        var ids: [String] = []
        for shard in 0..<((count + per - 1) / per) {
            ids += (try! load("d/\(shard)") as! [[String: Any]]).map { $0["i"] as! String }
        }
        return ids
    }()

    /// search.js's `run`, over the postings: filters, scores, order (score, then document number).
    static func siteAnswer(_ q: ServiceQuery) throws -> [(id: String, score: Double)] {
        let all = try facet("all")
        let area = try q.area.map { try facet("a:" + $0.rawValue) }, exact = try q.area.map { try facet("ax:" + $0.rawValue) }
        let age = try q.ageMonths.map { try facet("g:\($0)") }, noAge = try facet("g:none")
        let needs = try q.needs.map { try facet("c:" + $0.rawValue) }
        var below: Set<Int>? = nil
        if let ring = q.below {
            var keep = try facet("low:0")
            if !ring.isStatutory { keep.formUnion(try facet("low:0sw")) }
            for r in 1..<ring.rawValue { keep.formUnion(try facet("low:\(r)")) }
            below = keep
        }
        let selfRoute = try facet("self")
        let own = try q.referrer.map { $0 == .self ? selfRoute : try facet("r:" + $0.rawValue).union(try facet("r:any-professional")) }
        var scored: [(Int, Double)] = []
        for d in all.sorted() {
            var s = 0.0
            if let area { guard area.contains(d) else { continue }; if exact!.contains(d) { s += 1 } }
            if let age { if age.contains(d) { s += 0.5 } else if !noAge.contains(d) { continue } }
            if !needs.isEmpty {
                let met = needs.filter { $0.contains(d) }.count
                guard met > 0 else { continue }
                s += 3 * Double(met)
            }
            if let below { guard below.contains(d) else { continue } }
            if q.selfReferralOnly { guard selfRoute.contains(d) else { continue } }
            if let referrer = q.referrer, let own {
                if referrer == .self { guard selfRoute.contains(d) else { continue } }
                else { guard own.contains(d) || selfRoute.contains(d) else { continue } }
                if own.contains(d) { s += 2 }
            }
            if selfRoute.contains(d) { s += 2 }
            scored.append((d, s))
        }
        return scored.sorted { ($0.1, -$0.0) > ($1.1, -$1.0) }.map { (documents[$0.0], $0.1) }
    }

    /// Questions a practitioner asks, typed as they would type them at the command line.
    static let questions: [(area: String?, age: String?, needs: [String], referrer: String?, below: String?, selfReferral: Bool)] = [
        ("Glasgow City", "14 months", ["low mood"], "health visitor", "child in need", false),
        ("Glasgow City", "14 months", ["low mood", "debt"], "health visitor", "child in need", false),
        ("Glasgow City", "14 months", ["parenting"], nil, nil, false),
        ("bromley", "14 months", [], "health visitor", "Tier 3", false),
        ("bromley", "2 years", ["parenting", "drug and alcohol"], "social worker", nil, false),
        ("bromley", nil, ["mental health"], nil, nil, true),
        ("salford", "pregnant", [], "midwife", nil, false),
        ("Scotland", "6 months", ["early years"], nil, "child in need", false),
        ("NHS Highland", nil, ["perinatal"], nil, nil, false),
        (nil, nil, ["infant mental health"], "court", nil, false),
        (nil, "3 years", [], "self", "2", false),
    ]

    @Test(arguments: 0..<questions.count)
    func theSameQuestionGetsTheSameAnswer(_ index: Int) throws {
        let question = Self.questions[index]
        let query = try FindCommand.query(area: question.area, age: question.age, needs: question.needs, referrer: question.referrer,
                                          below: question.below, selfReferral: question.selfReferral, in: Self.graph).get()
        let find = Self.graph.find(query)
        let site = try Self.siteAnswer(query)
        #expect(site.map(\.id) == find.map(\.service.rawValue), "\(question)")
        #expect(site.map(\.score) == find.map(\.score), "\(question)")
    }

    /// A service for parents (18 and over) serves the family of a child of any age, in both.
    /// The shipped adult services leave ages empty, so this changes one to "18+" to check the rule.
    @Test func aServiceForParentsMatchesAnyChildAgeInBoth() throws {
        var graph = Self.graph
        let amh = try #require(graph.services.values.first { $0.name == "Adult mental health services (Bromley)" })
        graph.services[amh.id]?.ages = AgeRange(minMonths: 216, maxMonths: nil)
        let original = Self.site
        Self.site = Self.build(graph)
        defer { Self.site = original }
        let documents = try (0..<100).reduce(into: [String]()) { ids, shard in
            guard FileManager.default.fileExists(atPath: Self.site.appendingPathComponent("search/d/\(shard).js").path) else { return }
            ids += (try Self.load("d/\(shard)") as! [[String: Any]]).map { $0["i"] as! String }
        }
        #expect(documents == Self.documents)
        let query = try FindCommand.query(area: "bromley", age: "14 months", needs: ["mental health"], referrer: nil, below: nil,
                                          selfReferral: false, in: graph).get()
        let find = graph.find(query)
        #expect(find.contains { $0.service == amh.id && $0.reasons.contains("a service for parents (18 years and over)") })
        let site = try Self.siteAnswer(query)
        #expect(site.map(\.id) == find.map(\.service.rawValue))
        #expect(site.map(\.score) == find.map(\.score))
    }

    /// For the browser test (Tests/browser/test_find_parity.py): the shipped site in `shipped/` and
    /// Core's answers to the same questions, as the site's URL asks them, in
    /// `shipped-find-answers.json` — written only when SERVICEMAP_BROWSER_FIXTURE names a folder.
    @Test func writeBrowserFixture() throws {
        guard let folder = ProcessInfo.processInfo.environment["SERVICEMAP_BROWSER_FIXTURE"], !folder.isEmpty else { return }
        let base = URL(fileURLWithPath: folder)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        _ = try SiteBuilder(graph: Self.graph, theme: repositoryRoot.appendingPathComponent("Site"),
                            output: base.appendingPathComponent("shipped-find")).build()  // not "shipped": the site tests write that one at the same time
        var answers: [[String: Any]] = []
        for question in Self.questions {
            let query = try FindCommand.query(area: question.area, age: question.age, needs: question.needs, referrer: question.referrer,
                                              below: question.below, selfReferral: question.selfReferral, in: Self.graph).get()
            var parts = ["mode=alternatives"]
            if let area = query.area { parts.append("area=" + area.rawValue) }
            if let age = query.ageMonths { parts.append("age=\(age)") }
            parts += query.needs.map { "need=" + $0.rawValue }
            if let role = query.referrer { parts.append("role=" + role.rawValue) }
            if let below = query.below { parts.append("below=\(below.rawValue)") }
            if query.selfReferralOnly { parts.append("self=1") }
            // The site shows 20 results a page: compare the first page.
            let matches = Array(Self.graph.find(query).prefix(20))
            answers.append(["query": parts.joined(separator: "&"), "names": matches.map(\.name), "reasons": matches.map(\.reasons)])
        }
        let data = try JSONSerialization.data(withJSONObject: answers, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: base.appendingPathComponent("shipped-find-answers.json"))
        #expect(answers.count == Self.questions.count)
    }

    /// The first question is the practitioner of product.md; it must not be an empty agreement.
    @Test func theGlasgowQuestionHasAnAnswer() throws {
        let query = try FindCommand.query(area: "Glasgow City", age: "14 months", needs: ["low mood"], referrer: "health visitor",
                                          below: "child in need", selfReferral: false, in: Self.graph).get()
        #expect(try Self.siteAnswer(query).map(\.id) == ["primary-care-mental-health-team--glasgow-city"])
    }
}
