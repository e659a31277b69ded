import Foundation
import Testing
@testable import StreamcheckKit
import TerraformIO

/// Records shaped exactly as RunRecord writes them, built in memory.
enum Fixture {
    /// Built by the type operations use, so a fixture can only name checks the code emits.
    static func check(_ name: CheckName, _ passed: Bool, _ expected: String, _ found: String) -> JSONValue {
        Check(name: name, passed: passed, expected: expected, found: found).json
    }

    /// A record someone else wrote or tampered with: any name at all (the report must escape it).
    static func hostileCheck(_ name: String, _ passed: Bool, _ expected: String, _ found: String) -> JSONValue {
        .object([("name", .string(name)), ("passed", .bool(passed)), ("expected", .string(expected)), ("found", .string(found))])
    }

    static func record(_ operation: String, status: String, runId: String? = "r1", error: String? = nil,
                       checks: [JSONValue]? = nil, extra: [(String, JSONValue)] = [], durationMs: Double = 1000, n: Int = 0) -> LoadedRecord {
        var result: [(String, JSONValue)] = []
        if let runId { result.append(("run_id", .string(runId))) }
        if let checks {
            result.append(("passed", .bool(status == "passed")))
            result.append(("checks", .array(checks)))
        }
        result += extra
        return LoadedRecord(path: "/runs/\(n)-\(operation).json", operation: operation,
                            startedAt: "2025-11-25T14:00:0\(n).000Z", durationMs: durationMs, status: status,
                            error: error, result: status == "error" ? nil : .object(result))
    }

    /// produce → connector wait → consume (2 of 3 checks pass) → verify-sink (error).
    static var failingRun: [LoadedRecord] {
        [
            record("produce", status: "passed", extra: [("messages_produced", .int(1000)), ("throughput_msgs_per_s", .double(250.5)), ("topic", .string("orders"))], n: 0),
            record("connector wait", status: "passed", runId: nil, extra: [("connector", .string("pg-sink")), ("state", .string("RUNNING")), ("waited_ms", .int(3200))], n: 1),
            record("consume", status: "failed", checks: [
                check(.count, true, "1000", "1000"),
                check(.loss, false, "0 missing", "3 missing"),
                check(.latency_sla, true, "<= 500 ms", "80 ms"),
            ], extra: [("messages_consumed", .int(997)), ("latency_ms_p99", .double(80.25))], n: 2),
            record("verify-sink", status: "error", error: "table orders never reached 1000 rows", n: 3),
        ]
    }
}

