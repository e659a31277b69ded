import Foundation
import TerraformIO

/// Figures collected across the operations of a run. Every field is optional: a figure an
/// operation did not report is left out, never shown as zero.
public struct ReportMetrics: Sendable {
    public struct Produce: Sendable {
        public let suite: String, runId: String?, topic: String?
        public let messagesProduced: Double?, throughput: Double?, durationMs: Double?
    }
    public struct Consume: Sendable {
        public let suite: String, operation: String, runId: String?, topic: String?
        public let messagesExpected: Double?, messagesConsumed: Double?, throughput: Double?
        public let p50: Double?, p95: Double?, p99: Double?, max: Double?
        public let histogram: [(leMs: Double, count: Double)]
        public let timeline: [(second: Double, messages: Double)]
    }
    public struct Lag: Sendable {
        public let suite: String, operation: String, group: String?, topic: String?, totalLag: Double
    }
    public struct Connector: Sendable {
        public let suite: String, connector: String, state: String?, waitedMs: Double?, kind: String?
    }
    public struct Step: Sendable {
        public let suite: String, operation: String, status: String, durationMs: Double?, startedAt: String?
    }

    public var produce: [Produce] = []
    public var consume: [Consume] = []
    public var lag: [Lag] = []
    public var connectors: [Connector] = []
    public var steps: [Step] = []

    public init(_ report: Report) {
        for suite in report.suites {
            for step in suite.steps {
                let r = step.result
                func num(_ key: String) -> Double? { r?[key]?.doubleValue }
                steps.append(Step(suite: suite.name, operation: step.operation, status: step.record.status,
                                  durationMs: step.record.durationMs, startedAt: step.record.startedAt))
                guard let r else { continue }
                if num("messages_produced") != nil || step.operation == "produce" {
                    produce.append(Produce(suite: suite.name, runId: step.record.runId, topic: nonEmpty(r["topic"]?.stringValue),
                                           messagesProduced: num("messages_produced"), throughput: num("throughput_msgs_per_s"),
                                           durationMs: num("duration_ms") ?? step.record.durationMs))
                }
                if num("messages_consumed") != nil || num("latency_ms_p50") != nil || r["latency_histogram"] != nil {
                    let histogram: [(leMs: Double, count: Double)] = ReportMetrics.trimmed((r["latency_histogram"]?.arrayValue ?? []).compactMap { b in
                        // The last bucket's bound is written "inf".
                        let le = b["le_ms"]?.doubleValue ?? (["inf", "+inf"].contains(b["le_ms"]?.stringValue?.lowercased() ?? "") ? Double.infinity : nil)
                        guard let le, let count = b["count"]?.doubleValue else { return nil }
                        return (le, count)
                    })
                    let timeline: [(second: Double, messages: Double)] = (r["throughput_timeline"]?.arrayValue ?? []).compactMap { p in
                        guard let s = p["second"]?.doubleValue, let m = p["messages"]?.doubleValue else { return nil }
                        return (s, m)
                    }
                    consume.append(Consume(
                        suite: suite.name, operation: step.operation, runId: step.record.runId, topic: nonEmpty(r["topic"]?.stringValue),
                        messagesExpected: num("messages_expected"), messagesConsumed: num("messages_consumed"),
                        throughput: num("throughput_msgs_per_s"),
                        // The honest latency: produce → consume when the consumer watched the data
                        // flow, else the record timestamp's (null when it measured nothing).
                        p50: num("produce_to_consume_ms_p50") ?? num("latency_ms_p50"), p95: num("produce_to_consume_ms_p95") ?? num("latency_ms_p95"),
                        p99: num("produce_to_consume_ms_p99") ?? num("latency_ms_p99"), max: num("produce_to_consume_ms_max") ?? num("latency_ms_max"),
                        histogram: histogram, timeline: timeline))
                }
                if let total = num("total_lag") ?? num("consumer_lag") ?? num("lag") {
                    lag.append(Lag(suite: suite.name, operation: step.operation,
                                   group: nonEmpty(r["group"]?.stringValue ?? r["group_id"]?.stringValue),
                                   topic: nonEmpty(r["topic"]?.stringValue), totalLag: total))
                }
                if let name = nonEmpty(r["connector"]?.stringValue) {
                    connectors.append(Connector(suite: suite.name, connector: name, state: nonEmpty(r["state"]?.stringValue),
                                                waitedMs: num("waited_ms"), kind: ReportMetrics.connectorKind(r)))
                }
            }
        }
    }

    /// Drops the empty buckets before the first and after the last non-empty one, so the
    /// chart shows the range where messages were.
    static func trimmed(_ buckets: [(leMs: Double, count: Double)]) -> [(leMs: Double, count: Double)] {
        guard let first = buckets.firstIndex(where: { $0.count > 0 }), let last = buckets.lastIndex(where: { $0.count > 0 }) else { return buckets }
        return Array(buckets[first...last])
    }

