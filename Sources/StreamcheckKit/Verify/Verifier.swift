import Foundation
import Kafka
import TerraformIO

/// Checks consumed messages against a manifest. Memory: one byte per expected message plus
/// the manifest's 32 bytes; never the messages themselves. Thread-safe: members of one group
/// share a verifier.
public final class Verifier: @unchecked Sendable {
    public let manifest: Manifest
    let format: MessageFormat?
    let sameTopic: Bool
    let consumerStartedMicros: Int64
    let lock = NSLock()

    var timesSeen: [UInt8]
    public private(set) var unique = 0
    public private(set) var duplicates = 0
    public private(set) var redelivered = 0
    public private(set) var outOfOrder = 0
    public private(set) var outOfOrderByKey = 0
    public private(set) var corrupted = 0
    public private(set) var foreign = 0
    public private(set) var identifiedByContent = 0
    var corruptionSamples: [String] = []
    var lastSeqByPartition: [Int32: Int] = [:]
    var lastSeqByKey: [UInt64: Int] = [:]
    let trackKeys: Bool
    var digestIndex: [UInt64: Int]?
    public var endToEnd = LatencyRecorder()
    public var produceToConsume = LatencyRecorder()
    var sawLogAppendTime = false
    var firstReceiveMicros: Int64 = 0
    var lastReceiveMicros: Int64 = 0
    var perSecond: [Int] = []
    /// Expected messages that broker retention removed before we could read them.
    public var truncatedByRetention = Set<Int>()
    /// Expected messages an earlier consume of the same group already read (below the group's
    /// committed offsets when a resume started): neither missing nor to be read again.
    public var consumedBefore = Set<Int>()

    public init(manifest: Manifest, format: MessageFormat?, consumedTopic: String, consumerStartedMicros: Int64) {
        self.manifest = manifest
        self.format = format
        self.sameTopic = consumedTopic == manifest.header.topic
        self.consumerStartedMicros = consumerStartedMicros
        self.timesSeen = [UInt8](repeating: 0, count: manifest.entries.count)
        self.trackKeys = manifest.header.keyStrategy.hasPrefix("field:")
    }

    /// Whether produce→consume latency is honest: only when this consumer was already running
    /// while the data was produced (never the gap between two Terraform run blocks).
    public var consumerRanDuringProduce: Bool { consumerStartedMicros <= manifest.header.startedAtMs * 1000 }

    public var target: Int { manifest.entries.count - truncatedByRetention.union(consumedBefore).count }
    public var isComplete: Bool {
        lock.lock(); defer { lock.unlock() }
        return unique >= target
    }

    /// Distinct expected messages seen so far; safe to read while members are still observing.
    public var uniqueCount: Int {
        lock.lock(); defer { lock.unlock() }
        return unique
    }

