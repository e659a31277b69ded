import Foundation
import TerraformIO

/// One operation's outcome as recorded in a run directory (`--report-dir` or
/// $STREAMCHECK_REPORT_DIR). `streamcheck report` reads these files back.
public enum RunRecord {
    public static let environmentVariable = "STREAMCHECK_REPORT_DIR"

    public static func directory(explicit: String?) -> String? {
        if let explicit, !explicit.isEmpty { return explicit }
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty { return env }
        return nil
    }

    /// status: "passed", "failed" (a verification found problems) or "error" (the operation failed).
    public static func write(
        directory: String, operation: String, startedAt: Date, finishedAt: Date,
        status: String, error: String?, result: JSONValue?
    ) throws {
        let stamp = String(format: "%.6f", startedAt.timeIntervalSince1970).replacingOccurrences(of: ".", with: "")
        let slug = operation.replacingOccurrences(of: " ", with: "-")
        // Whatever a result says its run id is, the file name stays inside the directory.
        let runId = String((result?["run_id"]?.stringValue ?? "").prefix(100).map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_") ? c : "_"
        })
        let file = "\(directory)/\(stamp)-\(slug)\(runId.isEmpty ? "" : "-" + runId)-\(getpid()).json"
        let record = JSONValue.object([
            ("operation", .string(operation)),
            ("started_at", .string(iso8601(startedAt))),
            ("finished_at", .string(iso8601(finishedAt))),
            ("duration_ms", .int(Int64(finishedAt.timeIntervalSince(startedAt) * 1000))),
            ("status", .string(status)),
            ("error", error.map { .string($0) } ?? .null),
            ("result", result ?? .null),
        ])
        try AtomicFile.write(record.encodedPretty() + "\n", to: file)
    }

    public static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}
