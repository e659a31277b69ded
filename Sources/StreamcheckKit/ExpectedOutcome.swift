import TerraformIO

/// A negative test states what it expects: exactly these checks fail
/// (`expect_failed_checks`), or the operation fails with this error (`expect_error`). Then the
/// operation passes when that happens, and fails when it does not, so the exit code, the run
/// record (and so the JUnit file and the HTML report) and Terraform's asserts say the same.
public struct ExpectedOutcome: Sendable {
    public var failedChecks: [String]?
    public var errorContaining: String?

    public static let parameters: [ParameterSpec] = [
        ParameterSpec("expect_failed_checks", .string, help: "A negative test: the comma-separated checks that must fail, exactly (e.g. integrity or count,loss). The operation then passes when exactly those fail and fails otherwise; the result says as_expected."),
        ParameterSpec("expect_error", .string, help: "A negative test: the operation must fail with an error containing this text. It then passes (exit 0, status passed, the error kept in the result); if it succeeds or fails otherwise, that is the failure."),
    ]

    public init(failedChecks: [String]? = nil, errorContaining: String? = nil) {
        self.failedChecks = failedChecks.map { Array(Set($0)).sorted() }
        self.errorContaining = errorContaining
    }

    public init(_ p: Parameters) throws {
        if let text = p.string("expect_failed_checks") {
            let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !names.isEmpty else {
                throw ParameterError("'\(p.name("expect_failed_checks"))' is empty: name the checks that must fail, e.g. integrity or count,loss")
            }
            if let unknown = names.first(where: { CheckName(rawValue: $0) == nil }) {
                throw ParameterError("'\(p.name("expect_failed_checks"))' names '\(unknown)', which no operation checks; checks are \(CheckName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            failedChecks = Array(Set(names)).sorted()
        }
        errorContaining = p.string("expect_error").flatMap { $0.isEmpty ? nil : $0 }
        if failedChecks != nil && errorContaining != nil {
            throw ParameterError("'\(p.name("expect_failed_checks"))' and '\(p.name("expect_error"))' contradict each other: an operation that fails with an error runs no checks")
        }
    }

    public var isEmpty: Bool { failedChecks == nil && errorContaining == nil }

    public enum Judged {
        case success(OperationOutcome)
        case failure(message: String, partial: JSONValue?)
    }

    /// The operation's own result or error, judged against what was expected.
    public func judge(_ result: Result<OperationOutcome, StreamcheckError>, operation: String) -> Judged {
        switch result {
        case let .success(outcome):
            if errorContaining != nil {
                return .failure(message: "expected an error containing '\(errorContaining!)', but \(operation) succeeded: \(outcome.summary)",
                                partial: outcome.result)
            }
            guard let expected = failedChecks else { return .success(outcome) }
            guard outcome.passed != nil else {
                return .failure(message: "expect_failed_checks needs an operation that runs checks; \(operation) runs none", partial: outcome.result)
            }
            let failed = (outcome.result["failed_checks"]?.stringValue ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty }
            let asExpected = Set(failed) == Set(expected)
            let result = outcome.result.adding([
                ("expected_failed_checks", .string(expected.joined(separator: ","))), ("as_expected", .bool(asExpected)),
            ])
            let note = asExpected
                ? "; failed as expected: \(expected.joined(separator: ","))"
                : "; NOT as expected: \(expected.joined(separator: ",")) should fail, and \(failed.isEmpty ? "none" : failed.joined(separator: ",")) did"
            return .success(OperationOutcome(result: result, passed: asExpected, summary: outcome.summary + note))
        case let .failure(error):
            guard let text = errorContaining else { return .failure(message: error.message, partial: error.partialResult) }
            guard error.message.contains(text) else {
                return .failure(message: "\(error.message) (expected an error containing '\(text)')", partial: error.partialResult)
            }
            let result = (error.partialResult ?? .object([])).adding([
                ("error", .string(error.message)), ("expected_error", .string(text)), ("as_expected", .bool(true)),
            ])
            return .success(OperationOutcome(result: result, passed: true, summary: "failed as expected: \(error.message)"))
        }
    }
}

extension JSONValue {
    /// This object with `fields` set (replaced where present, appended otherwise).
    func adding(_ fields: [(String, JSONValue)]) -> JSONValue {
        var object = objectValue ?? []
        for (key, value) in fields {
            if let i = object.firstIndex(where: { $0.0 == key }) { object[i].1 = value } else { object.append((key, value)) }
        }
        return .object(object)
    }
}