@Suite struct JUnitTests {
    @Test func oneSuitePerFlowOneCasePerCheckWithCounts() throws {
        let report = Report(title: "orders", runDir: "/runs", records: Fixture.failingRun)
        let root = try MiniXML.parse(JUnitReport.render(report))
        #expect(root.name == "testsuites")
        #expect(root["tests"] == "6")
        #expect(root["failures"] == "1")
        #expect(root["errors"] == "1")
        let suites = root.elements(named: "testsuite")
        #expect(suites.count == 1)
        let suite = try #require(suites.first)
        #expect(suite["name"] == "run r1")
        let cases = suite.elements(named: "testcase")
        // produce, connector wait (joins the only flow), 3 consume checks, verify-sink error.
        #expect(cases.map { "\($0["classname"]!)/\($0["name"]!)" } == [
            "produce/completes", "connector wait/completes", "consume/count", "consume/loss", "consume/latency_sla", "verify-sink/completes",
        ])
        #expect(cases.filter { !$0.elements(named: "failure").isEmpty }.count == Int(suite["failures"]!))
        #expect(cases.filter { !$0.elements(named: "error").isEmpty }.count == Int(suite["errors"]!))
        let failure = try #require(cases[3].elements(named: "failure").first)
        #expect(failure["message"] == "expected 0 missing, found 3 missing")
        #expect(failure.text.contains("expected: 0 missing"))
        #expect(failure.text.contains("found: 3 missing"))
        let error = try #require(cases[5].elements(named: "error").first)
        #expect(error["message"] == "table orders never reached 1000 rows")
    }

    @Test func groupsByRunIdAndByOwnSuiteName() throws {
        let records = [
            Fixture.record("produce", status: "passed", runId: "a", n: 0),
            Fixture.record("produce", status: "passed", runId: "b", n: 1),
            Fixture.record("connector wait", status: "passed", runId: nil, n: 2),
            Fixture.record("consume", status: "passed", runId: "a", checks: [Fixture.check(.count, true, "1", "1")],
                           extra: [("suite", .string("avro-flow"))], n: 3),
        ]
        let report = Report(title: "nightly", runDir: "/r", records: records)
        // Two run ids: a record with none cannot be placed in a flow and goes to the default suite.
        #expect(report.suites.map(\.name) == ["run a", "run b", "nightly", "avro-flow"])
        let root = try MiniXML.parse(JUnitReport.render(report))
        #expect(root.elements(named: "testsuite").count == 4)
    }

    @Test func repeatedChecksInOneFlowGetDistinctNames() {
        let consume = { (n: Int) in Fixture.record("consume", status: "passed", checks: [Fixture.check(.count, true, "1", "1")], n: n) }
        let report = Report(title: "t", runDir: "/r", records: [consume(0), consume(1)])
        #expect(report.testCases.map(\.name) == ["count", "count (2)"])
    }

    @Test func failedStatusWithoutFailedChecksStillFails() throws {
        let r = Fixture.record("consume", status: "failed", extra: [("failed_checks", .string("ordering"))])
        let cases = Report(title: "t", runDir: "/r", records: [r]).testCases
        #expect(cases.count == 1)
        #expect(cases[0].isFailure)
        let report = Report(title: "t", runDir: "/r", records: [r])
        #expect(!report.passed)
        #expect(report.status == "failed")
    }

    @Test func markupInNamesAndValuesRoundTrips() throws {
        let nasty = "a<b>&\"c\" 'd' ]]> \u{1}"
        let r = Fixture.record("consume", status: "failed", runId: nasty, checks: [Fixture.hostileCheck(nasty, false, nasty, "x\ny")])
        let xml = JUnitReport.render(Report(title: nasty, runDir: "/r", records: [r]))
        let root = try MiniXML.parse(xml)
        let testcase = try #require(root.elements(named: "testsuite").first?.elements(named: "testcase").first)
        let expectedText = "a<b>&\"c\" 'd' ]]> \u{FFFD}"  // the control character cannot be carried by XML 1.0
        #expect(root["name"] == expectedText)
        #expect(testcase["name"] == expectedText)
        #expect(testcase.elements(named: "failure").first?["message"] == "expected \(expectedText), found x\ny")
        #expect(!xml.contains("\u{1}"))
    }

    static let terraformJUnit = """
    <?xml version="1.0" encoding="UTF-8"?><testsuites>
      <testsuite name="tests/main.tftest.hcl" tests="2" skipped="0" failures="1" errors="0">
        <testcase name="ok" classname="tests/main.tftest.hcl" time="0.008" timestamp="2025-11-25T14:12:48Z"></testcase>
        <testcase name="bad" classname="tests/main.tftest.hcl" time="0.009" timestamp="2025-11-25T14:12:48Z">
          <failure message="1 of 1 assertions failed: n must be 1 &lt;for&gt; &amp; &#34;this&#34; test"><![CDATA[
    Error: Test assertion failed
    n must be 1 <for> & "this" test
    ]]></failure>
        </testcase>
      </testsuite>
    </testsuites>
    """

    @Test func mergesTerraformTestJUnit() throws {
        let path = NSTemporaryDirectory() + "tf-\(UUID().uuidString).xml"
        try Self.terraformJUnit.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let merged = try MergedJUnit.read(path: path)
        #expect(merged.tests == 2)
        #expect(merged.failures == 1)
        let report = Report(title: "t", runDir: "/r", records: Fixture.failingRun, merged: [merged])
        #expect(report.totals.tests == 8)
        #expect(report.totals.failures == 2)
        #expect(report.totals.errors == 1)
        let root = try MiniXML.parse(JUnitReport.render(report))
        #expect(root["tests"] == "8")
        let suites = root.elements(named: "testsuite")
        #expect(suites.map { $0["name"] } == ["run r1", "tests/main.tftest.hcl"])
        let failure = try #require(suites[1].elements(named: "testcase")[1].elements(named: "failure").first)
        #expect(failure["message"] == "1 of 1 assertions failed: n must be 1 <for> & \"this\" test")
        #expect(failure.text.contains("n must be 1 <for> & \"this\" test"))
        #expect(report.failedCases.contains { $0.testCase.name == "bad" })
    }

    @Test func mergedPassingTerraformStillPassesAndSingleSuiteRootIsAccepted() throws {
        let path = NSTemporaryDirectory() + "tf-\(UUID().uuidString).xml"
        try #"<testsuite name="x" tests="1"><testcase name="ok" classname="x"/></testsuite>"#.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = Report(title: "t", runDir: "/r", records: [Fixture.record("produce", status: "passed")], merged: [try MergedJUnit.read(path: path)])
        #expect(report.passed)
        #expect(report.totals.tests == 2)
    }

    @Test func rejectsMalformedJUnitNamingTheFile() throws {
        let path = NSTemporaryDirectory() + "bad-\(UUID().uuidString).xml"
        try "<testsuites><testsuite></testsuites>".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try MergedJUnit.read(path: path) } throws: { "\($0)".contains(path) && "\($0)".contains("not well-formed") }
        #expect { try MergedJUnit.read(path: "/nonexistent/x.xml") } throws: { "\($0)".contains("/nonexistent/x.xml") }
    }
}

