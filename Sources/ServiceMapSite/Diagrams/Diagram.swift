import Foundation
import ServiceMapCore

/// A rectangle in diagram coordinates (y grows downwards).
public struct DiagramRect: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }

    /// True when the two rectangles share interior area (touching edges do not count).
    public func overlaps(_ other: DiagramRect) -> Bool {
        x < other.maxX - 0.01 && other.x < maxX - 0.01 && y < other.maxY - 0.01 && other.y < maxY - 0.01
    }

    public func contains(_ other: DiagramRect) -> Bool {
        other.x >= x - 0.01 && other.y >= y - 0.01 && other.maxX <= maxX + 0.01 && other.maxY <= maxY + 0.01
    }

    func insetBy(_ d: Double) -> DiagramRect { DiagramRect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }

    public var description: String { "(\(fmt(x)),\(fmt(y)) \(fmt(width))×\(fmt(height)))" }
}

/// Something drawn, with the box it occupies: a service mark, a node, a text label. Returned with
/// every diagram so tests (and callers) can check what was placed where without parsing SVG.
public struct DiagramMark: Hashable, Sendable {
    public enum Kind: String, Sendable {
        /// A service or referrer drawn as a box or marker.
        case node
        /// A run of text that must stay readable: not overlapped by other labels or by nodes it
        /// does not belong to.
        case label
        /// A route between two nodes.
        case edge
        /// A ring, lane, sector, tile or legend swatch.
        case region
    }

    public var kind: Kind
    /// A service id, referrer (`role:gp`), route id or region name.
    public var key: String
    public var text: String
    public var rect: DiagramRect
    /// For a label inside a node: the node's key.
    public var owner: String?

    public init(kind: Kind, key: String, text: String, rect: DiagramRect, owner: String? = nil) {
        self.kind = kind
        self.key = key
        self.text = text
        self.rect = rect
        self.owner = owner
    }
}

/// A finished picture: the SVG, the text equivalent to show beside it, and what was placed where.
public struct Diagram: Sendable {
    /// The DOM id of the SVG; title, desc and markers are prefixed with it.
    public var id: String
    public var title: String
    /// A one-paragraph description (the SVG's `<desc>`).
    public var summary: String
    public var svg: String
    /// HTML with the same content as the picture (a table or list of routes, services, counts).
    public var textEquivalent: String
    public var marks: [DiagramMark]
    public var width: Double
    public var height: Double

    /// The SVG and its text equivalent as one `<figure>`, ready to place in a page.
    public var html: String {
        var out = "<figure class=\"diagram\" id=\"\(id)-figure\">\n"
        out += "<div class=\"diagram-picture\" style=\"overflow-x:auto\">\(svg)</div>\n"
        out += "<figcaption>\(XMLEscape.text(title))</figcaption>\n"
        out += "<details class=\"diagram-text\" open><summary>\(XMLEscape.text(title)): as text</summary>\n"
        out += textEquivalent
        out += "\n</details>\n</figure>\n"
        return out
    }

    public var nodes: [DiagramMark] { marks.filter { $0.kind == .node } }
    public var labels: [DiagramMark] { marks.filter { $0.kind == .label } }
    public var edges: [DiagramMark] { marks.filter { $0.kind == .edge } }

    /// Pairs of marks that overlap and should not: labels with labels, and labels with nodes
    /// other than their owner. Empty for every diagram servicemap draws (tests assert it).
    public var overlappingLabels: [(DiagramMark, DiagramMark)] {
        let labels = self.labels
        let nodes = self.nodes
        var result: [(DiagramMark, DiagramMark)] = []
        for i in labels.indices {
            for j in labels.indices where j > i && labels[i].rect.overlaps(labels[j].rect) {
                result.append((labels[i], labels[j]))
            }
            for node in nodes where node.key != labels[i].owner && node.rect.overlaps(labels[i].rect) {
                result.append((labels[i], node))
            }
        }
        for i in nodes.indices {
            for j in nodes.indices where j > i && nodes[i].rect.overlaps(nodes[j].rect) {
                result.append((nodes[i], nodes[j]))
            }
        }
        return result
    }
}

/// The link of a service's page, relative to the page the diagram is placed on; nil for no link.
public typealias ServiceLink = (ServiceID) -> String?

/// Opens an SVG with its accessible name and description. Pictures with links are `role="group"`
/// so their links stay reachable; others are `role="img"`.
func openSVG(_ w: inout SVGWriter, id: String, width: Double, height: Double, title: String, summary: String, hasLinks: Bool) {
    w.open("svg", attributes: [
        ("xmlns", "http://www.w3.org/2000/svg"), ("id", id), ("class", "diagram-svg"),
        ("viewBox", "0 0 \(fmt(width)) \(fmt(height))"), ("width", fmt(width)), ("height", fmt(height)),
        ("style", "max-width:100%;height:auto"),
        ("role", hasLinks ? "group" : "img"), ("aria-labelledby", "\(id)-title \(id)-desc"),
        ("font-family", svgFont),
    ])
    w.newline()
    w.element("title", ["id": "\(id)-title"], text: title)
    w.element("desc", ["id": "\(id)-desc"], text: summary)
    w.newline()
}
