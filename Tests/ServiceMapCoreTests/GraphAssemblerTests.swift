import Testing
@testable import ServiceMapCore

/// Swift Testing has a `SourceLocation` of its own; these tests mean servicemap's.
private typealias SourceLocation = ServiceMapCore.SourceLocation

/// Builds drafts the way a reader would, with locations, so rule diagnostics can be checked at cells.
private func at(_ row: Int, _ column: Int, file: String = "Data/services.xlsx", sheet: String = "Services") -> SourceLocation {
    SourceLocation(file: file, sheet: sheet, row: row, column: column)
}

private func fragment() -> GraphFragment {
    var f = GraphFragment()
    f.areas = [
        AreaDraft(code: "england", name: "England", kind: .nation, parent: nil, sources: Sources(at(2, 1, sheet: "Areas"))),
        AreaDraft(code: "london", name: "London", kind: .region, parent: TextReference("england"), sources: Sources(at(3, 1, sheet: "Areas"))),
        AreaDraft(code: "bromley", name: "London Borough of Bromley", kind: .council, parent: TextReference("london"), sources: Sources(at(4, 1, sheet: "Areas"))),
    ]
    let rings: [ContinuumRing] = [.universal, .earlyHelp, .earlyHelp, .childInNeed]
    f.levels = rings.enumerated().map { index, ring in
        let n = index + 1
        let location: SourceLocation = at(n + 1, 1, sheet: "Levels")
        return LevelDraft(id: "bromley-\(n)", area: TextReference("bromley"), name: "Level \(n)", order: n,
                          ring: ring, description: "", sources: Sources(location))
    }
    return f
}

private func service(_ name: String, row: Int, levels: [String] = [], areas: [String] = ["bromley"], ages: AgeRange? = nil, id: String? = nil) -> ServiceDraft {
    var s = Service(id: "", name: name, ages: ages, sources: Sources(locations: [at(row, 1)], fields: ["ages": at(row, 5)]))
    s.sector = Sector.thirdSector
    var d = ServiceDraft(id: id, name: name, nameLocation: at(row, 1), service: s)
    d.areas = areas.map { TextReference($0, at: at(row, 3)) }
    d.levels = levels.map { TextReference($0, at: at(row, 4)) }
    return d
}

@Suite("Model rules and name resolution")
struct GraphAssemblerTests {
    func assemble(_ f: GraphFragment) -> (ServiceGraph, [Diagnostic]) {
        var a = GraphAssembler()
        a.add(f)
        let (g, d) = a.assemble()
        return (g, d)
    }

    @Test func reversedAgeRangeIsReportedAtTheAgesCell() {
        var f = fragment()
        f.services = [service("Parenting group", row: 14, ages: AgeRange(minMonths: 60, maxMonths: 12))]
        let (_, diagnostics) = assemble(f)
        let d = diagnostics.first { $0.code == .reversedAgeRange }
        #expect(d?.severity == .error)
        #expect(d?.location?.description == "Data/services.xlsx:Services!E14")
    }

