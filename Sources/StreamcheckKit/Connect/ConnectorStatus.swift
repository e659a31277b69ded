import TerraformIO

/// GET /connectors/{name}/status, as both flavours answer it.
public struct ConnectorStatus: Sendable, Equatable {
    public struct Task: Sendable, Equatable {
        public let id: Int
        public let state: String
        public let workerId: String
        public let trace: String?
    }

    public let name: String
    public let state: String
    public let workerId: String
    public let type: String
    public let trace: String?
    public let tasks: [Task]

    public init(name: String, state: String, workerId: String = "", type: String = "", trace: String? = nil, tasks: [Task]) {
        self.name = name
        self.state = state
        self.workerId = workerId
        self.type = type
        self.trace = trace
        self.tasks = tasks
    }

    public static func parse(_ json: JSONValue, name: String) throws -> ConnectorStatus {
        guard let state = json["connector"]?["state"]?.stringValue else {
            throw StreamcheckError("Kafka Connect answered the status of connector '\(name)' without connector.state; is connect_url a Kafka Connect REST endpoint?")
        }
        let tasks = (json["tasks"]?.arrayValue ?? []).enumerated().map { index, task in
            Task(id: task["id"]?.int64Value.map { Int($0) } ?? index,
                 state: task["state"]?.stringValue ?? "UNKNOWN",
                 workerId: task["worker_id"]?.stringValue ?? "",
                 // Cloud reports a failed task's reason in "msg"; self-managed in "trace".
                 trace: task["trace"]?.stringValue ?? task["msg"]?.stringValue)
        }
        return ConnectorStatus(
            name: json["name"]?.stringValue ?? name, state: state,
            workerId: json["connector"]?["worker_id"]?.stringValue ?? "",
            type: json["type"]?.stringValue ?? "",
            trace: json["connector"]?["trace"]?.stringValue,
            tasks: tasks.sorted { $0.id < $1.id })
    }

    /// The connector's and tasks' states in one string: two readings with the same signature
    /// say the same thing (used to tell a fresh reading from a stale one).
    public var signature: String {
        state + "|" + tasks.map { "\($0.id)=\($0.state)" }.joined(separator: ",")
    }

    public var tasksRunning: Int { tasks.filter { $0.state == "RUNNING" }.count }
    public var failedTasks: [Task] { tasks.filter { $0.state == "FAILED" } }
    public var isFailed: Bool { state == "FAILED" || !failedTasks.isEmpty }

    /// The trace a human needs first: the failed connector's, else the first failed task's.
    public var firstTrace: String {
        if state == "FAILED", let trace, !trace.isEmpty { return trace }
        return failedTasks.first(where: { ($0.trace ?? "").isEmpty == false })?.trace ?? ""
    }

    /// Has the connector and every task reached `target`? For RUNNING with no expected count
    /// at least one task must exist: a fresh connector reports RUNNING before its tasks start.
    public func hasReached(_ target: String, expectedTasks: Int?) -> Bool {
        state == target && tasksReached(target, expectedTasks: expectedTasks)
    }

    public func tasksReached(_ target: String, expectedTasks: Int?) -> Bool {
        switch target {
        case "STOPPED":
            // A stopped connector has no tasks (KIP-875).
            return tasks.isEmpty || tasks.allSatisfy { $0.state == "STOPPED" }
        default:
            let inTarget = tasks.filter { $0.state == target }.count
            if let expectedTasks { return tasks.count == expectedTasks && inTarget == expectedTasks }
            return !tasks.isEmpty && inTarget == tasks.count
        }
    }

    public var json: JSONValue {
        .object([
            ("connector", .string(name)),
            ("state", .string(state)),
            ("type", .string(type)),
            ("worker_id", .string(workerId)),
            ("tasks_running", .int(tasksRunning)),
            ("tasks_total", .int(tasks.count)),
            ("failed_tasks", .int(failedTasks.count)),
            ("failed_task_ids", .string(failedTasks.map { String($0.id) }.joined(separator: ","))),
            ("trace", .string(firstTrace)),
            ("tasks", .array(tasks.map { task in
                .object([("id", .int(task.id)), ("state", .string(task.state)), ("worker_id", .string(task.workerId)),
                         ("trace", .string(task.trace ?? ""))])
            })),
        ])
    }
}
