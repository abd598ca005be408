import Foundation

/// A layered (Sugiyama-style) layout with fixed layers, drawn left to right: layer 0 is the left
/// column. Callers choose the layers (levels of need, steps along a pathway); the engine
///
/// 1. splits every edge that spans several layers with dummy points, one per layer crossed, so
///    edges pass *between* nodes, never through them;
/// 2. orders each column by barycentre sweeps (down and up, keeping the order with the fewest
///    crossings), keeping the members of a cluster (an organisation) together;
/// 3. places nodes vertically near their neighbours (isotonic regression: the least movement
///    that keeps the order and the gaps);
/// 4. routes every edge orthogonally: horizontal through columns, vertical only in the gaps
///    between columns, each vertical run on its own track so none overlap;
/// 5. places edge labels on horizontal runs, where they overlap no node and no other label
///    (a label with no free place is dropped and reported; the legend and text say the same).
///
/// Deterministic: ties are broken by node id, and nothing depends on hashing order.
struct LayeredLayout {
    struct Node {
        var id: String
        var layer: Int
        var width: Double
        var minHeight: Double
        var cluster: String?
        /// Initial order within the column.
        var sortKey: String
    }

    struct Edge {
        var id: String
        var from: String
        var to: String
        var label: String?
    }

    enum Side { case left, right }

    struct Result {
        var nodes: [String: DiagramRect] = [:]
        var edges: [String: [(Double, Double)]] = [:]
        var labels: [String: DiagramRect] = [:]
        var droppedLabels: [String] = []
        var clusters: [(name: String, layer: Int, rect: DiagramRect)] = []
        var layerX: [(x: Double, width: Double)] = []
        var width: Double = 0
        var height: Double = 0
        var crossings: Int = 0
    }

    var nodes: [Node]
    var edges: [Edge]
    var layerCount: Int
    var minLayerWidth: [Double] = []
    var top = 0.0
    var left = 0.0
    var nodeGap = 16.0
    var clusterHeader = 18.0
    var clusterPad = 6.0
    var portSpacing = 12.0
    var labeledPortSpacing = 18.0
    var trackSpacing = 9.0
    var gapMargin = 18.0
    var labelSize = 10.0

    /// An item in a column: a node or the point where an edge crosses the column.
    private struct Item {
        var node: Int?
        var edge: Int?
        var cluster: String?
        var height: Double
        var key: String
    }

