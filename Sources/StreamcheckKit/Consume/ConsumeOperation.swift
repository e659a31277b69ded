import Foundation
import Kafka
import TerraformIO

extension Operations {
    public static let consumeParameters: [ParameterSpec] = [
        KafkaSettings.bootstrapSpec,
        ParameterSpec("topic", .topic, help: "Topic to consume (default: the manifest's topic)."),
        ParameterSpec("manifest", .path, required: true, help: "The manifest produce (or seed-source) wrote."),
        ParameterSpec("group_id", .string, help: "Consumer group to commit the offsets read under, so lag can follow it (default: streamcheck-<run_id>, nothing committed)."),
        ParameterSpec("members", .integer(1...64), help: "Consumers in the same group (default 1); more than one joins the group."),
        ParameterSpec("join_group", .boolean, help: "Join the consumer group as a member even with one consumer (a test about group behaviour); otherwise partitions are assigned directly and no group join is paid (default false)."),
        ParameterSpec("expect_count", .integer(0...10_000_000), help: "Messages that must arrive (default: every message the broker acknowledged); more than the manifest holds is refused."),
        ParameterSpec("timeout", .duration(0.5...3600), help: "Bound on the whole consume (default 30s); it never hangs."),
        ParameterSpec("from", .choice(["beginning", "manifest", "committed"]), help: "Where to start: beginning (the oldest message, whatever the group committed), manifest (the manifest's first offsets), or committed (resume: messages below the group's committed offsets were read by an earlier consume of this group and are not expected again) (default beginning)."),
        ParameterSpec("leave_after", .integer(1...10_000_000), help: "Fault test: member 0 leaves the group after reading this many messages; the other members take over its partitions (needs members >= 2)."),
        ParameterSpec("join_after", .integer(1...10_000_000), help: "Fault test: the last member joins the group only after the group has read this many messages; the partitions are split again (needs members >= 2)."),
        ParameterSpec("max_messages", .integer(1...10_000_000), help: "Stop after this many messages and commit exactly those (a partial consume; a later --from committed resumes after them). Loss is not checked."),
        ParameterSpec("delivery_sla", .duration(0...86_400), help: "Every message must arrive within this latency, e.g. 30s."),
        ParameterSpec("background", .boolean, help: "Start consuming in the background and return a handle once it reads; read it later with --collect. Started before produce (the manifest not yet written, --topic given), it reads from the partitions' ends and measures produce_to_consume."),
        ParameterSpec("handle", .path, help: "With background or collect: the handle file."),
        ParameterSpec("collect", .boolean, help: "Wait for a background consume (bounded by timeout) and return its result."),
        ParameterSpec("background_started", .integer(0...Int64.max), help: "Internal: when a background consume was started (epoch microseconds)."),
        KafkaSettings.kafkaConfigSpec,
    ] + AvroSupport.consumeParameters

    public static let consume = OperationDefinition(
        words: ["consume"],
        summary: "Consume and verify against a manifest: count, integrity, ordering, duplicates, loss, latency.",
        parameters: consumeParameters
    ) { p in
        if try p.bool("collect") == true { return try collectBackgroundConsume(p) }
        if try p.bool("background") == true { return try startBackgroundConsume(p) }
        return try runConsume(p, startedMicros: try p.int("background_started").map { Int64($0) })
    }

    /// The decoder for consume: the manifest's format (Avro with its reader schema and registry).
    static func makeConsumeFormat(_ header: ManifestHeader, _ p: Parameters) throws -> MessageFormat? {
        if let checking = try AvroSupport.makeConsumeFormat(header, p) { return checking }
        return try? MessageFormats.make(header: header)
    }

    /// Extra checks a format adds (schema_compliance): (checks, extra result fields).
    static let extraConsumeChecks: [(Verifier, Parameters) -> ([Check], [(String, JSONValue)])] = [AvroSupport.schemaComplianceCheck]

