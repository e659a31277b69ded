import Foundation
import TerraformIO

extension Operations {
    /// verify-sink postgres|s3 and seed-source s3.
    public static let sinkOperations: [OperationDefinition] = [verifySinkPostgres, verifySinkS3, seedSourceS3]
}

/// Parameters and result assembly shared by the sink verifications.
enum SinkParameters {
    static let manifest = ParameterSpec("manifest", .path, required: true,
                                        help: "The manifest written by produce or seed-source; the sink is compared with the records it describes.")
    static let transforms = ParameterSpec("transforms", .string,
                                          help: "What the connector's transforms do, as a JSON array of steps or a path to a JSON file (see docs/sinks.md): rename, drop, cast, insert, mask, flatten.")
    static let timeout = ParameterSpec("timeout", .duration(0.1...86_400),
                                       help: "Bound for the whole verification, polling included (default 60s).")
    static let waitForComplete = ParameterSpec("wait_for_complete", .boolean,
                                               help: "Re-read a sink that is still filling until every expected record is there or the timeout passes (default true).")
    static let pollInterval = ParameterSpec("poll_interval", .duration(0.05...600), help: "Pause between reads while waiting (default 1s).")
    static let deliveryGuarantee = DeliveryGuarantee.kindSpec
    static let maxRedelivered = DeliveryGuarantee.maxSpec
    static let ignoreFields = ParameterSpec("ignore_fields", .list, help: "Record fields not to compare (the sink does not keep them).")
    /// How every verify-sink compares and waits, after its own target parameters.
    static let comparing = [ignoreFields, transforms, timeout, waitForComplete, deliveryGuarantee, maxRedelivered, pollInterval]

    static func transformChain(_ p: Parameters) throws -> TransformChain {
        guard let text = p.string("transforms") else { return TransformChain([]) }
        do { return try TransformChain.load(parameter: text) } catch let error as TransformError {
            throw StreamcheckError("'\(p.name("transforms"))': \(error)")
        }
    }

    /// Common result shape of verify-sink: passed, failed_checks, checks[], counts, samples.
    static func outcome(operation: String, target: String, comparison: SinkComparison, extraChecks: [Check], countName: CheckName,
                        rowsName: String, guarantee: DeliveryGuarantee, leading: [(String, JSONValue)], trailing: [(String, JSONValue)]) -> OperationOutcome {
        let checks = comparison.checks(countName: countName, guarantee: guarantee) + extraChecks
        let failed = checks.filter { !$0.passed }.map(\.name)
        let passed = failed.isEmpty
        var members = leading
        members += [("passed", .bool(passed)), ("failed_checks", .string(failed.joined(separator: ",")))]
        members += comparison.resultMembers(rowsName: rowsName)
        members += guarantee.resultMembers
        members += trailing
        members.append(("checks", .array(checks.map(\.json))))
        let counts = "\(comparison.foundCount) of \(comparison.expectedCount) \(rowsName)"
        let summary = passed
            ? "\(operation): \(target) holds \(counts), all as expected (\(guarantee.kind.rawValue)\(comparison.duplicates.isEmpty ? "" : ", \(comparison.duplicates.count) redelivered copies"))"
            : "\(operation): FAILED \(failed.joined(separator: ", ")): \(target) holds \(counts); missing \(comparison.missing.count), unexpected \(comparison.unexpected.count), duplicates \(comparison.duplicates.count), mismatched \(comparison.mismatched) (\(guarantee.kind.rawValue))"
        return OperationOutcome(result: .object(members), passed: passed, summary: summary)
    }
}

/// A bound on the whole operation, for polling.
struct Deadline {
    let start = Date()
    let seconds: Double
    var remaining: Double { max(0, seconds - Date().timeIntervalSince(start)) }
    var passed: Bool { remaining <= 0 }
    var elapsedMs: Int { Int(Date().timeIntervalSince(start) * 1000) }
}
