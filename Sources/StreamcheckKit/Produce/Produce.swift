import Foundation
import Kafka
import TerraformIO

/// Header names every produced message carries. The payload stays exactly the user's format.
public enum StreamcheckHeaders {
    public static let runId = "streamcheck.run_id"
    public static let seq = "streamcheck.seq"
    public static let producedAt = "streamcheck.produced_at"
    public static let digest = "streamcheck.digest"
}

public struct ProduceRequest {
    public var kafka: KafkaConfig
    public var topic: String
    public var messageCount: Int
    public var format: MessageFormat
    public var schemaFile: String?
    public var dataFile: String?
    public var keyStrategy: KeyStrategy
    public var seed: UInt64
    /// Messages per second; 0 = as fast as possible.
    public var rate: Double
    public var streaming: Bool
    public var runId: String
    public var manifestPath: String
    public var deliveryTimeout: Double
    /// Extra manifest header facts a format wants to keep (registry URL, subject, schema id).
    public var manifestExtras: (registryURL: String?, subject: String?, schemaId: Int?) = (nil, nil, nil)
}

public enum KeyStrategy: Equatable {
    case none, sequence, random
    case field(String)

    public static func parse(_ text: String, name: String) throws -> KeyStrategy {
        switch text {
        case "none": return .none
        case "sequence": return .sequence
        case "random": return .random
        default:
            if text.hasPrefix("field:"), text.count > 6 { return .field(String(text.dropFirst(6))) }
            throw ParameterError("invalid value '\(text)' for '\(name)': expected none, sequence, random or field:<name>")
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .sequence: return "sequence"
        case .random: return "random"
        case let .field(f): return "field:\(f)"
        }
    }

    var needsRecord: Bool { if case .field = self { return true }; return false }

    /// Writes message `seq`'s key into `out` (a buffer reused between messages); false when
    /// the strategy gives no key. `record` is needed only by `field:`.
    func appendKey(seq: Int, seed: UInt64, record: JSONValue?, to out: inout [UInt8]) throws -> Bool {
        switch self {
        case .none: return false
        case .sequence:
            if seq < 0 { out.append(UInt8(ascii: "-")) }
            UserEventGenerator.appendDecimal(UInt64(seq.magnitude), to: &out)
            return true
        case .random:
            var rng = SplitMix64(seed: seed ^ 0x5EED_4B45_5953, seq: seq)
            ContentDigest.appendHex(rng.next(), to: &out)
            return true
        case let .field(name):
            guard let value = record?[name], value != .null else {
                throw StreamcheckError("key_strategy field:\(name): message \(seq) has no field '\(name)'; pick a field every record has")
            }
            out.append(contentsOf: (value.stringValue ?? value.encoded()).utf8)
            return true
        }
    }
}

public struct ProduceResult {
    public var manifest: Manifest
    public var failed: Int
    public var firstError: String?
    public var durationSeconds: Double
    public var ackLatency: LatencyRecorder
    public var partitionCounts: [Int32: Int]
    /// SIGINT or SIGTERM stopped the produce: `sent` messages were handed to the producer.
    public var interrupted = false
    public var sent = 0
}

extension ProduceResult {
    /// False with acks=0: librdkafka "delivered" the messages, but no broker confirmed any.
    public var offsetsKnown: Bool { manifest.header.offsetsKnown }

    /// Messages acknowledged with no offset although the broker confirms offsets: librdkafka's
    /// idempotent producer reports a batch delivered, without an offset, when a later batch of
    /// the same partition succeeds ("implicit ack"; a real broker refuses a sequence gap). The
    /// embedded broker (librdkafka 2.0.2's mock) checks no sequences for a producer without a
    /// transactional id, so there such a batch may never have been stored.
    public var acknowledgedWithoutOffset: Int {
        guard offsetsKnown else { return 0 }
        return manifest.entries.lazy.filter { $0.isExpected && !$0.hasOffset && $0.partition != ManifestEntry.notThroughKafka }.count
    }
}