    func run() -> Result {
        let nodeIndex = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1.id, $0) })
        let edges = self.edges.filter { nodeIndex[$0.from] != nil && nodeIndex[$0.to] != nil }
        let L = max(layerCount, (nodes.map(\.layer).max() ?? 0) + 1)

        // 1. Columns of items; each edge becomes a chain of item ids.
        var columns: [[Item]] = Array(repeating: [], count: L)
        var itemAt: [String: (layer: Int, index: Int)] = [:]
        for (i, node) in nodes.enumerated().sorted(by: { ($0.element.cluster ?? "", $0.element.sortKey, $0.element.id) < ($1.element.cluster ?? "", $1.element.sortKey, $1.element.id) }) {
            columns[node.layer].append(Item(node: i, edge: nil, cluster: node.cluster, height: node.minHeight, key: "n:" + node.id))
            _ = i
        }
        var chains: [[String]] = []
        for (e, edge) in edges.enumerated() {
            let a = nodes[nodeIndex[edge.from]!].layer, b = nodes[nodeIndex[edge.to]!].layer
            var chain = ["n:" + edge.from]
            if abs(b - a) > 1 {
                let step = b > a ? 1 : -1
                var l = a + step
                while l != b {
                    let key = "e:\(e):\(l)"
                    columns[l].append(Item(node: nil, edge: e, cluster: nil, height: 6, key: key))
                    chain.append(key)
                    l += step
                }
            }
            chain.append("n:" + edge.to)
            chains.append(chain)
        }
        func reindex() {
            itemAt = [:]
            for (l, column) in columns.enumerated() {
                for (i, item) in column.enumerated() { itemAt[item.key] = (l, i) }
            }
        }
        reindex()

        // Neighbours across adjacent layers.
        var neighbours: [String: [String]] = [:]
        for chain in chains {
            for (a, b) in zip(chain, chain.dropFirst()) {
                let la = itemAt[a]!.layer, lb = itemAt[b]!.layer
                guard la != lb else { continue }
                neighbours[a, default: []].append(b)
                neighbours[b, default: []].append(a)
            }
        }

        func crossings() -> Int {
            var total = 0
            for l in 0..<(L - 1) {
                var segments: [(Int, Int)] = []
                for item in columns[l] {
                    for n in neighbours[item.key] ?? [] {
                        if let p = itemAt[n], p.layer == l + 1 { segments.append((itemAt[item.key]!.index, p.index)) }
                    }
                }
                for i in segments.indices {
                    for j in segments.indices where j > i {
                        let (a1, b1) = segments[i], (a2, b2) = segments[j]
                        if (a1 < a2 && b1 > b2) || (a1 > a2 && b1 < b2) { total += 1 }
                    }
                }
            }
            return total
        }

        // 2. Barycentre sweeps.
        func sortColumn(_ l: Int, towards other: Int) {
            let column = columns[l]
            var bary: [String: Double] = [:]
            for (i, item) in column.enumerated() {
                let positions = (neighbours[item.key] ?? []).compactMap { itemAt[$0] }.filter { $0.layer == other }.map { Double($0.index) }
                bary[item.key] = positions.isEmpty ? Double(i) * Double(max(columns[other].count, 1)) / Double(max(column.count, 1)) : positions.reduce(0, +) / Double(positions.count)
            }
            // Blocks: a cluster's members move together; every other item is its own block.
            var blocks: [(key: Double, first: Int, items: [Item])] = []
            var clusterBlock: [String: Int] = [:]
            for (i, item) in column.enumerated() {
                if let c = item.cluster, let b = clusterBlock[c] {
                    blocks[b].items.append(item)
                } else {
                    if let c = item.cluster { clusterBlock[c] = blocks.count }
                    blocks.append((0, i, [item]))
                }
            }
            for b in blocks.indices {
                let values = blocks[b].items.map { bary[$0.key]! }
                blocks[b].key = values.reduce(0, +) / Double(values.count)
                blocks[b].items.sort { (bary[$0.key]!, $0.key) < (bary[$1.key]!, $1.key) }
            }
            blocks.sort { ($0.key, $0.first) < ($1.key, $1.first) }
            columns[l] = blocks.flatMap(\.items)
            for (i, item) in columns[l].enumerated() { itemAt[item.key] = (l, i) }
        }
        var best = columns
        var bestCrossings = crossings()
        if L > 1 {
            for _ in 0..<8 where bestCrossings > 0 {
                for l in 1..<L { sortColumn(l, towards: l - 1) }
                for l in stride(from: L - 2, through: 0, by: -1) { sortColumn(l, towards: l + 1) }
                let c = crossings()
                if c < bestCrossings { bestCrossings = c; best = columns }
            }
        }
        columns = best
        reindex()

        // Port sides and counts (same-layer edges leave and enter on the right, in the gap).
        var endpoints: [String: [Side: [(edge: Int, other: String)]]] = [:]
        for (e, chain) in chains.enumerated() {
            let a = chain[0], b = chain[chain.count - 1]
            let la = itemAt[a]!.layer, lb = itemAt[b]!.layer
            let next = chain[1], prev = chain[chain.count - 2]
            let sa: Side = la > lb ? .left : .right
            let sb: Side = la < lb ? .left : .right
            endpoints[a, default: [:]][sa, default: []].append((e, next))
            endpoints[b, default: [:]][sb, default: []].append((e, prev))
        }
        let labeled = Set(edges.enumerated().filter { $0.element.label != nil }.map(\.offset))
        for l in 0..<L {
            for i in columns[l].indices {
                let item = columns[l][i]
                guard item.node != nil else { continue }
                for (_, list) in endpoints[item.key] ?? [:] {
                    let spacing = list.contains { labeled.contains($0.edge) } ? labeledPortSpacing : portSpacing
                    columns[l][i].height = max(columns[l][i].height, Double(list.count + 1) * spacing)
                }
            }
        }

        // 3. Vertical placement.
        func gapBefore(_ column: [Item], _ i: Int) -> Double {
            guard i > 0 else { return column[0].cluster != nil && clusterSize(column, column[0].cluster!) > 1 ? clusterHeader + clusterPad : 0 }
            let a = column[i - 1], b = column[i]
            if let c = b.cluster, c == a.cluster { return nodeGap / 2 }
            var gap = nodeGap
            if let c = a.cluster, clusterSize(column, c) > 1 { gap += clusterPad }
            if let c = b.cluster, clusterSize(column, c) > 1 { gap += clusterHeader + clusterPad }
            if a.node == nil && b.node == nil { gap = 4 }
            return gap
        }
        func clusterSize(_ column: [Item], _ c: String) -> Int { column.filter { $0.cluster == c && $0.node != nil }.count }

        var y: [String: Double] = [:]  // top of each item
        for column in columns {
            var cursor = top
            for (i, item) in column.enumerated() {
                cursor += gapBefore(column, i)
                y[item.key] = cursor
                cursor += item.height
            }
        }
        func center(_ key: String) -> Double {
            let p = itemAt[key]!
            return y[key]! + columns[p.layer][p.index].height / 2
        }
        for iteration in 0..<6 {
            let order = iteration % 2 == 0 ? Array(0..<L) : Array((0..<L).reversed())
            for l in order {
                let column = columns[l]
                guard !column.isEmpty else { continue }
                var desired: [Double] = []
                var offsets: [Double] = []
                var offset = 0.0
                for (i, item) in column.enumerated() {
                    offset += gapBefore(column, i)
                    offsets.append(offset)
                    offset += item.height
                    let others = (neighbours[item.key] ?? []).map(center)
                    let want = others.isEmpty ? center(item.key) : others.reduce(0, +) / Double(others.count)
                    desired.append(want - item.height / 2)
                }
                let t = isotonic(zip(desired, offsets).map { $0 - $1 })
                for (i, item) in column.enumerated() { y[item.key] = t[i] + offsets[i] }
            }
        }
        let minY = y.values.min() ?? top
        for key in y.keys { y[key]! += top - minY }

        // Ports: along each side, ordered by the other end's height so they do not cross.
        var port: [String: (Double, Side)] = [:]  // "edge:end" → y, side
        for (key, sides) in endpoints {
            let p = itemAt[key]!
            let h = columns[p.layer][p.index].height
            for (side, list) in sides {
                let sorted = list.sorted { (center($0.other), $0.edge) < (center($1.other), $1.edge) }
                for (k, entry) in sorted.enumerated() {
                    let end = chains[entry.edge][0] == key && !port.keys.contains("\(entry.edge):a") ? "a" : "b"
                    port["\(entry.edge):\(end)"] = (y[key]! + h * Double(k + 1) / Double(sorted.count + 1), side)
                }
            }
        }
        func pointY(_ e: Int, _ position: Int) -> Double {
            let chain = chains[e]
            if position == 0 { return port["\(e):a"]!.0 }
            if position == chain.count - 1 { return port["\(e):b"]!.0 }
            return center(chain[position])
        }

        // 4. Horizontal placement with tracks in the gaps.
        var layerWidth = (0..<L).map { l -> Double in
            let w = columns[l].compactMap { $0.node.map { nodes[$0].width } }.max() ?? 0
            return max(w, l < minLayerWidth.count ? minLayerWidth[l] : 0)
        }
        for l in 0..<L where layerWidth[l] == 0 { layerWidth[l] = 40 }
        // Vertical runs per gap (gap g lies right of layer g).
        struct Run { var edge: Int; var lo: Double; var hi: Double; var hop: Int }
        var runs: [[Run]] = Array(repeating: [], count: L)
        // Label room per gap: on the right of the tracks for labels entering the next column from
        // the left, on the left of the tracks for labels entering this column from the right.
        var labelRoom: [Double] = Array(repeating: 0, count: L + 1)
        var leftLabelRoom: [Double] = Array(repeating: 0, count: L + 1)
        for (e, chain) in chains.enumerated() {
            let la = itemAt[chain[0]]!.layer, lb = itemAt[chain[chain.count - 1]]!.layer
            if la == lb {
                let y1 = pointY(e, 0), y2 = pointY(e, chain.count - 1)
                runs[la].append(Run(edge: e, lo: min(y1, y2), hi: max(y1, y2), hop: 0))
            } else {
                for k in 0..<(chain.count - 1) {
                    let l1 = itemAt[chain[k]]!.layer, l2 = itemAt[chain[k + 1]]!.layer
                    let y1 = pointY(e, k), y2 = pointY(e, k + 1)
                    runs[min(l1, l2)].append(Run(edge: e, lo: min(y1, y2), hi: max(y1, y2), hop: k))
                }
            }
            if let label = edges[e].label {
                let w = TextMetrics.width(label, size: labelSize) + 12
                // The label sits on the run entering the target: left of the target for forward
                // edges, right of it for backward and same-layer ones.
                if la < lb {
                    labelRoom[lb - 1] = max(labelRoom[lb - 1], w)
                } else {
                    leftLabelRoom[lb] = max(leftLabelRoom[lb], w)
                }
            }
        }
        var track: [String: Int] = [:]  // "edge:hop" → track
        var trackCount = Array(repeating: 0, count: L)
        for g in 0..<L {
            var ends: [Double] = []
            for run in runs[g].sorted(by: { ($0.lo, $0.hi, $0.edge) < ($1.lo, $1.hi, $1.edge) }) {
                if let free = ends.firstIndex(where: { $0 < run.lo - 5 }) {
                    ends[free] = run.hi
                    track["\(run.edge):\(run.hop)"] = free
                } else {
                    track["\(run.edge):\(run.hop)"] = ends.count
                    ends.append(run.hi)
                }
            }
            trackCount[g] = ends.count
        }
        var layerX: [(x: Double, width: Double)] = []
        var gapX: [Double] = []  // left edge of each gap's track area
        var x = left
        for l in 0..<L {
            layerX.append((x, layerWidth[l]))
            x += layerWidth[l]
            let tracksWidth = Double(max(trackCount[l], 1)) * trackSpacing
            let before = max(gapMargin, leftLabelRoom[l] + 4)
            gapX.append(x + before)
            x += before + tracksWidth + max(gapMargin, labelRoom[l] + 4)
        }
        var result = Result()
        result.layerX = layerX
        result.crossings = bestCrossings
        for l in 0..<L {
            for item in columns[l] {
                guard let n = item.node else { continue }
                let node = nodes[n]
                result.nodes[node.id] = DiagramRect(x: layerX[l].x + (layerWidth[l] - node.width) / 2, y: y[item.key]!, width: node.width, height: item.height)
            }
        }
        func trackX(_ gap: Int, _ e: Int, _ hop: Int) -> Double {
            gapX[gap] + (Double(track["\(e):\(hop)"] ?? 0) + 0.5) * trackSpacing
        }

        // Route points.
        for (e, chain) in chains.enumerated() {
            let from = nodes[nodeIndex[edges[e].from]!], to = nodes[nodeIndex[edges[e].to]!]
            let ra = result.nodes[from.id]!, rb = result.nodes[to.id]!
            var points: [(Double, Double)] = []
            if from.layer == to.layer {
                let tx = trackX(from.layer, e, 0)
                let y1 = pointY(e, 0), y2 = pointY(e, chain.count - 1)
                points = [(ra.maxX, y1), (tx, y1), (tx, y2), (rb.maxX, y2)]
            } else {
                let forward = from.layer < to.layer
                points.append((forward ? ra.maxX : ra.x, pointY(e, 0)))
                for k in 0..<(chain.count - 1) {
                    let l1 = itemAt[chain[k]]!.layer, l2 = itemAt[chain[k + 1]]!.layer
                    let gap = min(l1, l2)
                    let tx = trackX(gap, e, k)
                    let y1 = pointY(e, k), y2 = pointY(e, k + 1)
                    points.append((tx, y1))
                    points.append((tx, y2))
                    if k + 1 < chain.count - 1 {
                        // Through the next column at the dummy's height.
                        let lx = layerX[l2]
                        points.append((forward ? lx.x + lx.width : lx.x, y2))
                        _ = lx
                    }
                }
                points.append((forward ? rb.x : rb.maxX, pointY(e, chain.count - 1)))
            }
            result.edges[edges[e].id] = simplify(points)
        }

        // 5. Edge labels, on the last horizontal run (into the target), else the first.
        var placedLabels: [DiagramRect] = []
        var nodeRects = Array(result.nodes.values)
        var clusterRects: [(String, Int, DiagramRect)] = []
        for l in 0..<L {
            var seen: [String] = []
            for item in columns[l] where item.node != nil {
                guard let c = item.cluster, !seen.contains(c), clusterSize(columns[l], c) > 1 else { continue }
                seen.append(c)
                let members = columns[l].filter { $0.cluster == c && $0.node != nil }.map { result.nodes[nodes[$0.node!].id]! }
                let minY = members.map(\.y).min()!, maxY = members.map(\.maxY).max()!
                let rect = DiagramRect(x: layerX[l].x - clusterPad, y: minY - clusterHeader - clusterPad / 2,
                                       width: layerX[l].width + 2 * clusterPad, height: maxY - minY + clusterHeader + clusterPad)
                clusterRects.append((c, l, rect))
            }
        }
        result.clusters = clusterRects.map { (name: $0.0, layer: $0.1, rect: $0.2) }
        nodeRects += clusterRects.map { DiagramRect(x: $0.2.x, y: $0.2.y, width: $0.2.width, height: clusterHeader) }
        for (e, edge) in edges.enumerated() {
            guard let label = edge.label, let points = result.edges[edge.id] else { continue }
            let w = TextMetrics.width(label, size: labelSize) + 4
            let h = labelSize + 3
            var candidates: [DiagramRect] = []
            var segments: [((Double, Double), (Double, Double))] = []
            for (p, q) in zip(points, points.dropFirst()) where abs(p.1 - q.1) < 0.01 && abs(p.0 - q.0) >= w + 4 { segments.append((p, q)) }
            for (p, q) in segments.reversed() {
                let towardsEnd = q.0 > p.0
                let x0 = towardsEnd ? q.0 - w - 6 : q.0 + 6
                let x1 = towardsEnd ? p.0 + 4 : p.0 - w - 4
                for ly in [p.1 - h - 1, p.1 + 2] {
                    candidates.append(DiagramRect(x: x0, y: ly, width: w, height: h))
                    candidates.append(DiagramRect(x: x1, y: ly, width: w, height: h))
                }
            }
            if let spot = candidates.first(where: { c in
                !nodeRects.contains { $0.overlaps(c) } && !placedLabels.contains { $0.overlaps(c) }
            }) {
                placedLabels.append(spot)
                result.labels[edge.id] = spot
            } else {
                result.droppedLabels.append(edge.id)
            }
            _ = e
        }
        _ = nodeRects
        result.width = x
        let bottoms = result.nodes.values.map(\.maxY) + result.labels.values.map(\.maxY) + y.values.map { $0 + 6 }
        result.height = (bottoms.max() ?? top) + 4
        return result
    }

    /// Pool-adjacent-violators: the nondecreasing sequence closest (least squares) to `values`.
    private func isotonic(_ values: [Double]) -> [Double] {
        var blocks: [(sum: Double, count: Double)] = []
        for v in values {
            blocks.append((v, 1))
            while blocks.count > 1 {
                let b = blocks[blocks.count - 1], a = blocks[blocks.count - 2]
                guard a.sum / a.count > b.sum / b.count else { break }
                blocks.removeLast(2)
                blocks.append((a.sum + b.sum, a.count + b.count))
            }
        }
        return blocks.flatMap { Array(repeating: $0.sum / $0.count, count: Int($0.count)) }
    }

    /// Drops repeated points and middle points of straight runs.
    private func simplify(_ points: [(Double, Double)]) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        for p in points {
            if let last = out.last, abs(last.0 - p.0) < 0.01 && abs(last.1 - p.1) < 0.01 { continue }
            if out.count >= 2 {
                let a = out[out.count - 2], b = out[out.count - 1]
                if (abs(a.0 - b.0) < 0.01 && abs(b.0 - p.0) < 0.01) || (abs(a.1 - b.1) < 0.01 && abs(b.1 - p.1) < 0.01) {
                    out[out.count - 1] = p
                    continue
                }
            }
            out.append(p)
        }
        return out
    }
}
