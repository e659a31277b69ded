import Foundation
import Kafka
import TerraformIO

/// The embedded broker: librdkafka's mock cluster, serving the Kafka protocol on loopback.
/// `broker start` runs `broker run` in the background and returns once it serves; the state
/// directory holds broker.json (bootstrap_servers, pid) and broker.log.
///
/// Limits worth knowing (librdkafka 2.0.2): each partition keeps only about 4-5 MB, older
/// messages disappear (consume reports them as truncated by retention); no CreateTopics,
/// DescribeGroups or ListGroups; topics are auto-created with 4 partitions.
public enum EmbeddedBroker {
    public struct State {
        public let bootstrapServers: String
        public let pid: pid_t
        public let brokers: Int
        public let topics: [String]

        var json: JSONValue {
            .object([
                ("bootstrap_servers", .string(bootstrapServers)),
                ("pid", .int(Int64(pid))),
                ("brokers", .int(Int64(brokers))),
                ("topics", .array(topics.map { .string($0) })),
            ])
        }
    }

    public struct TopicSpec: Equatable {
        public let name: String
        public let partitions: Int

        /// NAME or NAME:PARTITIONS.
        public static func parse(_ text: String, parameter: String) throws -> TopicSpec {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard let name = parts.first, !name.isEmpty, parts.count <= 2 else {
                throw ParameterError("invalid '\(parameter)' entry '\(text)': expected NAME or NAME:PARTITIONS")
            }
            var partitions = 4
            if parts.count == 2 {
                guard let n = Int(parts[1]), (1...1000).contains(n) else {
                    throw ParameterError("invalid '\(parameter)' entry '\(text)': PARTITIONS must be 1 to 1000")
                }
                partitions = n
            }
            return TopicSpec(name: String(name), partitions: partitions)
        }
    }

    static func stateFile(_ dir: String) -> String { dir + "/broker.json" }
    static func logFile(_ dir: String) -> String { dir + "/broker.log" }
    static func controlDir(_ dir: String) -> String { dir + "/control" }

