import Foundation
import ServiceMapCore
import Testing
@testable import ServiceMapSite

@Suite("Building the site")
struct SiteBuilderTests {
    func text(_ files: [String: Data], _ path: String) -> String {
        files[path].map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    @Test func writesEveryKindOfPage() throws {
        let out = SiteFixtures.temporaryFolder()
        var steps: [String] = []
        let report = try SiteBuilder(graph: SiteFixtures.family(), theme: SiteFixtures.theme, output: out,
                                     options: SiteOptions(documentsPerShard: 3)).build { steps.append($0) }
        let files = SiteFixtures.files(in: out)
        #expect(steps.first == "[1/10] prepare output and theme")  // + coverage pages (issue 7), what’s new (issue 8), maps (issue 6)
        #expect(steps.last == "[10/10] publish")
        for path in ["index.html", "404.html", "sitemap.html", "sitemap.xml", "shortlist.html", "a-z/index.html", "a-z/p.html",
                     "services/perinatal-mh-ggc.html", "areas/glasgow-city.html", "areas/index.html", "levels/bromley-level-2.html",
                     "levels/ring-2-early-help.html", "levels/index.html", "categories/perinatal.html", "organisations/nhs-ggc.html",
                     "search/meta.js", "assets/style.css", "assets/search.js", "assets/shortlist.js", ".servicemap-site"] {
            #expect(files[path] != nil, "missing \(path)")
        }
        #expect(report.pages == files.keys.filter { $0.hasSuffix(".html") }.count)

        let service = text(files, "services/perinatal-mh-ggc.html")
        #expect(service.contains("<h1>Perinatal Mental Health Service</h1>"))
        #expect(service.contains("Run by <a href=\"../organisations/nhs-ggc.html\">NHS Greater Glasgow and Clyde</a>"))
        #expect(service.contains("<dt>Ages</dt><dd>pre-birth to"))
        #expect(service.contains("<strong>2025-03-01</strong>"))
        #expect(service.contains("<a href=\"tel:01632960001\">01632 960001</a>"))
        #expect(service.contains("Midwife</strong>: Professional referral. Conditions: moderate to severe illness"))
        #expect(service.contains("<code>glasgow.xlsx:Services!4</code>") || service.contains("glasgow.xlsx:Services"))
        #expect(service.contains("on the common scale: <a href=\"../levels/ring-2-early-help.html\">Early Help</a>"))

        let unverified = text(files, "services/money-advice-glasgow.html")
        #expect(unverified.contains("not yet verified"))
        #expect(unverified.contains("Family can self-refer"))

        let area = text(files, "areas/bromley.html")
        #expect(area.contains("Level 3: complex"))
        #expect(area.contains("Ring 3: Child in Need</a> <span class=\"tag tag-statutory\">Statutory</span>"))
        #expect(area.contains("href=\"../services/bromley-family-hubs.html\""))
        let glasgow = text(files, "areas/glasgow-city.html")
        #expect(glasgow.contains("This area uses the levels of need of <a href=\"../areas/scotland.html\">Scotland</a>"))
        #expect(glasgow.contains("Services for all of NHS Greater Glasgow and Clyde"))

        let stepUp = text(files, "services/bromley-family-hubs.html")
        #expect(stepUp.contains("Bromley Children&#39;s Social Care</a>: Via the front door or hub (Step up)"))
    }

    @Test func confidentialAddressAppearsNowhere() throws {
        let out = SiteFixtures.temporaryFolder()
        try SiteFixtures.build(SiteFixtures.family(), into: out)
        for (path, data) in SiteFixtures.files(in: out) {
            let body = String(decoding: data, as: UTF8.self)
            #expect(!body.contains("Hidden Lane"), "confidential address in \(path)")
            #expect(!body.contains("G99 9ZZ"), "confidential postcode in \(path)")
        }
        let refuge = String(decoding: try Data(contentsOf: out.appendingPathComponent("services/refuge-glasgow.html")), as: UTF8.self)
        #expect(refuge.contains("address of this service is confidential"))
        #expect(refuge.contains("01632 960004"))
    }

    @Test func buildsAreByteIdentical() throws {
        let a = SiteFixtures.temporaryFolder("a"), b = SiteFixtures.temporaryFolder("b")
        try SiteFixtures.build(SiteFixtures.hostile(), into: a)
        try SiteFixtures.build(SiteFixtures.hostile(), into: b, options: SiteOptions(documentsPerShard: 3, parallelism: 1))
        let first = SiteFixtures.files(in: a), second = SiteFixtures.files(in: b)
        #expect(first.keys.sorted() == second.keys.sorted())
        for (path, data) in first { #expect(second[path] == data, "\(path) differs") }
        // A rebuild over the same folder replaces it whole.
        try SiteFixtures.build(SiteFixtures.family(), into: a)
        #expect(SiteFixtures.files(in: a)["services/js-site.html"] == nil)
    }

    @Test func refusesToReplaceAFolderThatIsNotASite() throws {
        let out = SiteFixtures.temporaryFolder()
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: out.appendingPathComponent("thesis.docx"))
        #expect(throws: SiteBuildError.self) { try SiteFixtures.build(SiteFixtures.family(), into: out) }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("thesis.docx").path))
    }

    @Test func aMissingTemplateNamesTheStep() throws {
        let theme = SiteFixtures.temporaryFolder("theme")
        try FileManager.default.createDirectory(at: theme.appendingPathComponent("templates"), withIntermediateDirectories: true)
        do {
            try SiteBuilder(graph: SiteFixtures.family(), theme: theme, output: SiteFixtures.temporaryFolder()).build()
            Issue.record("build should fail")
        } catch let error as SiteBuildError {
            #expect(error.step == "prepare output and theme")
            #expect(error.description.contains("layout.mustache is missing"))
        }
    }

    /// The search index is written on a thread beside the page steps; a failure there still
    /// fails the build, named after its step, and leaves a folder the next build redoes in full.
    @Test func aStepBesideTheOthersIsNamedWhenItFails() throws {
        let out = SiteFixtures.temporaryFolder()
        try SiteFixtures.build(SiteFixtures.family(), into: out)
        // A folder where the search cache goes: the rebuild cannot rename its new cache into place.
        let cache = out.appendingPathComponent(".servicemap-search-cache")
        try FileManager.default.removeItem(at: cache)
        try FileManager.default.createDirectory(at: cache.appendingPathComponent("in-the-way"), withIntermediateDirectories: true)
        do {
            try SiteFixtures.build(SiteFixtures.family(), into: out)
            Issue.record("build should fail")
        } catch let error as SiteBuildError {
            #expect(error.step == "write search index")
            #expect(error.message.contains(".servicemap-search-cache"))
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(SiteBuilder.manifestFileName).path))
    }

