import Foundation
import Testing
import ServiceMapCore
@testable import ServiceMapImport

/// ODS files built in the test, for the repeat limits and text rules.
@Suite struct ODSReaderTests {
    static func ods(_ tableBody: String, name: String = "test.ods") throws -> String {
        let content = """
            <?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
            xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" \
            xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"><office:body><office:spreadsheet>\
            <table:table table:name="Services">\(tableBody)</table:table></office:spreadsheet></office:body></office:document-content>
            """
        return try XLSXTestWorkbook.zip([("mimetype", Data("application/vnd.oasis.opendocument.spreadsheet".utf8)),
                                         ("content.xml", Data(content.utf8))], name: name)
    }

    @Test func emptyRepeatsCostNothingAndFullOnesAreBounded() throws {
        let start = Date()
        let sparse = try readWorkbook(try Self.ods("""
            <table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell>\
            <table:table-cell table:number-columns-repeated="999999999"/></table:table-row>\
            <table:table-row table:number-rows-repeated="999999"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>\
            <table:table-row><table:table-cell table:number-columns-repeated="3"/><table:table-cell office:value-type="float" office:value="7"><text:p>7</text:p></table:table-cell></table:table-row>\
            <table:table-row table:number-rows-repeated="999999999"><table:table-cell table:number-columns-repeated="999999999"/></table:table-row>
            """))[0]
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(sparse.rows.map(\.number) == [1, 1_000_001])
        #expect(sparse["D1000001"] == .number(7))

        let tooWide = try Self.ods("""
            <table:table-row><table:table-cell table:number-columns-repeated="20000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>
            """)
        #expect(failureCode(tooWide) == .tooManyCells)
        let tooTall = try Self.ods("""
            <table:table-row table:number-rows-repeated="2000000"><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>
            """)
        #expect(failureCode(tooTall) == .tooManyCells)
        let repeated = try readWorkbook(try Self.ods("""
            <table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="2" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>
            """))[0]
        #expect(repeated.rows.count == 3 && repeated.cellCount == 6)
    }

    @Test func textAndValueTypes() throws {
        let sheet = try readWorkbook(try Self.ods("""
            <table:table-row>\
            <table:table-cell office:value-type="string"><text:p>a<text:s text:c="3"/>b<text:tab/>c</text:p><text:p>second<text:line-break/>line</text:p></table:table-cell>\
            <table:table-cell office:value-type="percentage" office:value="0.25"><text:p>25%</text:p></table:table-cell>\
            <table:table-cell office:value-type="currency" office:value="12.5"><text:p>£12.50</text:p></table:table-cell>\
            <table:table-cell office:value-type="date" office:date-value="2024-03-01T10:00:00"><text:p>01/03/24</text:p></table:table-cell>\
            <table:table-cell office:value-type="time" office:time-value="PT10H30M00S"><text:p>10:30</text:p></table:table-cell>\
            <table:table-cell office:value-type="boolean" office:boolean-value="false"><text:p>FALSE</text:p></table:table-cell>\
            <table:table-cell table:formula="of:=1/0" office:value-type="string" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>\
            <table:table-cell><text:p>no type</text:p><office:annotation><text:p>a note</text:p></office:annotation></table:table-cell>\
            <table:covered-table-cell office:value-type="string"><text:p>hidden</text:p></table:covered-table-cell>\
            <table:table-cell office:value-type="string"><text:p>Tom &amp; Jerry</text:p></table:table-cell>\
            </table:table-row>
            """))[0]
        #expect(sheet["A1"] == .text("a   b\tc\nsecond\nline"))
        #expect(sheet["B1"] == .number(0.25))
        #expect(sheet["C1"] == .number(12.5))
        #expect(sheet["D1"] == .date(Day(year: 2024, month: 3, day: 1), seconds: 36_000))
        #expect(sheet["E1"] == .text("10:30"))
        #expect(sheet["F1"] == .bool(false))
        #expect(sheet["G1"] == .error("#DIV/0!"))
        #expect(sheet["H1"] == .text("no type"))
        #expect(sheet["I1"] == .empty)
        #expect(sheet["J1"] == .text("Tom & Jerry"))
    }

    @Test func odsMapsWithCellLocations() throws {
        let path = try Self.ods("""
            <table:table-row><table:table-cell office:value-type="string"><text:p>Local support list</text:p></table:table-cell></table:table-row>\
            <table:table-row><table:table-cell office:value-type="string"><text:p>Service</text:p></table:table-cell>\
            <table:table-cell office:value-type="string"><text:p>Age range</text:p></table:table-cell></table:table-row>\
            <table:table-row><table:table-cell office:value-type="string"><text:p>Bookbug</text:p></table:table-cell>\
            <table:table-cell office:value-type="string"><text:p>0-5</text:p></table:table-cell></table:table-row>\
            <table:table-row><table:table-cell office:value-type="string"><text:p>Mystery</text:p></table:table-cell>\
            <table:table-cell office:value-type="string"><text:p>whenever</text:p></table:table-cell></table:table-row>
            """, name: "list.ods")
        let fragment = try TableMapper(options: ImportOptions()).map(ODSReader(path: path, limits: ReaderLimits()), file: path)
        #expect(fragment.services.map(\.name) == ["Bookbug", "Mystery"])
        #expect(fragment.diagnostics.filter { $0.code == .unreadableAge }.map { $0.location?.description } == ["\(path):Services!B4"])
    }
}
