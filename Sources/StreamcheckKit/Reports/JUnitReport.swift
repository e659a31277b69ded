import Foundation
import TerraformIO

/// JUnit XML as GitLab's test report parser reads it: one <testsuite> per flow, one <testcase>
/// per check per operation (classname = operation, name = check, file = the run record),
/// <failure> with what was expected and what was found, <error> for an operation that failed.
/// Suites from merged files (terraform test) follow unchanged.
public enum JUnitReport {
    public static func render(_ report: Report) -> String {
        var suites: [MiniXML.Element] = report.suites.map(element(for:))
        for merged in report.merged { suites += merged.suites }
        let t = report.totals
        let root = MiniXML.Element("testsuites", [
            ("name", report.title),
            ("tests", String(t.tests)),
            ("failures", String(t.failures)),
            ("errors", String(t.errors)),
            ("skipped", String(t.skipped)),
            ("time", seconds(report.suites.reduce(0) { $0 + $1.durationMs } / 1000)),
        ], suites.map { .element($0) })
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.serialized() + "\n"
    }

    static func element(for suite: ReportSuite) -> MiniXML.Element {
        let cases = suite.testCases
        var attributes: [(String, String)] = [
            ("name", suite.name),
            ("tests", String(cases.count)),
            ("failures", String(cases.filter(\.isFailure).count)),
            ("errors", String(cases.filter(\.isError).count)),
            ("skipped", "0"),
            ("time", seconds(suite.durationMs / 1000)),
        ]
        if let first = suite.steps.first?.record.startedAt { attributes.append(("timestamp", first)) }
        var children: [MiniXML.Node] = []
        if let runId = suite.runId {
            children.append(.element(MiniXML.Element("properties", [], [
                .element(MiniXML.Element("property", [("name", "run_id"), ("value", runId)])),
            ])))
        }
        for c in cases {
            var testcase = MiniXML.Element("testcase", [
                ("classname", c.classname), ("name", c.name), ("file", c.file), ("time", seconds(c.seconds)),
            ])
            switch c.outcome {
            case .passed: break
            case let .failure(message, detail):
                testcase.children.append(.element(MiniXML.Element("failure", [("message", message), ("type", "check")], [.text(detail)])))
            case let .error(message, detail):
                testcase.children.append(.element(MiniXML.Element("error", [("message", message), ("type", "operation")], [.text(detail)])))
            }
            children.append(.element(testcase))
        }
        return MiniXML.Element("testsuite", attributes, children)
    }

    static func seconds(_ s: Double) -> String { String(format: "%.3f", max(0, s)) }
}