    static func runConsume(_ p: Parameters, startedMicros: Int64?) throws -> OperationOutcome {
        let manifestPath = try p.requiredString("manifest")
        // A background consume started before produce waits for the manifest; everyone else
        // needs it now (a mistyped path must not wait out the timeout).
        let awaiting = startedMicros != nil && !FileManager.default.fileExists(atPath: manifestPath)
        let manifest = awaiting ? nil : try Manifest.read(path: manifestPath)
        guard let topic = p.string("topic") ?? manifest?.header.topic else {
            throw ParameterError("'\(p.name("topic"))' is needed when the manifest is not written yet: the consumer must know what to read before produce runs")
        }
        let groupId = p.string("group_id") ?? "streamcheck-\(manifest?.header.runId ?? "early-\(getpid())")"
        let timeout = try p.duration("timeout") ?? 30
        let expectCount = try p.int("expect_count")
        // A stated expectation the manifest can never meet is refused, whenever the manifest arrives.
        func checkExpectation(_ manifest: Manifest) throws {
            if let expectCount, expectCount > manifest.expectedCount {
                throw ParameterError("'\(p.name("expect_count"))' is \(expectCount) but the manifest holds only \(manifest.expectedCount) acknowledged messages: that expectation can never be met")
            }
        }
        if let manifest { try checkExpectation(manifest) }
        var request = ConsumeRequest(
            kafka: try KafkaSettings.config(p), topic: topic, manifest: manifest,
            format: try manifest.map { try makeConsumeFormat($0.header, p) } ?? nil, groupId: groupId, members: try p.int("members") ?? 1,
            expectCount: expectCount, timeout: timeout, fromManifestOffsets: p.string("from") == "manifest",
            consumerStartedMicros: startedMicros ?? Clock.nowMicros(),
            resumeFromCommitted: p.string("from") == "committed", maxMessages: try p.int("max_messages"),
            leaveAfter: try p.int("leave_after"), joinAfter: try p.int("join_after"))
        request.commitOffsets = p.string("group_id") != nil || request.joinsGroup
        request.asGroupMember = try p.bool("join_group") ?? false
        if awaiting {
            request.awaitedManifest = AwaitedManifest(path: manifestPath, readyFile: p.string("handle").map { $0 + ".ready" }) { manifest in
                try checkExpectation(manifest)
                return try makeConsumeFormat(manifest.header, p)
            }
        }
        if request.joinAfter != nil && request.members < 2 {
            throw ParameterError("'\(p.name("join_after"))' needs '\(p.name("members"))' of 2 or more: the group must have started without the late member")
        }
        if request.leaveAfter != nil && request.members < 2 {
            throw ParameterError("'\(p.name("leave_after"))' needs '\(p.name("members"))' of 2 or more: another member must take over")
        }
        let outcome = try consumeAndVerify(request)
        return consumeResult(outcome, request: request, sla: try p.duration("delivery_sla"), parameters: p)
    }

