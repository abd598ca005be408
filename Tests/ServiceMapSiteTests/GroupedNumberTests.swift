import Testing
@testable import ServiceMapSite

@Suite("Numbers on pages")
struct GroupedNumberTests {
    @Test func thousandsAreGroupedByCommasWhateverTheLocale() {
        #expect(0.grouped == "0")
        #expect(999.grouped == "999")
        #expect(1000.grouped == "1,000")
        #expect(56224.grouped == "56,224")
        #expect(100000.grouped == "100,000")
        #expect(1234567.grouped == "1,234,567")
        #expect((-4200).grouped == "-4,200")
    }
}
