import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport
@testable import ServiceMapCLI
@testable import ServiceMapCore
@testable import ServiceMapSite
@testable import ServiceMapStore

/// The Atom feed parsed into what RFC 4287 requires of it.
final class AtomOutline: NSObject, XMLParserDelegate {
    struct Element { var name: String; var namespace: String?; var attributes: [String: String]; var text = ""; var path: [String] }
    var elements: [Element] = []
    private var stack: [Element] = []

    init(_ data: Data) throws {
        super.init()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = self
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.coderReadCorrupt) }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        stack.append(Element(name: name, namespace: namespaceURI, attributes: attributes, path: stack.map(\.name) + [name]))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        elements.append(stack.removeLast())
    }

    func all(_ path: String) -> [Element] { elements.filter { $0.path.joined(separator: "/") == path } }
}

@Suite("What's new page and Atom feed", .serialized)
struct DiffChangelogTests {
    /// Two runs over a copy of the shipped Data/, the second after the test edit.
    static func twoRuns() throws -> (store: ServiceStore, graph: ServiceGraph, cleanup: () -> Void) {
        let data = try copyOfShippedData()
        let database = temporaryPath("changelog.sqlite")
        let store = try ServiceStore(path: database)
        _ = try ImportPipeline(paths: [data.path]).run(into: store)
        try ShippedEdit.apply(to: data)
        let outcome = try ImportPipeline(paths: [data.path]).run(into: store)
        return (store, outcome.graph, {
            try? FileManager.default.removeItem(at: data)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        })
    }

    static func path(_ id: ServiceID) -> String? { "services/\(id.rawValue).html" }

    @Test func aShippedSpreadsheetEditShowsOnTheWhatsNewPage() throws {
        let (store, graph, cleanup) = try Self.twoRuns()
        defer { cleanup() }
        let changelog = try Changelog.load(from: store)
        #expect(changelog.entries.map(\.run) == [2, 1])
        #expect(changelog.entries[0].summary == "1 service changed, 1 referral route added")
        let html = ChangelogPage.content(changelog, graph: graph, servicePath: Self.path)
        #expect(html.contains("<section class=\"change-entry\" id=\"run-2\""))
        #expect(html.contains("<a href=\"../services/\(ShippedEdit.service).html\">Early Help Team (South)</a>"))
        #expect(html.contains("<ins>") && html.contains(ShippedEdit.newText))
        #expect(html.contains("<time datetime=\"\(changelog.entries[0].finishedAt)\">"))
        // The first run added every shipped service, listed up to the limit.
        #expect(html.contains("… and "))
    }