    static func consumeResult(_ o: ConsumeOutcome, request: ConsumeRequest, sla: Double?, parameters: Parameters) -> OperationOutcome {
        let v = o.verifier
        let manifest = v.manifest
        let expected = request.expectCount ?? (v.expectedCount - v.consumedBefore.count)
        let truncated = v.truncatedByRetention.count
        let (missing, missingSample) = v.missingSeqs(limit: 10)
        let honestP2C = v.consumerRanDuringProduce
        // The figure checked against the SLA: produce→consume when the consumer watched the
        // data flow, else the record timestamp at the destination minus the produce time (when
        // that timestamp is not streamcheck's own).
        let slaLatency = honestP2C ? v.produceToConsume : v.endToEnd
        let slaKind = honestP2C ? "produce_to_consume" : "record_timestamp_minus_produce_time"
        let p2cNullReason = honestP2C ? (v.produceToConsume.count == 0 ? "no message of this run arrived" : nil)
            : "the consumer started after the data was produced: start it before produce (consume --background, then --collect)"

        var checks: [Check] = []
        let partial = request.maxMessages != nil
        // A stated expectation is the bar, never lowered to what the manifest or retention allows.
        let target = min(expected, request.maxMessages ?? Int.max)
        let retentionNote = truncated > 0 ? " (\(truncated) truncated by broker retention before they could be read)" : ""
        let unconfirmed = manifest.header.offsetsKnown ? "" : " (acks=0: offsets unknown, checked by content and count)"
        let nothingToSee = target == 0 && v.expectedCount > 0 && truncated > 0
        checks.append(Check(name: .count, passed: v.unique >= target && !nothingToSee,
                            expected: "\(target) messages\(retentionNote)\(unconfirmed)",
                            found: nothingToSee ? "nothing left to verify: every message was removed by retention before it could be read" : "\(v.unique) messages"))
        checks.append(Check(name: .integrity, passed: v.corrupted == 0, expected: "every message matches its digest and the manifest",
                            found: v.corrupted == 0 ? "all match" : "\(v.corrupted) corrupted: \(v.samples.joined(separator: "; "))"))
        checks.append(Check(name: .ordering, passed: v.outOfOrder == 0 && v.outOfOrderByKey == 0,
                            expected: "produce order within each partition and key",
                            found: "\(v.outOfOrder) out of order by partition, \(v.outOfOrderByKey) by key"))
        checks.append(Check(name: .duplicates, passed: v.duplicates == 0, expected: "no message delivered twice",
                            found: "\(v.duplicates) duplicates" + (v.redelivered > 0 ? ", \(v.redelivered) at-least-once redeliveries of the same offset" : "")))
        if !partial {
            checks.append(Check(name: .loss, passed: missing == 0, expected: "no message lost",
                                found: missing == 0 ? "none missing\(retentionNote)" : "\(missing) missing, e.g. seq \(missingSample.map(String.init).joined(separator: ", "))"))
        }
        if request.members > 1 {
            checks.append(Check(name: .exclusive_assignment, passed: o.overlappingAssignments.isEmpty,
                                expected: "no partition owned by two members at once",
                                found: o.overlappingAssignments.isEmpty ? "exclusive" : "shared: \(o.overlappingAssignments)"))
        }
        var slaViolations = 0
        if let sla {
            slaViolations = slaLatency.countAbove(micros: Int64(sla * 1_000_000))
            checks.append(Check(name: .latency_sla, passed: slaViolations == 0 && slaLatency.count > 0,
                                expected: "every message within \(Duration.describe(sla)) (\(slaKind))",
                                found: slaLatency.count == 0 ? "no latency measured: \((honestP2C ? p2cNullReason : v.recordLatencyNullReason) ?? "nothing arrived")" : "\(slaViolations) over, max \(JSONValue.format(slaLatency.maxMs ?? 0)) ms"))
        }
        var extraFields: [(String, JSONValue)] = []
        for extra in extraConsumeChecks {
            let (moreChecks, fields) = extra(v, parameters)
            checks += moreChecks
            extraFields += fields
        }
        let failed = checks.filter { !$0.passed }.map(\.name)
        let passed = failed.isEmpty

        var fields: [(String, JSONValue)] = []
        fields.append(("passed", .bool(passed)))
        fields.append(("failed_checks", .string(failed.joined(separator: ","))))
        fields.append(("run_id", .string(manifest.header.runId)))
        fields.append(("topic", .string(request.topic)))
        fields.append(("group_id", .string(request.groupId)))
        fields.append(("members", .int(Int64(request.members))))
        fields.append(("messages_expected", .int(Int64(expected))))
        fields.append(("messages_consumed", .int(Int64(v.unique))))
        // A partial consume leaves the rest unread on purpose: nothing counts as missing.
        fields.append(("missing", .int(Int64(partial ? 0 : missing))))
        fields.append(("consumed_before", .int(Int64(v.consumedBefore.count))))
        fields.append(("never_acknowledged", .int(Int64(v.neverAcknowledged))))
        fields.append(("arrived_unacknowledged", .int(Int64(v.arrivedUnacknowledged))))
        fields.append(("offsets_known", .bool(manifest.header.offsetsKnown)))
        fields.append(("stopped_after", o.stoppedAfter.map { .int(Int64($0)) } ?? .null))
        fields.append(("truncated_by_retention", .int(Int64(truncated))))
        fields.append(("duplicates", .int(Int64(v.duplicates))))
        fields.append(("redelivered", .int(Int64(v.redelivered))))
        fields.append(("out_of_order", .int(Int64(v.outOfOrder + v.outOfOrderByKey))))
        fields.append(("corrupted", .int(Int64(v.corrupted))))
        fields.append(("foreign", .int(Int64(v.foreign))))
        fields.append(("identified_by_content", .int(Int64(v.identifiedByContent))))
        // A figure that measures nothing is null, with the reason beside it.
        fields += v.endToEnd.fields(prefix: "latency_ms")
        fields.append(("latency_ms_null_reason", v.recordLatencyNullReason.map { .string($0) } ?? .null))
        fields.append(("latency_kind", .string("record_timestamp_minus_produce_time")))
        fields.append(("latency_timestamp_type", .string(v.latencyTimestampType)))
        fields += honestP2C ? v.produceToConsume.fields(prefix: "produce_to_consume_ms") : LatencyRecorder().fields(prefix: "produce_to_consume_ms")
        fields.append(("produce_to_consume_ms_null_reason", p2cNullReason.map { .string($0) } ?? .null))
        fields.append(("delivery_sla_ms", sla.map { .double($0 * 1000) } ?? .null))
        fields.append(("sla_latency_kind", .string(slaKind)))
        fields.append(("sla_violations", .int(Int64(slaViolations))))
        fields.append(("throughput_msgs_per_s", .double(v.throughput.rounded())))
        fields.append(("duration_ms", .int(Int64(o.durationSeconds * 1000))))
        fields.append(("timed_out", .bool(o.timedOut)))
        fields += extraFields
        fields.append(("checks", .array(checks.map(\.json))))
        fields.append(("partition_assignment", .array(o.assignments.enumerated().map { member, partitions in
            .object([("member", .int(Int64(member))), ("partitions", .array(partitions.map { .int(Int64($0)) }))])
        })))
        fields.append(("latency_histogram", slaLatency.buckets))
        fields.append(("throughput_timeline", v.throughputTimeline))
        fields.append(("missing_sample", .array(missingSample.map { .int(Int64($0)) })))
        if let error = o.lastError, o.timedOut { fields.append(("last_client_error", .string(error))) }

        var summary = passed
            ? "verified \(v.unique)/\(expected) messages on \(request.topic): all checks passed"
            : "verification FAILED on \(request.topic): \(failed.joined(separator: ", ")) (consumed \(v.unique)/\(expected), missing \(missing), duplicates \(v.duplicates), out of order \(v.outOfOrder + v.outOfOrderByKey), corrupted \(v.corrupted))"
        if truncated > 0 { summary += "; \(truncated) messages were truncated by broker retention, not lost" }
        if v.neverAcknowledged > 0 { summary += "; \(v.neverAcknowledged) messages whose produce failed were not expected" }
        if o.timedOut, let error = o.lastError { summary += "; last client error: \(error)" }
        return OperationOutcome(result: .object(fields), passed: passed, summary: summary)
    }