    /// "source" or "sink" when the result says so (a type field, or the class name).
    static func connectorKind(_ r: JSONValue) -> String? {
        for key in ["type", "connector_type", "kind"] {
            if let t = r[key]?.stringValue?.lowercased(), t == "source" || t == "sink" { return t }
        }
        let hint = ((r["connector_class"]?.stringValue ?? r["class"]?.stringValue ?? "") + " " + (r["connector"]?.stringValue ?? "")).lowercased()
        if hint.contains("source") { return "source" }
        if hint.contains("sink") { return "sink" }
        return nil
    }
}

extension Report {
    public var metrics: ReportMetrics { ReportMetrics(self) }

    /// The JSON summary: what the HTML and Markdown show, for scripts and for the MR bot.
    public func summaryJSON() -> JSONValue {
        let t = totals
        let m = metrics
        func n(_ d: Double?) -> JSONValue { d.map { .double($0) } ?? .null }
        func s(_ v: String?) -> JSONValue { v.map { .string($0) } ?? .null }
        func outcome(_ c: TestCase) -> String { c.isFailure ? "failed" : c.isError ? "error" : "passed" }

        let suitesJSON = JSONValue.array(suites.map { suite in
            let cases = suite.testCases
            return .object([
                ("name", .string(suite.name)),
                ("run_id", s(suite.runId)),
                ("passed", .bool(!cases.contains { $0.isFailure || $0.isError })),
                ("tests", .int(cases.count)),
                ("failures", .int(cases.filter(\.isFailure).count)),
                ("errors", .int(cases.filter(\.isError).count)),
                ("duration_ms", .double(suite.durationMs)),
                ("operations", .array(suite.steps.map { step in
                    .object([
                        ("operation", .string(step.operation)),
                        ("status", .string(step.record.status)),
                        ("started_at", s(step.record.startedAt)),
                        ("duration_ms", n(step.record.durationMs)),
                        ("error", s(step.record.error)),
                        ("record", .string(step.record.path)),
                        ("checks", .array(step.checks.map { c in
                            .object([("name", .string(c.name)), ("passed", .bool(c.passed)),
                                     ("expected", .string(c.expected)), ("found", .string(c.found))])
                        })),
                    ])
                })),
            ])
        })
        let failed = JSONValue.array(failedCases.map { f in
            var fields: [(String, JSONValue)] = [("suite", .string(f.suite)), ("operation", .string(f.testCase.classname)),
                                                 ("check", .string(f.testCase.name)), ("status", .string(outcome(f.testCase)))]
            switch f.testCase.outcome {
            case let .failure(message, _), let .error(message, _): fields.append(("message", .string(message)))
            case .passed: break
            }
            return .object(fields)
        })
        let metricsJSON = JSONValue.object([
            ("produce", .array(m.produce.map { p in
                .object([("suite", .string(p.suite)), ("run_id", s(p.runId)), ("topic", s(p.topic)),
                         ("messages_produced", n(p.messagesProduced)), ("throughput_msgs_per_s", n(p.throughput)),
                         ("duration_ms", n(p.durationMs))])
            })),
            ("consume", .array(m.consume.map { c in
                .object([("suite", .string(c.suite)), ("operation", .string(c.operation)), ("run_id", s(c.runId)), ("topic", s(c.topic)),
                         ("messages_expected", n(c.messagesExpected)), ("messages_consumed", n(c.messagesConsumed)),
                         ("throughput_msgs_per_s", n(c.throughput)),
                         ("latency_ms_p50", n(c.p50)), ("latency_ms_p95", n(c.p95)), ("latency_ms_p99", n(c.p99)),
                         ("latency_ms_max", n(c.max))])
            })),
            ("lag", .array(m.lag.map { l in
                .object([("suite", .string(l.suite)), ("operation", .string(l.operation)), ("group", s(l.group)),
                         ("topic", s(l.topic)), ("total_lag", .double(l.totalLag))])
            })),
            ("connectors", .array(m.connectors.map { c in
                .object([("suite", .string(c.suite)), ("connector", .string(c.connector)), ("type", s(c.kind)),
                         ("state", s(c.state)), ("waited_ms", n(c.waitedMs))])
            })),
            ("steps", .array(m.steps.map { st in
                .object([("suite", .string(st.suite)), ("operation", .string(st.operation)), ("status", .string(st.status)),
                         ("started_at", s(st.startedAt)), ("duration_ms", n(st.durationMs))])
            })),
        ])
        return .object([
            ("title", .string(title)),
            ("passed", .bool(passed)),
            ("status", .string(status)),
            ("run_dir", .string(runDir)),
            ("generated_at", .string(RunRecord.iso8601(generatedAt))),
            ("totals", .object([
                ("operations", .int(t.operations)), ("tests", .int(t.tests)), ("passed", .int(t.passed)),
                ("failures", .int(t.failures)), ("errors", .int(t.errors)), ("skipped", .int(t.skipped)),
            ])),
            ("failed", failed),
            ("suites", suitesJSON),
            ("metrics", metricsJSON),
            ("merged_junit", .array(merged.map { mj in
                .object([("file", .string(mj.file)), ("suites", .int(mj.suites.count)), ("tests", .int(mj.tests)),
                         ("failures", .int(mj.failures)), ("errors", .int(mj.errors)), ("skipped", .int(mj.skipped))])
            })),
        ])
    }
}
