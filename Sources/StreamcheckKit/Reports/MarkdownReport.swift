import Foundation
import TerraformIO

/// A short Markdown summary for a merge-request comment: the verdict, counts, what failed and
/// the headline figures. Full detail lives in the HTML report.
public enum MarkdownReport {
    /// Failed checks listed before the list is cut, so a comment stays readable.
    public static let maxFailedListed = 20

    public static func render(_ report: Report, pipelineURL: String? = nil) -> String {
        let t = report.totals
        let verdict = report.passed ? "✅ passed" : report.status == "error" ? "❌ error" : "❌ failed"
        var lines: [String] = []
        lines.append("### streamcheck: \(verdict) — \(inline(report.title))")
        lines.append("")
        lines.append("| Tests | Passed | Failed | Errors | Skipped | Operations |")
        lines.append("|---:|---:|---:|---:|---:|---:|")
        lines.append("| \(t.tests) | \(t.passed) | \(t.failures) | \(t.errors) | \(t.skipped) | \(t.operations) |")
        let failed = report.failedCases
        if !failed.isEmpty {
            lines.append("")
            lines.append("**Failed checks**")
            lines.append("")
            lines.append("| Suite | Operation | Check | Problem |")
            lines.append("|---|---|---|---|")
            for f in failed.prefix(maxFailedListed) {
                let message: String
                switch f.testCase.outcome {
                case let .failure(m, _): message = m
                case let .error(m, _): message = "error: " + m
                case .passed: message = ""
                }
                lines.append("| \(cell(f.suite)) | \(cell(f.testCase.classname)) | \(cell(f.testCase.name)) | \(cell(message)) |")
            }
            if failed.count > maxFailedListed {
                lines.append("")
                lines.append("… and \(failed.count - maxFailedListed) more (see the HTML report or the JUnit test report).")
            }
        }
        let m = report.metrics
        var figures: [String] = []
        for p in m.produce {
            figures.append("| produce \(cell(p.topic ?? p.suite)) | \(num(p.messagesProduced)) msgs, \(num(p.throughput)) msg/s |")
        }
        for c in m.consume {
            figures.append("| \(cell(c.operation)) \(cell(c.topic ?? c.suite)) | \(num(c.messagesConsumed))/\(num(c.messagesExpected)) msgs, \(num(c.throughput)) msg/s, latency p50 \(num(c.p50)) ms · p95 \(num(c.p95)) ms · p99 \(num(c.p99)) ms · max \(num(c.max)) ms |")
        }
        for l in m.lag {
            figures.append("| consumer lag \(cell(l.group ?? l.topic ?? l.suite)) | \(num(l.totalLag)) |")
        }
        for c in m.connectors {
            figures.append("| connector \(cell(c.connector)) | \(cell(c.state ?? "?")) after \(num(c.waitedMs)) ms |")
        }
        if !figures.isEmpty {
            lines.append("")
            lines.append("| Figure | Value |")
            lines.append("|---|---|")
            lines += figures
        }
        if let pipelineURL, !pipelineURL.isEmpty {
            lines.append("")
            lines.append("[Pipeline](\(url(pipelineURL)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func num(_ d: Double?) -> String { d.map(JSONValue.format) ?? "–" }

    /// Text for a table cell: one line, no pipe, no HTML (GitLab renders inline HTML).
    public static func cell(_ s: String) -> String {
        inline(s).replacingOccurrences(of: "|", with: "\\|")
    }

    /// Text that Markdown shows literally: no line breaks, HTML and Markdown markup escaped.
    public static func inline(_ s: String) -> String {
        var out = ""
        for ch in s {
            // "\r\n" is one Character in Swift, so test isNewline rather than list "\n" and "\r".
            if ch.isNewline || ch == "\t" { out += " "; continue }
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "#", "~": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return out
    }

    /// A link target: parentheses and spaces would end it early.
    static func url(_ s: String) -> String {
        s.replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "(", with: "%28").replacingOccurrences(of: ")", with: "%29")
    }
}
