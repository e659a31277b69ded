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
        /// Random, given by `broker start` on the broker's command line and written here by
        /// the broker: a process that got the PID later does not carry it.
        public var token: String? = nil

        var json: JSONValue {
            .object([
                ("bootstrap_servers", .string(bootstrapServers)),
                ("pid", .int(Int64(pid))),
                ("brokers", .int(Int64(brokers))),
                ("topics", .array(topics.map { .string($0) })),
                ("token", token.map { .string($0) } ?? .null),
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
                     topics: json["topics"]?.arrayValue?.compactMap(\.stringValue) ?? [], token: json["token"]?.stringValue)
    }

    /// Whether the process broker.json names is this state dir's broker: alive, running
    /// `broker run --state-dir` for this very folder, and carrying the token written at start.
    /// broker.json outlives a broker that was killed (a runner reboot, a SIGKILL), and its
    /// PID may since belong to anything: signalling or trusting that would be wrong.
    public static func isServing(_ state: State, stateDir: String) -> Bool {
        guard BackgroundProcess.isAlive(state.pid) else { return false }
        guard let raw = FileManager.default.contents(atPath: "/proc/\(state.pid)/cmdline") else {
            // No /proc (not Linux): the PID is all there is to go on.
            return !FileManager.default.fileExists(atPath: "/proc/self")
        }
        let argv = raw.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard let run = argv.firstIndex(of: "run"), run > 0, argv[run - 1] == "broker",
              let dir = option("--state-dir", in: argv) else { return false }
        // Compare the folders themselves: the broker may have been given a relative path.
        let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(state.pid)/cwd")) ?? ""
        let theirs = dir.hasPrefix("/") ? dir : cwd + "/" + dir
        guard canonical(theirs) == canonical(stateDir) else { return false }
        if let token = state.token, option("--instance-token", in: argv) != token { return false }
        return true
    }

    /// An option's value on a command line, given as `--name value` or `--name=value`.
    static func option(_ name: String, in argv: [String]) -> String? {
        for (i, arg) in argv.enumerated() {
            if arg == name, i + 1 < argv.count { return argv[i + 1] }
            if arg.hasPrefix(name + "=") { return String(arg.dropFirst(name.count + 1)) }
        }
        return nil
    }

    static func canonical(_ path: String) -> String {
        (absolutePath(path) as NSString).resolvingSymlinksInPath.replacingOccurrences(of: "//", with: "/")
    }

    /// Serves in the foreground until SIGINT/SIGTERM. Writes broker.json once serving and
    /// removes it on the way out. `onCommand` applies fault-control files (see BrokerFault).
    public static func run(stateDir: String, brokers: Int, topics: [TopicSpec], token: String?) throws {
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let cluster = try MockCluster(brokers: brokers)
        for topic in topics {
            try cluster.createTopic(topic.name, partitions: topic.partitions, replicationFactor: min(brokers, 3))
        }
        let state = State(bootstrapServers: cluster.bootstrapServers, pid: getpid(), brokers: brokers, topics: topics.map(\.name), token: token)
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
        if let state = readState(stateDir) {
            if isServing(state, stateDir: stateDir) { return (state, true) }
            if BackgroundProcess.isAlive(state.pid) {
                note("broker.json in \(stateDir) names pid \(state.pid), which is not this folder's broker (a broker that was killed left it, and the PID was reused): starting a new one, leaving pid \(state.pid) alone")
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        } catch {
            throw StreamcheckError("cannot create state dir \(stateDir): \(error.localizedDescription)")
        }
        try? FileManager.default.removeItem(atPath: stateFile(stateDir))
        let token = (0..<4).map { _ in String(UInt32.random(in: .min ... .max), radix: 16) }.joined()
        var arguments = ["broker", "run", "--state-dir", stateDir, "--brokers", String(brokers), "--instance-token", token]
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
        if let state, isServing(state, stateDir: stateDir) {
            wasRunning = true
            BackgroundProcess.stop(state.pid, grace: 10)
        } else if let state, BackgroundProcess.isAlive(state.pid) {
            note("broker.json in \(stateDir) names pid \(state.pid), which is not this folder's broker (a broker that was killed left it, and the PID was reused): not signalling it")
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

/// A diagnostic line on stderr that is not an error.
func note(_ text: String) {
    FileHandle.standardError.write(Data("streamcheck: note: \(text)\n".utf8))
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
        guard let state = EmbeddedBroker.readState(stateDir), EmbeddedBroker.isServing(state, stateDir: stateDir) else {
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