@Suite struct MiniXMLTests {
    @Test func parsesEntitiesCDATACommentsAndAttributes() throws {
        let root = try MiniXML.parse("<?xml version=\"1.0\"?><!-- c --><a x='1&amp;2' y=\"&#x41;&#66;\"><b>t&lt;</b><![CDATA[<raw>]]><c/></a>")
        #expect(root["x"] == "1&2")
        #expect(root["y"] == "AB")
        #expect(root.elements.map(\.name) == ["b", "c"])
        #expect(root.text == "t<<raw>")
    }

    @Test(arguments: ["<a><b></a>", "<a x=1/>", "<a>", "<a/><b/>", "<a>&bogus;</a>", "<a x='1' x='2'/>"])
    func rejectsMalformedXML(_ text: String) {
        #expect(throws: MiniXML.ParseError.self) { try MiniXML.parse(text) }
    }
}

@Suite struct HTMLTests {
    @Test func escapesEverythingFromRecords() {
        let evil = "<script>alert(1)</script>"
        let records = [
            Fixture.record("consume", status: "failed", runId: evil, checks: [Fixture.hostileCheck(evil, false, "\"><img src=x onerror=alert(1)>", evil)],
                           extra: [("topic", .string(evil))]),
            Fixture.record("verify-sink", status: "error", runId: evil, error: evil),
        ]
        let html = HTMLReport.render(Report(title: evil, runDir: evil, records: records), pipelineURL: "javascript:alert(1)")
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("javascript:"))
    }

    @Test func selfContainedAndNumbersTaggedWithTheirSummaryPath() throws {
        let report = Report(title: "t", runDir: "/r", records: Fixture.failingRun)
        let html = HTMLReport.render(report)
        for external in ["src=\"http", "href=\"http", "<link", "<script", "@import", "url(http"] {
            #expect(!html.contains(external), "\(external)")
        }
        #expect(html.contains("<svg"))
        #expect(html.contains("<span data-json=\"metrics.consume.0.latency_ms_p99\">80.25</span>"))
        #expect(html.contains("data-json=\"totals.tests\">6<"))
        // Every tagged path resolves in the JSON summary.
        let summary = report.summaryJSON()
        let paths = html.components(separatedBy: "data-json=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(!paths.isEmpty)
        for path in paths {
            var value: JSONValue? = summary
            for part in path.split(separator: ".") {
                if let index = Int(part) { value = value?.arrayValue.flatMap { index < $0.count ? $0[index] : nil } } else { value = value?[String(part)] }
            }
            #expect(value?.doubleValue != nil, "\(path)")
        }
    }

    @Test func histogramTakesTheInfBucketAndTrimsEmptyEnds() throws {
        let buckets: [JSONValue] = [(0.5, 0), (1, 4), (2, 0), (5, 9), (10, 0)].map { le, n in
            .object([("le_ms", .double(le)), ("count", .int(Int64(n)))])
        } + [.object([("le_ms", .string("inf")), ("count", .int(2))])]
        let r = Fixture.record("consume", status: "passed", checks: [], extra: [("messages_consumed", .int(15)), ("latency_histogram", .array(buckets))])
        let report = Report(title: "t", runDir: "/r", records: [r])
        let histogram = try #require(report.metrics.consume.first?.histogram)
        #expect(histogram.map(\.leMs) == [1, 2, 5, 10, .infinity])
        let html = HTMLReport.render(report)
        #expect(html.contains(">more</text>"))
        #expect(html.contains("<title>≤5: 9</title>"))
    }

    @Test func flowDiagramDrawsOnlyThePresentSteps() {
        let report = Report(title: "t", runDir: "/r", records: Fixture.failingRun)
        let roles = FlowDiagram(suite: report.suites[0], metrics: report.metrics).nodes.map(\.role)
        #expect(roles == ["producer", "topic", "sink connector", "consumer"])
        let consumeOnly = Report(title: "t", runDir: "/r", records: [Fixture.record("consume", status: "passed", checks: [])])
        #expect(FlowDiagram(suite: consumeOnly.suites[0], metrics: consumeOnly.metrics).nodes.map(\.role) == ["consumer"])
    }
}

