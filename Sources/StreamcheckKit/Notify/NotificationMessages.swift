import Foundation
import TerraformIO

/// The words of a notification, built from a report. Pure, so tests can check them without
/// a network.
public enum NotificationMessages {
    public static let maxFailedListed = 10

    public static func headline(_ report: Report) -> String {
        "streamcheck \(report.status.uppercased()): \(report.title)"
    }

    public static func counts(_ report: Report) -> String {
        let t = report.totals
        return "\(t.tests) tests: \(t.passed) passed, \(t.failures) failed, \(t.errors) errors" + (t.skipped > 0 ? ", \(t.skipped) skipped" : "")
    }

    /// One line per failed check: "suite / operation / check: expected …, found …".
    public static func failedLines(_ report: Report) -> [String] {
        report.failedCases.map { f in
            switch f.testCase.outcome {
            case let .failure(message, _): return "\(f.suite) / \(f.testCase.classname) / \(f.testCase.name): \(message)"
            case let .error(message, _): return "\(f.suite) / \(f.testCase.classname): error: \(message)"
            case .passed: return ""
            }
        }
    }

    // MARK: Slack

    /// A Block Kit message: header, verdict and counts, failed checks, pipeline link.
    public static func slackPayload(_ report: Report, pipelineURL: String?) -> JSONValue {
        let icon = report.passed ? "✅" : "❌"
        let t = report.totals
        var blocks: [JSONValue] = []
        blocks.append(.object([
            ("type", .string("header")),
            ("text", .object([("type", .string("plain_text")), ("text", .string(clip("\(icon) \(headline(report))", 150))), ("emoji", .bool(true))])),
        ]))
        blocks.append(.object([
            ("type", .string("section")),
            ("fields", .array([
                mrkdwn("*Status*\n\(slackEscape(report.status.uppercased()))"),
                mrkdwn("*Tests*\n\(t.tests)"),
                mrkdwn("*Passed*\n\(t.passed)"),
                mrkdwn("*Failed*\n\(t.failures)"),
                mrkdwn("*Errors*\n\(t.errors)"),
                mrkdwn("*Operations*\n\(t.operations)"),
            ])),
        ]))
        let failed = failedLines(report)
        if !failed.isEmpty {
            var text = "*Failed checks*"
            for line in failed.prefix(maxFailedListed) { text += "\n• " + slackEscape(clip(line, 250)) }
            if failed.count > maxFailedListed { text += "\n… and \(failed.count - maxFailedListed) more" }
            blocks.append(.object([("type", .string("section")), ("text", mrkdwn(clip(text, 3000)))]))
        }
        if let url = pipelineURL, isWebURL(url) {
            blocks.append(.object([
                ("type", .string("actions")),
                ("elements", .array([.object([
                    ("type", .string("button")),
                    ("text", .object([("type", .string("plain_text")), ("text", .string("Open pipeline"))])),
                    ("url", .string(url)),
                ])])),
            ]))
        }
        return .object([
            // Shown in notifications and by clients that cannot draw blocks.
            ("text", .string(slackEscape("\(icon) \(headline(report)) — \(counts(report))"))),
            ("blocks", .array(blocks)),
        ])
    }

    static func mrkdwn(_ text: String) -> JSONValue { .object([("type", .string("mrkdwn")), ("text", .string(text))]) }

    /// Slack's mrkdwn reads &, < and > as markup (links, mentions); these three are escaped.
    public static func slackEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    // MARK: E-mail

    public static func emailSubject(_ report: Report, prefix: String?) -> String {
        let p = prefix.map { $0 + " " } ?? ""
        // A line break in a subject would start a new header: flatten everything.
        return oneLine(p + "\(headline(report)) (\(counts(report)))")
    }

    public static func emailBody(_ report: Report, pipelineURL: String?) -> String {
        var lines = [headline(report), counts(report) + ", \(report.totals.operations) operations", ""]
        let failed = failedLines(report)
        if !failed.isEmpty {
            lines.append("Failed checks:")
            for line in failed.prefix(50) { lines.append("- " + line) }
            if failed.count > 50 { lines.append("... and \(failed.count - 50) more") }
            lines.append("")
        }
        let m = report.metrics
        var figures: [String] = []
        func n(_ d: Double?) -> String { d.map(JSONValue.format) ?? "-" }
        for p in m.produce { figures.append("- produce \(p.topic ?? p.suite): \(n(p.messagesProduced)) messages, \(n(p.throughput)) msg/s") }
        for c in m.consume {
            figures.append("- \(c.operation) \(c.topic ?? c.suite): \(n(c.messagesConsumed))/\(n(c.messagesExpected)) messages, \(n(c.throughput)) msg/s, latency ms p50 \(n(c.p50)) p95 \(n(c.p95)) p99 \(n(c.p99)) max \(n(c.max))")
        }
        for l in m.lag { figures.append("- consumer lag \(l.group ?? l.topic ?? l.suite): \(n(l.totalLag))") }
        for c in m.connectors { figures.append("- connector \(c.connector): \(c.state ?? "?") after \(n(c.waitedMs)) ms") }
        if !figures.isEmpty {
            lines.append("Figures:")
            lines += figures
            lines.append("")
        }
        if let url = pipelineURL, !url.isEmpty { lines.append("Pipeline: \(url)") }
        lines.append("Run dir: \(report.runDir)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The whole RFC 5322 message: UTF-8 subject as an encoded word, body in base64 so any
    /// server takes it whatever characters the checks contain.
    public static func emailMessage(from: String, to: [String], subject: String, body: String, date: Date = Date(), messageID: String) -> [UInt8] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let encodedSubject = subject.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 })
            ? subject
            : "=?UTF-8?B?" + Data(subject.utf8).base64EncodedString() + "?="
        let bodyBase64 = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let headers = [
            "From: <\(from)>",
            "To: " + to.map { "<\($0)>" }.joined(separator: ", "),
            "Subject: " + encodedSubject,
            "Date: " + formatter.string(from: date),
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "X-Mailer: streamcheck \(streamcheckVersion)",
        ]
        return Array((headers.joined(separator: "\r\n") + "\r\n\r\n" + bodyBase64 + "\r\n").utf8)
    }

    /// A mailbox we can put between < and > safely: local@domain, no spaces, brackets or line breaks.
    public static func isPlainAddress(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, s.count <= 254 else { return false }
        return s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"<>,;\"()[]\\".unicodeScalars.contains($0) }
    }

    static func oneLine(_ s: String) -> String {
        String(s.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }

    static func isWebURL(_ s: String) -> Bool {
        let lower = s.lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://")
    }
}