    @Test func theFeedIsValidAtomWithStableIdsAndResolvedLinks() throws {
        let (store, graph, cleanup) = try Self.twoRuns()
        defer { cleanup() }
        let changelog = try Changelog.load(from: store)
        let relative = AtomFeed.xml(changelog, graph: graph, title: "Family services directory", baseURL: nil, servicePath: Self.path)
        let absolute = AtomFeed.xml(changelog, graph: graph, title: "Family services directory", baseURL: "https://example.org/dir",
                                    servicePath: Self.path)
        // Deterministic: the same store gives the same bytes.
        #expect(relative == AtomFeed.xml(try Changelog.load(from: store), graph: graph, title: "Family services directory", baseURL: nil,
                                         servicePath: Self.path))

        for feed in [relative, absolute] {
            let atom = try AtomOutline(Data(feed.utf8))
            let root = try #require(atom.elements.last)
            #expect(root.name == "feed" && root.namespace == "http://www.w3.org/2005/Atom")
            // RFC 4287 §4.1.1: exactly one id, title and updated; an author (here on the feed).
            for name in ["id", "title", "updated"] { #expect(atom.all("feed/\(name)").count == 1, "feed/\(name)") }
            #expect(atom.all("feed/author/name").count == 1)
            let entries = atom.all("feed/entry")
            #expect(entries.count == 2)
            for name in ["id", "title", "updated"] { #expect(atom.all("feed/entry/\(name)").count == entries.count, "entry/\(name)") }
            let rfc3339 = try Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#)
            for updated in atom.all("feed/updated") + atom.all("feed/entry/updated") {
                #expect(updated.text.wholeMatch(of: rfc3339) != nil, "updated '\(updated.text)'")
            }
            let ids = (atom.all("feed/id") + atom.all("feed/entry/id")).map(\.text)
            #expect(Set(ids).count == ids.count && ids.allSatisfy { $0.hasPrefix("urn:uuid:") && $0.count == 45 })
            #expect(atom.all("feed/entry/link").allSatisfy { $0.attributes["rel"] == "alternate" && $0.attributes["href"] != nil })
            let content = try #require(atom.all("feed/entry/content").first)
            #expect(content.attributes["type"] == "html" && content.text.contains(ShippedEdit.newText))
        }
        // Ids do not depend on the base URL; links do.
        let relativeAtom = try AtomOutline(Data(relative.utf8)), absoluteAtom = try AtomOutline(Data(absolute.utf8))
        #expect(relativeAtom.all("feed/entry/id").map(\.text) == absoluteAtom.all("feed/entry/id").map(\.text))
        #expect(relativeAtom.all("feed/entry/link").first?.attributes["href"] == "index.html#run-2")
        #expect(absoluteAtom.all("feed/entry/link").first?.attributes["href"] == "https://example.org/dir/changes/index.html#run-2")
        #expect(absoluteAtom.all("feed/link").contains { $0.attributes["rel"] == "self" && $0.attributes["href"] == "https://example.org/dir/changes/feed.xml" })
        #expect(absoluteAtom.all("feed/entry/content").first?.text.contains("href=\"https://example.org/dir/services/\(ShippedEdit.service).html\"") == true)
        #expect(relativeAtom.all("feed/entry/content").first?.text.contains("href=\"../services/\(ShippedEdit.service).html\"") == true)
    }

    @Test func sha256MatchesAKnownAnswer() {
        let digest = SiteHash.sha256(Data("abc".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// The whole road: a shipped spreadsheet edited, imported twice, `servicemap build` — the
    /// What's new page and the feed in the built site show the change, linked to the service page.
    @Test func aShippedSpreadsheetEditShowsInTheBuiltSite() throws {
        let data = try copyOfShippedData()
        let database = temporaryPath("site.sqlite")
        let site = temporaryPath("site")
        defer {
            try? FileManager.default.removeItem(at: data)
            try? FileManager.default.removeItem(atPath: site)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        }
        #expect(runCapturing(["import", data.path, "--database", database, "--quiet"]).status == 0)
        try ShippedEdit.apply(to: data)
        #expect(runCapturing(["import", data.path, "--database", database, "--quiet"]).status == 0)
        let theme = repositoryRoot.appendingPathComponent("Site").path
        #expect(runCapturing(["build", "--database", database, "--output", site, "--theme", theme, "--quiet",
                              "--base-url", "https://example.org/directory/"]).status == 0)
        let page = try String(contentsOfFile: site + "/changes/index.html", encoding: .utf8)
        #expect(page.contains("<h1>What’s new</h1>"))
        #expect(page.contains(ShippedEdit.newText))
        #expect(page.contains("<a href=\"../services/\(ShippedEdit.service).html\">Early Help Team (South)</a>"))
        #expect(FileManager.default.fileExists(atPath: site + "/services/\(ShippedEdit.service).html"))
        let feed = try String(contentsOfFile: site + "/changes/feed.xml", encoding: .utf8)
        #expect(feed.contains("https://example.org/directory/changes/index.html#run-2"))
        #expect(feed.contains(ShippedEdit.newText))
        _ = try AtomOutline(Data(feed.utf8))
        // Every page links to it and announces the feed.
        let home = try String(contentsOfFile: site + "/index.html", encoding: .utf8)
        #expect(home.contains("href=\"changes/index.html\">What’s new</a>"))
        #expect(home.contains("type=\"application/atom+xml\""))
        // Deterministic: building again gives the same page and feed.
        let again = temporaryPath("site-again")
        defer { try? FileManager.default.removeItem(atPath: again) }
        #expect(runCapturing(["build", "--database", database, "--output", again, "--theme", theme, "--quiet",
                              "--base-url", "https://example.org/directory/"]).status == 0)
        #expect(try String(contentsOfFile: again + "/changes/feed.xml", encoding: .utf8) == feed)
        #expect(try String(contentsOfFile: again + "/changes/index.html", encoding: .utf8) == page)
    }
}
