import Foundation
import ServiceMapCore
import Testing
@testable import ServiceMapSite

@Suite("The search index")
struct SearchIndexTests {
    /// Reads `SM.put("key", data)` files back into JSON.
    func load(_ out: URL, _ key: String) throws -> Any {
        let text = try String(contentsOf: out.appendingPathComponent("search/\(key).js"), encoding: .utf8)
        let prefix = "SM.put(\"\(key)\","
        #expect(text.hasPrefix(prefix))
        let json = text.dropFirst(prefix.count).dropLast(3)  // ");\n"
        return try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
    }

    func decode(_ list: [Int]) -> [Int] {
        var out: [Int] = [], prev = -1
        for v in list {
            if v < 0 { for _ in 0 ..< -v { prev += 1; out.append(prev) } } else { prev += v; out.append(prev) }
        }
        return out
    }

    func facet(_ out: URL, _ term: String) throws -> [Int] {
        let key = "f/" + SearchIndexWriter.fileName("f:" + term)
        guard FileManager.default.fileExists(atPath: out.appendingPathComponent("search/\(key).js").path) else { return [] }
        let object = try load(out, key) as! [String: [Int]]
        return decode(object[term] ?? [])
    }

    @Test func postingsRoundTrip() {
        let lists: [[Int32]] = [[], [0], [0, 1, 2, 3, 4], [3, 4, 5, 9, 10, 11, 12, 40], [1, 3, 5]]
        for list in lists {
            let encoded = SearchIndexWriter.encode(list)
            let numbers = encoded.isEmpty ? [] : encoded.split(separator: ",").map { Int($0)! }
            #expect(decode(numbers) == list.map(Int.init))
        }
        #expect(SearchIndexWriter.encode(Array(0..<1000)) == "1,-999")
    }

    @Test func facetsFollowCoreRules() throws {
        let out = SiteFixtures.temporaryFolder()
        let graph = SiteFixtures.family()
        try SiteFixtures.build(graph, into: out)
        let meta = try load(out, "meta") as! [String: Any]
        #expect(meta["count"] as? Int == graph.services.values.filter { $0.status != .closed }.count)
        // Documents in name order; look each up in its shard.
        var names: [String] = []
        let per = meta["per"] as! Int
        for shard in 0..<((meta["count"] as! Int + per - 1) / per) {
            names += (try load(out, "d/\(shard)") as! [[String: Any]]).map { $0["n"] as! String }
        }
        #expect(names == names.sorted())
        func docs(_ term: String) throws -> Set<String> { Set(try facet(out, term).map { names[$0] }) }

        // A board-wide service serves Glasgow City; a Glasgow service is "in" Scotland.
        #expect(try docs("a:glasgow-city").isSuperset(of: ["Perinatal Mental Health Service", "Home-Start Glasgow North"]))
        #expect(try docs("a:scotland").contains("Money Advice for Families"))
        #expect(try !docs("a:glasgow-city").contains("Bromley Family Hubs"))
        #expect(try docs("ax:glasgow-city") == ["Home-Start Glasgow North", "Money Advice for Families", "Glasgow Refuge"])
        // A parent need finds services with a sub-need.
        #expect(try docs("c:parental-mental-health") == ["Perinatal Mental Health Service"])
        #expect(try docs("g:-1").isSuperset(of: ["Perinatal Mental Health Service", "Home-Start Glasgow North"]))
        #expect(try !docs("g:14").contains("Perinatal Mental Health Service"))
        #expect(try docs("g:none").contains("Money Advice for Families"))
        #expect(try docs("self") == ["Home-Start Glasgow North", "Money Advice for Families", "Glasgow Refuge"])
        #expect(try docs("low:3") == ["Bromley Children's Social Care"])
        #expect(try docs("lang:polish") == ["Home-Start Glasgow North"])
        // Closed services are not searchable (as in ServiceGraph.find).
        #expect(!names.contains("Old Parenting Course"))
    }

