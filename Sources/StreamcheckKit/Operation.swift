import Foundation
import TerraformIO

/// A failure that stops an operation: one actionable line for stderr, never a secret.
public struct StreamcheckError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// A partial result to record even though the operation failed (for example what was
    /// delivered before a broker stayed down).
    public let partialResult: JSONValue?
    public init(_ message: String, partialResult: JSONValue? = nil) {
        self.message = message
        self.partialResult = partialResult
    }
    public var description: String { message }
}

/// Every check name any operation can emit: the one list reports, fixtures and
/// `expect_failed_checks` are checked against, so reader and writer cannot drift apart unseen.
public enum CheckName: String, CaseIterable, Sendable {
    // consume
    case count, integrity, ordering, duplicates, loss, latency_sla, exclusive_assignment, schema_compliance
    // verify-sink (also integrity, duplicates)
    case row_count, record_count, key_set, columns, decodable
    // connector wait
    case connector_state, task_states
    // lag --require-caught-up
    case caught_up
}

/// One named check of a verification, as reports show it.
public struct Check: Sendable {
    public let name: String
    public let passed: Bool
    public let expected: String
    public let found: String
    public init(name: CheckName, passed: Bool, expected: String, found: String) {
        self.name = name.rawValue
        self.passed = passed
        self.expected = expected
        self.found = found
    }

    public var json: JSONValue {
        .object([("name", .string(name)), ("passed", .bool(passed)), ("expected", .string(expected)), ("found", .string(found))])
    }
}

/// What every operation returns: a typed result object, whether its checks passed, and a
/// human summary. The CLI writes the summary to stderr and the result to --result-file; the
/// external data source flattens the result onto stdout.
public struct OperationOutcome: Sendable {
    public let result: JSONValue
    /// nil for operations that check nothing (broker start); false when a verification failed.
    public let passed: Bool?
    public let summary: String

    public init(result: JSONValue, passed: Bool? = nil, summary: String) {
        self.result = result
        self.passed = passed
        self.summary = summary
    }
}

/// An operation as both shells see it: its words (`["connector", "wait"]`), parameters and body.
public struct OperationDefinition: Sendable {
    public let words: [String]
    public let summary: String
    public let parameters: [ParameterSpec]
    public let run: @Sendable (Parameters) throws -> OperationOutcome

    public init(words: [String], summary: String, parameters: [ParameterSpec], run: @escaping @Sendable (Parameters) throws -> OperationOutcome) {
        self.words = words
        self.summary = summary
        self.parameters = parameters + OperationDefinition.commonParameters
        self.run = run
    }

    public var name: String { words.joined(separator: " ") }

    /// Handled by the shells for every operation.
    public static let commonParameters: [ParameterSpec] = [
        ParameterSpec("result_file", .path, help: "Write the result as one typed JSON object to this path (for jsondecode(file(...)))."),
        ParameterSpec("report_dir", .directory, help: "Record this operation's result in this run directory for `streamcheck report` (default: $STREAMCHECK_REPORT_DIR)."),
    ] + ExpectedOutcome.parameters

    /// Help text listing every parameter with its allowed values.
    public var parameterHelp: String {
        var lines = ["Parameters (flag / query key):"]
        for spec in parameters {
            let req = spec.required ? " (required)" : ""
            lines.append("  \(spec.flag) / \(spec.key)\(req)")
            lines.append("      \(spec.help) Allowed: \(spec.allowedValues).")
        }
        if parameters.contains(where: { $0.key == "kafka_config" }) {
            lines.append("  -X key=value is short for --kafka-config key=value.")
        }
        return lines.joined(separator: "\n")
    }
}
