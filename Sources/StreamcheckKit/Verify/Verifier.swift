import Foundation
import Kafka
import TerraformIO

/// A failure of something the verification needs (a Schema Registry that stays unavailable,
/// credentials it refuses), not of the data: the consume stops with an error instead of
/// counting the message as corrupted.
public protocol VerificationCannotContinue: Error, CustomStringConvertible {}

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
    /// Messages whose produce reported a failure that arrived all the same.
    public private(set) var arrivedUnacknowledged = 0
    /// Messages whose record timestamp was set by streamcheck's own producer (CreateTime on the
    /// manifest's topic): left out of `endToEnd`, which they would fill with zeros.
    public private(set) var ownCreateTimestamps = 0
    var corruptionSamples: [String] = []
    /// Set when a message could not be checked for a reason outside the data; every consume
    /// loop stops on it (`throwIfCannotContinue`), and the message is not counted.
    private var cannotContinue: VerificationCannotContinue?
    /// Highest seq seen per partition (index = partition; -1 none yet).
    var lastSeqByPartition: [Int] = []
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

    let runIdBytes: [UInt8]
    /// JSON that streamcheck produced is its own canonical form: when the bytes hash to the
    /// claimed digest, no decoding is needed (unless a schema check must look inside).
    let bytesAreCanonical: Bool

    public init(manifest: Manifest, format: MessageFormat?, consumedTopic: String, consumerStartedMicros: Int64) {
        self.manifest = manifest
        self.format = format
        self.sameTopic = consumedTopic == manifest.header.topic
        self.consumerStartedMicros = consumerStartedMicros
        self.timesSeen = [UInt8](repeating: 0, count: manifest.entries.count)
        self.trackKeys = manifest.header.keyStrategy.hasPrefix("field:")
        self.expectedCount = manifest.expectedCount
        self.bytesAreCanonical = manifest.header.dataFormat == "json" && !(format is SchemaComplianceReporting)
        self.runIdBytes = Array(manifest.header.runId.utf8)
    }

    /// Whether produce→consume latency is honest: only when this consumer was already running
    /// while the data was produced (never the gap between two Terraform run blocks).
    public var consumerRanDuringProduce: Bool { consumerStartedMicros <= manifest.header.startedAtMs * 1000 }

    /// Messages produce never got acknowledged: never sent as far as anyone knows, so neither
    /// expected nor missing.
    public var neverAcknowledged: Int { manifest.entries.count - expectedCount }
    public let expectedCount: Int
    public var target: Int { expectedCount - truncatedByRetention.union(consumedBefore).count }
    public var isComplete: Bool {
        lock.lock(); defer { lock.unlock() }
        return unique >= target
    }

    /// Distinct expected messages seen so far; safe to read while members are still observing.
    public var uniqueCount: Int {
        lock.lock(); defer { lock.unlock() }
        return unique
    }

    /// What one message says about itself, worked out before the lock is taken.
    private struct Reading {
        var foreignRun = false
        var seq: Int?
        var claimedDigest: UInt64?
        var producedAtMicros: Int64?
        var actualDigest: UInt64?
        var decodeProblem: String?
        var cannotContinue: VerificationCannotContinue?
    }

    private func read<M: ReceivedMessage>(_ message: M) -> Reading {
        var r = Reading()
        let ours: Bool? = message.withHeader(StreamcheckHeaders.runId) { value in
            value.map { got in
                got.count == runIdBytes.count && (got.isEmpty || runIdBytes.withUnsafeBytes { id in memcmp(id.baseAddress!, got.baseAddress!, id.count) == 0 })
            }
        }
        if let ours {
            guard ours else {
                r.foreignRun = true
                return r
            }
            r.seq = message.withHeader(StreamcheckHeaders.seq) { $0.flatMap(ContentDigest.parseDecimal).map { Int($0) } }
            r.claimedDigest = message.withHeader(StreamcheckHeaders.digest) { $0.flatMap(ContentDigest.parseHex) }
            r.producedAtMicros = message.withHeader(StreamcheckHeaders.producedAt) { $0.flatMap(ContentDigest.parseDecimal) }
        }
        // The digest of what actually arrived. JSON produced by streamcheck is canonical, so
        // the bytes' hash matches without parsing; anything else is decoded first.
        message.withValue { value in
            let rawDigest = ContentDigest.fnv1a64(value)
            if let claimed = r.claimedDigest, rawDigest == claimed, bytesAreCanonical {
                r.actualDigest = rawDigest
            } else if let format {
                do { r.actualDigest = try format.digest(of: Array(value)) } catch let error as VerificationCannotContinue {
                    r.cannotContinue = error
                } catch { r.decodeProblem = "\(error)" }
            }
        }
        return r
    }

    public func observe<M: ReceivedMessage>(_ message: M, receivedMicros: Int64 = Clock.nowMicros()) {
        observe([message], receivedMicros: receivedMicros)
    }

    /// Verifies a batch under one lock; the decoding and digests happen before it is taken.
    public func observe<M: ReceivedMessage>(_ messages: [M], receivedMicros: Int64 = Clock.nowMicros()) {
        let readings = messages.map(read)
        lock.lock()
        defer { lock.unlock() }
        for (message, reading) in zip(messages, readings) { apply(reading, of: message, receivedMicros: receivedMicros) }
    }

    /// Throws what stopped the verification, if anything did.
    public func throwIfCannotContinue() throws {
        lock.lock(); defer { lock.unlock() }
        if let cannotContinue { throw StreamcheckError("\(cannotContinue); nothing was concluded about the data") }
    }

    private func apply<M: ReceivedMessage>(_ r: Reading, of message: M, receivedMicros: Int64) {
        let header = manifest.header
        if let failure = r.cannotContinue {
            if cannotContinue == nil { cannotContinue = failure }
            return
        }
        if r.foreignRun {
            foreign += 1
            return
        }
        var seq = r.seq
        if seq == nil {
            // No streamcheck headers (e.g. a source connector wrote it): identify by content.
            guard let digest = r.actualDigest, let found = contentIndex()[digest] else {
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
        if let problem = r.decodeProblem {
            noteCorruption("seq \(seq) at \(message.topic)[\(message.partition)]@\(message.offset): \(problem)")
            return
        }
        if r.actualDigest != entry.digest || (r.claimedDigest != nil && r.claimedDigest != entry.digest) {
            noteCorruption("seq \(seq) at \(message.topic)[\(message.partition)]@\(message.offset): content does not match the manifest")
            return
        }
        if !entry.isExpected {
            // Its produce reported a failure, yet it arrived (e.g. written, then the
            // acknowledgement timed out). Never expected, so neither new nor a duplicate.
            arrivedUnacknowledged += 1
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
            if sameTopic && entry.hasOffset && entry.partition == message.partition && entry.offset == message.offset {
                redelivered += 1
            } else {
                duplicates += 1
            }
            if timesSeen[seq] < 255 { timesSeen[seq] += 1 }
            return
        }
        timesSeen[seq] = 1
        unique += 1

        let p = Int(max(0, message.partition))
        if p >= lastSeqByPartition.count { lastSeqByPartition += [Int](repeating: -1, count: p + 1 - lastSeqByPartition.count) }
        if seq < lastSeqByPartition[p] { outOfOrder += 1 }
        lastSeqByPartition[p] = max(seq, lastSeqByPartition[p])
        if trackKeys, entry.keyHash != 0 {
            if let last = lastSeqByKey[entry.keyHash], seq < last { outOfOrderByKey += 1 }
            lastSeqByKey[entry.keyHash] = max(seq, lastSeqByKey[entry.keyHash] ?? seq)
        }

        let produced = r.producedAtMicros ?? header.producedAtMicros(entry)
        if message.timestampMs > 0 {
            // streamcheck's producer sets each record's CreateTime to the produce time in its
            // header: a record still carrying that stamp (on its topic, or copied unchanged
            // elsewhere) measures nothing. LogAppendTime, or a stamp a later writer set, does.
            let ownStamp = !message.timestampIsLogAppendTime && r.producedAtMicros.map { $0 / 1000 == message.timestampMs } == true
            if !ownStamp {
                endToEnd.record(micros: message.timestampMs * 1000 - produced)
                if message.timestampIsLogAppendTime { sawLogAppendTime = true }
            } else {
                ownCreateTimestamps += 1
            }
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
        for seq in 0..<timesSeen.count where timesSeen[seq] == 0 && manifest.entries[seq].isExpected
            && !truncatedByRetention.contains(seq) && !consumedBefore.contains(seq) {
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

    /// Why `endToEnd` holds nothing, when it holds nothing; nil when it measured something.
    public var recordLatencyNullReason: String? {
        guard endToEnd.count == 0 else { return nil }
        if ownCreateTimestamps > 0 {
            return "the records carry the CreateTime streamcheck's producer gave them, so the record timestamp minus the produce time measures nothing; use a LogAppendTime topic, or start the consumer before produce for produce_to_consume"
        }
        return unique == 0 ? "no message of this run arrived" : "the records carry no timestamp"
    }
}