@Suite struct MarkdownTests {
    @Test func verdictCountsAndFailedChecks() {
        let md = MarkdownReport.render(Report(title: "orders", runDir: "/r", records: Fixture.failingRun), pipelineURL: "https://ci/p/1")
        #expect(md.hasPrefix("### streamcheck: ❌ error — orders\n"))
        #expect(md.contains("| 6 | 4 | 1 | 1 | 0 | 4 |"))
        #expect(md.contains("| run r1 | consume | loss | expected 0 missing, found 3 missing |"))
        #expect(md.contains("| run r1 | verify-sink | completes | error: table orders never reached 1000 rows |"))
        #expect(md.contains("[Pipeline](https://ci/p/1)"))
    }

    @Test func passingRunHasNoFailureTable() {
        let md = MarkdownReport.render(Report(title: "t", runDir: "/r", records: [Fixture.record("produce", status: "passed")]))
        #expect(md.contains("✅ passed"))
        #expect(!md.contains("Failed checks"))
    }

    @Test func cellsCannotBreakTheTableOrInjectHTML() {
        #expect(MarkdownReport.cell("a|b\nc<img>") == "a\\|b c&lt;img&gt;")
        #expect(!MarkdownReport.cell("x\r\ny").contains("\n"))
    }
}

@Suite struct RunRecordReadingTests {
    @Test func readsWhatRunRecordWrites() throws {
        let dir = NSTemporaryDirectory() + "run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let start = Date(timeIntervalSince1970: 1_764_079_200)
        try RunRecord.write(directory: dir, operation: "consume", startedAt: start, finishedAt: start.addingTimeInterval(2),
                            status: "failed", error: nil, result: .object([("run_id", .string("x1")), ("checks", .array([Fixture.check(.count, false, "10", "9")]))]))
        try RunRecord.write(directory: dir, operation: "report", startedAt: start.addingTimeInterval(3), finishedAt: start.addingTimeInterval(3),
                            status: "failed", error: nil, result: nil)
        let records = try RunDirectory.load(dir)
        // The report's own record is not part of the run.
        #expect(records.map(\.operation) == ["consume"])
        #expect(records[0].durationMs == 2000)
        #expect(records[0].runId == "x1")
        #expect(Report(title: "t", runDir: dir, records: records).totals.failures == 1)
    }

    @Test func badRecordsAreNamedByPath() throws {
        let dir = NSTemporaryDirectory() + "run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect { try RunDirectory.load(dir) } throws: { "\($0)".contains("holds no run records") }
        try "{not json".write(toFile: dir + "/a.json", atomically: true, encoding: .utf8)
        #expect { try RunDirectory.load(dir) } throws: { "\($0)".contains(dir + "/a.json") && "\($0)".contains("not valid JSON") }
        try "{\"x\":1}".write(toFile: dir + "/a.json", atomically: true, encoding: .utf8)
        #expect { try RunDirectory.load(dir) } throws: { "\($0)".contains("no \"operation\" field") }
        #expect { try RunDirectory.load(dir + "/missing") } throws: { "\($0)".contains("does not exist") }
    }

    @Test func toleratesMissingFields() throws {
        let r = try LoadedRecord.parse(#"{"operation":"consume","result":{"passed":false}}"#, path: "p")
        #expect(r.status == "failed")
        let report = Report(title: "t", runDir: "/r", records: [r])
        #expect(report.totals.failures == 1)
        _ = HTMLReport.render(report)
        _ = report.summaryJSON()
    }
}

@Suite struct NotificationTests {
    @Test func slackBlocksHaveHeaderCountsFailuresAndLink() throws {
        let report = Report(title: "orders <prod>", runDir: "/r", records: Fixture.failingRun)
        let payload = NotificationMessages.slackPayload(report, pipelineURL: "https://gitlab.example.com/p/-/pipelines/7")
        let blocks = try #require(payload["blocks"]?.arrayValue)
        #expect(blocks.map { $0["type"]?.stringValue } == ["header", "section", "section", "actions"])
        #expect(blocks[0]["text"]?["text"]?.stringValue == "❌ streamcheck ERROR: orders <prod>")  // plain_text needs no escaping
        let failed = try #require(blocks[2]["text"]?["text"]?.stringValue)
        #expect(failed.contains("run r1 / consume / loss: expected 0 missing, found 3 missing"))
        #expect(blocks[3]["elements"]?.arrayValue?.first?["url"]?.stringValue == "https://gitlab.example.com/p/-/pipelines/7")
        #expect(NotificationMessages.slackEscape("<!channel> & co") == "&lt;!channel&gt; &amp; co")
        // No link button for something that is not a web URL.
        let noLink = NotificationMessages.slackPayload(report, pipelineURL: "javascript:x")
        #expect(noLink["blocks"]?.arrayValue?.contains { $0["type"]?.stringValue == "actions" } == false)
    }

