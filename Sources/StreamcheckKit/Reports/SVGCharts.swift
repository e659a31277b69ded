import Foundation
import TerraformIO

/// The steps of one flow as the diagram draws them: producer → source connector → topic →
/// sink connector → consumer, keeping only the steps the run had.
public struct FlowDiagram: Sendable {
    public struct Node: Sendable {
        public let role: String
        public let lines: [String]
        /// "passed", "failed" or nil for a step that checks nothing itself (a topic).
        public let status: String?
    }
    public let nodes: [Node]

    public init(suite: ReportSuite, metrics: ReportMetrics) {
        func worst(_ steps: [ReportStep]) -> String? {
            if steps.isEmpty { return nil }
            return steps.contains { $0.record.status != "passed" } ? "failed" : "passed"
        }
        let producers = suite.steps.filter { $0.result?["messages_produced"] != nil || $0.operation == "produce" }
        let connectorSteps = suite.steps.filter { nonEmpty($0.result?["connector"]?.stringValue) != nil }
        let sources = connectorSteps.filter { $0.result.flatMap(ReportMetrics.connectorKind) == "source" }
        // A connector of unknown kind is drawn as a sink: streamcheck produces the test data
        // itself, so the usual connector under test moves it out of Kafka.
        let sinks = connectorSteps.filter { $0.result.flatMap(ReportMetrics.connectorKind) != "source" }
        // Whatever reads and checks the data at the end: consume, verify-sink and the like.
        let consumers = suite.steps.filter { step in
            let reads = !step.checks.isEmpty || step.result?["messages_consumed"] != nil
                || step.operation.contains("consume") || step.operation.contains("verify")
            return reads && !producers.contains { $0.record.path == step.record.path }
                && !connectorSteps.contains { $0.record.path == step.record.path }
        }
        var topics: [String] = []
        for step in suite.steps {
            if let t = nonEmpty(step.result?["topic"]?.stringValue), !topics.contains(t) { topics.append(t) }
        }
        var nodes: [Node] = []
        if !producers.isEmpty {
            let count = producers.compactMap { $0.result?["messages_produced"]?.doubleValue }.reduce(0, +)
            nodes.append(Node(role: "producer", lines: ["streamcheck produce", "\(JSONValue.format(count)) messages"], status: worst(producers)))
        }
        for s in sources { nodes.append(Node(role: "source connector", lines: FlowDiagram.connectorLines(s), status: worst([s]))) }
        if !topics.isEmpty {
            nodes.append(Node(role: "topic", lines: Array(topics.prefix(2)) + (topics.count > 2 ? ["+\(topics.count - 2) more"] : []), status: nil))
        }
        for s in sinks { nodes.append(Node(role: "sink connector", lines: FlowDiagram.connectorLines(s), status: worst([s]))) }
        if !consumers.isEmpty {
            let names = consumers.map(\.operation).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            nodes.append(Node(role: "consumer", lines: names, status: worst(consumers)))
        }
        self.nodes = nodes
    }

    static func connectorLines(_ step: ReportStep) -> [String] {
        var lines = [step.result?["connector"]?.stringValue ?? "connector"]
        var state = step.result?["state"]?.stringValue ?? step.record.status
        if let w = step.result?["waited_ms"]?.doubleValue { state += " in \(JSONValue.format(w)) ms" }
        lines.append(state)
        return lines
    }
}

/// Inline SVG charts, drawn by hand so the report needs no script and no library.
enum SVGCharts {
    static let green = "#1a7f37", red = "#cf222e", grey = "#57606a", blue = "#0969da"

