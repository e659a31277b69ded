import Foundation
import TerraformIO

/// What `connector apply --save-previous FILE` keeps of a connector before changing it, and
/// what `connector rollback --previous FILE` puts back.
///
/// Secrets are never written: a key Connect types PASSWORD, a key whose name says it holds a
/// credential, a value Confluent Cloud masked, and a value carrying a URL password are left out
/// and listed in `redacted_keys`. A rollback fills them from `--config` or from the live
/// connector (a rollback undoes a config change; rotating a secret is not one).
public struct PreviousConnectorConfig: Sendable {
    /// Bumped when the file's meaning changes; rollback refuses a version it does not know.
    public static let formatVersion: Int64 = 1

    public let connector: String
    /// false: apply created the connector, so rolling back deletes it.
    public let existed: Bool
    public let config: [(String, String)]
    public let redactedKeys: [String]
    public let savedAt: String

    public init(connector: String, existed: Bool, config: [(String, String)], redactedKeys: [String], savedAt: String) {
        self.connector = connector
        self.existed = existed
        self.config = config
        self.redactedKeys = redactedKeys
        self.savedAt = savedAt
    }

    /// The live config as it stood, minus its secrets. `passwordKeys`: what Connect's
    /// validation typed PASSWORD for this connector class.
    public static func keeping(_ connector: String, live: [(String, String)]?, passwordKeys: Set<String>, savedAt: Date) -> PreviousConnectorConfig {
        var kept: [(String, String)] = []
        var redacted: [String] = []
        for (key, value) in live ?? [] where key != "name" {
            if isSecret(key: key, value: value, passwordKeys: passwordKeys) { redacted.append(key) } else { kept.append((key, value)) }
        }
        return PreviousConnectorConfig(connector: connector, existed: live != nil, config: kept, redactedKeys: redacted,
                                       savedAt: RunRecord.iso8601(savedAt))
    }

    /// Names Kafka's and the common connectors' credential settings use
    /// (connection.password, aws.secret.access.key, sasl.jaas.config, kafka.api.secret,
    /// ssl.keystore.password, *.token, *.credentials...).
    static let secretNameParts = ["password", "secret", "jaas", "credential", "token", "private.key", "api.key"]

    static func isSecret(key: String, value: String, passwordKeys: Set<String>) -> Bool {
        if passwordKeys.contains(key) { return true }
        // A config provider reference (${file:/run/secrets:db.password}) is not the secret itself.
        if value.hasPrefix("${") && value.hasSuffix("}") { return false }
        let lower = key.lowercased()
        if secretNameParts.contains(where: { lower.contains($0) }) { return true }
        if ConnectorService.isMasked(value) { return true }
        let lowerValue = value.lowercased()
        if lowerValue.contains("password=") { return true }  // jdbc:...?user=u&password=p
        if let scheme = value.range(of: "://"), let at = value[scheme.upperBound...].firstIndex(of: "@"),
           value[scheme.upperBound..<at].contains(":") { return true }  // a URL with a user:password part before the host
        return false
    }

    public var json: JSONValue {
        .object([
            ("streamcheck_connector_previous", .int(Self.formatVersion)),
            ("connector", .string(connector)),
            ("existed", .bool(existed)),
            ("saved_at", .string(savedAt)),
            ("config", .object(config.map { ($0.0, .string($0.1)) })),
            ("redacted_keys", .array(redactedKeys.map { .string($0) })),
        ])
    }

    public static func read(_ path: String, parameter: String) throws -> PreviousConnectorConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ParameterError("\(parameter) \(path) cannot be read; it is written by `connector apply --save-previous`")
        }
        let bad = { (why: String) in ParameterError("\(parameter) \(path) is not a saved connector config (\(why)); it is written by `connector apply --save-previous`") }
        let json: JSONValue
        do { json = try JSONValue.parse(bytes: [UInt8](data)) } catch { throw bad("not valid JSON") }
        guard let version = json["streamcheck_connector_previous"]?.int64Value else { throw bad("no streamcheck_connector_previous") }
        guard version == formatVersion else {
            throw ParameterError("\(parameter) \(path) has format \(version); this streamcheck reads format \(formatVersion)")
        }
        guard let connector = json["connector"]?.stringValue, !connector.isEmpty else { throw bad("no connector") }
        guard let existed = json["existed"]?.boolValue else { throw bad("no existed") }
        guard let members = json["config"]?.objectValue else { throw bad("no config object") }
        var config: [(String, String)] = []
        for (key, value) in members {
            guard let s = value.stringValue else { throw bad("the value of '\(key)' is not a string") }
            config.append((key, s))
        }
        let redacted = (json["redacted_keys"]?.arrayValue ?? []).compactMap(\.stringValue)
        if existed && config.first(where: { $0.0 == "connector.class" }) == nil { throw bad("its config has no connector.class") }
        return PreviousConnectorConfig(connector: connector, existed: existed, config: config, redactedKeys: redacted,
                                       savedAt: json["saved_at"]?.stringValue ?? "")
    }
}