    @Test func everyInternalLinkResolves() throws {
        let out = SiteFixtures.temporaryFolder()
        try SiteFixtures.build(SiteFixtures.hostile(), into: out)
        let files = SiteFixtures.files(in: out)
        var checked = 0
        for (path, data) in files where path.hasSuffix(".html") {
            let html = String(decoding: data, as: UTF8.self)
            for link in SiteScan.attributes(in: html, named: ["href", "src"]) {
                let decoded = SiteScan.unescape(link)
                if decoded.hasPrefix("#") || decoded.contains(":") { continue }
                let target = decoded.split(separator: "?")[0].split(separator: "#").first.map(String.init) ?? ""
                let resolved = URL(fileURLWithPath: "/" + path).deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL.path
                #expect(files[String(resolved.dropFirst())] != nil, "\(path) links to missing \(decoded)")
                checked += 1
            }
        }
        #expect(checked > 100)
    }

    /// A long list goes over numbered pages, each linking to its neighbours with relative links,
    /// and following them from the first page reaches every service of the list without JavaScript.
    @Test func longListsGoOverNumberedPagesThatReachEveryService() throws {
        let out = SiteFixtures.temporaryFolder("paged")
        let graph = SiteFixtures.synthetic(count: 250)
        try SiteFixtures.build(graph, into: out)
        let files = SiteFixtures.files(in: out)
        let letterS = graph.services.values.filter { PageRenderer.letter(of: $0.name) == "s" }
        let pages = (letterS.count + PageRenderer.servicesPerPage - 1) / PageRenderer.servicesPerPage
        #expect(pages == 3)
        let first = String(decoding: files["a-z/s.html"] ?? Data(), as: UTF8.self)
        #expect(first.contains("Services 1 to 100 of \(letterS.count), page 1 of 3."))
        #expect(first.contains("<a href=\"s.page2.html\" rel=\"next\">Next</a>"))
        #expect(first.contains("<span aria-current=\"page\">1</span>"))
        let second = String(decoding: files["a-z/s.page2.html"] ?? Data(), as: UTF8.self)
        #expect(second.contains("<title>Services A to Z: S (page 2 of 3)"))
        #expect(second.contains("<a href=\"s.html\" rel=\"prev\">Previous</a>"))
        #expect(files["a-z/s.page4.html"] == nil)
        // Walk the pages by their "Next" links, collecting the services they link to.
        var linked: Set<String> = []
        var page: String? = "s.html"
        var visited = 0
        while let name = page, visited < 10 {
            let html = String(decoding: files["a-z/" + name] ?? Data(), as: UTF8.self)
            for link in SiteScan.attributes(in: html, named: ["href"]) where link.hasPrefix("../services/") {
                linked.insert(String(link.dropFirst("../".count)))
            }
            page = html.components(separatedBy: "rel=\"next\"").first.flatMap { before in
                before.hasSuffix("\" ") ? before.components(separatedBy: "<a href=\"").last.map { String($0.dropLast(2)) } : nil
            }
            visited += 1
        }
        #expect(visited == 3)
        // Synthetic ids are plain slugs, so their pages are named after them.
        for service in letterS where service.id.rawValue.hasPrefix("synthetic-") {
            let path = "services/" + service.id.rawValue + ".html"
            #expect(linked.contains(path), "\(service.name) is on no page of the A to Z")
        }
    }

