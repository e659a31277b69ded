import Foundation
import TerraformIO

/// One check of an operation, read from its result's `checks` array.
public struct ReportCheck: Sendable {
    public let name: String
    public let passed: Bool
    public let expected: String
    public let found: String
}

/// One operation of a run, with the test cases it contributes.
public struct ReportStep: Sendable {
    public let record: LoadedRecord
    public let checks: [ReportCheck]
    public var operation: String { record.operation }
    public var result: JSONValue? { record.result }

    init(record: LoadedRecord) {
        self.record = record
        self.checks = (record.result?["checks"]?.arrayValue ?? []).enumerated().map { index, check in
            ReportCheck(
                name: nonEmpty(check["name"]?.stringValue) ?? "check \(index + 1)",
                passed: check["passed"]?.boolValue ?? false,
                expected: Report.text(check["expected"]),
                found: Report.text(check["found"]))
        }
    }

    /// The test cases GitLab shows: one per check; operations that check nothing (produce,
    /// connector wait) show as one case that says whether they completed.
    public func testCases() -> [TestCase] {
        let file = record.path
        let seconds = (record.durationMs ?? 0) / 1000
        if record.status == "error" {
            let message = record.error ?? "the operation failed without a message"
            return [TestCase(classname: operation, name: "completes", file: file, seconds: seconds,
                             outcome: .error(message: message, detail: "\(operation) failed: \(message)\nrun record: \(file)"))]
        }
        // A negative test that failed exactly as it said it would: its failed checks are the
        // expected outcome, so they pass here as they pass in Terraform.
        let expectedToFail: Set<String> = record.result?["as_expected"]?.boolValue == true
            ? Set((record.result?["expected_failed_checks"]?.stringValue ?? "").split(separator: ",").map(String.init)) : []
        var cases: [TestCase] = checks.enumerated().map { index, check in
            if !check.passed && expectedToFail.contains(check.name) {
                return TestCase(classname: operation, name: "\(check.name) fails as expected", file: file,
                                seconds: index == 0 ? seconds : 0, outcome: .passed)
            }
            let outcome: TestCase.Outcome = check.passed ? .passed : .failure(
                message: "expected \(check.expected), found \(check.found)",
                detail: "check \(check.name) of \(operation) failed\nexpected: \(check.expected)\nfound: \(check.found)\nrun record: \(file)")
            // The operation's time goes on its first case so a suite's total time adds up.
            return TestCase(classname: operation, name: check.name, file: file, seconds: index == 0 ? seconds : 0, outcome: outcome)
        }
        if record.status == "failed", !cases.contains(where: \.isFailure) {
            let failed = nonEmpty(record.result?["failed_checks"]?.stringValue)
            var message = failed.map { "failed checks: \($0)" } ?? "the operation reported a failed verification"
            if record.result?["as_expected"]?.boolValue == false, let expected = record.result?["expected_failed_checks"]?.stringValue {
                message = "expected exactly \(expected) to fail, but \(failed ?? "none") failed"
            }
            cases.append(TestCase(classname: operation, name: "passes", file: file, seconds: cases.isEmpty ? seconds : 0,
                                  outcome: .failure(message: message, detail: "\(operation): \(message)\nrun record: \(file)")))
        }
        if cases.isEmpty {
            let expectedError = record.result?["expected_error"]?.stringValue != nil
            cases.append(TestCase(classname: operation, name: expectedError ? "fails as expected" : "completes", file: file, seconds: seconds, outcome: .passed))
        }
        return cases
    }
}

public struct TestCase: Sendable {
    public enum Outcome: Sendable {
        case passed
        case failure(message: String, detail: String)
        case error(message: String, detail: String)
    }
    public var classname: String
    public var name: String
    public var file: String
    public var seconds: Double
    public var outcome: Outcome

    public var isFailure: Bool { if case .failure = outcome { return true }; return false }
    public var isError: Bool { if case .error = outcome { return true }; return false }
}

/// The operations of one flow (one run id, or one named suite).
public struct ReportSuite: Sendable {
    public let name: String
    public let runId: String?
    public let steps: [ReportStep]

    public var testCases: [TestCase] {
        var seen: [String: Int] = [:]
        return steps.flatMap { $0.testCases() }.map { testCase in
            // Two consumes in one flow would show as the same test; number the repeats.
            var testCase = testCase
            let key = testCase.classname + "\u{0}" + testCase.name
            let count = (seen[key] ?? 0) + 1
            seen[key] = count
            if count > 1 { testCase.name += " (\(count))" }
            return testCase
        }
    }

    public var durationMs: Double { steps.reduce(0) { $0 + ($1.record.durationMs ?? 0) } }
}

/// A JUnit file merged into the report (`terraform test -junit-xml`).
public struct MergedJUnit: Sendable {
    public let file: String
    public let suites: [MiniXML.Element]