    /// The alternatives question through the index gives Core's answer: same services, same order.
    @Test func alternativesMatchCoreFind() throws {
        let out = SiteFixtures.temporaryFolder()
        let graph = SiteFixtures.family()
        try SiteFixtures.build(graph, into: out)
        let query = ServiceQuery.alternatives(area: "glasgow-city", ageMonths: 14, needs: ["parenting", "poverty-and-housing", "parental-mental-health"], referrer: .healthVisitor)
        let core = graph.find(query).map(\.name)
        // Evaluate the same rules over the postings, as search.js does.
        let meta = try load(out, "meta") as! [String: Any]
        var names: [String] = []
        let per = meta["per"] as! Int
        for shard in 0..<((meta["count"] as! Int + per - 1) / per) {
            names += (try load(out, "d/\(shard)") as! [[String: Any]]).map { $0["n"] as! String }
        }
        let area = Set(try facet(out, "a:glasgow-city")), exact = Set(try facet(out, "ax:glasgow-city"))
        let age = Set(try facet(out, "g:14")), noAge = Set(try facet(out, "g:none"))
        let needs = try query.needs.map { Set(try facet(out, "c:" + $0.rawValue)) }
        let below = Set(try facet(out, "low:1") + facet(out, "low:2") + facet(out, "low:0"))
        let selfRoute = Set(try facet(out, "self"))
        let own = Set(try facet(out, "r:health-visitor") + facet(out, "r:any-professional"))
        var scored: [(Double, Int)] = []
        for d in 0..<names.count {
            guard area.contains(d), age.contains(d) || noAge.contains(d), below.contains(d) else { continue }
            let met = needs.filter { $0.contains(d) }.count
            guard met > 0, own.contains(d) || selfRoute.contains(d) else { continue }
            var s = (exact.contains(d) ? 1 : 0) + (age.contains(d) ? 0.5 : 0) + 3 * Double(met)
            if own.contains(d) { s += 2 }
            if selfRoute.contains(d) { s += 2 }
            scored.append((s, d))
        }
        let site = scored.sorted { ($0.0, -$0.1) > ($1.0, -$1.1) }.map { names[$0.1] }
        #expect(site == core)
        #expect(core.contains("Home-Start Glasgow North"))
        #expect(!core.contains("Perinatal Mental Health Service"))  // ages stop at the first birthday
    }

    /// ASCII text is analysed byte by byte; the character-by-character rules are the reference.
    @Test func byteAnalysisMatchesCharacterRules() {
        var samples = [
            "Counselling services", "peri-natal care", "Children's centres", "IT IS THE Family-Support hub",
            "-leading and trailing-", "a--b", "x-y-z", "Parties, classes and addresses", "bus", "gas is", "ties",
            "policies", "blessed tested wanted", "sing singing bringing", "abc's d'e", "0-19 years; 16+",
            "tabs\tand\r\nlines\u{0B}here", "", "   ", "'", "ab-", "-ab", "ED's", "processes", "1st 2nd",
        ]
        // Deterministic noise over the characters the rules care about.
        let alphabet = Array("aeisdgnyuAEISTxz09 -'.,\t\n")
        var seed: UInt64 = 0x5EED
        for _ in 0..<2000 {
            var text = ""
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            for _ in 0..<Int(seed >> 59) + 3 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                text.append(alphabet[Int(seed >> 33) % alphabet.count])
            }
            samples.append(text)
        }
        for text in samples {
            #expect(TextAnalysis.terms(text) == TextAnalysis.scalarTerms(text), "\(text.debugDescription)")
        }
        // Non-ASCII text keeps the character rules (accents folded).
        #expect(TextAnalysis.terms("Café crèche") == ["cafe", "creche"])
    }

    @Test func termTableNumbersEachTermOnce() {
        var table = TermTable()
        var numbers: [String: Int32] = [:]
        for i in 0..<5000 {
            let term = "term\(i % 3000)"
            var bytes = term
            let id = bytes.withUTF8 { table.id(of: $0) }
            if let known = numbers[term] { #expect(id == known) } else { numbers[term] = id }
        }
        #expect(table.count == 3000)
        for (term, id) in numbers { #expect(table.string(id) == term) }
    }

    @Test func textAnalysisStemsAndJoinsHyphens() {
        #expect(TextAnalysis.terms("Counselling services") == ["counsell", "service"])
        #expect(TextAnalysis.terms("peri-natal care").contains("perinatal"))
        #expect(TextAnalysis.terms("Children's centres") == ["children", "centre"])
        #expect(TextAnalysis.shardKey("perinatal") == "pe")
    }
}