    // MARK: background consume

    static func startBackgroundConsume(_ p: Parameters) throws -> OperationOutcome {
        guard let handle = p.string("handle") else {
            throw ParameterError("'\(p.name("background"))' needs '\(p.name("handle"))': the file a later collect reads")
        }
        let manifestPath = try p.requiredString("manifest")
        if FileManager.default.fileExists(atPath: manifestPath) {
            _ = try Manifest.read(path: manifestPath)  // fail now, not in the background
        } else if p.string("topic") == nil {
            throw ParameterError("no manifest at \(manifestPath) yet: a consumer started before produce needs '\(p.name("topic"))'")
        }
        var arguments = ["consume"]
        for spec in consumeParameters where !["background", "collect", "kafka_config", "background_started", "result_file", "report_dir"].contains(spec.key) {
            if let value = p.string(spec.key) { arguments += [spec.flag, value] }
        }
        for (k, v) in try p.keyValues("kafka_config") { arguments += ["-X", "\(k)=\(v)"] }
        let resultPath = handle + ".result.json"
        let logPath = handle + ".log"
        let readyPath = handle + ".ready"
        try? FileManager.default.removeItem(atPath: resultPath)
        try? FileManager.default.removeItem(atPath: readyPath)
        // The child records the moment it started, so its produce→consume latency stays honest.
        arguments += ["--result-file", resultPath, "--background-started", String(Clock.nowMicros())]
        let pid = try BackgroundProcess.spawnSelf(arguments, logPath: logPath)
        if !FileManager.default.fileExists(atPath: manifestPath) {
            // Return only once the consumer holds its starting offsets (the partitions' ends):
            // a produce started earlier could slip messages in before them.
            let deadline = Date().addingTimeInterval(try p.duration("timeout") ?? 30)
            while !FileManager.default.fileExists(atPath: readyPath) && BackgroundProcess.isAlive(pid) && Date() < deadline { usleep(10_000) }
            if !FileManager.default.fileExists(atPath: readyPath) {
                _ = BackgroundProcess.stop(pid, grace: 1)
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw StreamcheckError("background consume (pid \(pid)) did not start reading: \(log.split(separator: "\n").last.map(String.init) ?? "no output")")
            }
        }
        let json = JSONValue.object([
            ("handle", .string(absolutePath(handle))), ("pid", .int(Int64(pid))),
            ("result_file", .string(absolutePath(resultPath))), ("log", .string(absolutePath(logPath))),
        ])
        try AtomicFile.write(json.encodedPretty() + "\n", to: handle)
        return OperationOutcome(result: json, summary: "consuming in the background (pid \(pid)); collect with --collect --handle \(handle)")
    }