    static func flow(_ diagram: FlowDiagram) -> String {
        let nodes = diagram.nodes
        if nodes.isEmpty { return "<p>No steps recorded.</p>\n" }
        let boxW = 160.0, boxH = 74.0, gap = 48.0, pad = 10.0
        let width = pad * 2 + Double(nodes.count) * boxW + Double(nodes.count - 1) * gap
        let height = boxH + 2 * pad
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"flow diagram\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\">\n"
        s += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"\(grey)\"/></marker></defs>\n"
        for (i, node) in nodes.enumerated() {
            let x = pad + Double(i) * (boxW + gap)
            let color = node.status == "passed" ? green : node.status == nil ? blue : red
            let fill = node.status == "passed" ? "#dafbe1" : node.status == nil ? "#ddf4ff" : "#ffebe9"
            s += "<g class=\"flow-node\" data-role=\"\(HTMLReport.esc(node.role))\">"
            s += "<rect x=\"\(fmt(x))\" y=\"\(fmt(pad))\" width=\"\(fmt(boxW))\" height=\"\(fmt(boxH))\" rx=\"8\" fill=\"\(fill)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            s += text(x + boxW / 2, pad + 20, node.role.uppercased(), size: 11, weight: "700", color: color)
            for (j, line) in node.lines.prefix(3).enumerated() {
                s += text(x + boxW / 2, pad + 38 + Double(j) * 15, clip(line, 24), size: 12, weight: "400", color: "#1f2328")
            }
            s += "</g>\n"
            if i < nodes.count - 1 {
                let y = pad + boxH / 2
                s += "<line x1=\"\(fmt(x + boxW + 2))\" y1=\"\(fmt(y))\" x2=\"\(fmt(x + boxW + gap - 4))\" y2=\"\(fmt(y))\" stroke=\"\(grey)\" stroke-width=\"2\" marker-end=\"url(#arrow)\"/>\n"
            }
        }
        return s + "</svg>\n"
    }

    /// Latency histogram: one bar per bucket (count of messages with latency ≤ le_ms and above
    /// the previous bucket's bound).
    static func histogram(_ buckets: [(leMs: Double, count: Double)]) -> String {
        bars(buckets.map { (label: $0.leMs.isInfinite ? "more" : "≤" + JSONValue.format($0.leMs), value: $0.count) },
             xTitle: "latency (ms, upper bound of bucket)", yTitle: "messages", color: blue, id: "latency-histogram")
    }

    static func timeline(_ points: [(second: Double, messages: Double)]) -> String {
        bars(points.map { (label: JSONValue.format($0.second), value: $0.messages) },
             xTitle: "second of the run", yTitle: "messages/s", color: green, id: "throughput-timeline")
    }

    static func bars(_ items: [(label: String, value: Double)], xTitle: String, yTitle: String, color: String, id: String) -> String {
        let width = 720.0, height = 240.0, left = 56.0, right = 12.0, top = 12.0, bottom = 48.0
        let plotW = width - left - right, plotH = height - top - bottom
        let maxValue = max(items.map(\.value).max() ?? 0, 1)
        let slot = plotW / Double(max(items.count, 1))
        let barW = max(1, slot * 0.8)
        // Label at most ~12 bars so the axis stays legible.
        let labelEvery = max(1, Int((Double(items.count) / 12).rounded(.up)))
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"chart\" id=\"\(id)\" aria-label=\"\(HTMLReport.esc(yTitle)) by \(HTMLReport.esc(xTitle))\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\">\n"
        // Axes and three gridlines.
        for k in 0...3 {
            let v = maxValue * Double(k) / 3
            let y = top + plotH - plotH * Double(k) / 3
            s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(width - right))\" y2=\"\(fmt(y))\" stroke=\"#d0d7de\"/>"
            s += text(left - 6, y + 4, JSONValue.format(v.rounded()), size: 11, weight: "400", color: grey, anchor: "end")
        }
        s += "\n"
        for (i, item) in items.enumerated() {
            let h = plotH * item.value / maxValue
            let x = left + Double(i) * slot + (slot - barW) / 2
            s += "<rect x=\"\(fmt(x))\" y=\"\(fmt(top + plotH - h))\" width=\"\(fmt(barW))\" height=\"\(fmt(h))\" fill=\"\(color)\"><title>\(HTMLReport.esc(item.label)): \(JSONValue.format(item.value))</title></rect>"
            if i % labelEvery == 0 {
                s += text(x + barW / 2, top + plotH + 14, item.label, size: 10, weight: "400", color: grey)
            }
            s += "\n"
        }
        s += text(left + plotW / 2, height - 8, xTitle, size: 11, weight: "400", color: grey)
        s += "<text x=\"12\" y=\"\(fmt(top + plotH / 2))\" font-size=\"11\" fill=\"\(grey)\" text-anchor=\"middle\" transform=\"rotate(-90 12 \(fmt(top + plotH / 2)))\">\(HTMLReport.esc(yTitle))</text>\n"
        return s + "</svg>\n"
    }

    static func text(_ x: Double, _ y: Double, _ content: String, size: Int, weight: String, color: String, anchor: String = "middle") -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" font-size=\"\(size)\" font-weight=\"\(weight)\" fill=\"\(color)\" text-anchor=\"\(anchor)\">\(HTMLReport.esc(content))</text>"
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
    static func fmt(_ d: Double) -> String { JSONValue.format(d) }
}
