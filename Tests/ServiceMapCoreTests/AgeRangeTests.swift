import Testing
@testable import ServiceMapCore

/// Swift Testing has a `SourceLocation` of its own; these tests mean servicemap's.
private typealias SourceLocation = ServiceMapCore.SourceLocation

@Suite("Age ranges as researchers write them")
struct AgeRangeTests {
    @Test(arguments: [
        ("0-5", 0, 71),
        ("0–5 years", 0, 71),
        ("pre-birth to 3", -9, 47),
        ("under 5s", 0, 59),
        ("0-18 months", 0, 18),
        ("2 - 4", 24, 59),
        ("pregnancy", -9, -1),
    ])
    func bounded(text: String, min: Int, max: Int) throws {
        #expect(try AgeRangeParser.parse(text).get() == AgeRange(minMonths: min, maxMonths: max))
    }

    @Test func openEnded() throws {
        #expect(try AgeRangeParser.parse("18+").get() == AgeRange(minMonths: 216, maxMonths: nil))
        #expect(try AgeRangeParser.parse("adults").get() == AgeRange(minMonths: 216, maxMonths: nil))
    }

    @Test func unreadable() {
        #expect((try? AgeRangeParser.parse("whenever").get()) == nil)
        #expect((try? AgeRangeParser.parse("").get()) == nil)
    }

    @Test func containsAndWords() {
        let range = AgeRange(minMonths: -9, maxMonths: 47)
        #expect(range.contains(months: -1))
        #expect(range.contains(months: 14))
        #expect(!range.contains(months: 48))
        #expect(range.description == "pre-birth to 3 years")
        #expect(AgeRange(minMonths: 0, maxMonths: 71).description == "0 to 5 years")
        #expect(AgeRange(minMonths: 216, maxMonths: nil).description == "18 years and over")
    }

    @Test func childAgeInQueries() {
        #expect(ChildAge.months(parsing: "14 months") == 14)
        #expect(ChildAge.months(parsing: "14m") == 14)
        #expect(ChildAge.months(parsing: "2") == 24)
        #expect(ChildAge.months(parsing: "2 years") == 24)
        #expect(ChildAge.months(parsing: "pregnant") == -1)
        #expect(ChildAge.months(parsing: "soon") == nil)
    }
}

@Suite("Identifiers and locations")
struct IdentifierTests {
    @Test func slugs() {
        #expect(Slug.make("Children's Hearings") == "childrens-hearings")
        #expect(Slug.make("  Stay & Play  ") == "stay-and-play")
        #expect(Slug.make("NHS Greater Glasgow & Clyde") == "nhs-greater-glasgow-and-clyde")
        #expect(Slug.make("Café Crèche") == "cafe-creche")
        #expect(ServiceID.derived(name: "Bookbug", area: "nhs-fife").rawValue == "bookbug--nhs-fife")
        #expect(Slug.make("&&a&&b&&") == "a-and-and-b-and-and")
        #expect(Slug.make("a&b&c") == "a-and-b-and-c")
        #expect(Slug.make("") == "")
    }

    /// ASCII text is slugged byte by byte; it must give exactly what the scalar-by-scalar way does.
    @Test func asciiSlugsAreTheScalarSlugs() {
        let alphabet = Array("aZ09 -&'.,/_()!\t\n\"Mm")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let text = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(Slug.ascii(text) == Slug.scalars(text), "\(text.debugDescription)")
        }
    }

    @Test func locationsPrintAsSpreadsheetCellsOrTextLines() {
        #expect(SourceLocation(file: "Data/glasgow.xlsx", sheet: "Services", row: 14, column: 4).description == "Data/glasgow.xlsx:Services!D14")
        #expect(SourceLocation(file: "Data/x.csv", row: 12, column: 4).description == "Data/x.csv:12:4")
        #expect(SourceLocation(file: "Data/x.csv", row: 12).description == "Data/x.csv:12")
        #expect(ColumnName.letters(27) == "AA")
        #expect(ColumnName.number("AB") == 28)
    }

    @Test func diagnosticsPrintWithTheirCode() {
        let d = Diagnostic.error(.reversedAgeRange, "age range 60–12 is reversed", at: SourceLocation(file: "Data/glasgow.xlsx", sheet: "Services", row: 14, column: 4))
        #expect(d.description == "Data/glasgow.xlsx:Services!D14: error: age range 60–12 is reversed [reversed-age-range]")
    }

    @Test func ringsOfTheContinuum() {
        #expect(ContinuumRing.allCases.map(\.name) == ["Universal", "Early Help", "Child in Need", "Unidentified Child Protection",
                                                       "Child Protection", "Pre-proceedings", "Court"])
        #expect(ContinuumRing(parsing: "child in need") == .childInNeed)
        #expect(ContinuumRing(parsing: "5") == .childProtection)
        #expect(!ContinuumRing.earlyHelp.isStatutory)
        #expect(ContinuumRing.childInNeed.isStatutory)
    }
}

@Suite("Days as sheets and the store write them")
struct DayParsingTests {
    @Test func isoDaysAreReadAndCheckedLikeEveryOtherForm() {
        #expect(Day(parsing: "2024-03-01") == Day(year: 2024, month: 3, day: 1))
        #expect(Day(parsing: "2024-02-29") == Day(year: 2024, month: 2, day: 29))
        // Shaped like ISO but no day: refused, as the general parse refuses them.
        for impossible in ["2023-02-29", "2024-13-01", "2024-00-10", "0999-01-01", "2024-04-31", "2024-01-00"] {
            #expect(Day(parsing: impossible) == nil, "\(impossible)")
        }
        // Not quite ISO: the general parse still reads what it can.
        #expect(Day(parsing: " 2024-03-01 ") == Day(year: 2024, month: 3, day: 1))
        #expect(Day(parsing: "2024-3-1") == Day(year: 2024, month: 3, day: 1))
        #expect(Day(parsing: "2024-03-01T10:00") == Day(year: 2024, month: 3, day: 1))
        #expect(Day(parsing: "01/03/2024") == Day(year: 2024, month: 3, day: 1))
        #expect(Day(parsing: "1 March 2024") == Day(year: 2024, month: 3, day: 1))
        #expect(Day(parsing: "2024-0a-01") == nil && Day(parsing: "２０２４-03-01") == nil)
    }
}
