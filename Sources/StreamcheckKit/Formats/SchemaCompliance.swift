import Foundation
import TerraformIO

/// Counts, per consume, the messages that broke their schema, with a few samples for the
/// report. Shared by every consumer thread of a group, hence the lock.
public final class SchemaComplianceTracker: @unchecked Sendable {
    private let lock = NSLock()
    public private(set) var checked = 0
    public private(set) var violations = 0
    public private(set) var samples: [String] = []
    public private(set) var schemaIds: Set<Int> = []
    /// What a message is checked against, for the check's "expected" text.
    public let expectation: String

    public init(expectation: String) { self.expectation = expectation }

    func passed(schemaId: Int?) {
        lock.lock(); defer { lock.unlock() }
        checked += 1
        if let schemaId { schemaIds.insert(schemaId) }
    }

    func violated(_ text: String, schemaId: Int?) {
        lock.lock(); defer { lock.unlock() }
        checked += 1
        violations += 1
        if let schemaId { schemaIds.insert(schemaId) }
        if samples.count < 5, !samples.contains(text) { samples.append(text) }
    }
}

/// A format that checks every received message against a schema. The verifier decodes every
/// value for such a format (no shortcut on canonical JSON bytes).
public protocol SchemaComplianceReporting: AnyObject {
    var compliance: SchemaComplianceTracker { get }
}

/// JSON messages checked against a JSON Schema. A violating record is still returned, so
/// integrity is judged on content and schema_compliance on shape, separately.
public final class JSONSchemaCheckingFormat: MessageFormat, SchemaComplianceReporting {
    let inner: MessageFormat
    let schema: JSONSchema
    public let compliance: SchemaComplianceTracker

    public init(inner: MessageFormat, schema: JSONSchema, schemaPath: String) {
        self.inner = inner
        self.schema = schema
        compliance = SchemaComplianceTracker(expectation: "every message valid under JSON Schema \(schemaPath)")
    }

    public var name: String { inner.name }
    public func record(at seq: Int) throws -> JSONValue { try inner.record(at: seq) }
    public func encode(_ record: JSONValue) throws -> [UInt8] { try inner.encode(record) }

    public func decode(_ value: [UInt8]) throws -> JSONValue {
        let record: JSONValue
        do { record = try inner.decode(value) } catch {
            compliance.violated("\(error)", schemaId: nil)
            throw error
        }
        let problems = schema.validate(record)
        if problems.isEmpty {
            compliance.passed(schemaId: nil)
        } else {
            compliance.violated(problems.prefix(3).map(\.description).joined(separator: ", "), schemaId: nil)
        }
        return record
    }
}
