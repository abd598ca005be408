import Foundation
import ServiceMapCore
import Testing
@testable import ServiceMapSite

@Suite("The build's shared indexes")
struct SiteContextTests {
    /// The name order compares ASCII names as bytes and the rest as Strings; both must give
    /// Swift's own (name, id) order, whatever the mix.
    @Test func nameOrderIsSwiftsOrder() {
        let names = ["Bookbug", "bookbug", "Book bug", "Éire support", "Eire support", "Zebra", "", "A\u{0}B", "A", "AB",
                     "Cafe\u{301}", "Café", "Women’s Aid", "Womens Aid", "123 Group", "~tilde", "ß club", "ss club"]
        var services: [ServiceID: Service] = [:]
        var random = SystemRandomNumberGenerator()
        for n in 0..<400 {
            let name = names[Int.random(in: 0..<names.count, using: &random)]
            let id = ServiceID(["s\(n)", "S\(n)", "s-\(n % 7)-\(n)", "é\(n)", "x\u{0}\(n)"][n % 5])
            services[id] = Service(id: id, name: name)
        }
        let expected = services.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) }.map(\.id)
        #expect(SiteContext.inNameOrder(services).map(\.id) == expected)
    }

    @Test func plainIdsAreTheirOwnStems() {
        #expect(SiteContext.changedStems(["glasgow-city", "bromley"]).isEmpty)
        let changed = SiteContext.changedStems(["glasgow-city", "Glasgow City"])
        #expect(changed.keys.sorted() == ["Glasgow City"])
    }
}
