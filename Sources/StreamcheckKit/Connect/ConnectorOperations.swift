import Foundation
import TerraformIO

/// `connector apply|rollback|status|wait|restart|pause|resume|stop|delete|offsets`, for both shells.
extension Operations {
    public static let connectorOperations: [OperationDefinition] = [
        connectorApply, connectorRollback, connectorStatus, connectorWait, connectorRestart,
        connectorPause, connectorResume, connectorStop, connectorDelete, connectorOffsets,
    ]

    /// Where and how to reach Connect; shared by every connector operation.
    static func connectTargetParameters(timeoutDefault: String) -> [ParameterSpec] {
        [
            ParameterSpec("name", .string, required: true, help: "The connector's name."),
            ParameterSpec("api", .choice(["self-managed", "confluent-cloud"]),
                          help: "Which Connect API: self-managed Kafka Connect REST (default) or the Confluent Cloud Connect API."),
            ParameterSpec("connect_url", .url,
                          help: "Base URL: the Kafka Connect REST endpoint (e.g. http://connect:8083; required for self-managed), or the Confluent Cloud API (default https://api.confluent.cloud). Credentials come from the environment, never from here."),
            ParameterSpec("environment", .string, help: "Confluent Cloud environment id (env-...); confluent-cloud only."),
            ParameterSpec("cluster", .string, help: "Confluent Cloud Kafka cluster id (lkc-...); confluent-cloud only."),
            ParameterSpec("timeout", .duration(0.1...86_400), help: "Bound on the whole operation, retries included (default \(timeoutDefault))."),
            ParameterSpec("request_timeout", .duration(0.1...600), help: "Bound on each HTTP request (default 95s: Kafka Connect's own request timeout is 90s, and PUT config runs the connector's validation). The operation's timeout bounds the whole."),
        ]
    }

