import Foundation
import ServiceMapCore
import Testing

@testable import ServiceMapImport

@Suite("Markdown service descriptions")
struct MarkdownServiceReaderTests {
    func read(_ text: String, file: String = "Data/glasgow/family-support.md") -> GraphFragment {
        MarkdownServiceReader(path: file, options: ImportOptions()).read(text: text)
    }

    @Test func frontMatterFieldsAndBody() throws {
        let fragment = read("""
        ---
        name: Glasgow Family Support
        id: gfs
        organisation: Example Trust
        area: [Glasgow City]
        categories:
          - parenting
          - poverty and housing
        ages: pre-birth to 5
        levels: "Tier 2"
        eligibility: lives in Glasgow
        exclusions: [open child protection case]
        cost: free
        languages: English; Polish
        delivery: [home visits, groups]
        phone: "0141 000 0000"
        email: hello@example.org
        website: https://example.org/gfs
        postcode: G1 1AA
        confidential-address: no
        status: pilot
        last-verified: 2024-03-01
        sector: third sector
        self-referral: yes
        referred-by: [health visitor, GP]
        how-to-refer: Phone the team.
        source: "000 Phase 1 findings, Glasgow"
        funding_body: Big Lottery
        ---

        Weekly **groups** and home visits.

        - item
        """)
        #expect(!fragment.diagnostics.hasErrors)
        #expect(fragment.services.count == 1)
        let draft = try #require(fragment.services.first)
        let s = draft.service
        #expect(draft.name == "Glasgow Family Support")
        #expect(draft.id == "gfs")
        #expect(draft.organisation?.text == "Example Trust")
        #expect(draft.organisation?.location?.description == "Data/glasgow/family-support.md:4:1")
        #expect(draft.areas.map(\.text) == ["Glasgow City"])
        #expect(draft.areas.first?.location?.row == 5)
        #expect(draft.categories.map(\.text) == ["parenting", "poverty and housing"])
        #expect(draft.levels.map(\.text) == ["Tier 2"])
        #expect(s.ages == AgeRange(minMonths: -9, maxMonths: 71))
        #expect(s.eligibility.count == 2)
        #expect(s.eligibility.last?.effect == .excludes)
        #expect(s.cost == .free)
        #expect(s.languages == ["English", "Polish"])
        #expect(s.delivery == [.homeVisit, .group])
        #expect(s.contact.phone == "0141 000 0000")
        #expect(s.contact.email == "hello@example.org")
        #expect(s.contact.website == "https://example.org/gfs")
        #expect(s.contact.postcode == "G1 1AA")
        #expect(s.confidentialAddress == false)
        #expect(s.status == .pilot)
        #expect(s.lastVerified == Day(year: 2024, month: 3, day: 1))
        #expect(s.sector != nil)
        #expect(draft.selfReferral == true)
        #expect(draft.selfReferralLocation?.row == 24)
        #expect(draft.referredBy.map(\.text) == ["health visitor", "GP"])
        #expect(s.howToRefer == "Phone the team.")
        #expect(s.sources.citations == ["000 Phase 1 findings", "Glasgow"] || s.sources.citations == ["000 Phase 1 findings, Glasgow"])
        #expect(s.sources.fields["last verified"]?.description == "Data/glasgow/family-support.md:22:1")
        #expect(s.sources.fields["ages"]?.row == 9)
        #expect(s.sources.locations.first?.description == "Data/glasgow/family-support.md:1:1")
        #expect(draft.nameLocation?.description == "Data/glasgow/family-support.md:2:1")
        #expect(s.description == "Weekly **groups** and home visits.\n\n- item")
        #expect(s.attributes["funding_body"] == "Big Lottery")
        let unknown = fragment.diagnostics.filter { $0.code == .unknownKey }
        #expect(unknown.count == 1)
        #expect(unknown.first?.severity == .note)
        #expect(unknown.first?.location?.row == 28)
    }

    @Test func notServiceDescriptions() {
        let plain = read("# Notes\n\nJust some notes.\n")
        #expect(plain.services.isEmpty)
        #expect(plain.diagnostics.map(\.code) == [.notAServiceDescription])
        #expect(plain.diagnostics.first?.severity == .warning)

        let nameless = read("---\ntitle-of-page: Hello\nlayout: post\n---\nBody\n")
        #expect(nameless.services.isEmpty)
        #expect(nameless.diagnostics.map(\.code).contains(.notAServiceDescription))

        let unclosed = read("---\nname: Never closed\n")
        #expect(unclosed.diagnostics.map(\.code) == [.notAServiceDescription])
    }

    @Test func badValuesAreReportedAtTheirKey() throws {
        let fragment = read("""
        ---
        name: Odd Service
        ages: whenever
        website: javascript:alert(1)
        email: not-an-address
        status: sleeping
        last-verified: last spring
        ---
        """)
        let draft = try #require(fragment.services.first)
        #expect(draft.service.ages == nil)
        #expect(draft.service.contact.website == nil)
        let found = fragment.diagnostics.map { "\($0.code.rawValue)@\($0.location?.row ?? 0)" }
        #expect(found == ["unreadable-value@6", "unreadable-value@5", "refused-link@4", "unreadable-date@7", "unreadable-age@3"]
            || Set(found) == ["unreadable-age@3", "refused-link@4", "unreadable-value@5", "unreadable-value@6", "unreadable-date@7"])
    }

    @Test func invalidYAMLIsAnErrorAtItsLine() {
        let fragment = read("---\nname: A\nareas: [unclosed\ncost: free\n---\n")
        #expect(fragment.services.isEmpty)
        #expect(fragment.diagnostics.map(\.code) == [.invalidFrontMatter])
        #expect(fragment.diagnostics.first?.severity == .error)
        #expect((fragment.diagnostics.first?.location?.row ?? 0) >= 3)
    }

    @Test func crlfBomAndMinMaxAges() throws {
        let fragment = read("\u{FEFF}---\r\nname: Baby Steps\r\nmin-age: pregnancy\r\nmax-age: 2\r\n---\r\nHello\r\n")
        let draft = try #require(fragment.services.first)
        #expect(draft.service.ages == AgeRange(minMonths: -9, maxMonths: 35))
        #expect(draft.service.description == "Hello")
    }

    @Test func throughTheImporterAndAssembler() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("---\nname: Bookbug\ncategories: [early years]\nself-referral: yes\nsource: public fact\n---\nSongs and stories.\n".utf8)
            .write(to: folder.appendingPathComponent("bookbug.md"))
        try Data("# Read me\n".utf8).write(to: folder.appendingPathComponent("README.md"))
        try Data("Just notes\n".utf8).write(to: folder.appendingPathComponent("notes.md"))
        let result = Importer().read([folder.path])
        #expect(result.fragment.services.map(\.name) == ["Bookbug"])
        #expect(result.fragment.diagnostics.map(\.code) == [.notAServiceDescription])
        var assembler = GraphAssembler()
        assembler.add(result.fragment)
        let (graph, _) = assembler.assemble()
        let service = try #require(graph.services["bookbug"])
        #expect(service.categories == ["early-years"])
        #expect(graph.routes.values.contains { $0.to == "bookbug" && $0.mode == .selfReferral })
    }
}
