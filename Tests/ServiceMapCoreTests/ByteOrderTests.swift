import Testing
@testable import ServiceMapCore

@Suite("String order by bytes")
struct ByteOrderTests {
    @Test func sortedPositionsFollowSwiftsStringOrder() {
        // ASCII ids compared as bytes; accents, composed and decomposed (equal as Strings),
        // a NUL and an empty string compared as Swift compares them.
        let strings = ["b-route", "a-route", "café", "cafe\u{301}", "cafe", "Zebra", "a\u{0}b", "a", "", "ängel", "angel",
                       "route--glasgow-city--2", "route--glasgow-city--10", "🙂", "z"]
        let positions = ByteOrder.sortedPositions(strings)
        #expect(positions.map { strings[$0] } == strings.sorted())
        // Equal strings keep their order.
        // (Found by position: as Strings the two spellings are equal.)
        let composed = 2, decomposed = 3
        #expect(positions.firstIndex(of: composed)! + 1 == positions.firstIndex(of: decomposed)!)
    }

    @Test func sortedRoutesAndServiceIDsAreInIdOrder() {
        var graph = ServiceGraph()
        for id in ["b", "a", "Été", "ete", "c-2", "c-10"] { graph.services[ServiceID(id)] = Service(id: ServiceID(id), name: id) }
        #expect(graph.sortedServiceIDs == graph.services.keys.sorted())
        for to in ["b", "a", "c-2"] {
            graph.insert(ReferralRoute(from: .role(.self), to: ServiceID(to), mode: .selfReferral))
        }
        #expect(graph.sortedRoutes.map(\.id) == graph.routes.keys.sorted())
    }
}
