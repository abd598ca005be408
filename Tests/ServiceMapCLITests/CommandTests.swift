import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import ServiceMapCLI
@testable import ServiceMapCore
@testable import ServiceMapStore


@Suite("The command line", .serialized)
struct CommandTests {
    @Test func checkExitsZeroOnCleanDataAndOneOnErrors() throws {
        let clean = try FileTree(SeedFixture.files)
        defer { clean.remove() }
        #expect(run(["check", clean.path(), "--quiet"]) == 0)
        let broken = try FileTree(SeedFixture.files + "\n-- extra-routes.csv --\nFrom,To\nGP,No Such Service\n")
        defer { broken.remove() }
        #expect(run(["check", broken.path(), "--quiet"]) == 1)
        #expect(run(["check", "/no/such/folder"]) == 2)
    }

    @Test func importWritesARunAndRefusesErrorsUnlessAskedForValidRecords() throws {
        let tree = try FileTree(SeedFixture.files)
        defer { tree.remove() }
        let database = temporaryPath("cli.sqlite")
        defer { removeDatabase(database) }
        #expect(run(["import", tree.path(), "--database", database, "--quiet"]) == 0)
        let store = try ServiceStore(path: database)
        #expect(try store.loadGraph().services.count == 8)

        let broken = try FileTree(SeedFixture.files + "\n-- extra-services.csv --\nName,Area,Ages\nBackwards,bromley,10-2\n")
        defer { broken.remove() }
        #expect(run(["import", broken.path(), "--database", database, "--quiet"]) == 1)
        #expect(try store.runs().count == 1)
        #expect(run(["import", broken.path(), "--database", database, "--quiet", "--valid-records"]) == 1)
        #expect(try store.runs().count == 2)
        #expect(try store.loadGraph().services["backwards--bromley"] == nil)
    }

    @Test func pipelineReportsDiagnosticsInFileOrder() throws {
        let tree = try FileTree("""
        -- b.csv --
        Service,Ages
        Z,9-1
        -- a.csv --
        Service,Ages
        Y,8-2
        """)
        defer { tree.remove() }
        let outcome = ImportPipeline(paths: [tree.path()]).check()
        let files = outcome.diagnostics.filter { $0.code == .reversedAgeRange }.compactMap { $0.location?.file }
        #expect(files == [tree.path("a.csv"), tree.path("b.csv")])
    }

    @Test func findAnswersFromTheStore() throws {
        let tree = try FileTree(SeedFixture.files)
        defer { tree.remove() }
        let database = temporaryPath("find.sqlite")
        defer { removeDatabase(database) }
        let store = try ServiceStore(path: database)
        _ = try ImportPipeline(paths: [tree.path()]).run(into: store)
        #expect(run(["find", "--database", database, "--area", "Bromley", "--age", "14 months", "--referrer", "health visitor",
                     "--below", "child in need"]) == 0)
        #expect(run(["find", "--database", database, "--area", "Atlantis"]) == 2)
        let graph = try store.loadGraph()
        let matches = graph.find(.alternatives(area: "bromley", ageMonths: 14, needs: [], referrer: .healthVisitor))
        // Health visiting takes referrals from GPs and midwives, not from health visitors.
        #expect(matches.map(\.service) == ["bromley-children-project--bromley"])
    }

    @Test func laterCommandsSaySoAndFail() {
        #expect(run(["gaps", "--database", "/no/such.sqlite"]) == 2)  // gaps exists now (issue 7): no store is a usage error
        #expect(run(["export", "--format", "dot", "-o", "/tmp/x.dot", "--database", "/no/such.sqlite"]) == 2)
    }
}
