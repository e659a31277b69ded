import Foundation
import Kafka
import TerraformIO

extension Operations {
    public static let produceParameters: [ParameterSpec] = [
        KafkaSettings.bootstrapSpec,
        ParameterSpec("topic", .topic, required: true, help: "Topic to produce to."),
        ParameterSpec("message_count", .integer(1...10_000_000), help: "How many messages (default: the data file's line count, else 1000)."),
        ParameterSpec("data_format", .choice(["json", "avro"]), help: "Message format (default json)."),
        ParameterSpec("schema_file", .path, help: "A JSON template, JSON sample or JSON Schema the generator fills deterministically (an .avsc for avro)."),
        ParameterSpec("data_file", .path, help: "JSON lines to send as they are, one message per line."),
        ParameterSpec("key_strategy", .string, help: "none, sequence, random or field:<name> (default sequence)."),
        ParameterSpec("seed", .integer(0...Int64.max), help: "Seed for generated data (default 1); the same seed gives the same records."),
        ParameterSpec("rate", .number(0...10_000_000), help: "Messages per second; 0 = as fast as possible (default 0)."),
        ParameterSpec("mode", .choice(["batch", "stream"]), help: "batch: batched for throughput; stream: one message at a time, no linger (default batch)."),
        ParameterSpec("run_id", .string, help: "Identifies this test run in headers and manifest (default: generated)."),
        ParameterSpec("manifest", .path, help: "Where to write the manifest (default: ./streamcheck-<run_id>.manifest)."),
        ParameterSpec("timeout", .duration(1...3600), help: "Bound on waiting for delivery reports (default 60s)."),
        KafkaSettings.kafkaConfigSpec,
    ] + AvroSupport.produceParameters

    public static let produce = OperationDefinition(
        words: ["produce"],
        summary: "Produce test messages with an idempotent producer, wait for every acknowledgement and write a manifest.",
        parameters: produceParameters
    ) { p in
        try runProduce(p)
    }

    /// The format for produce: Avro when data_format says so, else JSON.
    static func makeProduceFormat(_ p: Parameters, _ seed: UInt64, _ topic: String) throws -> (MessageFormat, (String?, String?, Int?)) {
        if let avro = try AvroSupport.makeProduceFormat(p, seed: seed, topic: topic) { return avro }
        let source = try RecordSources.make(schemaFile: p.string("schema_file"), dataFile: p.string("data_file"), seed: seed)
        return (JSONFormat(source: source), (nil, nil, nil))
    }

    static func runProduce(_ p: Parameters) throws -> OperationOutcome {
        // JSON takes its records from one place; Avro reads a data file through its schema.
        if (p.string("data_format") ?? "json") == "json", p.string("data_file") != nil, p.string("schema_file") != nil {
            throw ParameterError("'\(p.name("data_file"))' and '\(p.name("schema_file"))' both say where JSON records come from: give one (a schema file with a data file is for avro)")
        }
        let runId = p.string("run_id") ?? RunId.generate()
        try RunId.validate(runId, name: p.name("run_id"))
        let seed = UInt64(try p.int("seed") ?? 1)
        let topic = try p.requiredString("topic")
        let (format, extras) = try makeProduceFormat(p, seed, topic)
        // The data file, when given, bounds the count and is its default: read it once here.
        let available = try p.string("data_file").map { try DataFileRecords(path: $0).count }
        let messageCount = try p.int("message_count") ?? available ?? 1000
        if let available, messageCount > available {
            throw ParameterError("'\(p.name("message_count"))' is \(messageCount) but data_file has only \(available) records")
        }
        let request = ProduceRequest(
            kafka: try KafkaSettings.config(p), topic: topic, messageCount: messageCount, format: format,
            schemaFile: p.string("schema_file"), dataFile: p.string("data_file"),
            keyStrategy: try KeyStrategy.parse(p.string("key_strategy") ?? "sequence", name: p.name("key_strategy")),
            seed: seed, rate: try p.double("rate") ?? 0, streaming: p.string("mode") == "stream", runId: runId,
            manifestPath: p.string("manifest") ?? "streamcheck-\(runId).manifest",
            deliveryTimeout: try p.duration("timeout") ?? 60, manifestExtras: extras)
        let result = try produceMessages(request)
        let produced = request.messageCount - result.failed
        let throughput = result.durationSeconds > 0 ? Double(produced) / result.durationSeconds : 0
        var fields: [(String, JSONValue)] = []
        fields.append(("run_id", .string(runId)))
        fields.append(("topic", .string(request.topic)))
        fields.append(("messages_produced", .int(Int64(produced))))
        fields.append(("messages_failed", .int(Int64(result.failed))))
        fields.append(("offsets_known", .bool(result.offsetsKnown)))
        fields.append(("acknowledged_without_offset", .int(Int64(result.acknowledgedWithoutOffset))))
        fields.append(("partitions", .int(Int64(result.partitionCounts.count))))
        fields.append(("manifest", .string(absolutePath(request.manifestPath))))
        fields.append(("duration_ms", .int(Int64(result.durationSeconds * 1000))))
        fields.append(("throughput_msgs_per_s", .double(throughput.rounded())))
        fields.append(("data_format", .string(request.format.name)))
        fields.append(("key_strategy", .string(request.keyStrategy.description)))
        fields.append(("mode", .string(request.streaming ? "stream" : "batch")))
        fields.append(("latency_kind", .string("produce_to_ack")))
        fields += result.ackLatency.fields(prefix: "ack_latency_ms")
        if let id = extras.2 { fields.append(("schema_id", .int(Int64(id)))) }
        if let subject = extras.1 { fields.append(("subject", .string(subject))) }
        fields.append(("partition_counts", .object(result.partitionCounts.sorted { $0.key < $1.key }.map { (String($0.key), .int(Int64($0.value))) })))
        fields.append(("interrupted", .bool(result.interrupted)))
        let json = JSONValue.object(fields)
        if result.interrupted {
            throw StreamcheckError(
                "interrupted by a termination signal after sending \(result.sent) of \(request.messageCount) messages to '\(request.topic)'; the manifest \(request.manifestPath) records the \(produced) the broker acknowledged",
                partialResult: json)
        }
        if result.failed > 0 {
            throw StreamcheckError(
                "\(result.failed) of \(request.messageCount) messages to '\(request.topic)' were not acknowledged: \(result.firstError ?? "unknown error"); the manifest records the \(produced) that were",
                partialResult: json)
        }
        let unconfirmed = result.offsetsKnown ? "" : "; acks=0: no broker confirmed them, so consume checks them by content and count only"
        let summary = "produced \(produced) \(produced == 1 ? "message" : "messages") to \(request.topic) in \(Int(result.durationSeconds * 1000)) ms (\(Int(throughput)) msg/s), run \(runId), manifest \(request.manifestPath)\(unconfirmed)"
        return OperationOutcome(result: json, summary: summary)
    }
}
