import Foundation
import Testing
import TestSupport
@testable import ServiceMapCore
@testable import ServiceMapImport

private typealias SourceLocation = ServiceMapCore.SourceLocation

private func rows(_ data: Data, path: String = "t.csv") throws -> ([Row], [Diagnostic]) {
    let reader = try CSVReader(path: path, data: data)
    var rows: [Row] = []
    var diagnostics: [Diagnostic] = []
    try reader.forEachRow(in: reader.sheets()[0], diagnostics: &diagnostics) { rows.append($0) }
    return (rows, diagnostics)
}

private func texts(_ row: Row) -> [String] { row.cells.map { $0.value.text ?? "" } }

@Suite("CSV reading")
struct CSVReaderTests {
    @Test func quotedNewlinesAndDoubledQuotes() throws {
        let (r, _) = try rows(Data("name,notes\r\n\"A, Ltd\",\"line one\nline \"\"two\"\"\"\r\nB,plain\n".utf8))
        #expect(r.count == 3)
        #expect(texts(r[1]) == ["A, Ltd", "line one\nline \"two\""])
        #expect(r[2].line == 4)  // the quoted newline moved B down a line
    }

    /// A file read a block at a time gives the rows it gives read whole, however its records,
    /// quoted line breaks, CRLF pairs and multi-byte characters fall across the blocks, and a
    /// record longer than a block included.
    @Test(arguments: [1, 7, 64, 1000, 1 << 20])
    func aFileReadInBlocksReadsAsAWholeOne(blockSize: Int) throws {
        var text = "\u{FEFF}Service name;Notes;Area\r\n"
        for n in 0..<300 {
            text += "Café \(n) 🌱;\"line one\r\nline \"\"two\"\" of \(n)\";Glasgow City\r\n"
            if n % 50 == 0 { text += "\r\n" }  // blank lines are counted, not returned
        }
        text += "Long;\"" + String(repeating: "ünïcödé text, ", count: 2000) + "\";Bromley\n"
        text += "Open;\"never closed\nat the end"
        let path = temporaryPath("blocks.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))

        func read(_ reader: CSVReader) throws -> ([Row], [Diagnostic]) {
            var rows: [Row] = []
            var diagnostics: [Diagnostic] = []
            try reader.forEachRow(in: reader.sheets()[0], diagnostics: &diagnostics) { rows.append($0) }
            return (rows, diagnostics)
        }
        let streamed = try CSVReader(path: path, limits: ReaderLimits(), blockSize: blockSize)
        guard case .file = streamed.text else { Issue.record("not read block by block"); return }
        let (blocks, blockDiagnostics) = try read(streamed)
        let (whole, wholeDiagnostics) = try read(CSVReader(path: path, data: Data(text.utf8)))
        #expect(blocks.count == 303 && whole.count == 303)
        #expect(blocks.map(\.number) == whole.map(\.number))
        #expect(blocks.map(\.line) == whole.map(\.line))
        #expect(blocks.map(texts) == whole.map(texts))
        #expect(texts(blocks[0]) == ["Service name", "Notes", "Area"])
        #expect(texts(blocks[1]) == ["Café 0 🌱", "line one\r\nline \"two\" of 0", "Glasgow City"])
        #expect(blockDiagnostics.map(\.location) == wholeDiagnostics.map(\.location))
        #expect(blockDiagnostics.map(\.code) == [.unterminatedQuote])
    }

    /// UTF-8 checked a block at a time, sequences cut by the blocks' ends included.
    @Test func utf8IsCheckedAcrossBlocks() {
        func check(_ bytes: [UInt8], blocks size: Int) -> Bool {
            var check = TextDecoding.UTF8Check()
            var start = 0
            while start < bytes.count {
                guard check.feed(bytes[start..<min(start + size, bytes.count)]) else { return false }
                start += size
            }
            return check.finish()
        }
        let valid = Array("Café, Zürich, 🌱 and 中文 text".utf8)
        for size in 1...8 {
            #expect(check(valid, blocks: size), "\(size)")
            #expect(!check(valid + [0xC3], blocks: size), "cut at the end, \(size)")
            #expect(!check(Array(valid[..<5]) + [0xC3, 0x28] + valid, blocks: size), "bad continuation, \(size)")
            #expect(!check([0xED, 0xA0, 0x80] + valid, blocks: size), "surrogate, \(size)")
        }
    }

    /// An import hashes a CSV file and reads its rows, and a byte-order mark is skipped, not kept
    /// in the first header.
    @Test func aFileIsHashedAndReadPastItsByteOrderMark() throws {
        let path = temporaryPath("services.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0xEF, 0xBB, 0xBF] + Array("Service name,Area covered\r\nHome-Start Glasgow,Glasgow City\r\n".utf8))
            .write(to: URL(fileURLWithPath: path))
        let (fragment, hash) = Importer().readFile(path)
        #expect(hash == "34f462556fa41671fa5c51a04ab3c6d0a937d98c519489ee3c2b4adc5f0b3ea1")
        #expect(fragment.services.map(\.name) == ["Home-Start Glasgow"])
        #expect(!fragment.diagnostics.contains { $0.code == .unknownColumn })
        let reader = try CSVReader(path: path)
        var diagnostics: [Diagnostic] = []
        var first: [String] = []
        try reader.forEachRow(in: reader.sheets()[0], diagnostics: &diagnostics) { if first.isEmpty { first = texts($0) } }
        #expect(first == ["Service name", "Area covered"])

        let missing = Importer().readFile(path + ".gone.csv")
        #expect(missing.fragment.diagnostics.map(\.code) == [.unreadableFile])
    }

    @Test(arguments: [("a;b;c\n1;2;3\n", UInt8(0x3B)), ("a\tb\n1\t2\n", 0x09), ("a|b\n1|2\n", 0x7C), ("a,b\n1,2\n", 0x2C)])
    func delimiterIsSniffed(text: String, delimiter: UInt8) throws {
        #expect(try CSVReader(path: "x.csv", data: Data(text.utf8)).delimiter == delimiter)
    }

    @Test func byteOrderMarksAndUTF16() throws {
        var utf16 = Data([0xFF, 0xFE])
        utf16.append("Name\nCafé\n".data(using: .utf16LittleEndian)!)
        #expect(texts(try rows(utf16).0[1]) == ["Café"])
        let bom = Data([0xEF, 0xBB, 0xBF] + Array("Name\nCafé\n".utf8))
        #expect(texts(try rows(bom).0[0]) == ["Name"])
    }

    @Test func windows1252Fallback() throws {
        let (r, d) = try rows(Data([0x4E, 0x61, 0x6D, 0x65, 0x0A, 0x43, 0x61, 0x66, 0xE9, 0x20, 0x80, 0x0A]))
        #expect(texts(r[1]) == ["Café €"])
        #expect(d.contains { $0.code == .encodingFallback })
    }

    @Test func crOnlyLineEnds() throws {
        let (r, _) = try rows(Data("a,b\r1,2\r3,4".utf8))
        #expect(r.map(\.line) == [1, 2, 3])
        #expect(texts(r[2]) == ["3", "4"])
    }

    @Test func zipWithCSVExtensionIsRefused() {
        #expect(throws: ImportFailure.self) { try CSVReader(path: "x.csv", data: Data([0x50, 0x4B, 0x03, 0x04, 0, 0])) }
    }
}

@Suite("Mapping messy researcher tables")
struct TableMapperTests {
    @Test func titleRowsSectionRowsAndMixedAgeForms() throws {
        let tree = try FileTree("""
        -- areas.csv --
        Code,Name,Kind,Parent
        bromley,Bromley,council,
        -- directory-services.csv --
        Bromley family support directory,,,,,
        Compiled by the Phase 1 team,,,,,
        ,,,,,
        Name of service,Ages,Area covered,Self-referral?,Last checked,Internal notes
        Early years,,,,,
        Stay and Play,under 5s,Bromley,✓,01/03/2024,ask Jo
        Parenting course,0–5 years,Bromley,n,,
        Youth club,sometimes,Bromley,maybe,yesterday,
        Perinatal group,pre-birth to 3,Bromley,Y,2024-02-30,
        """)
        defer { tree.remove() }
        let result = Importer().read([tree.path()])
        var assembler = GraphAssembler()
        assembler.add(result.fragment)
        let (graph, diagnostics) = assembler.assemble()
        let file = tree.path("directory-services.csv")
        #expect(graph.services.count == 4)
        let stay = try #require(graph.services["stay-and-play--bromley"])
        #expect(stay.ages == AgeRange(minMonths: 0, maxMonths: 59))
        #expect(stay.lastVerified == Day(year: 2024, month: 3, day: 1))
        #expect(stay.attributes["Internal notes"] == "ask Jo")
        #expect(graph.routes(into: stay.id).map(\.from) == [.role(.self)])
        #expect(graph.services["parenting-course--bromley"]?.ages == AgeRange(minMonths: 0, maxMonths: 71))
        #expect(graph.services["perinatal-group--bromley"]?.ages == AgeRange(minMonths: -9, maxMonths: 47))
        func at(_ code: DiagnosticCode) -> [String] { diagnostics.filter { $0.code == code }.map { $0.location?.description ?? "" } }
        #expect(at(.unreadableAge) == ["\(file):8:2"])
        #expect(at(.unreadableValue) == ["\(file):8:4"])
        #expect(Set(at(.unreadableDate)) == ["\(file):8:5", "\(file):9:5"])
        #expect(at(.unknownColumn) == ["\(file):4"])
        #expect(!diagnostics.hasErrors)
    }

    @Test func fieldLocationsCiteTheirColumnsAndAgesItsFirst() throws {
        // Min and max age both give "ages": it cites the first of the two columns, every time.
        // E-mail addresses are read with and without "mailto:", and refused when not one address.
        let tree = try FileTree("""
        -- areas.csv --
        Code,Name,Kind,Parent
        bromley,Bromley,council,
        -- services.csv --
        Service,Area,Max age,Email,Min age
        Stay and Play,Bromley,5,MAILTO:play@example.org,0
        Book club,Bromley,11,books@@example.org,5
        Walk group,Bromley,,walks at example.org,
        Café club,Bromley,,café@example.org,
        Toy library,Bromley,4,toys@example.org,1
        """)
        defer { tree.remove() }
        let result = Importer().read([tree.path()])
        var assembler = GraphAssembler()
        assembler.add(result.fragment)
        let (graph, _) = assembler.assemble()
        let file = tree.path("services.csv")
        let stay = try #require(graph.services["stay-and-play--bromley"])
        #expect(stay.sources.fields["ages"]?.description == "\(file):2:3")
        #expect(stay.sources.fields.keys == ["ages", "area", "email", "name"])
        #expect(stay.sources.fields["email"]?.description == "\(file):2:4")
        #expect(stay.contact.email == "play@example.org")
        // As String.split does, an empty run between two at signs is left out.
        #expect(graph.services["book-club--bromley"]?.contact.email == "books@@example.org")
        #expect(graph.services["walk-group--bromley"]?.contact.email == nil)
        #expect(graph.services["cafe-club--bromley"]?.contact.email == "café@example.org")
        // Rows of one sheet share their field columns and still cite their own rows, also when a
        // row leaves columns out and the next fills them again.
        #expect(graph.services["book-club--bromley"]?.sources.fields["name"]?.description == "\(file):3:1")
        let walk = try #require(graph.services["walk-group--bromley"]), cafe = try #require(graph.services["cafe-club--bromley"])
        #expect(walk.sources.fields.keys == ["area", "email", "name"])
        #expect(walk.sources.fields["email"]?.description == "\(file):4:4")
        #expect(cafe.sources.fields.keys == ["area", "email", "name"])
        #expect(cafe.sources.fields["area"]?.description == "\(file):5:2")
        let toys = try #require(graph.services["toy-library--bromley"])
        #expect(toys.sources.fields.keys == ["ages", "area", "email", "name"])
        #expect(toys.sources.fields["ages"]?.description == "\(file):6:3")
    }

    @Test func missingNameIsAnErrorAndBlocksNothingElse() throws {
        let tree = try FileTree("""
        -- services.csv --
        Service,Phone
        ,0141 000 0000
        Real service,
        """)
        defer { tree.remove() }
        let fragment = Importer().read([tree.path()]).fragment
        #expect(fragment.services.map(\.name) == ["Real service"])
        #expect(fragment.diagnostics.contains { $0.code == .missingName && $0.severity == .error })
    }

    @Test func javascriptLinksAreRefused() throws {
        let tree = try FileTree("""
        -- services.csv --
        Service,Website
        A,javascript:alert(1)
        B,www.example.org
        """)
        defer { tree.remove() }
        let fragment = Importer().read([tree.path()]).fragment
        #expect(fragment.services[0].service.contact.website == nil)
        #expect(fragment.services[1].service.contact.website == "http://www.example.org")
        #expect(fragment.diagnostics.contains { $0.code == .refusedLink && $0.location?.column == 2 && $0.location?.row == 2 })
    }

    @Test func mappingFileAddsSynonyms() throws {
        let tree = try FileTree("""
        -- mapping.yaml --
        columns:
          "Project title": name
          "Bairns' ages": ages
        ignore: ["Scratch"]
        -- services.csv --
        Project title,Bairns' ages,Scratch
        Bookbug,0-5,x
        """)
        defer { tree.remove() }
        let fragment = Importer().read([tree.path()]).fragment
        #expect(fragment.services.map(\.name) == ["Bookbug"])
        #expect(fragment.services[0].service.ages == AgeRange(minMonths: 0, maxMonths: 71))
        #expect(fragment.services[0].service.attributes.isEmpty)
        #expect(!fragment.diagnostics.contains { $0.code == .unknownColumn })
    }

    @Test func raggedRowsAreReported() throws {
        let tree = try FileTree("""
        -- services.csv --
        Service,Phone
        A,1,extra
        """)
        defer { tree.remove() }
        let fragment = Importer().read([tree.path()]).fragment
        #expect(fragment.diagnostics.contains { $0.code == .raggedRow && $0.location?.row == 2 })
        #expect(fragment.services[0].service.attributes["C"] == "extra")
    }
}