    public static func readState(_ dir: String) -> State? {
        guard let data = FileManager.default.contents(atPath: stateFile(dir)),
              let json = try? JSONValue.parse(bytes: [UInt8](data)),
              let bootstrap = json["bootstrap_servers"]?.stringValue,
              let pid = json["pid"]?.int64Value else { return nil }
        return State(bootstrapServers: bootstrap, pid: pid_t(pid), brokers: Int(json["brokers"]?.int64Value ?? 1),
                     topics: json["topics"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// Serves in the foreground until SIGINT/SIGTERM. Writes broker.json once serving and
    /// removes it on the way out. `onCommand` applies fault-control files (see BrokerFault).
    public static func run(stateDir: String, brokers: Int, topics: [TopicSpec]) throws {
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let cluster = try MockCluster(brokers: brokers)
        for topic in topics {
            try cluster.createTopic(topic.name, partitions: topic.partitions, replicationFactor: min(brokers, 3))
        }
        let state = State(bootstrapServers: cluster.bootstrapServers, pid: getpid(), brokers: brokers, topics: topics.map(\.name))
        try AtomicFile.write(state.json.encodedPretty() + "\n", to: stateFile(stateDir))
        FileHandle.standardError.write(Data("embedded broker serving on \(state.bootstrapServers) (pid \(getpid()))\n".utf8))
        BackgroundProcess.waitForTerminationSignal {
            BrokerControl.applyPending(stateDir: stateDir, cluster: cluster)
        }
        try? FileManager.default.removeItem(atPath: stateFile(stateDir))
        FileHandle.standardError.write(Data("embedded broker stopped\n".utf8))
    }

    /// Starts the broker in the background, or reports the one already running there.
    public static func start(stateDir: String, brokers: Int, topics: [TopicSpec], timeout: Double) throws -> (State, alreadyRunning: Bool) {
        if let state = readState(stateDir), BackgroundProcess.isAlive(state.pid) {
            return (state, true)
        }
        do {
            try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        } catch {
            throw StreamcheckError("cannot create state dir \(stateDir): \(error.localizedDescription)")
        }
        try? FileManager.default.removeItem(atPath: stateFile(stateDir))
        var arguments = ["broker", "run", "--state-dir", stateDir, "--brokers", String(brokers)]
        for topic in topics { arguments += ["--topic", "\(topic.name):\(topic.partitions)"] }
        let pid = try BackgroundProcess.spawnSelf(arguments, logPath: logFile(stateDir))
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let state = readState(stateDir), state.pid == pid { return (state, false) }
            if !BackgroundProcess.isAlive(pid) {
                let log = (try? String(contentsOfFile: logFile(stateDir), encoding: .utf8)) ?? ""
                let last = log.split(separator: "\n").last.map(String.init) ?? "no output"
                throw StreamcheckError("embedded broker exited during start-up: \(last) (log: \(logFile(stateDir)))")
            }
            usleep(20_000)
        }
        BackgroundProcess.stop(pid, grace: 2)
        throw StreamcheckError("embedded broker did not start serving within \(Int(timeout))s (log: \(logFile(stateDir)))")
    }

    /// Stops the broker and removes what it left in the state dir. Safe to run twice.
    public static func stop(stateDir: String) -> (wasRunning: Bool, pid: pid_t?) {
        let state = readState(stateDir)
        var wasRunning = false
        if let state, BackgroundProcess.isAlive(state.pid) {
            wasRunning = true
            BackgroundProcess.stop(state.pid, grace: 10)
        }
        for path in [stateFile(stateDir), logFile(stateDir), controlDir(stateDir)] {
            try? FileManager.default.removeItem(atPath: path)
        }
        if let remaining = try? FileManager.default.contentsOfDirectory(atPath: stateDir), remaining.isEmpty {
            try? FileManager.default.removeItem(atPath: stateDir)
        }
        return (wasRunning, state?.pid)
    }
}

/// Fault controls for a running embedded broker. `broker fault` drops a command file in the
/// state dir's control folder; the broker applies it and answers with a .done file.
public enum BrokerControl {
    static func applyPending(stateDir: String, cluster: MockCluster) {
        let dir = EmbeddedBroker.controlDir(stateDir)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names.sorted() where name.hasSuffix(".json") {
            let path = dir + "/" + name
            guard let data = FileManager.default.contents(atPath: path), let command = try? JSONValue.parse(bytes: [UInt8](data)) else { continue }
            let outcome = apply(command, cluster: cluster)
            try? AtomicFile.write(outcome + "\n", to: path.replacingOccurrences(of: ".json", with: ".done"))
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    static func apply(_ command: JSONValue, cluster: MockCluster) -> String {
        let action = command["action"]?.stringValue ?? ""
        let broker = Int32(command["broker"]?.int64Value ?? 1)
        switch action {
        case "broker-down": cluster.setBrokerDown(broker); return "ok"
        case "broker-up": cluster.setBrokerUp(broker); return "ok"
        case "latency": cluster.setBrokerRTT(broker, milliseconds: Int(command["milliseconds"]?.int64Value ?? 0)); return "ok"
        case "request-errors":
            cluster.pushRequestErrors(apiKey: Int16(command["api_key"]?.int64Value ?? 0),
                                      errorCode: Int32(command["error_code"]?.int64Value ?? 0),
                                      count: Int(command["count"]?.int64Value ?? 1))
            return "ok"
        case "coordinator":
            do { try cluster.setCoordinator(groupId: command["group_id"]?.stringValue ?? "", brokerId: broker); return "ok" } catch { return "error: \(error)" }
        case "leader":
            do {
                try cluster.setPartitionLeader(topic: command["topic"]?.stringValue ?? "", partition: Int32(command["partition"]?.int64Value ?? 0), brokerId: broker)
                return "ok"
            } catch { return "error: \(error)" }
        default: return "error: unknown action '\(action)'"
        }
    }

    /// Sends one command to the broker serving `stateDir` and waits (bounded) for its answer.
    public static func send(stateDir: String, command: JSONValue, timeout: Double) throws {
        guard let state = EmbeddedBroker.readState(stateDir), BackgroundProcess.isAlive(state.pid) else {
            throw StreamcheckError("no embedded broker is running in state dir \(stateDir); start one with `streamcheck broker start --state-dir \(stateDir)`")
        }
        let dir = EmbeddedBroker.controlDir(stateDir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = String(format: "%.6f-%d", Date().timeIntervalSince1970, getpid())
        let path = dir + "/" + name + ".json"
        let done = dir + "/" + name + ".done"
        try AtomicFile.write(command.encoded(), to: path)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let answer = try? String(contentsOfFile: done, encoding: .utf8) {
                try? FileManager.default.removeItem(atPath: done)
                let text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
                if text != "ok" { throw StreamcheckError("embedded broker refused the fault: \(text)") }
                return
            }
            usleep(20_000)
        }
        try? FileManager.default.removeItem(atPath: path)
        throw StreamcheckError("embedded broker did not apply the fault within \(Int(timeout))s")
    }
}
