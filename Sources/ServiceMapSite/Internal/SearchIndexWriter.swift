import Foundation
import ServiceMapCore

/// Writes the search index as JavaScript files the browser loads with `<script>` (file:// forbids
/// `fetch`). Each file calls `SM.put(key, data)`; Site/assets/search.js reads them.
///
/// Layout, so a query loads only what it needs:
/// - `search/meta.js`: names of areas, categories, rings, roles, levels; counts; what shards exist.
/// - `search/f/<hash>.js`: one facet posting list per file, e.g. `a:glasgow-city` (services that
///   serve a family in Glasgow City), `g:14` (ages include 14 months), `c:perinatal`, `low:2`, `self`.
/// - `search/v/<prefix>.js`: the vocabulary of text terms starting with a two-letter prefix, for
///   typo tolerance and prefix matches.
/// - `search/t/<bucket>.js`: the posting lists (documents, weights) of the words whose hash falls in the bucket.
/// - `search/d/<n>.js`: the records of `documentsPerShard` services, shown in results.
///
/// Documents are numbered in name order, which is `ServiceGraph.find`'s tie-break: the browser
/// ranks by (score, document number) and gets Core's order. Closed services are left out, as in
/// `find`. Posting lists are ascending document numbers, delta-encoded, with a run of
/// consecutive documents written as a negative count.
struct SearchIndexWriter {
    let context: SiteContext
    init(_ context: SiteContext) { self.context = context }

    static func languages(_ graph: ServiceGraph) -> [String] {
        var bySlug: [String: String] = [:]
        for service in graph.services.values {
            for language in service.languages {
                let trimmed = language.trimmingCharacters(in: .whitespacesAndNewlines)
                let slug = Slug.make(trimmed)
                guard !slug.isEmpty else { continue }
                if let existing = bySlug[slug], existing <= trimmed { continue }
                bySlug[slug] = trimmed
            }
        }
        return bySlug.values.sorted { $0.lowercased() < $1.lowercased() }
    }

    /// Every role that routes into a service, known ones first: the role list of the metadata.
    func roles() -> [ReferrerRole] {
        var seen = Set(ReferrerRole.known.map(\.role))
        var extra: Set<ReferrerRole> = []
        for route in context.graph.routes.values {
            if case .role(let role) = route.from, !seen.contains(role) { extra.insert(role) }
        }
        seen.formUnion(extra)
        return ReferrerRole.known.map(\.role) + extra.sorted()
    }

