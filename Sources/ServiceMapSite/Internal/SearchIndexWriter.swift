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
        let docs = SearchDocuments(context)
        let areaIndex = Dictionary(uniqueKeysWithValues: context.sortedAreas.enumerated().map { ($1.code, $0) })
        let categoryIndex = Dictionary(uniqueKeysWithValues: context.sortedCategories.enumerated().map { ($1.id, $0) })
        let roles = roles()
        let roleIndex = Dictionary(uniqueKeysWithValues: roles.enumerated().map { ($1, $0) })
        let modeIndex = Dictionary(uniqueKeysWithValues: ReferralMode.allCases.enumerated().map { ($1, $0) })
        let facetPlan = FacetPlan(context: context, docs: docs, roles: roles)
        let perShard = context.options.documentsPerShard
        let shards = (docs.count + perShard - 1) / perShard

        // Each document's analysis (its facets and weighted terms) comes from the last build's
        // cache when its key is unchanged; the rest are analysed here (SearchAnalysisCache).
        // The cache is read first: the documents' keys (ServiceKeys) may still be being worked
        // out by the service pages' step.
        let analysisKey = Self.analysisKey(context, facetPlan: facetPlan, roles: roles)
        let cache = context.ledger?.isIncremental == true
            ? SearchAnalysisCache.read(in: context.staging, analysisKey: .init(analysisKey), facetCount: facetPlan.keys.count) : nil
        var cachedAt: [SearchAnalysisCache.Key: Int] = [:]
        if let cache {
            cachedAt.reserveCapacity(cache.count)
            for (position, key) in cache.keys.enumerated() { cachedAt[key] = position }
        }
        let documentKeys = Self.documentKeys(context)
        // Per document: its place in the cache, or -1 when it is analysed afresh.
        var cached = [Int](repeating: -1, count: docs.count)
        var fresh: [Int] = []
        for n in docs.indices {
            if let position = cachedAt[.init(documentKeys[n])] { cached[n] = position } else { fresh.append(n) }
        }

        // The fresh documents are analysed in parallel, in runs; each job numbers terms in its
        // own table, and the analyses are joined below in document order, so every posting list
        // stays ascending and the files are the same whatever the number of cores.
        let workers = max(1, context.options.parallelism ?? ProcessInfo.processInfo.activeProcessorCount)
        let jobs = min(fresh.count, workers * 8)
        let partials = PartialIndexes(count: jobs)
        let freshDocuments = fresh
        try PageRenderer(context).parallel(jobs) { job in
            let range = (freshDocuments.count * job / jobs)..<(freshDocuments.count * (job + 1) / jobs)
            partials.set(job, Self.analyse(freshDocuments[range], of: docs, context: context, facetPlan: facetPlan))
        }
        var partialList: [Partial] = []
        for job in 0..<jobs { partialList.append(partials.take(job)) }

        // Joined in document order. Terms are numbered by first use, whether they come from the
        // cache or a fresh analysis, and the new cache is written in the same order: a full and an
        // incremental build of one directory make the same cache.
        var facetPostings = Array(repeating: [Int32](), count: facetPlan.keys.count)
        var termNumbers: [String: Int32] = [:]
        var termList: [String] = []
        // Per term, its documents and their weights, packed as document × 32 + weight (one list to
        // append to per posting, not two); documents are numbered far below 2^27.
        var termPostings: [[UInt32]] = []
        // About as large as the last cache, and a few bytes a document more when there was none.
        var nextCache = SearchAnalysisCache.Builder(analysisKey: .init(analysisKey), capacity: cache.map { $0.byteCount + $0.byteCount / 8 } ?? docs.count * 128)
        func number(_ term: String) -> Int32 {
            if let known = termNumbers[term] { return known }
            let number = Int32(termList.count)
            termNumbers[term] = number
            termList.append(term)
            termPostings.append([])
            return number
        }
        // Old numbers (the cache's, each job's) to new ones, found on first use.
        var fromCache = [Int32](repeating: -1, count: cache?.terms.count ?? 0)
        var fromJob = partialList.map { [Int32](repeating: -1, count: $0.terms.count) }
        var job = 0
        var analysed = 0
        var documentFacets: [Int32] = []
        var packed: [UInt32] = []
        for n in docs.indices {
            let doc = Int32(n)
            documentFacets.removeAll(keepingCapacity: true)
            packed.removeAll(keepingCapacity: true)
            if cached[n] >= 0, let cache {
                cache.read(document: cached[n], facets: &documentFacets, terms: &packed)
                for i in packed.indices {
                    let old = SearchAnalysisCache.term(packed[i])
                    var new = fromCache[old]
                    if new < 0 {
                        new = number(cache.terms[old])
                        fromCache[old] = new
                    }
                    packed[i] = SearchAnalysisCache.pack(term: new, weight: SearchAnalysisCache.weight(packed[i]))
                }
            } else {
                while analysed == partialList[job].count { job += 1; analysed = 0 }
                let partial = partialList[job]
                documentFacets.append(contentsOf: partial.facets(of: analysed))
                for item in partial.terms(of: analysed) {
                    let old = SearchAnalysisCache.term(item)
                    if fromJob[job][old] < 0 { fromJob[job][old] = number(partial.terms.string(Int32(old))) }
                    packed.append(SearchAnalysisCache.pack(term: fromJob[job][old], weight: SearchAnalysisCache.weight(item)))
                }
                analysed += 1
            }
            for facet in documentFacets { facetPostings[Int(facet)].append(doc) }
            let shifted = UInt32(doc) << 5
            for item in packed {
                termPostings[SearchAnalysisCache.term(item)].append(shifted | UInt32(SearchAnalysisCache.weight(item)))
            }
            nextCache.add(key: .init(documentKeys[n]), facets: documentFacets, terms: packed)
        }
        try SearchAnalysisCache.write(nextCache.finish(terms: termList), in: context.staging)

        // The records shown in results, `perShard` documents a file. A shard whose documents'
        // keys and the numbering of areas, needs and roles are as last time is kept unread.
        let areaKey = analysisKey
        try PageRenderer(context).parallel(shards) { shard in
            let range = (shard * perShard)..<min(docs.count, (shard + 1) * perShard)
            let path = "search/d/\(shard).js"
            if let ledger = context.ledger {
                var inputs = Fingerprint()
                inputs.add("search document shard")
                inputs.add(areaKey)
                inputs.add(range.lowerBound)
                for n in range { inputs.add(documentKeys[n]) }
                if ledger.keepPage(path, inputs: inputs) { return }
            }
            var text = "SM.put(\"d/\(shard)\",["
            for n in range {
                if n > range.lowerBound { text += "," }
                text += Self.record(docs[n], context: context, areaIndex: areaIndex, categoryIndex: categoryIndex,
                                    roleIndex: roleIndex, modeIndex: modeIndex)
            }
            text += "]);\n"
            try context.write(text, to: path)
        }
        var written = shards

        // Facet postings: one file per term (terms whose hashes collide share a file). A facet no
        // document has gets no list.
        var facets: [String: Int] = [:]
        var facetFiles: [String: [String]] = [:]
        for (id, list) in facetPostings.enumerated() where !list.isEmpty {
            let key = facetPlan.keys[id]
            facets[key] = id
            facetFiles[Self.fileName("f:" + key), default: []].append(key)
        }
        let facetNames = facetFiles.keys.sorted()
        let frozenFacetFiles = facetFiles
        let frozenFacets = facets
        let frozenFacetPostings = facetPostings
        try PageRenderer(context).parallel(facetNames.count) { i in
            let name = facetNames[i]
            let keys = frozenFacetFiles[name]!.sorted()
            // The file is made from its keys and their lists alone: when they are as last time,
            // it is kept unmade (fingerprinting the lists costs far less than writing them out).
            if let ledger = context.ledger {
                var inputs = Fingerprint()
                inputs.add("search facet file")
                for key in keys {
                    inputs.add(key)
                    inputs.add(postings: frozenFacetPostings[frozenFacets[key]!])
                }
                if ledger.keepPage("search/f/\(name).js", inputs: inputs) { return }
            }
            var out = "SM.put(\"f/\(name)\",{"
            for (j, key) in keys.enumerated() {
                if j > 0 { out += "," }
                Escape.jsonString(key, into: &out)
                out += ":["
                Self.encode(frozenFacetPostings[frozenFacets[key]!], into: &out)
                out += "]"
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
        let buckets = Self.termBuckets(termList.count)
        for term in termList {
            vocabulary[TextAnalysis.shardKey(term), default: []].append(term)
            termFiles[Self.bucketName("t:" + term, buckets: buckets), default: []].append(term)
        }
        let prefixes = vocabulary.keys.sorted()
        for prefix in prefixes {
            var out = "SM.put(\"v/\(prefix)\",["
            for (j, term) in vocabulary[prefix]!.sorted().enumerated() {
                if j > 0 { out += "," }
                Escape.jsonString(term, into: &out)
            }
            out += "]);\n"
            try context.write(out, to: "search/v/\(prefix).js")
        }
        let termNames = termFiles.keys.sorted()
        let frozenTermFiles = termFiles
        let frozenNumbers = termNumbers
        let frozenPostings = termPostings
        try PageRenderer(context).parallel(termNames.count) { i in
            let name = termNames[i]
            let terms = frozenTermFiles[name]!.sorted()
            // Kept unmade when its words' postings are as last time, as a facet file is.
            if let ledger = context.ledger {
                var inputs = Fingerprint()
                inputs.add("search term file")
                for term in terms {
                    inputs.add(term)
                    let number = Int(frozenNumbers[term]!)
                    frozenPostings[number].withUnsafeBytes { inputs.add(bytes: $0) }
                }
                if ledger.keepPage("search/t/\(name).js", inputs: inputs) { return }
            }
            var out = "SM.put(\"t/\(name)\",{"
            for (j, term) in terms.enumerated() {
                if j > 0 { out += "," }
                Escape.jsonString(term, into: &out)
                let number = Int(frozenNumbers[term]!)
                out += ":[["
                let postings = frozenPostings[number]
                Self.encode(postings.map { Int32($0 >> 5) }, into: &out)
                out += "],["
                for (k, posting) in postings.enumerated() {
                    if k > 0 { out += "," }
                    out += String(posting & 31)
                }
                out += "]]"
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
        meta.int("termBuckets", buckets)
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

    /// The analyses of a run of documents, in their order: each document's facets (by
    /// `FacetPlan` number) and its terms, numbered in `terms`, with their weights.
    struct Partial: Sendable {
        var terms = TermTable()
        var facetEnds: [Int] = []
        var facets: [Int32] = []
        var termEnds: [Int] = []
        /// Term number × 32 + weight, as in `SearchAnalysisCache`.
        var packedTerms: [UInt32] = []

        var count: Int { facetEnds.count }

        func facets(of document: Int) -> ArraySlice<Int32> {
            facets[(document == 0 ? 0 : facetEnds[document - 1])..<facetEnds[document]]
        }

        func terms(of document: Int) -> ArraySlice<UInt32> {
            packedTerms[(document == 0 ? 0 : termEnds[document - 1])..<termEnds[document]]
        }
    }

    /// Analyses the documents at `numbers` (ascending places in `docs`): what each posts to the
    /// facets and the text terms it holds, weighted.
    ///
    /// What this reads of a service and of the records it names must be in `documentKey`, and
    /// what it reads of the directory as a whole in `analysisKey`: the cache trusts them.
    static func analyse(_ numbers: ArraySlice<Int>, of docs: SearchDocuments, context: SiteContext, facetPlan: FacetPlan) -> Partial {
        let graph = context.graph
        var partial = Partial()
        // The last document posted to each facet: a facet reached twice by one document (two of
        // its areas inside the same board) is posted once.
        var lastPosted = Array(repeating: Int32(-1), count: facetPlan.keys.count)
        var scratch = TermScratch()
        // Per document, each term's weight so far, and the terms it has.
        var docWeight: [Int32] = []
        var docTerms: [Int32] = []
        func termIDs(_ text: String) -> [Int32] {
            var ids: [Int32] = []
            TextAnalysis.forEachTerm(text, scratch: &scratch) { ids.append(partial.terms.id(of: $0)) }
            return ids
        }
        // Terms of shared names (organisations, categories, areas, languages), analysed once per job.
        var organisationTerms: [OrganisationID: [Int32]] = [:]
        var categoryTerms: [CategoryID: [Int32]] = [:]
        var synonymTerms: [CategoryID: [Int32]] = [:]
        var areaTerms: [AreaCode: [Int32]] = [:]
        var languageTerms: [String: [Int32]] = [:]
        for n in numbers {
            let service = docs[n]
            let doc = Int32(n)
            func post(_ id: Int32) {
                if lastPosted[Int(id)] != doc {
                    lastPosted[Int(id)] = doc
                    partial.facets.append(id)
                }
            }
            post(facetPlan.all)
            for area in service.areas {
                let plan = facetPlan.areas[area]!
                for id in plan.served { post(id) }
                post(plan.exact)
            }
            if let ages = service.ages {
                // Core's rule (AgeRange.servesFamily): a service for parents serves a child of any age.
                for (months, id) in facetPlan.ages where ages.servesFamily(ofChildAged: months) { post(id) }
            } else {
                post(facetPlan.noAges)
            }
            for category in service.categories { for id in facetPlan.categories[category]! { post(id) } }
            if let lowest = lowestRing(service, graph) {
                post(facetPlan.lowest[lowest.rawValue])
            } else {
                post(graph.sector(of: service) == .socialWork ? facetPlan.lowestSocialWork : facetPlan.lowestNone)
            }
            for route in context.routesInto[service.id] ?? [] {
                if case .role(let role) = route.from {
                    post(facetPlan.roles[role]!)
                    if role == .self { post(facetPlan.selfReferral) }
                }
            }
            if let cost = service.cost { post(facetPlan.costs[cost]!) }
            for language in service.languages { if let id = facetPlan.languages[language]! { post(id) } }
            for level in service.levels { post(facetPlan.levels[level]!) }
            partial.facetEnds.append(partial.facets.count)

            // Text: name counts most, then organisation and needs, then everything else.
            func add(_ ids: [Int32], _ weight: Int32) {
                for id in ids {
                    let i = Int(id)
                    if i >= docWeight.count { docWeight.append(contentsOf: repeatElement(0, count: i + 1 - docWeight.count + 1024)) }
                    if docWeight[i] == 0 { docTerms.append(id) }
                    docWeight[i] += weight
                }
            }
            func index(_ value: String?, _ weight: Int32) {
                guard let value else { return }
                add(termIDs(value), weight)
            }
            index(service.name, 6)
            if let org = service.organisation {
                if organisationTerms[org] == nil { organisationTerms[org] = termIDs(graph.organisations[org]?.name ?? "") }
                add(organisationTerms[org]!, 2)
            }
            for category in service.categories {
                if categoryTerms[category] == nil {
                    categoryTerms[category] = termIDs(graph.categories[category]?.name ?? "")
                    synonymTerms[category] = termIDs((graph.categories[category]?.synonyms ?? []).joined(separator: ", "))
                }
                add(categoryTerms[category]!, 3)
                add(synonymTerms[category]!, 1)
            }
            index(service.description, 1)
            index(service.howToRefer, 1)
            for area in service.areas {
                if areaTerms[area] == nil { areaTerms[area] = termIDs(graph.areas[area]?.name ?? "") }
                add(areaTerms[area]!, 1)
            }
            for language in service.languages {
                if languageTerms[language] == nil { languageTerms[language] = termIDs(language) }
                add(languageTerms[language]!, 1)
            }
            for id in docTerms {
                let i = Int(id)
                partial.packedTerms.append(SearchAnalysisCache.pack(term: id, weight: min(docWeight[i], 30)))
                docWeight[i] = 0
            }
            partial.termEnds.append(partial.packedTerms.count)
            docTerms.removeAll(keepingCapacity: true)
        }
        return partial
    }

    /// The lowest ring a service works at (`graph.rings(of:).first`), without making the sorted set.
    static func lowestRing(_ service: Service, _ graph: ServiceGraph) -> ContinuumRing? {
        var lowest: ContinuumRing?
        for level in service.levels {
            if let ring = graph.levels[level]?.ring, lowest.map({ ring < $0 }) ?? true { lowest = ring }
        }
        return lowest
    }

    /// The record of a service shown in results (a document shard's item).
    ///
    /// What this reads of a service and of the records it names must be in `documentKey`.
    static func record(
        _ service: Service, context: SiteContext,
        areaIndex: [AreaCode: Int], categoryIndex: [CategoryID: Int], roleIndex: [ReferrerRole: Int], modeIndex: [ReferralMode: Int]
    ) -> String {
        let graph = context.graph
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
        r.int("lr", lowestRing(service, graph)?.rawValue ?? 0)
        r.raw("rt", "[" + (context.routesInto[service.id] ?? []).compactMap { route -> String? in
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
        return r.text
    }

    /// What every document's analysis and record depend on besides the service and the records
    /// it names: the facets and their numbering (which hold the area and need hierarchies), the
    /// order areas, needs and roles are numbered in for records, the shard size, and the build's
    /// identity (the code that analyses). A cache under another key is not used.
    static func analysisKey(_ context: SiteContext, facetPlan: FacetPlan, roles: [ReferrerRole]) -> Fingerprint {
        var f = Fingerprint()
        f.add("search analysis 1")
        f.add(context.ledger?.identity ?? "")
        f.add(context.options.documentsPerShard)
        f.add(facetPlan: facetPlan)
        f.add(list: context.sortedAreas.map(\.code.rawValue))
        f.add(list: context.sortedCategories.map(\.id.rawValue))
        f.add(list: roles.map(\.rawValue))
        f.add(list: ReferralMode.allCases.map(\.rawValue))
        return f
    }

    /// Per document, a fingerprint of everything `analyse` and `record` read of its service and
    /// of the records it names (`ServiceKeys.Keys.document`). The documents are the services of
    /// `servicesByName` that are not closed, in its order.
    static func documentKeys(_ context: SiteContext) -> [Fingerprint] {
        let all = PageRenderer(context).serviceKeys.all
        let open = context.serviceIsOpen
        var keys: [Fingerprint] = []
        keys.reserveCapacity(all.count)
        for position in all.indices where open[position] { keys.append(all[position].document) }
        return keys
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
        var out = ""
        encode(ascending, into: &out)
        return out
    }

    /// `encode`, appended to `out`.
    static func encode(_ ascending: [Int32], into out: inout String) {
        var previous: Int32 = -1
        var i = 0
        while i < ascending.count {
            let value = ascending[i]
            if i > 0 { out += "," }
            out += String(value - previous)
            previous = value
            var run = 0
            while i + 1 + run < ascending.count && ascending[i + 1 + run] == previous + Int32(run) + 1 { run += 1 }
            if run >= 2 {
                out += ","
                out += String(-run)
                previous += Int32(run)
                i += run
            }
            i += 1
        }
    }
}

/// The search documents: the services of `SiteContext.servicesByName` that are not closed, in its
/// order, kept as positions there so that listing them copies no service (a copy costs a retain
/// per field, and a large directory's search step spent a fifth of its time on them).
struct SearchDocuments: RandomAccessCollection {
    let services: [Service]
    let positions: [Int]

    init(_ context: SiteContext) {
        services = context.servicesByName
        positions = context.serviceIsOpen.indices.filter { context.serviceIsOpen[$0] }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { positions.count }
    subscript(n: Int) -> Service { services[positions[n]] }
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

/// Every facet a document can be posted to, numbered, and what each field of a service posts:
/// worked out once before the documents are analysed in parallel, so a document costs a few
/// array appends rather than building key strings and unions of area sets.
struct FacetPlan: Sendable {
    /// The facet keys (`a:glasgow-city`, `g:14`, …) by number.
    private(set) var keys: [String] = []
    private var numbers: [String: Int32] = [:]

    struct AreaFacets: Sendable {
        /// `a:` of the areas a service listing the area serves, per Core's `serves(_:within:)`: the
        /// area, its ancestors and descendants.
        var served: [Int32]
        /// `ax:` of the area itself.
        var exact: Int32
    }

    var all: Int32 = 0
    var areas: [AreaCode: AreaFacets] = [:]
    /// `g:<months>` per age choice, in choice order.
    var ages: [(months: Int, facet: Int32)] = []
    var noAges: Int32 = 0
    /// `c:` of each category and the categories above it.
    var categories: [CategoryID: [Int32]] = [:]
    /// `low:<ring>` by ring number.
    var lowest: [Int32] = []
    var lowestSocialWork: Int32 = 0
    var lowestNone: Int32 = 0
    var roles: [ReferrerRole: Int32] = [:]
    var selfReferral: Int32 = 0
    var costs: [Cost: Int32] = [:]
    /// `lang:<slug>` per language as written; nil when its slug is empty.
    var languages: [String: Int32?] = [:]
    var levels: [LevelID: Int32] = [:]

    private mutating func number(_ key: String) -> Int32 {
        if let known = numbers[key] { return known }
        let n = Int32(keys.count)
        keys.append(key)
        numbers[key] = n
        return n
    }

    init(context: SiteContext, docs: SearchDocuments, roles: [ReferrerRole]) {
        let graph = context.graph
        all = number("all")
        // The areas, needs and levels some document names, from the context's lists of services
        // per area, need and level (each in name order, so an open one usually comes first).
        func named<ID>(_ lists: [ID: [Int]]) -> [ID] {
            lists.compactMap { id, positions in positions.contains { context.serviceIsOpen[$0] } ? id : nil }
        }
        var areaCodes = Set(graph.areas.keys)
        areaCodes.formUnion(named(context.servicesInArea))
        var categoryIDs = Set(graph.categories.keys)
        categoryIDs.formUnion(named(context.servicesInCategory))
        let levelIDs = Set(named(context.servicesAtLevel))
        var languageNames: Set<String> = []
        // Fields read in place: a copy of each service would cost a retain per field.
        let services = docs.services
        for position in docs.positions where !services[position].languages.isEmpty {
            languageNames.formUnion(services[position].languages)
        }
        for code in areaCodes.sorted() {
            let served = graph.areaAndDescendants(of: code).union(context.ancestorsOfArea[code] ?? graph.ancestors(of: code))
            areas[code] = AreaFacets(served: served.sorted().map { number("a:" + $0.rawValue) }, exact: number("ax:" + code.rawValue))
        }
        ages = HomeForm.ageChoices.map { ($0.months, number("g:\($0.months)")) }
        noAges = number("g:none")
        for id in categoryIDs.sorted() {
            var chain = [id]
            var current = graph.categories[id]?.parent
            while let parent = current, !chain.contains(parent) {
                chain.append(parent)
                current = graph.categories[parent]?.parent
            }
            categories[id] = chain.map { number("c:" + $0.rawValue) }
        }
        let highestRing = ContinuumRing.allCases.map(\.rawValue).max() ?? 0
        lowest = (0...highestRing).map { number("low:\($0)") }
        lowestSocialWork = number("low:0sw")
        lowestNone = number("low:0")
        for role in roles { self.roles[role] = number("r:" + role.rawValue) }
        // Routes into services come from the graph, so `roles` holds every role; a role only a
        // route outside the graph names still gets its facet.
        for routes in context.routesInto.values {
            for route in routes { if case .role(let role) = route.from, self.roles[role] == nil { self.roles[role] = number("r:" + role.rawValue) } }
        }
        selfReferral = number("self")
        for cost in Cost.allCases { costs[cost] = number("cost:" + cost.rawValue) }
        for language in languageNames.sorted() {
            let slug = Slug.make(language)
            languages[language] = slug.isEmpty ? .some(nil) : number("lang:" + slug)
        }
        for level in levelIDs.sorted() { levels[level] = number("lvl:" + level.rawValue) }
    }
}

extension Fingerprint {
    /// Every facet of the plan by number, and what each field of a service posts to.
    mutating func add(facetPlan plan: FacetPlan) {
        add(list: plan.keys)
        add(Int(plan.all))
        for code in plan.areas.keys.sorted() {
            add(code.rawValue)
            add(plan.areas[code]!.served.map(Int.init))
            add(Int(plan.areas[code]!.exact))
        }
        add(-2)
        for (months, facet) in plan.ages { add(months); add(Int(facet)) }
        add(Int(plan.noAges))
        for id in plan.categories.keys.sorted() {
            add(id.rawValue)
            add(plan.categories[id]!.map(Int.init))
        }
        add(-2)
        add(plan.lowest.map(Int.init))
        add(Int(plan.lowestSocialWork))
        add(Int(plan.lowestNone))
        for role in plan.roles.keys.sorted() { add(role.rawValue); add(Int(plan.roles[role]!)) }
        add(Int(plan.selfReferral))
        for cost in plan.costs.keys.sorted(by: { $0.rawValue < $1.rawValue }) { add(cost.rawValue); add(Int(plan.costs[cost]!)) }
        for language in plan.languages.keys.sorted() { add(language); add(plan.languages[language]!.map(Int.init) ?? -1) }
        add(-2)
        for level in plan.levels.keys.sorted() { add(level.rawValue); add(Int(plan.levels[level]!)) }
    }

    /// A posting list (or its weights), by its bytes.
    mutating func add(postings: [Int32]) {
        postings.withUnsafeBytes { add(bytes: $0) }
    }

    mutating func add(_ numbers: [Int]) {
        add(numbers.count)
        for number in numbers { add(number) }
    }
}