    static func connectorService(_ p: Parameters, environment: [String: String]? = nil) throws -> ConnectorService {
        let environment = try SecretEnvironment.current(environment ?? ProcessInfo.processInfo.environment)
        let flavour: ConnectFlavour
        let api = p.string("api") ?? "self-managed"
        let url = p.string("connect_url")
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ParameterError("invalid value for '\(p.name("connect_url"))': '\(url)' is not an http:// or https:// URL")
        }
        if api == "confluent-cloud" {
            guard let env = p.string("environment"), let cluster = p.string("cluster") else {
                throw ParameterError("api confluent-cloud needs '\(p.name("environment"))' (env-...) and '\(p.name("cluster"))' (lkc-...)")
            }
            flavour = .confluentCloud(baseURL: url ?? "https://api.confluent.cloud", environment: env, cluster: cluster)
        } else {
            guard let url else {
                throw ParameterError("missing '\(p.name("connect_url"))': the Kafka Connect REST URL, e.g. http://connect:8083")
            }
            if p.has("environment") || p.has("cluster") {
                throw ParameterError("'\(p.name("environment"))' and '\(p.name("cluster"))' apply only with api confluent-cloud")
            }
            flavour = .selfManaged(baseURL: url)
        }
        let auth = try ConnectAuth.fromEnvironment(environment, flavour: flavour)
        return ConnectorService(client: ConnectClient(flavour: flavour, auth: auth, requestTimeout: try p.duration("request_timeout") ?? ConnectClient.defaultRequestTimeout))
    }

    /// `${env:NAME}` in a config value is replaced by that environment variable, so secrets
    /// (connection.password, aws.secret.access.key) reach Connect without passing through
    /// Terraform state or the command line.
    public static func substituteEnvironment(_ value: String, key: String, environment: [String: String]) throws -> String {
        var out = ""
        var rest = Substring(value)
        while let start = rest.range(of: "${env:") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ParameterError("config '\(key)': unterminated ${env:...}")
            }
            let variable = String(rest[start.upperBound..<end])
            guard let replacement = try SecretEnvironment.value(variable, in: environment) else {
                throw ParameterError("config '\(key)' refers to ${env:\(variable)}, but \(variable) is not set in the environment")
            }
            out += replacement
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    static func connectorConfig(_ p: Parameters, environment: [String: String]? = nil) throws -> [(String, String)] {
        let environment = try SecretEnvironment.current(environment ?? ProcessInfo.processInfo.environment)
        var pairs: [(String, String)] = []
        if let file = p.string("config_file") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ParameterError("\(p.name("config_file")) \(file) cannot be read")
            }
            let json: JSONValue
            do { json = try JSONValue.parse(bytes: [UInt8](data)) } catch {
                throw ParameterError("\(p.name("config_file")) \(file) is not valid JSON: \(error)")
            }
            // Either the config map itself or Connect's {"name": ..., "config": {...}} shape.
            guard let members = (json["config"] ?? json).objectValue else {
                throw ParameterError("\(p.name("config_file")) \(file) must hold a JSON object of strings (or {\"config\": {...}})")
            }
            for (k, v) in members {
                guard let s = v.stringValue ?? v.int64Value.map(String.init) ?? v.boolValue.map(String.init) else {
                    throw ParameterError("\(p.name("config_file")) \(file): the value of '\(k)' must be a string")
                }
                pairs.append((k, s))
            }
        }
        for (k, v) in try p.keyValues("config") {
            pairs.removeAll { $0.0 == k }
            pairs.append((k, v))
        }
        guard !pairs.isEmpty else {
            throw ParameterError("no connector config: give \(p.name("config")) key=value pairs or \(p.name("config_file"))")
        }
        return try pairs.map { ($0.0, try substituteEnvironment($0.1, key: $0.0, environment: environment)) }
    }

    public static let connectorApply = OperationDefinition(
        words: ["connector", "apply"],
        summary: "Create a connector, or update its config when it differs (idempotent); Connect validates it first.",
        parameters: connectTargetParameters(timeoutDefault: "60s") + [
            ParameterSpec("config", .keyValues, help: "Connector config as key=value (repeat the flag; a JSON-encoded object in a query). ${env:NAME} is replaced from the environment, for secrets."),
            ParameterSpec("config_file", .path, help: "A JSON file with the config object (or Connect's {\"name\", \"config\"} shape); config entries override it."),
            ParameterSpec("validate", .boolean, help: "Ask Connect to validate the config first and show its errors (default true)."),
            ParameterSpec("save_previous", .path, help: "Before changing the connector, keep its config as it stood (or that it did not exist) in this file, for `connector rollback`; secrets are left out. An unchanged apply leaves the file alone."),
        ]
    ) { p in
        let savePrevious = p.string("save_previous")
        if let savePrevious { try AtomicFile.checkWritable(savePrevious) }
        return try connectorService(p).apply(try p.requiredString("name"), config: try connectorConfig(p), validate: try p.bool("validate") ?? true,
                                             timeout: try p.duration("timeout") ?? 60, savePrevious: savePrevious)
    }

    public static let connectorRollback = OperationDefinition(
        words: ["connector", "rollback"],
        summary: "Put back the config `connector apply --save-previous` kept (validated, then applied), or delete the connector when that apply created it.",
        parameters: connectTargetParameters(timeoutDefault: "60s") + [
            ParameterSpec("previous", .path, required: true, help: "The file `connector apply --save-previous` wrote."),
            ParameterSpec("config", .keyValues, help: "Values for the secrets the saved file left out (key=value, ${env:NAME} replaced from the environment); without them each comes from the live connector."),
        ]
    ) { p in
        let saved = try PreviousConnectorConfig.read(try p.requiredString("previous"), parameter: p.name("previous"))
        let name = try p.requiredString("name")
        guard saved.connector == name else {
            throw ParameterError("\(p.name("previous")) holds the config of connector '\(saved.connector)', not '\(name)'")
        }
        let environment = try SecretEnvironment.current(ProcessInfo.processInfo.environment)
        let overrides = try p.keyValues("config").map { ($0.0, try substituteEnvironment($0.1, key: $0.0, environment: environment)) }
        return try connectorService(p).rollback(saved, overrides: overrides, timeout: try p.duration("timeout") ?? 60)
    }

    public static let connectorStatus = OperationDefinition(
        words: ["connector", "status"],
        summary: "Show a connector's state and its tasks' states.",
        parameters: connectTargetParameters(timeoutDefault: "30s")
    ) { p in
        try connectorService(p).status(try p.requiredString("name"), timeout: try p.duration("timeout") ?? 30)
    }

    public static let connectorWait = OperationDefinition(
        words: ["connector", "wait"],
        summary: "Wait until a connector and all its tasks reach a state (RUNNING by default); stops on FAILED with the trace. A reading counts once it is newer than the wait's first one, or has held for the settle window: Connect's status lags behind restarts and config changes.",
        parameters: connectTargetParameters(timeoutDefault: "120s") + [
            ParameterSpec("target_state", .choice(["RUNNING", "PAUSED", "STOPPED"]), help: "The state to wait for (default RUNNING)."),
            ParameterSpec("expected_tasks", .integer(0...10_000), help: "How many tasks must be in the target state (default: all, at least one for RUNNING)."),
            ParameterSpec("settle", .duration(0...600), help: "How long a status unchanged since the wait began must hold before it counts (default 3s; 0s trusts the first reading). Right after a restart or a config update Connect can still report the old FAILED or RUNNING."),
        ]
    ) { p in
        try connectorService(p).wait(try p.requiredString("name"), target: p.string("target_state") ?? "RUNNING",
                                     expectedTasks: try p.int("expected_tasks"), settle: try p.duration("settle") ?? ConnectorService.defaultSettle,
                                     timeout: try p.duration("timeout") ?? 120)
    }

    public static let connectorRestart = OperationDefinition(
        words: ["connector", "restart"],
        summary: "Restart a connector, optionally with its tasks or only the failed ones.",
        parameters: connectTargetParameters(timeoutDefault: "30s") + [
            ParameterSpec("include_tasks", .boolean, help: "Restart the tasks too (default false)."),
            ParameterSpec("only_failed", .boolean, help: "Restart only instances that are FAILED (default false)."),
        ]
    ) { p in
        try connectorService(p).restart(try p.requiredString("name"), includeTasks: try p.bool("include_tasks") ?? false,
                                        onlyFailed: try p.bool("only_failed") ?? false, timeout: try p.duration("timeout") ?? 30)
    }

    static func stateChange(_ action: String, _ summary: String) -> OperationDefinition {
        OperationDefinition(words: ["connector", action], summary: summary, parameters: connectTargetParameters(timeoutDefault: "30s")) { p in
            try connectorService(p).changeState(try p.requiredString("name"), action: action, timeout: try p.duration("timeout") ?? 30)
        }
    }

    public static let connectorPause = stateChange("pause", "Pause a connector and its tasks (asynchronous; confirm with connector wait --target-state PAUSED).")
    public static let connectorResume = stateChange("resume", "Resume a paused or stopped connector (confirm with connector wait).")
    public static let connectorStop = stateChange("stop", "Stop a connector and shut its tasks down, keeping its config (self-managed, Kafka Connect 3.5+).")

    public static let connectorDelete = OperationDefinition(
        words: ["connector", "delete"],
        summary: "Delete a connector and wait until Connect no longer lists it; an absent connector is not an error.",
        parameters: connectTargetParameters(timeoutDefault: "60s")
    ) { p in
        try connectorService(p).delete(try p.requiredString("name"), timeout: try p.duration("timeout") ?? 60)
    }

    public static let connectorOffsets = OperationDefinition(
        words: ["connector", "offsets"],
        summary: "Get a connector's offsets, or reset/alter them (self-managed: connector must be STOPPED; Cloud: asynchronous request).",
        parameters: connectTargetParameters(timeoutDefault: "60s") + [
            ParameterSpec("action", .choice(["get", "reset", "alter"]), help: "get (default), reset (forget all offsets) or alter (set the given ones)."),
            ParameterSpec("offsets", .string, help: "For alter: a JSON array of {\"partition\": {...}, \"offset\": {...}} as Connect's offsets API takes."),
            ParameterSpec("offsets_file", .path, help: "For alter: a JSON file with that array (or {\"offsets\": [...]})."),
        ]
    ) { p in
        let action = p.string("action") ?? "get"
        var offsets: JSONValue?
        var text = p.string("offsets")
        if let file = p.string("offsets_file") {
            guard let data = FileManager.default.contents(atPath: file) else { throw ParameterError("\(p.name("offsets_file")) \(file) cannot be read") }
            text = String(decoding: data, as: UTF8.self)
        }
        if let text {
            guard action == "alter" else { throw ParameterError("\(p.name("offsets")) applies only with action alter") }
            let parsed: JSONValue
            do { parsed = try JSONValue.parse(text) } catch { throw ParameterError("offsets are not valid JSON: \(error)") }
            guard let list = (parsed["offsets"] ?? parsed).arrayValue else {
                throw ParameterError("offsets must be a JSON array of {\"partition\": {...}, \"offset\": {...}} (or {\"offsets\": [...]})")
            }
            offsets = .array(list)
        }
        return try connectorService(p).offsets(try p.requiredString("name"), action: action, offsets: offsets, timeout: try p.duration("timeout") ?? 60)
    }
}
