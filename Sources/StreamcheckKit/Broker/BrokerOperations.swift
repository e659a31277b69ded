import Foundation
import TerraformIO

extension Operations {
    static let stateDirSpec = ParameterSpec("state_dir", .directory, required: true, help: "Folder holding broker.json (bootstrap_servers, pid) and broker.log.")
    static let brokerSetup: [ParameterSpec] = [
        stateDirSpec,
        ParameterSpec("brokers", .integer(1...9), help: "Number of brokers (default 1)."),
        ParameterSpec("topic", .list, help: "Topic to create, NAME or NAME:PARTITIONS (default 4 partitions); repeatable, comma-separated in a query."),
    ]

    static func topics(_ p: Parameters) throws -> [EmbeddedBroker.TopicSpec] {
        try p.list("topic").map { try EmbeddedBroker.TopicSpec.parse($0, parameter: p.name("topic")) }
    }

    public static let brokerStart = OperationDefinition(
        words: ["broker", "start"],
        summary: "Start the embedded broker (librdkafka mock cluster) in the background; returns once it serves.",
        parameters: brokerSetup + [ParameterSpec("timeout", .duration(1...300), help: "Bound on start-up (default 15s).")]
    ) { p in
        let dir = try p.requiredString("state_dir")
        let (state, already) = try EmbeddedBroker.start(stateDir: dir, brokers: try p.int("brokers") ?? 1, topics: try topics(p), timeout: try p.duration("timeout") ?? 15)
        let result = JSONValue.object([
            ("bootstrap_servers", .string(state.bootstrapServers)),
            ("pid", .int(Int64(state.pid))),
            ("brokers", .int(Int64(state.brokers))),
            ("state_dir", .string(absolutePath(dir))),
            ("already_running", .bool(already)),
            ("topics", .array(state.topics.map { .string($0) })),
        ])
        let verb = already ? "already running" : "started"
        return OperationOutcome(result: result, summary: "embedded broker \(verb) on \(state.bootstrapServers) (pid \(state.pid))")
    }

    public static let brokerStop = OperationDefinition(
        words: ["broker", "stop"],
        summary: "Stop the embedded broker and clean its state dir (safe to run twice).",
        parameters: [stateDirSpec]
    ) { p in
        let (wasRunning, pid) = EmbeddedBroker.stop(stateDir: try p.requiredString("state_dir"))
        let result = JSONValue.object([("stopped", .bool(wasRunning)), ("pid", pid.map { .int(Int64($0)) } ?? .null)])
        return OperationOutcome(result: result, summary: wasRunning ? "embedded broker stopped (pid \(pid!))" : "no embedded broker was running")
    }

    public static let brokerRun = OperationDefinition(
        words: ["broker", "run"],
        summary: "Serve the embedded broker in the foreground until SIGINT or SIGTERM.",
        parameters: brokerSetup + [
            ParameterSpec("instance_token", .string, help: "Set by broker start: written into broker.json, so stop and start can tell this broker from a process that got its PID later."),
        ]
    ) { p in
        try EmbeddedBroker.run(stateDir: try p.requiredString("state_dir"), brokers: try p.int("brokers") ?? 1, topics: try topics(p),
                               token: p.string("instance_token"))
        return OperationOutcome(result: .object([("stopped", .bool(true))]), summary: "")
    }

    public static let brokerFault = OperationDefinition(
        words: ["broker", "fault"],
        summary: "Inject a fault into the running embedded broker: broker down/up, request errors, latency, coordinator or leader moves.",
        parameters: [
            stateDirSpec,
            ParameterSpec("action", .choice(["broker-down", "broker-up", "request-errors", "latency", "coordinator", "leader"]), required: true, help: "The fault."),
            ParameterSpec("broker", .integer(1...9), help: "Broker id (default 1)."),
            ParameterSpec("api_key", .integer(0...100), help: "request-errors: Kafka API key (0 Produce, 1 Fetch, 8 OffsetCommit, 10 FindCoordinator, 11 JoinGroup, 12 Heartbeat)."),
            ParameterSpec("error_code", .integer(-1...200), help: "request-errors: Kafka error code, e.g. 6 NOT_LEADER_OR_FOLLOWER, 7 REQUEST_TIMED_OUT, 15 COORDINATOR_NOT_AVAILABLE."),
            ParameterSpec("count", .integer(1...100_000), help: "request-errors: how many requests fail (default 1)."),
            ParameterSpec("milliseconds", .integer(0...60_000), help: "latency: round-trip time added to each request."),
            ParameterSpec("group_id", .string, help: "coordinator: the consumer group whose coordinator moves."),
            ParameterSpec("topic", .topic, help: "leader: the topic."),
            ParameterSpec("partition", .integer(0...100_000), help: "leader: the partition."),
        ]
    ) { p in
        let action = try p.requiredString("action")
        var command: [(String, JSONValue)] = [("action", .string(action)), ("broker", .int(Int64(try p.int("broker") ?? 1)))]
        switch action {
        case "request-errors":
            guard let apiKey = try p.int("api_key"), let code = try p.int("error_code") else {
                throw ParameterError("action request-errors needs '\(p.name("api_key"))' and '\(p.name("error_code"))'")
            }
            command += [("api_key", .int(Int64(apiKey))), ("error_code", .int(Int64(code))), ("count", .int(Int64(try p.int("count") ?? 1)))]
        case "latency":
            guard let ms = try p.int("milliseconds") else { throw ParameterError("action latency needs '\(p.name("milliseconds"))'") }
            command.append(("milliseconds", .int(Int64(ms))))
        case "coordinator":
            command.append(("group_id", .string(try p.requiredString("group_id"))))
        case "leader":
            command += [("topic", .string(try p.requiredString("topic"))), ("partition", .int(Int64(try p.int("partition") ?? 0)))]
        default: break
        }
        try BrokerControl.send(stateDir: try p.requiredString("state_dir"), command: .object(command), timeout: 10)
        return OperationOutcome(result: .object(command + [("applied", .bool(true))]), summary: "fault applied: \(action)")
    }
}