    static func collectBackgroundConsume(_ p: Parameters) throws -> OperationOutcome {
        guard let handlePath = p.string("handle") else {
            throw ParameterError("'\(p.name("collect"))' needs '\(p.name("handle"))': the file --background wrote")
        }
        guard let data = FileManager.default.contents(atPath: handlePath), let handle = try? JSONValue.parse(bytes: [UInt8](data)),
              let pid = handle["pid"]?.int64Value, let resultPath = handle["result_file"]?.stringValue else {
            throw StreamcheckError("cannot read consume handle \(handlePath); pass the file that consume --background wrote")
        }
        let deadline = Date().addingTimeInterval(try p.duration("timeout") ?? 30)
        while BackgroundProcess.isAlive(pid_t(pid)) && Date() < deadline { usleep(50_000) }
        if BackgroundProcess.isAlive(pid_t(pid)) {
            BackgroundProcess.stop(pid_t(pid), grace: 5)
            throw StreamcheckError("background consume (pid \(pid)) did not finish in time; it was stopped (log: \(handle["log"]?.stringValue ?? ""))")
        }
        guard let resultData = FileManager.default.contents(atPath: resultPath), let result = try? JSONValue.parse(bytes: [UInt8](resultData)) else {
            let log = (try? String(contentsOfFile: handle["log"]?.stringValue ?? "", encoding: .utf8)) ?? ""
            let last = log.split(separator: "\n").last.map(String.init) ?? "no output"
            throw StreamcheckError("background consume (pid \(pid)) left no result: \(last)")
        }
        let passed = result["passed"]?.boolValue
        let summary = "collected background consume: " + (passed == true ? "all checks passed" : "FAILED: \(result["failed_checks"]?.stringValue ?? "error")")
        return OperationOutcome(result: result, passed: passed, summary: summary)
    }
}
