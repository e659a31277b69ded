import Foundation
import TerraformIO

/// One run record read back from a run directory. Every field but `operation` may be absent:
/// records come from operations written at different times, and a failed operation may have
/// recorded only part of its result.
public struct LoadedRecord: Sendable {
    public let path: String
    public let operation: String
    public let startedAt: String?
    public let finishedAt: String?
    public let durationMs: Double?
    /// "passed", "failed" or "error"; an unknown status reads as "error" so it is never hidden.
    public let status: String
    public let error: String?
    /// The operation's typed result (an object), or nil.
    public let result: JSONValue?

    public init(path: String, operation: String, startedAt: String? = nil, finishedAt: String? = nil,
                durationMs: Double? = nil, status: String, error: String? = nil, result: JSONValue? = nil) {
        self.path = path
        self.operation = operation
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = durationMs
        self.status = status
        self.error = error
        self.result = result
    }

    public var runId: String? { nonEmpty(result?["run_id"]?.stringValue) }

    /// A suite name the record carries itself (record or result field `suite`).
    public var suite: String? { nonEmpty(result?["suite"]?.stringValue) }

    /// Parses one record file's text; `path` names it in every error.
    public static func parse(_ text: String, path: String) throws -> LoadedRecord {
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch {
            throw StreamcheckError("run record \(path) is not valid JSON (\(error)); remove it or rerun the operation that wrote it")
        }
        guard json.objectValue != nil else {
            throw StreamcheckError("run record \(path) is not a JSON object; it is not a streamcheck run record, move it out of the run dir")
        }
        guard let operation = nonEmpty(json["operation"]?.stringValue) else {
            throw StreamcheckError("run record \(path) has no \"operation\" field; it is not a streamcheck run record, move it out of the run dir")
        }
        var status = json["status"]?.stringValue ?? ""
        if !["passed", "failed", "error"].contains(status) {
            // Older or foreign records: judge by the result rather than guess "passed".
            if let passed = json["result"]?["passed"]?.boolValue { status = passed ? "passed" : "failed" } else { status = "error" }
        }
        let result = json["result"].flatMap { $0.objectValue != nil ? $0 : nil }
        return LoadedRecord(
            path: path, operation: operation,
            startedAt: json["started_at"]?.stringValue, finishedAt: json["finished_at"]?.stringValue,
            durationMs: json["duration_ms"]?.doubleValue, status: status,
            error: nonEmpty(json["error"]?.stringValue), result: result)
    }
}

func nonEmpty(_ s: String?) -> String? {
    guard let s, !s.isEmpty else { return nil }
    return s
}

public enum RunDirectory {
    /// Operations that read a run directory rather than test anything; their own records (when
    /// $STREAMCHECK_REPORT_DIR points at the same folder) are not part of the run.
    public static let readerOperations: Set<String> = ["report", "notify"]

    /// Reads every `*.json` record of a run directory, oldest first.
    public static func load(_ directory: String) throws -> [LoadedRecord] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
            throw StreamcheckError("run dir \(directory) does not exist: run the test operations with --report-dir \(directory) (or $\(RunRecord.environmentVariable)) first")
        }
        guard isDir.boolValue else {
            throw StreamcheckError("run dir \(directory) is a file, not a folder: pass the folder given to --report-dir")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw StreamcheckError("cannot read run dir \(directory): \(error.localizedDescription)")
        }
        // Hidden files include AtomicFile's temporaries of a record still being written.
        let files = names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        var records: [LoadedRecord] = []
        for name in files {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StreamcheckError("cannot read run record \(path): check its permissions")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw StreamcheckError("run record \(path) is not UTF-8 text; remove it or rerun the operation that wrote it")
            }
            let record = try LoadedRecord.parse(text, path: path)
            if readerOperations.contains(record.operation) { continue }
            records.append(record)
        }
        guard !records.isEmpty else {
            throw StreamcheckError("run dir \(directory) holds no run records (*.json): run the test operations with --report-dir \(directory) (or $\(RunRecord.environmentVariable)) first")
        }
        // File names start with the start time, so name order is start order; started_at
        // (ISO 8601, UTC) breaks nothing when present and orders records from other writers.
        return records.enumerated().sorted { a, b in
            let ka = a.element.startedAt ?? "", kb = b.element.startedAt ?? ""
            if ka != kb, !ka.isEmpty, !kb.isEmpty { return ka < kb }
            return a.offset < b.offset
        }.map(\.element)
    }
}