    func write() throws -> Int {
        let graph = context.graph
        let fm = FileManager.default
        let base = context.staging.appendingPathComponent("search")
        for folder in ["f", "v", "t", "d"] {
            try fm.createDirectory(at: base.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let docs = context.servicesByName.filter { $0.status != .closed }
        let areaIndex = Dictionary(uniqueKeysWithValues: context.sortedAreas.enumerated().map { ($1.code, $0) })
        let categoryIndex = Dictionary(uniqueKeysWithValues: context.sortedCategories.enumerated().map { ($1.id, $0) })
        let roles = roles()
        let roleIndex = Dictionary(uniqueKeysWithValues: roles.enumerated().map { ($1, $0) })
        let modeIndex = Dictionary(uniqueKeysWithValues: ReferralMode.allCases.enumerated().map { ($1, $0) })

        // Areas a service serves, per Core's `serves(_:within:)`: its areas, their ancestors and
        // descendants. Worked out before the documents are analysed in parallel, which only read it.
        var servedBy: [AreaCode: Set<AreaCode>] = [:]
        for code in Set(graph.areas.keys).union(docs.flatMap(\.areas)) {
            servedBy[code] = graph.areaAndDescendants(of: code).union(context.ancestorsOfArea[code] ?? graph.ancestors(of: code))
        }
        var categoryUp: [CategoryID: [CategoryID]] = [:]
        for id in Set(graph.categories.keys).union(docs.flatMap(\.categories)) {
            var chain = [id]
            var current = graph.categories[id]?.parent
            while let parent = current, !chain.contains(parent) {
                chain.append(parent)
                current = graph.categories[parent]?.parent
            }
            categoryUp[id] = chain
        }
        let perShard = context.options.documentsPerShard

        // The documents are analysed in parallel, a run of whole shards per job: each job writes
        // its shards and keeps its own postings, which are then joined in document order, so every
        // posting list stays ascending and the files are the same whatever the number of cores.
        let shards = (docs.count + perShard - 1) / perShard
        let workers = max(1, context.options.parallelism ?? ProcessInfo.processInfo.activeProcessorCount)
        let jobs = min(shards, workers * 8)
        let partials = PartialIndexes(count: jobs)
        let frozenServed = servedBy
        let frozenCategoryUp = categoryUp
        try PageRenderer(context).parallel(jobs) { job in
            let firstShard = shards * job / jobs
            let endShard = shards * (job + 1) / jobs
            let range = (firstShard * perShard)..<min(docs.count, endShard * perShard)
            partials.set(job, try Self.analyse(docs[range], context: context, servedBy: frozenServed, categoryUp: frozenCategoryUp,
                                               areaIndex: areaIndex, categoryIndex: categoryIndex, roleIndex: roleIndex, modeIndex: modeIndex))
        }
        var facets: [String: [Int32]] = [:]
        var text: [String: [(Int32, Int32)]] = [:]
        for job in 0..<jobs {
            let partial = partials.take(job)
            for (key, list) in partial.facets { facets[key, default: []].append(contentsOf: list) }
            for (term, list) in partial.text { text[term, default: []].append(contentsOf: list) }
        }
        var written = shards

        // Facet postings: one file per term (terms whose hashes collide share a file).
        var facetFiles: [String: [String]] = [:]
        for key in facets.keys { facetFiles[Self.fileName("f:" + key), default: []].append(key) }
        let facetNames = facetFiles.keys.sorted()
        let frozenFacetFiles = facetFiles
        let frozenFacets = facets
        try PageRenderer(context).parallel(facetNames.count) { i in
            let name = facetNames[i]
            var out = "SM.put(\"f/\(name)\",{"
            for (j, key) in frozenFacetFiles[name]!.sorted().enumerated() {
                if j > 0 { out += "," }
                Escape.jsonString(key, into: &out)
                out += ":[" + Self.encode(frozenFacets[key]!) + "]"
            }
            out += "});\n"
            try context.write(out, to: "search/f/\(name).js")
        }
        written += facetNames.count

        // Text: vocabulary per two-letter prefix, postings per term.
        var vocabulary: [String: [String]] = [:]
        var termFiles: [String: [String]] = [:]
        // Postings of about 32 words share a file: far fewer files to create (creating files is
        // what costs most on these disks), and a rare word's file stays small.
        let buckets = Self.termBuckets(text.count)
        for term in text.keys {
            vocabulary[TextAnalysis.shardKey(term), default: []].append(term)
            termFiles[Self.bucketName("t:" + term, buckets: buckets), default: []].append(term)
        }
        let prefixes = vocabulary.keys.sorted()
        for prefix in prefixes {
            var out = "SM.put(\"v/\(prefix)\",["
            out += vocabulary[prefix]!.sorted().map { Escape.jsonString($0) }.joined(separator: ",")
            out += "]);\n"
            try context.write(out, to: "search/v/\(prefix).js")
        }
        let termNames = termFiles.keys.sorted()
        let frozenTermFiles = termFiles
        let frozenText = text
        try PageRenderer(context).parallel(termNames.count) { i in
            let name = termNames[i]
            var out = "SM.put(\"t/\(name)\",{"
            for (j, term) in frozenTermFiles[name]!.sorted().enumerated() {
                if j > 0 { out += "," }
                Escape.jsonString(term, into: &out)
                let postings = frozenText[term]!
                out += ":[[" + Self.encode(postings.map(\.0)) + "],[" + postings.map { String($0.1) }.joined(separator: ",") + "]]"
            }
            out += "});\n"
            try context.write(out, to: "search/t/\(name).js")
        }
        written += prefixes.count + termNames.count

        // Metadata.
        var meta = JSONObject()
        meta.int("version", 1)
        meta.int("count", docs.count)
        meta.int("per", perShard)
        meta.int("termBuckets", Self.termBuckets(text.count))
        meta.raw("prefixes", "[" + prefixes.map { Escape.jsonString($0) }.joined(separator: ",") + "]")
        meta.raw("areas", "[" + context.sortedAreas.map { area in
            "[" + Escape.jsonString(area.code.rawValue) + "," + Escape.jsonString(area.name) + ","
                + String(area.parent.flatMap { areaIndex[$0] } ?? -1) + "]"
        }.joined(separator: ",") + "]")
        meta.raw("cats", "[" + context.sortedCategories.map { c in
            "[" + Escape.jsonString(c.id.rawValue) + "," + Escape.jsonString(c.name) + ","
                + String(c.parent.flatMap { categoryIndex[$0] } ?? -1) + "]"
        }.joined(separator: ",") + "]")
        meta.raw("rings", "[" + ContinuumRing.allCases.map { Escape.jsonString($0.name) }.joined(separator: ",") + "]")
        meta.int("statutory", ContinuumRing.statutorySocialWork.rawValue)
        meta.raw("roles", "[" + roles.map { "[" + Escape.jsonString($0.rawValue) + "," + Escape.jsonString($0.label) + "]" }.joined(separator: ",") + "]")
        meta.raw("modes", "[" + ReferralMode.allCases.map { Escape.jsonString($0.label) }.joined(separator: ",") + "]")
        meta.raw("levels", "[" + context.sortedLevels.map { level in
            "[" + Escape.jsonString(level.id.rawValue) + "," + Escape.jsonString(level.name) + ","
                + String(areaIndex[level.area] ?? -1) + "," + String(level.ring?.rawValue ?? 0) + "]"
        }.joined(separator: ",") + "]")
        meta.raw("costs", "[" + Cost.allCases.map { "[" + Escape.jsonString($0.rawValue) + "," + Escape.jsonString($0.label) + "]" }.joined(separator: ",") + "]")
        meta.raw("langs", "[" + Self.languages(graph).map { "[" + Escape.jsonString(Slug.make($0)) + "," + Escape.jsonString($0) + "]" }.joined(separator: ",") + "]")
        meta.raw("ages", "[" + HomeForm.ageChoices.map { "[\($0.months)," + Escape.jsonString($0.label) + "]" }.joined(separator: ",") + "]")
        try context.write("SM.put(\"meta\"," + meta.text + ");\n", to: "search/meta.js")
        return written + 1
    }

    /// Postings of a run of documents, and their result shards written.
    struct Partial: Sendable {
        var facets: [String: [Int32]] = [:]
        var text: [String: [(Int32, Int32)]] = [:]
    }

    /// Analyses documents (a run of whole shards, numbered by their place in `docs`' base) and
    /// writes their result shards.
    static func analyse(
        _ docs: ArraySlice<Service>, context: SiteContext, servedBy: [AreaCode: Set<AreaCode>], categoryUp: [CategoryID: [CategoryID]],
        areaIndex: [AreaCode: Int], categoryIndex: [CategoryID: Int], roleIndex: [ReferrerRole: Int], modeIndex: [ReferralMode: Int]
    ) throws -> Partial {
        let graph = context.graph
        var partial = Partial()
        var termCache: [String: [String]] = [:]
        func cachedTerms(_ kind: String, _ key: String, _ text: () -> String) -> [String] {
            let cacheKey = kind + ":" + key
            if let known = termCache[cacheKey] { return known }
            let terms = TextAnalysis.terms(text())
            termCache[cacheKey] = terms
            return terms
        }
        let ageChoices = HomeForm.ageChoices.map(\.months)
        let perShard = context.options.documentsPerShard
        var shardText = ""
        for n in docs.indices {
            let service = docs[n]
            let doc = Int32(n)
            func post(_ key: String) { partial.facets[key, default: []].append(doc) }
            post("all")
            var areaKeys: Set<AreaCode> = []
            for area in service.areas { areaKeys.formUnion(servedBy[area] ?? [area]) }
            for area in areaKeys { post("a:" + area.rawValue) }
            for area in Set(service.areas) { post("ax:" + area.rawValue) }
            if let ages = service.ages {
                // Core's rule (AgeRange.servesFamily): a service for parents serves a child of any age.
                for months in ageChoices where ages.servesFamily(ofChildAged: months) { post("g:\(months)") }
            } else {
                post("g:none")
            }
            var categories: Set<CategoryID> = []
            for category in service.categories { categories.formUnion(categoryUp[category] ?? [category]) }
            for category in categories { post("c:" + category.rawValue) }
            let rings = graph.rings(of: service)
            let sector = graph.sector(of: service)
            if let lowest = rings.first { post("low:\(lowest.rawValue)") } else { post(sector == .socialWork ? "low:0sw" : "low:0") }
            let into = context.routesInto[service.id] ?? []
            var routeRoles: Set<ReferrerRole> = []
            for route in into { if case .role(let role) = route.from { routeRoles.insert(role) } }
            for role in routeRoles { post("r:" + role.rawValue) }
            if routeRoles.contains(.self) { post("self") }
            if let cost = service.cost { post("cost:" + cost.rawValue) }
            for language in Set(service.languages.map(Slug.make)) where !language.isEmpty { post("lang:" + language) }
            for level in Set(service.levels) { post("lvl:" + level.rawValue) }

            // Text: name counts most, then organisation and needs, then everything else. Terms of
            // shared names (categories, areas, organisations) are analysed once per job.
            var weights: [String: Int32] = [:]
            func add(_ terms: [String], _ weight: Int32) {
                for term in terms { weights[term, default: 0] += weight }
            }
            func index(_ value: String?, _ weight: Int32) {
                guard let value else { return }
                add(TextAnalysis.terms(value), weight)
            }
            index(service.name, 6)
            if let org = service.organisation { add(cachedTerms("o", org.rawValue) { graph.organisations[org]?.name ?? "" }, 2) }
            for category in service.categories {
                add(cachedTerms("c", category.rawValue) { graph.categories[category]?.name ?? "" }, 3)
                add(cachedTerms("s", category.rawValue) { (graph.categories[category]?.synonyms ?? []).joined(separator: ", ") }, 1)
            }
            index(service.description, 1)
            index(service.howToRefer, 1)
            for area in service.areas { add(cachedTerms("a", area.rawValue) { graph.areas[area]?.name ?? "" }, 1) }
            for language in service.languages { add(cachedTerms("l", language) { language }, 1) }
            for (term, weight) in weights { partial.text[term, default: []].append((doc, min(weight, 30))) }

            // The record shown in results.
            if n % perShard == 0 { shardText = "SM.put(\"d/\(n / perShard)\",[" } else { shardText += "," }
            var r = JSONObject()
            r.string("i", service.id.rawValue)
            r.string("u", context.servicePath(service.id))
            r.string("n", service.name)
            r.string("o", service.organisation.flatMap { graph.organisations[$0]?.name })
            r.string("d", Summary.firstSentence(SafeMarkdown.plain(service.description), limit: 180))
            r.ints("a", service.areas.compactMap { areaIndex[$0] })
            r.ints("c", service.categories.compactMap { categoryIndex[$0] })
            r.string("ad", service.ages?.description)
            if service.ages?.isForParents == true { r.int("par", service.ages!.minMonths!) }
            r.int("lr", rings.first?.rawValue ?? 0)
            r.raw("rt", "[" + into.compactMap { route -> String? in
                guard case .role(let role) = route.from, let ri = roleIndex[role] else { return nil }
                var item = "[\(ri),\(modeIndex[route.mode] ?? 0)"
                if let conditions = route.conditions { item += "," + Escape.jsonString(conditions) }
                return item + "]"
            }.joined(separator: ",") + "]")
            r.string("h", service.howToRefer.map { Summary.firstSentence($0, limit: 240) })
            r.string("p", service.contact.phone)
            r.string("pt", SafeLink.phone(service.contact.phone))
            r.string("e", service.contact.email.flatMap { SafeLink.email($0) != nil ? $0 : nil })
            r.string("w", SafeLink.web(service.contact.website))
            r.string("cost", service.cost?.label)
            if service.status == .pilot { r.int("pilot", 1) }
            shardText += r.text
            if n % perShard == perShard - 1 || n == docs.endIndex - 1 {
                shardText += "]);\n"
                try context.write(shardText, to: "search/d/\(n / perShard).js")
            }
        }
        return partial
    }

    /// The file a term's postings live in: FNV-1a of the key, 8 hex digits (search.js `fileName`).
    static func fileName(_ key: String) -> String {
        let hex = String(ShardHash.fnv1a(key), radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// How many files the text postings are spread over: a power of two, about 32 words a file.
    static func termBuckets(_ terms: Int) -> Int {
        var buckets = 1
        while buckets * 32 < terms { buckets *= 2 }
        return buckets
    }

    /// The file of a word's postings: FNV-1a of `t:word` modulo the bucket count, in hex
    /// (search.js `bucketName`).
    static func bucketName(_ key: String, buckets: Int) -> String {
        String(ShardHash.fnv1a(key) % UInt32(buckets), radix: 16)
    }

    /// Ascending numbers as deltas; a run of k consecutive numbers after the first is written as −k.
    static func encode(_ ascending: [Int32]) -> String {
        var parts: [String] = []
        parts.reserveCapacity(ascending.count)
        var previous: Int32 = -1
        var i = 0
        while i < ascending.count {
            let value = ascending[i]
            parts.append(String(value - previous))
            previous = value
            var run = 0
            while i + 1 + run < ascending.count && ascending[i + 1 + run] == previous + Int32(run) + 1 { run += 1 }
            if run >= 2 {
                parts.append(String(-run))
                previous += Int32(run)
                i += run
            }
            i += 1
        }
        return parts.joined(separator: ",")
    }
}

/// A JSON object written key by key, with script-safe strings. Keys are servicemap's own.
struct JSONObject {
    private(set) var body = ""
    var text: String { "{" + body + "}" }
    private mutating func key(_ k: String) {
        if !body.isEmpty { body += "," }
        body += "\"\(k)\":"
    }
    mutating func string(_ k: String, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        key(k)
        Escape.jsonString(value, into: &body)
    }
    mutating func int(_ k: String, _ value: Int) { key(k); body += String(value) }
    mutating func ints(_ k: String, _ values: [Int]) { key(k); body += "[" + values.map(String.init).joined(separator: ",") + "]" }
    mutating func raw(_ k: String, _ json: String) { key(k); body += json }
}

/// The postings of each analysis job, set by the job and taken once when they are joined.
final class PartialIndexes: @unchecked Sendable {
    private var slots: [SearchIndexWriter.Partial]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: .init(), count: count) }
    func set(_ index: Int, _ value: SearchIndexWriter.Partial) { lock.lock(); slots[index] = value; lock.unlock() }
    func take(_ index: Int) -> SearchIndexWriter.Partial {
        lock.lock()
        defer { lock.unlock() }
        let value = slots[index]
        slots[index] = .init()
        return value
    }
}