    /// The rules check services in two halves and routes beside them, on both cores: what they
    /// find must come out as one pass would give it, services by id and then routes.
    @Test func rulesReportInOnePassesOrder() {
        var f = fragment()
        f.services = (1...7).map { service("Group \($0)", row: $0 + 1, ages: AgeRange(minMonths: 60, maxMonths: 12)) }
        var (graph, _) = assemble(f)
        graph.insert(ReferralRoute(from: .role(.gp), to: "nowhere", mode: .professional, kind: .referral,
                                   sources: Sources(at(2, 1, sheet: "Routes"))))
        let found = GraphRules.check(graph).filter { $0.code == .reversedAgeRange || $0.code == .unknownService }
        #expect(found.map { $0.location?.description ?? "" } == (1...7).map { "Data/services.xlsx:Services!E\($0 + 1)" }
            + ["Data/services.xlsx:Routes!A2"])
    }

    @Test func levelsResolveByNumberRangeNameAndRing() {
        var f = fragment()
        f.services = [
            service("A", row: 2, levels: ["1-3"]),
            service("B", row: 3, levels: ["Level 4"]),
            service("C", row: 4, levels: ["Tiers 1–2"]),
            service("D", row: 5, levels: ["early help"]),
        ]
        let (g, diagnostics) = assemble(f)
        #expect(!diagnostics.hasErrors)
        #expect(g.services["a--bromley"]?.levels == ["bromley-1", "bromley-2", "bromley-3"])
        #expect(g.services["b--bromley"]?.levels == ["bromley-4"])
        #expect(g.services["c--bromley"]?.levels == ["bromley-1", "bromley-2"])
        #expect(g.services["d--bromley"]?.levels == ["bromley-2", "bromley-3"])
    }

    @Test func unknownLevelAndAreaAreErrorsAtTheirCells() {
        var f = fragment()
        f.services = [service("A", row: 7, levels: ["Level 9"]), service("B", row: 8, areas: ["Atlantis"])]
        let (_, diagnostics) = assemble(f)
        let level = diagnostics.first { $0.code == .unknownLevel }
        #expect(level?.location?.description == "Data/services.xlsx:Services!D7")
        #expect(level?.message.contains("Level 1, Level 2, Level 3, Level 4") == true)
        let area = diagnostics.first { $0.code == .unknownArea }
        #expect(area?.location?.description == "Data/services.xlsx:Services!C8")
    }

    @Test func areaNamesResolveLoosely() {
        var f = fragment()
        f.services = [service("A", row: 2, areas: ["Bromley"]), service("B", row: 3, areas: ["London Borough of Bromley"])]
        let (g, diagnostics) = assemble(f)
        #expect(!diagnostics.hasErrors)
        #expect(g.services["a--bromley"]?.areas == ["bromley"])
        #expect(g.services["b--bromley"]?.areas == ["bromley"])
    }

    @Test func routeToUnknownServiceIsAnError() {
        var f = fragment()
        f.services = [service("Bromley Children Project", row: 2)]
        f.routes = [
            RouteDraft(from: TextReference("health visitor"), to: TextReference("Bromley Children Project"), area: nil, mode: .professional,
                       kind: .referral, conditions: nil, notes: nil, sources: Sources(at(2, 1, sheet: "Routes"))),
            RouteDraft(from: TextReference("GP"), to: TextReference("Nowhere", at: at(3, 2, sheet: "Routes")), area: nil, mode: .professional,
                       kind: .referral, conditions: nil, notes: nil, sources: Sources(at(3, 1, sheet: "Routes"))),
        ]
        let (g, diagnostics) = assemble(f)
        #expect(g.routes.count == 1)
        #expect(g.sortedRoutes.first?.from == .role(.healthVisitor))
        let d = diagnostics.first { $0.code == .unknownService }
        #expect(d?.location?.description == "Data/services.xlsx:Routes!B3")
    }

    @Test func duplicateIdentifiersWithDifferentNamesAreErrors() {
        var f = fragment()
        f.services = [service("Alpha", row: 2, id: "svc-1"), service("Beta", row: 3, id: "svc-1")]
        let (g, diagnostics) = assemble(f)
        #expect(g.services.count == 1)
        let d = diagnostics.first { $0.code == .duplicateIdentifier }
        #expect(d?.location?.description == "Data/services.xlsx:Services!A3")
    }

    @Test func sameServiceTwiceMergesAndKeepsBothProvenances() {
        var f = fragment()
        var first = service("Bromley Children Project", row: 2, ages: AgeRange(minMonths: 0, maxMonths: 215))
        first.service.contact.phone = nil
        var second = service("bromley  children project", row: 9, ages: AgeRange(minMonths: 0, maxMonths: 59))
        second.service.sources = Sources(locations: [at(9, 1, file: "Data/bookmarks.html", sheet: "x")], fields: ["ages": at(9, 5)])
        second.service.contact.website = "https://example.org/bcp"
        f.services = [first, second]
        let (g, diagnostics) = assemble(f)
        #expect(g.services.count == 1)
        let merged = g.services["bromley-children-project--bromley"]
        #expect(merged?.sources.locations.count == 2)
        #expect(merged?.contact.website == "https://example.org/bcp")
        #expect(merged?.ages == AgeRange(minMonths: 0, maxMonths: 215))
        #expect(diagnostics.contains { $0.code == .conflictingValues && $0.severity == .warning && $0.message.contains("ages") })
        #expect(diagnostics.contains { $0.code == .mergedDuplicate })
    }

    @Test func levelWithoutRingIsAnError() {
        var f = fragment()
        f.levels.append(LevelDraft(id: "bromley-5", area: TextReference("bromley"), name: "Level 5", order: 5, ring: nil,
                                   description: "", sources: Sources(at(6, 1, sheet: "Levels"))))
        let (_, diagnostics) = assemble(f)
        let d = diagnostics.first { $0.code == .levelWithoutRing }
        #expect(d?.location?.description == "Data/services.xlsx:Levels!A6")
    }

    @Test func unknownParentAreaIsAnError() {
        var f = fragment()
        f.areas.append(AreaDraft(code: "x", name: "X", kind: .locality, parent: TextReference("nowhere", at: at(9, 4, sheet: "Areas")), sources: Sources(at(9, 1, sheet: "Areas"))))
        let (_, diagnostics) = assemble(f)
        #expect(diagnostics.contains { $0.code == .unknownArea && $0.location?.description == "Data/services.xlsx:Areas!D9" })
    }

    @Test func selfReferralAndReferrersBecomeRoutes() {
        var f = fragment()
        var d = service("Bromley Children Project", row: 2)
        d.selfReferral = true
        d.referredBy = [TextReference("GPs"), TextReference("Health visitors")]
        f.services = [d]
        let (g, _) = assemble(f)
        let froms = Set(g.routes(into: "bromley-children-project--bromley").map(\.from))
        #expect(froms == [.role(.self), .role(.gp), .role(.healthVisitor)])
    }
}
