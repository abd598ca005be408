import Foundation
import ServiceMapCore

/// The referral graph in other tools' formats: DOT (Graphviz), Mermaid and GraphML. Nodes are
/// services and referrer roles; edges are routes with their mode and kind. Output is sorted by id,
/// so the same graph always writes the same file.
public enum ReferralGraphExport {
    public enum Format: String, Sendable, CaseIterable {
        case dot, mermaid, graphml
    }

    public static func render(_ graph: ServiceGraph, as format: Format) -> String {
        switch format {
        case .dot: dot(graph)
        case .mermaid: mermaid(graph)
        case .graphml: graphML(graph)
        }
    }

    /// Referrer roles that appear on routes, sorted.
    static func roles(_ graph: ServiceGraph) -> [ReferrerRole] {
        Set(graph.routes.values.compactMap { r -> ReferrerRole? in
            if case .role(let role) = r.from { return role }
            return nil
        }).sorted()
    }

    static func nodeID(_ referrer: Referrer) -> String {
        switch referrer {
        case .role(let role): "role:" + role.rawValue
        case .service(let id): "service:" + id.rawValue
        }
    }

    // MARK: DOT

    /// A DOT double-quoted string: backslash and quote escaped, newlines as `\n`.
    static func dotString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": break
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func dot(_ graph: ServiceGraph) -> String {
        var out = "digraph referrals {\n  rankdir=LR;\n  node [shape=box, fontname=\"Arial\"];\n"
        for role in roles(graph) {
            out += "  \(dotString("role:" + role.rawValue)) [label=\(dotString(role.label)), shape=ellipse];\n"
        }
        for service in graph.sortedServices {
            var attributes = "label=\(dotString(service.name))"
            if let ring = graph.rings(of: service).first { attributes += ", ring=\(dotString(ring.name))" }
            if graph.isStatutorySocialWork(service) { attributes += ", style=dashed" }
            out += "  \(dotString("service:" + service.id.rawValue)) [\(attributes)];\n"
        }
        for route in graph.sortedRoutes {
            var attributes = "mode=\(dotString(route.mode.rawValue)), kind=\(dotString(route.kind.rawValue)), label=\(dotString(ReferralDiagram.edgeLabel(route) ?? ""))"
            switch route.kind {
            case .stepUp: attributes += ", color=\"#b2182b\""
            case .stepDown: attributes += ", color=\"#2166ac\""
            case .referral: break
            }
            if route.mode == .selfReferral { attributes += ", style=dotted" }
            out += "  \(dotString(nodeID(route.from))) -> \(dotString("service:" + route.to.rawValue)) [\(attributes)];\n"
        }
        return out + "}\n"
    }

    // MARK: Mermaid

    /// Mermaid ids allow letters, digits and underscores; labels are quoted with `#quot;` entities.
    static func mermaidID(_ id: String) -> String {
        var out = ""
        for scalar in id.unicodeScalars {
            if (scalar.value < 128 && CharacterSet.alphanumerics.contains(scalar)) { out.unicodeScalars.append(scalar) } else { out += "_" }
        }
        return out
    }

    static func mermaidText(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "#quot;"
            case "#": out += "#35;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            case "|": out += "#124;"
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    public static func mermaid(_ graph: ServiceGraph) -> String {
        var out = "flowchart LR\n"
        for role in roles(graph) {
            out += "  \(mermaidID("role:" + role.rawValue))([\"\(mermaidText(role.label))\"])\n"
        }
        for service in graph.sortedServices {
            out += "  \(mermaidID("service:" + service.id.rawValue))[\"\(mermaidText(service.name))\"]\n"
        }
        for route in graph.sortedRoutes {
            let arrow = route.mode == .selfReferral ? "-.->" : (route.kind == .referral ? "-->" : "==>")
            let label = ReferralDiagram.edgeLabel(route).map { "|\"\(mermaidText($0))\"|" } ?? ""
            out += "  \(mermaidID(nodeID(route.from))) \(arrow)\(label) \(mermaidID("service:" + route.to.rawValue))\n"
        }
        return out
    }

    // MARK: GraphML

    public static func graphML(_ graph: ServiceGraph) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        out += "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n"
        let keys: [(String, String, String)] = [
            ("label", "node", "label"), ("type", "node", "type"), ("ring", "node", "ring"), ("sector", "node", "sector"),
            ("mode", "edge", "mode"), ("kind", "edge", "kind"), ("conditions", "edge", "conditions"),
        ]
        for (id, domain, name) in keys {
            out += "  <key id=\"\(id)\" for=\"\(domain)\" attr.name=\"\(name)\" attr.type=\"string\"/>\n"
        }
        out += "  <graph id=\"referrals\" edgedefault=\"directed\">\n"
        func data(_ key: String, _ value: String) -> String { "      <data key=\"\(key)\">\(XMLEscape.text(value))</data>\n" }
        for role in roles(graph) {
            out += "    <node id=\"\(XMLEscape.text("role:" + role.rawValue))\">\n" + data("label", role.label) + data("type", "role") + "    </node>\n"
        }
        for service in graph.sortedServices {
            out += "    <node id=\"\(XMLEscape.text("service:" + service.id.rawValue))\">\n" + data("label", service.name) + data("type", "service")
            if let ring = graph.rings(of: service).first { out += data("ring", ring.name) }
            if let sector = graph.sector(of: service) { out += data("sector", sector.rawValue) }
            out += "    </node>\n"
        }
        for (i, route) in graph.sortedRoutes.enumerated() {
            out += "    <edge id=\"e\(i)\" source=\"\(XMLEscape.text(nodeID(route.from)))\" target=\"\(XMLEscape.text("service:" + route.to.rawValue))\">\n"
            out += data("mode", route.mode.rawValue) + data("kind", route.kind.rawValue)
            if let c = route.conditions, !c.isEmpty { out += data("conditions", c) }
            out += "    </edge>\n"
        }
        out += "  </graph>\n</graphml>\n"
        return out
    }
}