    @Test func nothingLoadsFromOutsideTheSite() throws {
        let out = SiteFixtures.temporaryFolder()
        try SiteFixtures.build(SiteFixtures.hostile(), into: out)
        for (path, data) in SiteFixtures.files(in: out) {
            let body = String(decoding: data, as: UTF8.self)
            let external = SiteScan.externalLoads(in: body, path: path)
            #expect(external.isEmpty, "\(path) loads \(external)")
        }
    }

    @Test func fileNamesAreSafeAndUnique() {
        let stems = SiteContext.stems(["glasgow-city", "../../evil", "Glasgow City", "x\"><script>", ""])
        #expect(stems["glasgow-city"] == "glasgow-city")
        #expect(Set(stems.values).count == 5)
        for stem in stems.values { #expect(stem.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }) }
    }
}

/// Reading built HTML without a parser: attribute values and what a page would load.
enum SiteScan {
    static func attributes(in html: String, named names: Set<String>) -> [String] {
        var found: [String] = []
        for name in names {
            var rest = html[...]
            while let range = rest.range(of: " \(name)=\"") {
                let after = rest[range.upperBound...]
                guard let end = after.firstIndex(of: "\"") else { break }
                found.append(String(after[..<end]))
                rest = after[end...]
            }
        }
        return found
    }

    static func unescape(_ value: String) -> String {
        value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// URLs a file makes the browser load from elsewhere: src attributes, <link href>, CSS url()
    /// and @import, and script-made requests. Links in <a href> are content, not loads.
    static func externalLoads(in body: String, path: String) -> [String] {
        var loads: [String] = []
        func isExternal(_ url: String) -> Bool {
            let u = unescape(url).trimmingCharacters(in: .whitespaces).lowercased()
            return u.hasPrefix("//") || (u.contains(":") && !u.hasPrefix("data:") && !u.hasPrefix("#"))
        }
        if path.hasSuffix(".html") {
            loads += attributes(in: body, named: ["src", "srcset", "poster", "data", "action", "formaction"]).filter(isExternal)
            var rest = body[...]
            while let start = rest.range(of: "<link ") {
                let tag = rest[start.lowerBound...].prefix { $0 != ">" }
                loads += attributes(in: String(tag), named: ["href"]).filter(isExternal)
                rest = rest[start.upperBound...]
            }
        }
        if path.hasSuffix(".css") || path.hasSuffix(".html") || path.hasSuffix(".svg") {
            var rest = body[...]
            while let start = rest.range(of: "url(") {
                let inside = rest[start.upperBound...].prefix { $0 != ")" }
                let url = inside.trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
                if isExternal(url) { loads.append(url) }
                rest = rest[start.upperBound...]
            }
            if body.contains("@import") { loads.append("@import") }
        }
        // The theme's own scripts must not request anything; index files hold services' websites
        // as data (shown as links), which is content, not a load.
        if path.hasPrefix("assets/") && path.hasSuffix(".js") {
            for api in ["fetch(", "XMLHttpRequest", "WebSocket", "EventSource", "sendBeacon", "import("] where body.contains(api) {
                loads.append(api)
            }
            if body.contains("http://") || body.contains("https://") { loads.append("absolute URL in script") }
        }
        return loads
    }
}
