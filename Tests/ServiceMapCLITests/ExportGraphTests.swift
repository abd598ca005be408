import ArgumentParser
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport
@testable import ServiceMapCLI
import ServiceMapCore
import ServiceMapSite

/// `servicemap export --format dot|mermaid|graphml`: every route written, each format parse-checked.
@Suite("Export: referral graph", .serialized)
struct ExportGraphTests {
    static func exportRun(_ arguments: [String]) -> Int32 {
        do {
            var command = try ServiceMapCommand.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch {
            return ServiceMapCommand.exitCode(for: error).rawValue
        }
    }

    static func hostileGraph() -> ServiceGraph {
        var g = ServiceGraph.empty
        g.services["a"] = Service(id: "a", name: "A <script>\"x\" & 'y' #1 |pipe| {b} \\ back")
        g.services["b"] = Service(id: "b", name: "B ]]> \u{1}")
        g.insert(ReferralRoute(from: .role(.gp), to: "a", mode: .professional, conditions: "<b>&\"c\""))
        g.insert(ReferralRoute(from: .service("a"), to: "b", mode: .frontDoor, kind: .stepUp))
        g.insert(ReferralRoute(from: .role(.self), to: "b", mode: .selfReferral))
        return g
    }

    @Test func dotHasBalancedBracesAndEveryRoute() {
        let g = Self.hostileGraph()
        let dot = ReferralGraphExport.dot(g)
        // Outside quoted strings, braces balance and the graph is one block.
        var depth = 0, inString = false, escaped = false
        for ch in dot {
            if inString {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
                continue
            }
            if ch == "\"" { inString = true } else if ch == "{" { depth += 1 } else if ch == "}" { depth -= 1; #expect(depth >= 0) }
        }
        #expect(depth == 0 && !inString)
        #expect(dot.hasPrefix("digraph referrals {"))
        #expect(dot.contains("\"role:gp\" -> \"service:a\""))
        #expect(dot.contains("\"service:a\" -> \"service:b\" [mode=\"via-front-door\", kind=\"step-up\""))
        #expect(dot.contains("\"role:self\" -> \"service:b\""))
        #expect(dot.contains("label=\"A <script>\\\"x\\\" & 'y' #1 |pipe| {b} \\\\ back\""))
    }

    @Test func mermaidHasSafeIdsAndQuotedLabels() {
        let m = ReferralGraphExport.mermaid(Self.hostileGraph())
        #expect(m.hasPrefix("flowchart LR\n"))
        #expect(m.contains("service_a[\"A #lt;script#gt;#quot;x#quot; #amp; 'y' #35;1 #124;pipe#124; {b} \\ back\"]"))
        #expect(m.contains("role_gp --> service_a"))
        #expect(m.contains("service_a ==>|\"step up · via front door\"| service_b"))
        #expect(m.contains("role_self -.-> service_b"))
        #expect(!m.contains("<"))
    }

    @Test func graphMLIsWellFormedWithKeysForModeAndKind() throws {
        let xml = ReferralGraphExport.graphML(Self.hostileGraph())
        let document = try XMLDocument(data: Data(xml.utf8))
        let root = try #require(document.rootElement())
        func children(_ e: XMLElement, _ name: String) -> [XMLElement] {
            (e.children ?? []).compactMap { $0 as? XMLElement }.filter { ($0.localName ?? $0.name) == name }
        }
        #expect(root.name == "graphml")
        let keys = children(root, "key").compactMap { $0.attributes?.first { $0.name == "attr.name" || $0.localName == "attr.name" }?.stringValue ?? $0.attribute(forName: "id")?.stringValue }
        #expect(keys.contains("mode") && keys.contains("kind"))
        let graph = try #require(children(root, "graph").first)
        #expect(children(graph, "edge").count == 3)
        #expect(children(graph, "node").count == 4)
        let names = children(graph, "node").flatMap { children($0, "data") }.compactMap(\.stringValue)
        #expect(names.contains("A <script>\"x\" & 'y' #1 |pipe| {b} \\ back"))
    }

    @Test func commandWritesEachFormatFromTheStore() throws {
        let tree = try FileTree(SeedFixture.files)
        defer { tree.remove() }
        let database = temporaryPath("export-graph.sqlite")
        defer { removeDatabase(database) }
        #expect(Self.exportRun(["import", tree.path(), "--database", database, "--quiet"]) == 0)
        for format in ["dot", "mermaid", "graphml"] {
            let output = temporaryPath("referrals.\(format)")
            defer { try? FileManager.default.removeItem(atPath: output) }
            #expect(Self.exportRun(["export", "--format", format, "-o", output, "--database", database]) == 0)
            let text = try String(contentsOfFile: output, encoding: .utf8)
            #expect(!text.isEmpty)
            if format == "graphml" { _ = try XMLDocument(data: Data(text.utf8)) }
        }
    }
}