    @Test func emailHeadersCannotBeInjected() {
        let report = Report(title: "t\r\nBcc: evil@x", runDir: "/r", records: [Fixture.record("produce", status: "passed")])
        let subject = NotificationMessages.emailSubject(report, prefix: "[ci]\r\nBcc: evil@x")
        #expect(!subject.contains("\r") && !subject.contains("\n"))
        let text = String(decoding: NotificationMessages.emailMessage(from: "a@b", to: ["c@d", "e@f"], subject: subject, body: "ok\n", messageID: "m@s"), as: UTF8.self)
        let headerBlock = text.components(separatedBy: "\r\n\r\n")[0]
        #expect(!headerBlock.contains("\r\nBcc:"))
        #expect(headerBlock.contains("To: <c@d>, <e@f>"))
        #expect(NotificationMessages.isPlainAddress("ops@example.com"))
        for bad in ["a", "a@", "@b", "a b@c", "a@b>", "a@b,c@d", "a@b\r\n"] { #expect(!NotificationMessages.isPlainAddress(bad), "\(bad)") }
    }

    @Test func nonASCIISubjectIsAnEncodedWord() {
        let text = String(decoding: NotificationMessages.emailMessage(from: "a@b", to: ["c@d"], subject: "prüfung", body: "ü", messageID: "m@s"), as: UTF8.self)
        #expect(text.contains("Subject: =?UTF-8?B?" + Data("prüfung".utf8).base64EncodedString() + "?="))
        let allASCII = text.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(allASCII)
    }

    @Test func retriesAreBoundedWithGrowingBackoff() {
        var delays: [Double] = []
        var calls = 0
        let outcome = Retry.run(retries: 4, sleep: { delays.append($0) }) { calls += 1; return .retry("down") }
        #expect(calls == 5)
        #expect(outcome.attempts == 5)
        #expect(outcome.failure == "down")
        #expect(delays == [0.5, 1, 2, 4])
        #expect(Retry.delay(afterAttempt: 10) == 8)

        calls = 0
        let permanent = Retry.run(retries: 4, sleep: { _ in }) { calls += 1; return .fail("HTTP 404") }
        #expect(calls == 1 && permanent.failure == "HTTP 404")

        calls = 0
        let later = Retry.run(retries: 4, sleep: { _ in }) { calls += 1; return calls < 3 ? .retry("x") : .done }
        #expect(later.attempts == 3 && later.failure == nil)
    }
}

@Suite("Report fixtures")
struct ReportFixtureTests {
    /// The run-dir fixtures the report suite (60-reports.sh) reads are checked against the result
    /// model: every check they name is one an operation emits, every status one RunRecord writes.
    @Test("the run-dir fixtures name only checks and statuses the code produces")
    func fixturesMatchTheResultModel() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("tests/fixtures/run-dir").path
        let files = FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") } ?? []
        #expect(files.count >= 10)
        let known = Set(CheckName.allCases.map(\.rawValue))
        for file in files {
            let data = try #require(FileManager.default.contents(atPath: dir + "/" + file))
            let record = try JSONValue.parse(bytes: [UInt8](data))
            #expect(["passed", "failed", "error"].contains(record["status"]?.stringValue ?? ""), "\(file)")
            for check in record["result"]?["checks"]?.arrayValue ?? [] {
                let name = check["name"]?.stringValue ?? ""
                #expect(known.contains(name), "\(file) names check '\(name)', which no operation emits")
            }
            for name in (record["result"]?["failed_checks"]?.stringValue ?? "").split(separator: ",") {
                #expect(known.contains(String(name)), "\(file) lists failed check '\(name)'")
            }
        }
    }
}
