import Foundation
import Kafka
import TerraformIO

extension Operations {
    public static let lagOperations: [OperationDefinition] = [lag]

    public static let lag = OperationDefinition(
        words: ["lag"],
        summary: "A consumer group's committed offsets against each partition's high watermark: lag per partition and in total; optionally wait until the group caught up.",
        parameters: [
            KafkaSettings.bootstrapSpec,
            ParameterSpec("group_id", .string, required: true, help: "The consumer group."),
            ParameterSpec("topic", .topic, required: true, help: "The topic the group reads."),
            ParameterSpec("require_caught_up", .boolean, help: "Make it a check: passed only when the total lag is 0 (exit 2 otherwise; external: passed=\"false\")."),
            ParameterSpec("wait", .duration(0...3600), help: "Poll until the group caught up or this long passed (default 0: read once)."),
            ParameterSpec("timeout", .duration(0.5...600), help: "Bound on each read of offsets (default 15s)."),
            KafkaSettings.kafkaConfigSpec,
        ]
    ) { p in
        try runLag(p)
    }

    static func runLag(_ p: Parameters) throws -> OperationOutcome {
        let groupId = try p.requiredString("group_id")
        let topic = try p.requiredString("topic")
        let timeout = try p.duration("timeout") ?? 15
        let wait = try p.duration("wait") ?? 0
        let requireCaughtUp = try p.bool("require_caught_up") ?? false
        let reader = try GroupOffsetReader(config: try KafkaSettings.config(p), groupId: groupId)
        let deadline = Clock.monotonicSeconds() + wait
        var offsets: [GroupOffsetReader.PartitionOffsets]
        while true {
            do {
                offsets = try reader.offsets(topic: topic, timeout: timeout)
            } catch {
                throw StreamcheckError("cannot read the lag of group '\(groupId)' on topic '\(topic)': \(error)")
            }
            let total = offsets.reduce(Int64(0)) { $0 + $1.lag }
            if total == 0 || Clock.monotonicSeconds() >= deadline { break }
            Thread.sleep(forTimeInterval: min(0.5, max(0.05, deadline - Clock.monotonicSeconds())))
        }
        let total = offsets.reduce(Int64(0)) { $0 + $1.lag }
        let caughtUp = total == 0
        var fields: [(String, JSONValue)] = []
        if requireCaughtUp {
            fields.append(("passed", .bool(caughtUp)))
            fields.append(("failed_checks", .string(caughtUp ? "" : "caught_up")))
        }
        fields += [
            ("group_id", .string(groupId)),
            ("topic", .string(topic)),
            ("total_lag", .int(total)),
            ("caught_up", .bool(caughtUp)),
            ("committed_partitions", .int(Int64(offsets.filter { $0.committed != nil }.count))),
            ("partitions", .array(offsets.map { o in
                .object([
                    ("partition", .int(Int64(o.partition))),
                    ("committed", o.committed.map { .int($0) } ?? .null),
                    ("low", .int(o.low)),
                    ("high", .int(o.high)),
                    ("lag", .int(o.lag)),
                ])
            })),
        ]
        if requireCaughtUp {
            let behind = offsets.filter { $0.lag > 0 }.map { "\($0.partition): \($0.lag)" }.joined(separator: ", ")
            fields.append(("checks", .array([Check(
                name: .caught_up, passed: caughtUp, expected: "lag 0 on every partition",
                found: caughtUp ? "lag 0" : "lag \(total) (partition: lag \(behind))").json])))
        }
        let summary = caughtUp
            ? "group \(groupId) caught up on \(topic) (\(offsets.count) partitions, lag 0)"
            : "group \(groupId) is \(total) messages behind on \(topic)"
        return OperationOutcome(result: .object(fields), passed: requireCaughtUp ? caughtUp : nil, summary: summary)
    }
}
