import Foundation
import ServiceMapCore
import Testing
import TestSupport

@testable import ServiceMapImport

/// The shared test corpus (`<repo>/../shared/corpus`), found from this file's path.
enum FormatsCorpus {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus")

    static func folder(_ name: String) -> URL { root.appendingPathComponent(name) }

    static func files(_ folder: String, extensions: Set<String>) -> [URL] {
        let dir = self.folder(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .map { dir.appendingPathComponent($0) }
    }

    static func file(_ folder: String, _ name: String) -> String { self.folder(folder).appendingPathComponent(name).path }
}

/// A temporary folder for inline fixture files, removed by the caller.
func makeTemporaryFolder() throws -> URL {
    let url = Scratch.folder("formats")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("Bookmark reader")
struct BookmarkReaderTests {
    func read(_ html: String, file: String = "bookmarks.html") throws -> GraphFragment {
        try BookmarkReader(path: file, options: ImportOptions()).read(data: Data(html.utf8))
    }

    @Test func chromeExportWithFoldersDatesAndEntities() throws {
        let html = """
        \u{FEFF}<!DOCTYPE NETSCAPE-Bookmark-file-1>
        <META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
        <TITLE>Bookmarks</TITLE>
        <H1>Bookmarks</H1>
        <DL><p>
            <DT><H3 ADD_DATE="1700000000" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>
            <DL><p>
                <DT><H3>Glasgow</H3>
                <DL><p>
                    <DT><H3>Parenting</H3>
                    <DL><p>
                        <DT><A HREF="https://example.org/triple-p?a=1&amp;b=2" ADD_DATE="1709251200" ICON="data:image/png;base64,AAAA">Triple P &amp; Friends&#39; group</A>
                        <DD>Evidence-based &lt;parenting&gt; programme
                    </DL><p>
                </DL><p>
            </DL><p>
            <HR>
            <DT><A HREF="javascript:alert(1)">Bookmarklet</A>
            <DT><A HREF="data:text/html,hi">Data link</A>
        </DL><p>
        """
        let fragment = try read(html)
        #expect(fragment.services.count == 1)
        let draft = try #require(fragment.services.first)
        #expect(draft.name == "Triple P & Friends' group")
        #expect(draft.isSupplement)
        #expect(draft.service.contact.website == "https://example.org/triple-p?a=1&b=2")
        #expect(draft.service.description == "Evidence-based <parenting> programme")
        #expect(draft.service.attributes["first-seen"] == "2024-03-01")
        #expect(draft.service.lastVerified == nil)
        #expect(draft.service.attributes["folder"] == "Glasgow / Parenting")
        #expect(draft.hints.map(\.text) == ["Glasgow", "Parenting"])
        #expect(draft.hints.first?.location?.description == "bookmarks.html:8:17")
        #expect(draft.service.sources.locations.first?.description == "bookmarks.html:12:21")
        #expect(draft.nameLocation?.description == "bookmarks.html:12:128")
        #expect(draft.service.sources.fields["description"]?.row == 13)
        let refused = fragment.diagnostics.filter { $0.code == .refusedLink }
        #expect(refused.count == 2)
        #expect(refused.map { $0.location?.row } == [18, 19])
        #expect(refused.allSatisfy { $0.severity == .warning })
    }

    @Test func malformedMarkupStillImports() throws {
        // No </A>, no closing </DL>, an <H3> outside any <DL>, mixed case, a newline in an attribute.
        let html = """
        <Title>Bookmarks</Title>
        <dt><h3>Domestic abuse</h3>
        <dl><p>
          <dt><a href="https://refuge.example/" add_date="1600000000">Women's Aid
          <dt><A HREF='http://second.example/' TAGS="Perinatal, reading" description="multi
        line">Second
          <DT><A HREF="http://third.example/">Third</A>
        """
        let fragment = try read(html)
        #expect(fragment.services.map(\.name) == ["Women's Aid", "Second", "Third"])
        #expect(fragment.services[0].hints.map(\.text) == ["Domestic abuse"])
        #expect(fragment.services[1].hints.map(\.text) == ["Domestic abuse", "Perinatal", "reading"])
        #expect(fragment.services[1].service.description == "multi\nline")
        #expect(fragment.services[1].service.attributes["tags"] == "Perinatal, reading")
        #expect(fragment.services[2].service.sources.locations.first?.row == 7)
        #expect(!fragment.diagnostics.hasErrors)
    }

    @Test func timestampsInMillisecondsAndMicroseconds() {
        #expect(BookmarkScanner.day(fromTimestamp: "1523996194943160")?.description == "2018-04-17")
        #expect(BookmarkScanner.day(fromTimestamp: "1523996194943")?.description == "2018-04-17")
        #expect(BookmarkScanner.day(fromTimestamp: "1523996194")?.description == "2018-04-17")
        #expect(BookmarkScanner.day(fromTimestamp: "0") == nil)
        #expect(BookmarkScanner.day(fromTimestamp: "soon") == nil)
    }

    @Test func hintsResolveToAreasAndCategoriesOrAreDropped() throws {
        var areas = GraphFragment()
        areas.areas = [
            AreaDraft(code: "scotland", name: "Scotland", kind: .nation, parent: nil, sources: Sources()),
            AreaDraft(code: "glasgow-city", name: "Glasgow City", kind: .council, parent: TextReference("scotland"), sources: Sources()),
        ]
        var sheet = ServiceDraft(id: nil, name: "Family Support Glasgow", nameLocation: nil,
                                 service: Service(id: "", name: "Family Support Glasgow"))
        sheet.areas = [TextReference("Glasgow City")]
        areas.services = [sheet]
        let html = """
        <DL><p>
        <DT><H3>Glasgow</H3>
        <DL><p>
          <DT><H3>Parenting</H3>
          <DL><p>
            <DT><A HREF="https://fsg.example/">Family support Glasgow</A>
            <DT><A HREF="https://new.example/">A new place</A>
          </DL><p>
          <DT><H3>Reading list to sort</H3>
          <DL><p><DT><A HREF="https://other.example/">Elsewhere</A></DL><p>
        </DL><p>
        </DL><p>
        """
        var assembler = GraphAssembler()
        assembler.add(areas)
        assembler.add(try read(html))
        let (graph, diagnostics) = assembler.assemble()
        #expect(!diagnostics.contains { $0.code == .unknownArea || $0.code == .unknownCategory || $0.code == .ambiguousArea })
        #expect(graph.services.count == 3)
        let merged = try #require(graph.services.values.first { $0.name == "Family Support Glasgow" })
        #expect(merged.contact.website == "https://fsg.example/")
        #expect(merged.categories == ["parenting"])
        #expect(merged.areas == ["glasgow-city"])
        #expect(merged.sources.locations.count == 1)  // the sheet draft had no location; the bookmark's is kept
        let fresh = try #require(graph.services.values.first { $0.name == "A new place" })
        #expect(fresh.areas == ["glasgow-city"])
        #expect(fresh.categories == ["parenting"])
        let elsewhere = try #require(graph.services.values.first { $0.name == "Elsewhere" })
        #expect(elsewhere.areas == ["glasgow-city"])
        #expect(elsewhere.categories.isEmpty)
    }

    @Test func emptyAndNonBookmarkFiles() throws {
        #expect(try read("").diagnostics.map(\.code) == [.notABookmarkFile])
        #expect(try read("<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p></DL>").diagnostics.map(\.code) == [.noBookmarks])
        #expect(try read("<html><body><p>Hello</p></body></html>").diagnostics.map(\.code) == [.notABookmarkFile])
    }

    /// Expected bookmark counts per corpus file: every file is read, none crashes.
    static let corpusExpectations: [String: (imported: Int, refused: Int)] = [
        "firefox-places__bookmarks.corrupt.html": (9, 1),  // HREF="b0rked" refused; ICON="b0rked" ignored
        "firefox-places__bookmarks.preplaces.html": (8, 0),
        "firefox-places__bookmarks_html_singleframe.html": (1, 0),
        "netscapego__flat10000.htm": (10_000, 0),
        "netscapego__safari_folded.htm": (3, 0),
        "shaarli__chromium_flat.htm": (9, 0),
        "shaarli__chromium_nested.htm": (18, 0),
        "shaarli__delicious.htm": (5, 0),
        "shaarli__delicious_sanitize.htm": (2, 0),
        "shaarli__empty.htm": (0, 0),
        "shaarli__firefox_flat.htm": (21, 3),  // Firefox's smart folders ("place:sort=8…") are refused
        "shaarli__firefox_nested.htm": (21, 3),
        "shaarli__google_bookmarks_nested.htm": (6, 0),
        "shaarli__internet_explorer_11_flat.htm": (18, 0),
        "shaarli__internet_explorer_11_nested.htm": (27, 0),
        "shaarli__netscape_basic.htm": (2, 0),
        "shaarli__netscape_extended.htm": (1, 0),
        "shaarli__netscape_multiline.htm": (3, 0),
        "shaarli__netscape_nested.htm": (8, 0),
        "shaarli__safari_folded.htm": (3, 0),
        "shaarli__scuttle.htm": (4, 0),  // lower-case <a> … </a>
        "shaarli__scuttle_new_line.htm": (1, 0),
        "shaarli__shaarli.htm": (5, 1),  // one note links to "?lY47tw"
        "shaarli__shaarli_legacy.htm": (2, 0),
        "shaarli__shaarli_markdown.htm": (0, 3),  // Shaarli notes link to "?Z-mb0g": not web addresses
        "shaarli__shaarli_with_tabs_and_spaces.htm": (0, 1),
        "shaarli__shaarli_with_whitespace_tags.htm": (0, 1),
    ]

    @Test func everyCorpusFileImportsOrIsRefusedCleanly() throws {
        let files = FormatsCorpus.files("bookmarks", extensions: ["htm", "html"])
        #expect(files.count == 27)
        var seen = 0
        for url in files {
            let name = url.lastPathComponent
            let fragment = try BookmarkReader(path: url.path, options: ImportOptions()).read()
            let refused = fragment.diagnostics.filter { $0.code == .refusedLink }.count
            report("bookmarks \(name): \(fragment.services.count) imported, \(refused) refused, \(fragment.diagnostics.map(\.code.rawValue))")
            guard let expected = Self.corpusExpectations[name] else {
                Issue.record("no expectation for \(name)")
                continue
            }
            seen += 1
            #expect(fragment.services.count == expected.imported, "\(name)")
            #expect(refused == expected.refused, "\(name)")
            #expect(!fragment.diagnostics.hasErrors, "\(name)")
            for draft in fragment.services {
                #expect(draft.service.sources.locations.first?.file == url.path)
                #expect(draft.service.contact.website?.hasPrefix("http") == true)
            }
        }
        #expect(seen == Self.corpusExpectations.count)
    }

    @Test func corpusDetails() throws {
        let nested = try BookmarkReader(path: FormatsCorpus.file("bookmarks", "shaarli__netscape_nested.htm"), options: ImportOptions()).read()
        let byName = Dictionary(nested.services.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["Nested 1"]?.hints.map(\.text) == ["tag1", "tag2", "multi word"])
        #expect(byName["Nested 1-1"]?.hints.map(\.text) == ["Folder1, the first,folder to encounter", "tag1", "tag2", "multi word"])
        #expect(byName["Nested 2-1"]?.service.description == "First link of the second section")
        #expect(byName["Nested 3-1"]?.service.attributes["folder"] == "Folder3 / Folder3-1")
        #expect(byName["Nested 2"]?.hints.map(\.text) == ["tag4"])
        #expect(byName["Nested 2-1"]?.service.attributes["first-seen"] == "2016-02-02")

        // Firefox's own folders are not hints; folder descriptions are not bookmark descriptions.
        let firefox = try BookmarkReader(path: FormatsCorpus.file("bookmarks", "firefox-places__bookmarks.preplaces.html"), options: ImportOptions()).read()
        let post = try #require(firefox.services.first { $0.name == "test post keyword" })
        #expect(post.hints.map(\.text) == ["test"])
        #expect(post.service.description == "item description")
        let example = try #require(firefox.services.first { $0.name == "Example.tld" })
        #expect(example.hints.isEmpty)
        let headlines = try #require(firefox.services.first { $0.name == "Latest Headlines" })
        #expect(headlines.hints.isEmpty)
        #expect(headlines.service.description == "Livemark test comment")

        // Multi-line <DD> is kept whole (it is Markdown as often as not).
        let multiline = try BookmarkReader(path: FormatsCorpus.file("bookmarks", "shaarli__netscape_multiline.htm"), options: ImportOptions()).read()
        #expect(multiline.services[2].service.description == "List:\n- item1\n- item2\n\nParagraph number one.\n\nParagraph\nnumber\ntwo.")

        // IE11 writes a UTF-8 BOM; Google Bookmarks writes microsecond dates.
        let ie = try BookmarkReader(path: FormatsCorpus.file("bookmarks", "shaarli__internet_explorer_11_nested.htm"), options: ImportOptions()).read()
        #expect(ie.services.first?.hints.map(\.text) == ["Comics"])
        let google = try BookmarkReader(path: FormatsCorpus.file("bookmarks", "shaarli__google_bookmarks_nested.htm"), options: ImportOptions()).read()
        #expect(google.services.first?.service.attributes["first-seen"] == "2018-01-09")
        #expect(google.services.first?.hints.isEmpty == true)  // "Unlabeled" is Google's own folder
    }

    @Test func throughTheImporter() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("links.html")
        try Data("<DL><DT><A HREF=\"https://a.example\">A</A></DL>".utf8).write(to: file)
        let result = Importer().read([folder.path])
        #expect(result.fragment.services.map(\.name) == ["A"])
        #expect(result.files.map(\.format) == ["bookmarks"])
    }
}