    public var testCases: [MiniXML.Element] { suites.flatMap { $0.elements(named: "testcase") } }
    public var tests: Int { testCases.count }
    public var failures: Int { testCases.filter { !$0.elements(named: "failure").isEmpty }.count }
    public var errors: Int { testCases.filter { !$0.elements(named: "error").isEmpty }.count }
    public var skipped: Int { testCases.filter { !$0.elements(named: "skipped").isEmpty }.count }

    /// Reads a JUnit file: a <testsuites> root, or a single <testsuite>.
    public static func read(path: String) throws -> MergedJUnit {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StreamcheckError("cannot read JUnit file \(path) given to --merge-junit: check the path (terraform test -junit-xml=FILE writes it)")
        }
        let root: MiniXML.Element
        do { root = try MiniXML.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw StreamcheckError("JUnit file \(path) given to --merge-junit is not well-formed XML (\(error))")
        }
        switch root.name {
        case "testsuites": return MergedJUnit(file: path, suites: root.elements(named: "testsuite"))
        case "testsuite": return MergedJUnit(file: path, suites: [root])
        default:
            throw StreamcheckError("JUnit file \(path) given to --merge-junit has root <\(root.name)>; expected <testsuites> or <testsuite>")
        }
    }
}

/// Everything `streamcheck report` knows about a run directory.
public struct Report: Sendable {
    public let title: String
    public let runDir: String
    public let suites: [ReportSuite]
    public let merged: [MergedJUnit]
    public let generatedAt: Date

    public init(title: String, runDir: String, records: [LoadedRecord], merged: [MergedJUnit] = [], generatedAt: Date = Date()) {
        self.title = title
        self.runDir = runDir
        self.merged = merged
        self.generatedAt = generatedAt
        self.suites = Report.group(records, defaultName: title)
    }

    /// Records group by their own `suite` name, else by run id. Records with neither (a
    /// connector wait) belong to the only flow when there is one, else to the default suite.
    static func group(_ records: [LoadedRecord], defaultName: String) -> [ReportSuite] {
        func key(_ r: LoadedRecord) -> String? { r.suite ?? r.runId.map { "run \($0)" } }
        var order: [String] = []
        var members: [String: [LoadedRecord]] = [:]
        var runIds: [String: String] = [:]
        let keys = Set(records.compactMap(key))
        for record in records {
            let k = key(record) ?? (keys.count == 1 ? keys.first! : defaultName)
            if members[k] == nil { order.append(k) }
            members[k, default: []].append(record)
            if runIds[k] == nil, let id = record.runId { runIds[k] = id }
        }
        return order.map { ReportSuite(name: $0, runId: runIds[$0], steps: members[$0]!.map(ReportStep.init)) }
    }

    public var steps: [ReportStep] { suites.flatMap(\.steps) }
    public var testCases: [TestCase] { suites.flatMap(\.testCases) }

    public struct Totals: Sendable, Equatable {
        public var operations = 0, tests = 0, passed = 0, failures = 0, errors = 0, skipped = 0
    }

    public var totals: Totals {
        var t = Totals()
        t.operations = steps.count
        for c in testCases {
            t.tests += 1
            if c.isFailure { t.failures += 1 } else if c.isError { t.errors += 1 } else { t.passed += 1 }
        }
        for m in merged {
            t.tests += m.tests
            t.failures += m.failures
            t.errors += m.errors
            t.skipped += m.skipped
            t.passed += m.tests - m.failures - m.errors - m.skipped
        }
        return t
    }

    public var passed: Bool { let t = totals; return t.failures == 0 && t.errors == 0 }
    public var status: String {
        let t = totals
        return t.errors > 0 ? "error" : t.failures > 0 ? "failed" : "passed"
    }

    public struct FailedCase: Sendable {
        public let suite: String
        public let testCase: TestCase
    }

    /// Failed and errored cases, merged ones included, in report order.
    public var failedCases: [FailedCase] {
        var out: [FailedCase] = []
        for suite in suites {
            for c in suite.testCases where c.isFailure || c.isError { out.append(FailedCase(suite: suite.name, testCase: c)) }
        }
        for m in merged {
            for s in m.suites {
                for c in s.elements(named: "testcase") {
                    let problem = c.elements(named: "failure").first ?? c.elements(named: "error").first
                    guard let problem else { continue }
                    let message = nonEmpty(problem["message"]) ?? nonEmpty(problem.text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "failed"
                    let testCase = TestCase(
                        classname: c["classname"] ?? s["name"] ?? "terraform test", name: c["name"] ?? "?", file: m.file,
                        seconds: 0, outcome: problem.name == "error" ? .error(message: message, detail: message) : .failure(message: message, detail: message))
                    out.append(FailedCase(suite: s["name"] ?? m.file, testCase: testCase))
                }
            }
        }
        return out
    }

    /// Any JSON value as one line of text for "expected"/"found".
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return ""
        case let .string(s)?: return s
        case let v?: return v.encoded()
        }
    }
}