extension ConnectorService {
    /// The keys Connect's validation typed PASSWORD (ConfigDef.Type.PASSWORD): their values are
    /// secrets whatever their names.
    static func passwordKeys(_ validation: JSONValue?) -> Set<String> {
        Set((validation?["configs"]?.arrayValue ?? []).compactMap { entry -> String? in
            guard entry["definition"]?["type"]?.stringValue == "PASSWORD" else { return nil }
            return entry["definition"]?["name"]?.stringValue
        })
    }

    /// Puts back what `apply --save-previous` kept: the saved config (its secrets from
    /// `overrides`, else from the live connector), or deletes the connector apply created.
    public func rollback(_ saved: PreviousConnectorConfig, overrides: [(String, String)], timeout: Double) throws -> OperationOutcome {
        let name = saved.connector
        let deadline = client.now() + timeout
        guard saved.existed else {
            let deleted = try delete(name, timeout: timeout)
            let gone = deleted.result["deleted"]?.boolValue ?? false
            let result = JSONValue.object([
                ("connector", .string(name)), ("action", .string(gone ? "deleted" : "unchanged")),
                ("changed", .bool(gone)), ("changed_keys", .string("")), ("rolled_back_to", .string(saved.savedAt)),
            ])
            return OperationOutcome(result: result, summary: gone
                ? "connector \(name) rolled back: it did not exist before \(saved.savedAt), so it was deleted"
                : "connector \(name) rolled back: it did not exist before \(saved.savedAt), and is already absent")
        }

        var config = saved.config
        let given = Dictionary(overrides, uniquingKeysWith: { _, last in last })
        var fromLive: [String: String] = [:]
        let needLive = saved.redactedKeys.filter { given[$0] == nil }
        if !needLive.isEmpty {
            let current = try client.send(endpoints.config(name), deadline: deadline)
            if current.isSuccess {
                for (key, value) in current.json?.objectValue ?? [] {
                    if let s = value.stringValue, !s.isEmpty, !Self.isMasked(s) { fromLive[key] = s }
                }
            } else if current.status != 404 {
                throw failure(current, name: name, doing: "reading the config of")
            }
        }
        let missing = needLive.filter { fromLive[$0] == nil }
        guard missing.isEmpty else {
            let example = missing.map { "--config \($0)='${env:NAME}'" }.joined(separator: " ")
            throw StreamcheckError("connector '\(name)' cannot be rolled back: the saved config left out the secret\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) and the live connector does not show \(missing.count == 1 ? "it" : "them"); give \(example)")
        }
        for key in saved.redactedKeys { config.append((key, given[key] ?? fromLive[key]!)) }
        for (key, value) in overrides where !saved.redactedKeys.contains(key) {
            config.removeAll { $0.0 == key }
            config.append((key, value))
        }
        let left = max(0.1, deadline - client.now())
        let applied = try apply(name, config: config, validate: true, timeout: left)
        let action = applied.result["action"]?.stringValue == "unchanged" ? "unchanged" : "restored"
        let keys = applied.result["changed_keys"]?.stringValue ?? ""
        let result = JSONValue.object([
            ("connector", .string(name)), ("action", .string(action)), ("changed", .bool(action == "restored")),
            ("changed_keys", .string(keys)), ("rolled_back_to", .string(saved.savedAt)),
        ])
        return OperationOutcome(result: result, summary: action == "restored"
            ? "connector \(name) rolled back to its config of \(saved.savedAt)\(keys.isEmpty ? "" : " (\(keys.replacingOccurrences(of: ",", with: ", ")))")"
            : "connector \(name) already has its config of \(saved.savedAt); nothing to roll back")
    }
}