/// Produces `messageCount` messages with an idempotent producer and waits for every delivery
/// report. The manifest records what was acknowledged; nothing unacknowledged counts as sent.
public func produceMessages(_ request: ProduceRequest) throws -> ProduceResult {
    let count = request.messageCount
    let startMicros = Clock.nowMicros()
    let startMs = startMicros / 1000
    var entries = [ManifestEntry](repeating: .unacknowledged, count: count)
    var acknowledged = 0
    var failed = 0
    var firstError: String?
    var ackLatency = LatencyRecorder()
    var partitionCounts: [Int32: Int] = [:]

    var config = request.kafka
    if request.streaming {
        if config.value("linger.ms") == nil { config.set("linger.ms", "0") }
    } else {
        if config.value("linger.ms") == nil { config.set("linger.ms", "20") }
        if config.value("batch.num.messages") == nil { config.set("batch.num.messages", "10000") }
        // Bounded in-flight queue: memory stays a fixed overhead, not a copy of every message.
        if config.value("queue.buffering.max.messages") == nil { config.set("queue.buffering.max.messages", "50000") }
        if config.value("queue.buffering.max.kbytes") == nil { config.set("queue.buffering.max.kbytes", "16384") }
    }
    if config.value("message.timeout.ms") == nil {
        config.set("message.timeout.ms", String(Int(request.deliveryTimeout * 1000)))
    }

    // Delivery reports arrive on this thread (inside poll/flush/produce), so no lock is needed.
    let producer = try KafkaProducer(config: config) { report in
        let seq = report.token
        guard seq >= 0, seq < count else { return }
        if let error = report.error {
            failed += 1
            if firstError == nil { firstError = error.message }
            entries[seq].partition = -1
            entries[seq].offset = -1
            return
        }
        entries[seq].partition = report.partition
        // acks=0: the broker sends nothing back, and librdkafka reports -1001 (no offset).
        entries[seq].offset = report.offset >= 0 ? report.offset : ManifestEntry.unknownOffset
        acknowledged += 1
        partitionCounts[report.partition, default: 0] += 1
        let producedMicros = startMs * 1000 + Int64(entries[seq].producedAt) * 100
        ackLatency.record(micros: Clock.nowMicros() - producedMicros)
    }

    var headers: [(String, [UInt8])] = [
        (StreamcheckHeaders.runId, Array(request.runId.utf8)), (StreamcheckHeaders.seq, []),
        (StreamcheckHeaders.producedAt, []), (StreamcheckHeaders.digest, []),
    ]
    var value: [UInt8] = []
    var key: [UInt8] = []
    value.reserveCapacity(512)
    key.reserveCapacity(64)
    // Know that the manifest can be kept before the first message goes out: messages sent
    // without a record of them cannot be verified, and cannot be taken back.
    do { try AtomicFile.checkWritable(request.manifestPath) } catch {
        throw StreamcheckError("cannot write manifest \(request.manifestPath): \(error); nothing was produced")
    }
    // A pipeline cancelled mid-produce (SIGTERM from the runner, Ctrl-C) still leaves the
    // manifest of what the broker acknowledged.
    BackgroundProcess.catchTermination()
    var interrupted = false
    var sent = 0
    let clockStart = Clock.monotonicSeconds()
    let progress = Progress(label: "produce \(request.topic)", total: count)
    for seq in 0..<count {
        if BackgroundProcess.terminationWasRequested { interrupted = true; break }
        if request.rate > 0 {
            let due = clockStart + Double(seq) / request.rate
            while !BackgroundProcess.terminationWasRequested {
                let wait = due - Clock.monotonicSeconds()
                if wait <= 0 { break }
                producer.poll(timeoutMs: Int32(max(1, min(wait * 1000, 100))))
            }
            if BackgroundProcess.terminationWasRequested { interrupted = true; break }
        }
        var (digest, record) = try request.format.encode(seq: seq, into: &value)
        if record == nil, request.keyStrategy.needsRecord { record = try request.format.record(at: seq) }
        key.removeAll(keepingCapacity: true)
        let hasKey = try request.keyStrategy.appendKey(seq: seq, seed: request.seed, record: record, to: &key)
        let nowMicros = Clock.nowMicros()
        let producedAt = UInt32(clamping: max(0, (nowMicros - startMs * 1000) / 100))
        entries[seq] = ManifestEntry(partition: -1, offset: -1, keyHash: hasKey ? ContentDigest.keyHash(key) : 0, digest: digest, producedAt: producedAt)
        // Header values rendered into the buffers they had for the previous message.
        headers[1].1.removeAll(keepingCapacity: true)
        UserEventGenerator.appendDecimal(UInt64(seq), to: &headers[1].1)
        headers[2].1.removeAll(keepingCapacity: true)
        UserEventGenerator.appendDecimal(UInt64(max(0, nowMicros)), to: &headers[2].1)
        headers[3].1.removeAll(keepingCapacity: true)
        ContentDigest.appendHex(digest, to: &headers[3].1)
        do {
            // The record's CreateTime is the produce time in the header (to the millisecond), so
            // a consumer can tell our own stamp (which measures nothing) from a later writer's.
            try producer.produce(topic: request.topic, key: hasKey ? key : nil, value: value, headers: headers,
                                 timestampMs: nowMicros / 1000, token: seq, queueWait: request.deliveryTimeout,
                                 giveUp: { BackgroundProcess.terminationWasRequested || producer.refusedLogin != nil })
        } catch {
            if BackgroundProcess.terminationWasRequested { interrupted = true; break }
            // Stop enqueueing, but still wait for what is in flight so the manifest is honest.
            if firstError == nil { firstError = "\(error)" }
            break
        }
        sent = seq + 1
        if request.streaming || seq % 1000 == 0 {
            producer.poll(timeoutMs: 0)
            progress.update(done: seq + 1)
        }
    }
    progress.finish()
    // Wait for what is in flight; a termination signal (before or during the wait) leaves it a
    // short, bounded chance to be acknowledged.
    let interruptGrace = min(5, request.deliveryTimeout)
    var flushDeadline = Clock.monotonicSeconds() + (interrupted ? interruptGrace : request.deliveryTimeout)
    var remaining = producer.flush(timeout: 0)
    while remaining > 0 && Clock.monotonicSeconds() < flushDeadline && producer.refusedLogin == nil {
        if BackgroundProcess.terminationWasRequested && !interrupted {
            interrupted = true
            flushDeadline = min(flushDeadline, Clock.monotonicSeconds() + interruptGrace)
        }
        remaining = producer.flush(timeout: min(0.2, max(0, flushDeadline - Clock.monotonicSeconds())))
    }
    if remaining > 0, let refused = producer.refusedLogin {
        firstError = refused  // the reason, whatever a queued message's own error said
    }
    if remaining > 0 {
        // Say why before purging: the purge's own reports only say "Purged in queue".
        let waited = interrupted ? "within \(Int(interruptGrace))s of the termination signal" : "within \(Int(request.deliveryTimeout))s"
        if firstError == nil { firstError = "no acknowledgement \(waited) for \(remaining) messages" }
        producer.purgeOutstanding()
    }
    // acks=0: librdkafka reports a message delivered once it is written to the socket; make
    // sure the brokers read it before this process exits and closes the connections.
    if (config.value("acks") ?? config.value("request.required.acks")) == "0", remaining == 0, !partitionCounts.isEmpty {
        producer.roundTrip(topic: request.topic, partitions: partitionCounts.keys.sorted(), timeout: min(10, request.deliveryTimeout))
    }
    if let lastError = producer.lastError, firstError != nil, !(firstError!.contains(lastError)), producer.refusedLogin == nil {
        firstError! += " (last broker error: \(lastError))"
    }
    let duration = Clock.monotonicSeconds() - clockStart
    let header = ManifestHeader(
        runId: request.runId, topic: request.topic, dataFormat: request.format.name, messageCount: count, seed: request.seed,
        keyStrategy: request.keyStrategy.description,
        schemaFile: request.schemaFile.map(absolutePath), dataFile: request.dataFile.map(absolutePath),
        registryURL: request.manifestExtras.registryURL, subject: request.manifestExtras.subject,
        schemaId: request.manifestExtras.schemaId, startedAtMs: startMs)
    var manifest = Manifest(header: header, entries: entries)
    manifest.header.offsetsKnown = acknowledged == 0 || entries.contains { $0.hasOffset }
    try manifest.write(to: request.manifestPath)
    return ProduceResult(manifest: manifest, failed: count - acknowledged, firstError: firstError, durationSeconds: duration,
                         ackLatency: ackLatency, partitionCounts: partitionCounts, interrupted: interrupted, sent: sent)
}

func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}
