import Foundation
import TerraformIO

/// A self-contained HTML report: inline CSS and SVG only, no script, no font, no external
/// asset, so it reads the same from a CI artifact with no network. Every number shown from
/// the JSON summary carries `data-json="path.in.summary"` so a test can compare the two.
public enum HTMLReport {
    public static func render(_ report: Report, pipelineURL: String? = nil) -> String {
        let t = report.totals
        let m = report.metrics
        var h = ""
        h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        // Nothing may load from anywhere: the policy makes a stray reference fail loudly.
        h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        h += "<title>streamcheck report: \(esc(report.title)) — \(esc(report.status))</title>\n"
        h += "<style>\n\(css)\n</style>\n</head>\n<body>\n"
        h += "<header class=\"\(report.passed ? "ok" : "bad")\"><h1>streamcheck: <span id=\"verdict\">\(esc(report.status.uppercased()))</span></h1>"
        h += "<p>\(esc(report.title)) · run dir <code>\(esc(report.runDir))</code> · generated \(esc(RunRecord.iso8601(report.generatedAt)))"
        if let pipelineURL, !pipelineURL.isEmpty, isWebURL(pipelineURL) {
            h += " · <a href=\"\(esc(pipelineURL))\">pipeline</a>"
        }
        h += "</p></header>\n<main>\n"

        // Summary cards.
        h += "<section><h2>Summary</h2><div class=\"cards\">\n"
        for (label, key, value, cls) in [
            ("Tests", "tests", t.tests, ""), ("Passed", "passed", t.passed, "ok"), ("Failed", "failures", t.failures, t.failures > 0 ? "bad" : ""),
            ("Errors", "errors", t.errors, t.errors > 0 ? "bad" : ""), ("Skipped", "skipped", t.skipped, ""), ("Operations", "operations", t.operations, ""),
        ] {
            h += "<div class=\"card \(cls)\"><div class=\"n\" data-json=\"totals.\(key)\">\(value)</div><div>\(label)</div></div>\n"
        }
        h += "</div></section>\n"

        let failed = report.failedCases
        if !failed.isEmpty {
            h += "<section><h2>What failed</h2><table><tr><th>Suite</th><th>Operation</th><th>Check</th><th>Problem</th></tr>\n"
            for f in failed {
                var message = ""
                if case let .failure(msg, _) = f.testCase.outcome { message = msg }
                if case let .error(msg, _) = f.testCase.outcome { message = "error: " + msg }
                h += "<tr class=\"bad\"><td>\(esc(f.suite))</td><td>\(esc(f.testCase.classname))</td><td>\(esc(f.testCase.name))</td><td>\(esc(message))</td></tr>\n"
            }
            h += "</table></section>\n"
        }

        // Metrics across operations.
        h += "<section><h2>Figures</h2>\n"
        if !m.produce.isEmpty {
            h += "<h3>Produce</h3><table><tr><th>Suite</th><th>Topic</th><th>Messages</th><th>Throughput (msg/s)</th><th>Duration (ms)</th></tr>\n"
            for (i, p) in m.produce.enumerated() {
                let base = "metrics.produce.\(i)"
                h += "<tr><td>\(esc(p.suite))</td><td>\(esc(p.topic ?? "–"))</td>\(numCell(p.messagesProduced, "\(base).messages_produced"))\(numCell(p.throughput, "\(base).throughput_msgs_per_s"))\(numCell(p.durationMs, "\(base).duration_ms"))</tr>\n"
            }
            h += "</table>\n"
        }
        if !m.consume.isEmpty {
            h += "<h3>Consume and verify</h3><table><tr><th>Suite</th><th>Operation</th><th>Consumed / expected</th><th>Throughput (msg/s)</th><th>p50 (ms)</th><th>p95 (ms)</th><th>p99 (ms)</th><th>max (ms)</th></tr>\n"
            for (i, c) in m.consume.enumerated() {
                let base = "metrics.consume.\(i)"
                h += "<tr><td>\(esc(c.suite))</td><td>\(esc(c.operation))</td><td class=\"num\">\(numSpan(c.messagesConsumed, "\(base).messages_consumed")) / \(numSpan(c.messagesExpected, "\(base).messages_expected"))</td>"
                h += numCell(c.throughput, "\(base).throughput_msgs_per_s") + numCell(c.p50, "\(base).latency_ms_p50") + numCell(c.p95, "\(base).latency_ms_p95")
                h += numCell(c.p99, "\(base).latency_ms_p99") + numCell(c.max, "\(base).latency_ms_max") + "</tr>\n"
            }
            h += "</table>\n"
            for c in m.consume {
                if !c.histogram.isEmpty {
                    h += "<figure><figcaption>End-to-end latency, \(esc(c.operation)) (\(esc(c.suite)))</figcaption>\n"
                    h += SVGCharts.histogram(c.histogram) + "</figure>\n"
                }
                if !c.timeline.isEmpty {
                    h += "<figure><figcaption>Throughput over time, \(esc(c.operation)) (\(esc(c.suite)))</figcaption>\n"
                    h += SVGCharts.timeline(c.timeline) + "</figure>\n"
                }
            }
        }
        if !m.lag.isEmpty {
            h += "<h3>Consumer lag</h3><table><tr><th>Suite</th><th>Group</th><th>Topic</th><th>Total lag</th></tr>\n"
            for (i, l) in m.lag.enumerated() {
                h += "<tr><td>\(esc(l.suite))</td><td>\(esc(l.group ?? "–"))</td><td>\(esc(l.topic ?? "–"))</td>\(numCell(l.totalLag, "metrics.lag.\(i).total_lag"))</tr>\n"
            }
            h += "</table>\n"
        }
        if !m.connectors.isEmpty {
            h += "<h3>Connectors: time to RUNNING</h3><table><tr><th>Suite</th><th>Connector</th><th>Type</th><th>State</th><th>Waited (ms)</th></tr>\n"
            for (i, c) in m.connectors.enumerated() {
                let cls = c.state == nil || c.state == "RUNNING" ? "" : " class=\"bad\""
                h += "<tr\(cls)><td>\(esc(c.suite))</td><td>\(esc(c.connector))</td><td>\(esc(c.kind ?? "–"))</td><td>\(esc(c.state ?? "–"))</td>\(numCell(c.waitedMs, "metrics.connectors.\(i).waited_ms"))</tr>\n"
            }
            h += "</table>\n"
        }
        h += "<h3>Step durations</h3><table><tr><th>Suite</th><th>Operation</th><th>Status</th><th>Started</th><th>Duration (ms)</th></tr>\n"
        for (i, s) in m.steps.enumerated() {
            h += "<tr class=\"\(statusClass(s.status))\"><td>\(esc(s.suite))</td><td>\(esc(s.operation))</td><td>\(esc(s.status))</td><td>\(esc(s.startedAt ?? "–"))</td>\(numCell(s.durationMs, "metrics.steps.\(i).duration_ms"))</tr>\n"
        }
        h += "</table></section>\n"

        // One section per flow: diagram, then every check.
        for (si, suite) in report.suites.enumerated() {
            let cases = suite.testCases
            let bad = cases.contains { $0.isFailure || $0.isError }
            h += "<section class=\"suite\"><h2 class=\"\(bad ? "bad" : "ok")\">\(bad ? "✗" : "✓") \(esc(suite.name))</h2>\n"
            h += "<p><span data-json=\"suites.\(si).tests\">\(cases.count)</span> tests, <span data-json=\"suites.\(si).failures\">\(cases.filter(\.isFailure).count)</span> failed, "
            h += "<span data-json=\"suites.\(si).errors\">\(cases.filter(\.isError).count)</span> errors</p>\n"
            h += "<figure><figcaption>Flow</figcaption>\n" + SVGCharts.flow(FlowDiagram(suite: suite, metrics: m)) + "</figure>\n"
            h += "<table><tr><th>Operation</th><th>Check</th><th>Status</th><th>Expected</th><th>Found</th></tr>\n"
            for step in suite.steps {
                if step.record.status == "error" {
                    h += "<tr class=\"bad\"><td>\(esc(step.operation))</td><td>completes</td><td>error</td><td colspan=\"2\">\(esc(step.record.error ?? "the operation failed without a message"))</td></tr>\n"
                    continue
                }
                if step.checks.isEmpty {
                    h += "<tr class=\"\(statusClass(step.record.status))\"><td>\(esc(step.operation))</td><td>completes</td><td>\(esc(step.record.status))</td><td colspan=\"2\">\(esc(describe(step)))</td></tr>\n"
                }
                for c in step.checks {
                    h += "<tr class=\"\(c.passed ? "ok" : "bad")\"><td>\(esc(step.operation))</td><td>\(esc(c.name))</td><td>\(c.passed ? "passed" : "FAILED")</td><td>\(esc(c.expected))</td><td>\(esc(c.found))</td></tr>\n"
                }
            }
            h += "</table></section>\n"
        }

        for merged in report.merged {
            h += "<section><h2>Merged: \(esc(merged.file))</h2><table><tr><th>Suite</th><th>Test</th><th>Status</th><th>Message</th></tr>\n"
            for s in merged.suites {
                for c in s.elements(named: "testcase") {
                    let problem = c.elements(named: "failure").first ?? c.elements(named: "error").first
                    let skipped = !c.elements(named: "skipped").isEmpty
                    let status = problem.map { $0.name == "error" ? "error" : "failed" } ?? (skipped ? "skipped" : "passed")
                    let message = problem.map { $0["message"] ?? $0.text } ?? ""
                    h += "<tr class=\"\(statusClass(status))\"><td>\(esc(s["name"] ?? ""))</td><td>\(esc(c["name"] ?? ""))</td><td>\(status)</td><td>\(esc(message))</td></tr>\n"
                }
            }
            h += "</table></section>\n"
        }
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    /// What an operation without checks did, in a few words.
    static func describe(_ step: ReportStep) -> String {
        guard let r = step.result else { return "" }
        var parts: [String] = []
        if let n = r["messages_produced"]?.doubleValue { parts.append("\(JSONValue.format(n)) messages produced") }
        if let topic = r["topic"]?.stringValue { parts.append("topic \(topic)") }
        if let c = r["connector"]?.stringValue { parts.append("connector \(c)") }
        if let s = r["state"]?.stringValue { parts.append("state \(s)") }
        if let w = r["waited_ms"]?.doubleValue { parts.append("after \(JSONValue.format(w)) ms") }
        return parts.joined(separator: ", ")
    }

    static func statusClass(_ status: String) -> String {
        switch status {
        case "passed": return "ok"
        case "skipped": return ""
        default: return "bad"
        }
    }

    static func numSpan(_ d: Double?, _ path: String) -> String {
        guard let d else { return "–" }
        return "<span data-json=\"\(esc(path))\">\(JSONValue.format(d))</span>"
    }

    static func numCell(_ d: Double?, _ path: String) -> String {
        "<td class=\"num\">\(numSpan(d, path))</td>"
    }

    /// Only http(s) links: a javascript: URL in --pipeline-url must not become a live link.
    static func isWebURL(_ s: String) -> Bool {
        let lower = s.lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://")
    }

    /// HTML escaping for text and attribute values alike: XML's, which HTML5 reads the same
    /// (`&apos;`, `&#10;` in a <pre>), control characters made U+FFFD.
    public static func esc(_ s: String) -> String { MiniXML.escape(s) }

    static let css = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
    header{padding:16px 24px;color:#fff}header.ok{background:#1a7f37}header.bad{background:#cf222e}
    header h1{margin:0 0 4px;font-size:22px}header p{margin:0}header a{color:#fff}header code{color:#fff}
    main{padding:8px 24px 32px;max-width:1100px}
    section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin:16px 0}
    h2{font-size:18px;margin:4px 0 8px}h3{font-size:15px;margin:14px 0 6px}
    h2.ok{color:#1a7f37}h2.bad{color:#cf222e}
    .cards{display:flex;flex-wrap:wrap;gap:12px}
    .card{border:1px solid #d0d7de;border-radius:6px;padding:8px 16px;min-width:90px;text-align:center}
    .card .n{font-size:26px;font-weight:600}.card.ok .n{color:#1a7f37}.card.bad .n{color:#cf222e}
    table{border-collapse:collapse;width:100%;margin:4px 0 8px}
    th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
    th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
    tr.bad td{background:#ffebe9}tr.ok td:nth-child(3){color:#1a7f37}
    figure{margin:8px 0}figcaption{font-weight:600;margin-bottom:4px}
    svg{max-width:100%;height:auto;background:#fff}
    code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px}
    """
}