    public func observe(_ message: KafkaMessage, receivedMicros: Int64 = Clock.nowMicros()) {
        let header = manifest.header
        var seq: Int?
        var claimedDigest: UInt64?
        var producedAtMicros: Int64?
        if let runId = message.header(StreamcheckHeaders.runId) {
            guard runId.elementsEqual(header.runId.utf8) else {
                lock.lock(); foreign += 1; lock.unlock()
                return
            }
            seq = message.header(StreamcheckHeaders.seq).flatMap { Int(String(decoding: $0, as: UTF8.self)) }
            claimedDigest = message.header(StreamcheckHeaders.digest).flatMap(ContentDigest.parseHex)
            producedAtMicros = message.header(StreamcheckHeaders.producedAt).flatMap { Int64(String(decoding: $0, as: UTF8.self)) }
        }
        // The digest of what actually arrived. JSON produced by streamcheck is canonical, so
        // the bytes' hash matches without parsing; anything else is decoded first.
        var actualDigest: UInt64?
        var decodeProblem: String?
        let rawDigest = ContentDigest.fnv1a64(message.value)
        if let claimedDigest, rawDigest == claimedDigest, header.dataFormat == "json", !(format is SchemaComplianceReporting) {
            actualDigest = rawDigest
        } else if let format {
            do { actualDigest = try format.digest(of: message.value) } catch { decodeProblem = "\(error)" }
        }

        lock.lock()
        defer { lock.unlock() }
        if seq == nil {
            // No streamcheck headers (e.g. a source connector wrote it): identify by content.
            guard let digest = actualDigest, let found = contentIndex()[digest] else {
                foreign += 1
                return
            }
            seq = found
            identifiedByContent += 1
        }
        guard let seq, seq >= 0, seq < manifest.entries.count else {
            noteCorruption("message at \(message.partition)/\(message.offset) claims seq outside the manifest")
            return
        }
        let entry = manifest.entries[seq]
        if let decodeProblem {
            noteCorruption("seq \(seq) at \(message.topic)[\(message.partition)]@\(message.offset): \(decodeProblem)")
            return
        }
        if actualDigest != entry.digest || (claimedDigest != nil && claimedDigest != entry.digest) {
            noteCorruption("seq \(seq) at \(message.topic)[\(message.partition)]@\(message.offset): content does not match the manifest")
            return
        }

        if consumedBefore.contains(seq) {
            // Below the group's committed offset: an earlier consume read it already, so reading
            // it again is an at-least-once redelivery, not a new message.
            redelivered += 1
            return
        }
        if timesSeen[seq] > 0 {
            // Read again. Same place as the manifest says: the consumer re-read it
            // (at-least-once redelivery after a rebalance). Elsewhere: sent twice.
            if sameTopic && entry.partition == message.partition && entry.offset == message.offset {
                redelivered += 1
            } else {
                duplicates += 1
            }
            if timesSeen[seq] < 255 { timesSeen[seq] += 1 }
            return
        }
        timesSeen[seq] = 1
        unique += 1

        if let last = lastSeqByPartition[message.partition], seq < last { outOfOrder += 1 }
        lastSeqByPartition[message.partition] = max(seq, lastSeqByPartition[message.partition] ?? seq)
        if trackKeys, entry.keyHash != 0 {
            if let last = lastSeqByKey[entry.keyHash], seq < last { outOfOrderByKey += 1 }
            lastSeqByKey[entry.keyHash] = max(seq, lastSeqByKey[entry.keyHash] ?? seq)
        }

        let produced = producedAtMicros ?? header.producedAtMicros(entry)
        if message.timestampMs > 0 {
            endToEnd.record(micros: message.timestampMs * 1000 - produced)
            if message.timestampIsLogAppendTime { sawLogAppendTime = true }
        }
        produceToConsume.record(micros: receivedMicros - produced)
        if firstReceiveMicros == 0 { firstReceiveMicros = receivedMicros }
        lastReceiveMicros = receivedMicros
        let second = Int((receivedMicros - firstReceiveMicros) / 1_000_000)
        if second < 86_400 {
            while perSecond.count <= second { perSecond.append(0) }
            perSecond[second] += 1
        }
    }

    private func noteCorruption(_ text: String) {
        corrupted += 1
        if corruptionSamples.count < 5 { corruptionSamples.append(text) }
    }

    private func contentIndex() -> [UInt64: Int] {
        if let digestIndex { return digestIndex }
        var index: [UInt64: Int] = [:]
        index.reserveCapacity(manifest.entries.count)
        for (seq, entry) in manifest.entries.enumerated() where entry.digest != 0 { index[entry.digest] = seq }
        digestIndex = index
        return index
    }

    /// Seqs never seen that the broker still held (loss), as opposed to truncated by retention.
    public func missingSeqs(limit: Int) -> (count: Int, sample: [Int]) {
        lock.lock(); defer { lock.unlock() }
        var count = 0
        var sample: [Int] = []
        for seq in 0..<timesSeen.count where timesSeen[seq] == 0 && !truncatedByRetention.contains(seq) && !consumedBefore.contains(seq) {
            count += 1
            if sample.count < limit { sample.append(seq) }
        }
        return (count, sample)
    }

    public var throughputTimeline: JSONValue {
        .array(perSecond.enumerated().map { .object([("second", .int(Int64($0.offset))), ("messages", .int(Int64($0.element)))]) })
    }

    public var throughput: Double {
        guard unique > 1, lastReceiveMicros > firstReceiveMicros else { return Double(unique) }
        return Double(unique) / (Double(lastReceiveMicros - firstReceiveMicros) / 1e6)
    }

    public var samples: [String] { corruptionSamples }
    public var latencyTimestampType: String { sawLogAppendTime ? "log_append_time" : "create_time" }
}
