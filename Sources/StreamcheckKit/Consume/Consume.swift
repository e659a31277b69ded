import Foundation
import Kafka
import TerraformIO

public struct ConsumeRequest {
    public var kafka: KafkaConfig
    public var topic: String
    /// nil: the consumer was started before produce and waits for `awaitedManifest`.
    public var manifest: Manifest?
    public var format: MessageFormat?
    public var groupId: String
    /// Commit what was read under `groupId` (so `lag` can follow it). A consume that joins no
    /// group commits only when asked: verifying leaves no trace otherwise.
    public var commitOffsets: Bool = true
    public var members: Int
    public var expectCount: Int?
    public var timeout: Double
    public var fromManifestOffsets: Bool
    public var consumerStartedMicros: Int64
    /// Resume: messages below the group's committed offsets were read by an earlier consume of
    /// this group; they are not expected again.
    public var resumeFromCommitted: Bool = false
    /// Stop after this many messages and commit exactly those (a partial consume, e.g. the
    /// first half of a resume test). nil: read until every expected message arrived.
    public var maxMessages: Int? = nil
    /// Member 0 leaves the group after it has read this many messages (a member leaving
    /// mid-run); the others take over its partitions. Needs members >= 2.
    public var leaveAfter: Int? = nil
    /// The last member joins the group only after the group has read this many messages (a
    /// member joining mid-run); the partitions are then split again. Needs members >= 2.
    public var joinAfter: Int? = nil
    /// Join the group as a member even with one member (a test about group behaviour).
    public var asGroupMember: Bool = false
    /// The consumer started before produce: read from the partitions' ends as they are now,
    /// remember when each message arrived, and verify once produce wrote the manifest.
    public var awaitedManifest: AwaitedManifest? = nil

    /// Whether the run is about group behaviour and so must join the group (subscribe); every
    /// other consume assigns the partitions directly and pays no join or rebalance.
    public var joinsGroup: Bool {
        asGroupMember || members > 1 || leaveAfter != nil || joinAfter != nil || resumeFromCommitted || maxMessages != nil
    }
}

public struct AwaitedManifest {
    public var path: String
    /// Checks the request against the manifest once it exists and builds its decoder.
    public var makeFormat: (Manifest) throws -> MessageFormat?
    /// Written once the consumer holds its starting offsets: only then may produce start.
    public var readyFile: String?
    public init(path: String, readyFile: String?, makeFormat: @escaping (Manifest) throws -> MessageFormat?) {
        self.path = path
        self.readyFile = readyFile
        self.makeFormat = makeFormat
    }
}

public struct ConsumeOutcome {
    public let verifier: Verifier
    public let timedOut: Bool
    public let durationSeconds: Double
    /// member index -> partitions it held, in order of assignment.
    public let assignments: [[Int32]]
    /// Partitions that were held by two members at the same time (should be none).
    public let overlappingAssignments: [Int32]
    public let lastError: String?
    /// Messages read (counted once each) when `maxMessages` stopped the consume; else nil.
    public let stoppedAfter: Int?
}

/// The longest consume reads on after the last expected message to reach the partitions' ends.
let drainLimitSeconds = 3.0

/// What the members of one consume share: partition ownership (from rebalance callbacks),
/// whether the group has formed, and the first fatal error. One lock guards it all.
final class GroupState: @unchecked Sendable {
    private let lock = NSLock()
    private var owner: [Int32: Int] = [:]
    private var overlapping = Set<Int32>()
    private var assignments: [[Int32]]
    private(set) var rebalances = 0
    private var formed: Bool
    private var fatal: Error?
    /// Messages counted against ConsumeRequest.maxMessages.
    private var taken = 0
    private var started = Set<Int32>()

    init(members: Int) {
        assignments = [[Int32]](repeating: [], count: members)
        formed = members == 1
    }

    func rebalanced(member: Int, assigned: Bool, partitions: [(topic: String, partition: Int32)]) {
        lock.lock(); defer { lock.unlock() }
        rebalances += 1
        for (_, p) in partitions {
            if assigned {
                if let other = owner[p], other != member { overlapping.insert(p) }
                owner[p] = member
                assignments[member].append(p)
            } else if owner[p] == member {
                owner[p] = nil
            }
        }
    }

    var isFormed: Bool {
        lock.lock(); defer { lock.unlock() }
        return formed
    }

    /// True once, when every member that can own a partition has one, or the formation
    /// deadline passed.
    func markFormedIfReady(members: Int, partitionCount: Int, pastDeadline: Bool) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if formed { return false }
        if Set(owner.values).count >= min(members, partitionCount) || pastDeadline {
            formed = true
            return true
        }
        return false
    }

    /// True the first time a partition is assigned to any member of this consume.
    func firstAssignment(of partition: Int32) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return started.insert(partition).inserted
    }

    /// Claims one message under `limit`; false once the limit is reached.
    func take(limit: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard taken < limit else { return false }
        taken += 1
        return true
    }

    var takenCount: Int {
        lock.lock(); defer { lock.unlock() }
        return taken
    }

    func fail(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if fatal == nil { fatal = error }
    }

    var fatalError: Error? {
        lock.lock(); defer { lock.unlock() }
        return fatal
    }

    var memberAssignments: [[Int32]] {
        lock.lock(); defer { lock.unlock() }
        return assignments.map { Array(Set($0)).sorted() }
    }

    var overlappingPartitions: [Int32] {
        lock.lock(); defer { lock.unlock() }
        return overlapping.sorted()
    }
}

/// Consumes until every expected message has arrived or the timeout passes, verifying each
/// message as it comes: as members of a group when the run is about groups, else by assigning
/// the partitions directly.
public func consumeAndVerify(_ request: ConsumeRequest) throws -> ConsumeOutcome {
    if request.joinsGroup {
        guard request.manifest != nil else {
            throw StreamcheckError("a consumer started before produce reads as one consumer of its own; group options (members, join_after, leave_after, from committed, max_messages) need the manifest first")
        }
        return try consumeAsGroup(request)
    }
    return try consumeAssigned(request)
}

/// Broker retention may already have removed the oldest messages: those whose acknowledged
/// offset is below the partition's log start offset now. Nothing else is excused.
func markTruncated(_ verifier: Verifier, topic: String, lowWatermarks: [Int32: (low: Int64, high: Int64)]) {
    let manifest = verifier.manifest
    guard topic == manifest.header.topic, manifest.header.offsetsKnown else { return }
    for (seq, e) in manifest.entries.enumerated() where e.hasOffset {
        if let marks = lowWatermarks[e.partition], e.offset < marks.low { verifier.truncatedByRetention.insert(seq) }
    }
}

func unreachable(_ request: ConsumeRequest, _ error: Error) -> StreamcheckError {
    let servers = request.kafka.value("bootstrap.servers") ?? "the bootstrap servers"
    return StreamcheckError("cannot read topic '\(request.topic)' from Kafka at \(servers): \(error); check the address, the network and the credentials (nothing was verified)")
}

/// One consumer, partitions assigned at explicit offsets: no group join, no rebalance.
func consumeAssigned(_ request: ConsumeRequest) throws -> ConsumeOutcome {
    let started = Clock.monotonicSeconds()
    let deadline = started + request.timeout
    func remaining() -> Double { max(0.1, deadline - Clock.monotonicSeconds()) }
    var config = request.kafka
    config.set("group.id", request.groupId)
    if !request.commitOffsets { config.set("enable.auto.commit", "false") }
    if config.value("enable.auto.commit") == nil { config.set("enable.auto.commit", "true") }
    if config.value("auto.commit.interval.ms") == nil { config.set("auto.commit.interval.ms", "1000") }
    // librdkafka prefetches up to 64 MB per consumer by default; a verifier needs far less.
    if config.value("queued.max.messages.kbytes") == nil { config.set("queued.max.messages.kbytes", "16384") }
    // A fetch waits at most this long for new data; the embedded broker always waits it out,
    // which would add up to librdkafka's 500 ms default to every produce→consume latency.
    if config.value("fetch.wait.max.ms") == nil { config.set("fetch.wait.max.ms", "50") }
    // One fetch answer may hold up to fetch.max.bytes (50 MB by default) on top of the queue.
    if config.value("fetch.max.bytes") == nil { config.set("fetch.max.bytes", "8388608") }
    let consumer = try KafkaConsumer(config: config)
    defer { consumer.close() }

    let partitions: [Int32]
    let marks: [Int32: (low: Int64, high: Int64)]
    do {
        partitions = Array(0..<Int32(try consumer.partitionCount(topic: request.topic, timeout: remaining())))
        marks = try consumer.watermarks(topic: request.topic, partitions: partitions, timeout: remaining())
    } catch {
        throw unreachable(request, error)
    }

    var buffered: [(KafkaMessage, Int64)] = []
    let verifier: Verifier
    if let manifest = request.manifest {
        verifier = Verifier(manifest: manifest, format: request.format, consumedTopic: request.topic,
                            consumerStartedMicros: request.consumerStartedMicros)
        var first: [Int32: Int64] = [:]
        if request.fromManifestOffsets, request.topic == manifest.header.topic {
            for e in manifest.entries where e.hasOffset { first[e.partition] = min(first[e.partition] ?? e.offset, e.offset) }
        }
        // The beginning means the beginning: a group's earlier commits never move the start.
        try consumer.assign(topic: request.topic, offsets: partitions.map { ($0, first[$0] ?? KafkaOffset.beginning) })
        markTruncated(verifier, topic: request.topic, lowWatermarks: marks)
    } else if let awaited = request.awaitedManifest {
        try consumer.assign(topic: request.topic, offsets: partitions.map { ($0, marks[$0]?.high ?? KafkaOffset.end) })
        if let ready = awaited.readyFile { try AtomicFile.write("ready\n", to: ready) }
        // Until produce writes the manifest, keep what arrives with the time it arrived.
        while !FileManager.default.fileExists(atPath: awaited.path) {
            guard Clock.monotonicSeconds() < deadline else {
                throw StreamcheckError("no manifest at \(awaited.path) within \(Duration.describe(request.timeout)): the produce this consumer waited for did not finish; \(buffered.count) messages arrived meanwhile")
            }
            try consumer.withBatch(timeoutMs: 100, max: 10_000) { batch in
                let now = Clock.nowMicros()
                buffered += batch.map { ($0.copy(), now) }
            }
        }
        let manifest = try Manifest.read(path: awaited.path)
        let early = manifest.entries.filter { e in
            e.hasOffset && request.topic == manifest.header.topic && e.offset < (marks[e.partition]?.high ?? 0)
        }.count
        if early > 0 {
            throw StreamcheckError("\(early) messages of \(awaited.path) were produced before this consumer started (it reads from the partitions' ends as they were at its start): start it before produce, or consume without --background after produce")
        }
        verifier = Verifier(manifest: manifest, format: try awaited.makeFormat(manifest), consumedTopic: request.topic,
                            consumerStartedMicros: request.consumerStartedMicros)
        for (message, receivedMicros) in buffered { verifier.observe(message, receivedMicros: receivedMicros) }
        buffered = []
        try verifier.throwIfCannotContinue()
    } else {
        throw StreamcheckError("consume needs a manifest")
    }

    let target = min(request.expectCount ?? verifier.target, verifier.target)
    // After the last expected message, read on to the end of every partition (bounded): a
    // duplicate or tampered copy behind it must not go unseen.
    var completedAt: Double?
    let progress = Progress(label: "consume \(request.topic)", total: target)
    defer { progress.finish() }
    while true {
        let now = Clock.monotonicSeconds()
        if now >= deadline { break }
        if verifier.uniqueCount >= target {
            if completedAt == nil { completedAt = now }
            if consumer.caughtUp() || now - completedAt! > drainLimitSeconds { break }
        }
        do {
            // Verified in place, inside librdkafka's buffers: nothing is copied per message.
            try consumer.withBatch(timeoutMs: 100, max: 10_000) { batch in
                guard !batch.isEmpty else { return }
                verifier.observe(batch, receivedMicros: Clock.nowMicros())
                progress.update(done: verifier.uniqueCount)
            }
        } catch {
            throw StreamcheckError("consumer failed on topic '\(request.topic)': \(error)")
        }
        try verifier.throwIfCannotContinue()
    }
    if request.commitOffsets { try? consumer.commit() }
    return ConsumeOutcome(verifier: verifier, timedOut: verifier.uniqueCount < target, durationSeconds: Clock.monotonicSeconds() - started,
                          assignments: [partitions], overlappingAssignments: [], lastError: consumer.lastError, stoppedAfter: nil)
}

/// Consumes with `members` consumers in one group until every expected message has arrived
/// or the timeout passes, verifying each message as it comes.
func consumeAsGroup(_ request: ConsumeRequest) throws -> ConsumeOutcome {
    let manifest = request.manifest!
    let verifier = Verifier(manifest: manifest, format: request.format, consumedTopic: request.topic,
                            consumerStartedMicros: request.consumerStartedMicros)
    var config = request.kafka
    config.set("group.id", request.groupId)
    if config.value("auto.offset.reset") == nil { config.set("auto.offset.reset", "earliest") }
    // Short group timeouts: joins take about half of session.timeout.ms on the embedded broker.
    if config.value("session.timeout.ms") == nil { config.set("session.timeout.ms", "6000") }
    if config.value("heartbeat.interval.ms") == nil { config.set("heartbeat.interval.ms", "500") }
    if config.value("enable.auto.commit") == nil { config.set("enable.auto.commit", "true") }
    if config.value("auto.commit.interval.ms") == nil { config.set("auto.commit.interval.ms", "1000") }
    // A partial consume stores each message's offset itself, only for the messages it counts,
    // so the group's committed offsets say exactly what was read.
    if request.maxMessages != nil { config.set("enable.auto.offset.store", "false") }
    // librdkafka prefetches up to 64 MB per consumer by default; a verifier needs far less.
    if config.value("queued.max.messages.kbytes") == nil { config.set("queued.max.messages.kbytes", "8192") }

    let startOffsets: [Int32: Int64] = {
        guard request.fromManifestOffsets, request.topic == manifest.header.topic else { return [:] }
        var first: [Int32: Int64] = [:]
        for e in manifest.entries where e.hasOffset {
            first[e.partition] = min(first[e.partition] ?? e.offset, e.offset)
        }
        return first
    }()
    // The beginning means the beginning, whatever the group committed before; only a resume
    // (--from committed) starts at the committed offsets.
    let defaultStart: Int64? = request.resumeFromCommitted ? nil : KafkaOffset.beginning

    let state = GroupState(members: request.members)
    let started = Clock.monotonicSeconds()
    let deadline = started + request.timeout
    var consumers: [KafkaConsumer] = []
    let joiner = request.joinAfter != nil ? request.members - 1 : nil
    // The members there from the start, which form the group before anyone reads.
    let formingMembers = request.members - (joiner == nil ? 0 : 1)
    for member in 0..<request.members {
        let consumer = try KafkaConsumer(config: config, onRebalance: { assigned, partitions in
            state.rebalanced(member: member, assigned: assigned, partitions: partitions)
        }, startOffset: { topic, partition in
            // Only a partition's first assignment in this consume starts there; after a
            // rebalance the next owner goes on from what the group committed.
            guard topic == request.topic, state.firstAssignment(of: partition) else { return nil }
            return startOffsets[partition] ?? defaultStart
        })
        if member != joiner {
            if formingMembers > 1 { consumer.pauseNewAssignments() }
            try consumer.subscribe(topics: [request.topic])
        }
        consumers.append(consumer)
    }
    // With several members, nobody reads until every member that can own a partition has one
    // (bounded): then the members split the partitions instead of the first one taking all.
    let partitionCount = formingMembers > 1 ? ((try? consumers[0].partitionCount(topic: request.topic, timeout: min(10, request.timeout))) ?? request.members) : 1
    let formationDeadline = started + min(request.timeout / 2, 30)

    // Broker retention may already have removed the oldest messages: tell that from loss.
    // An unreachable broker is an error, not loss: find out before reading.
    if let probe = consumers.first {
        do {
            let count = try probe.partitionCount(topic: request.topic, timeout: max(0.1, deadline - Clock.monotonicSeconds()))
            if request.topic == manifest.header.topic {
                let partitions = Array(Set(manifest.entries.lazy.filter(\.hasOffset).map(\.partition))).sorted().filter { $0 < count }
                let marks = try probe.watermarks(topic: request.topic, partitions: partitions, timeout: max(0.1, deadline - Clock.monotonicSeconds()))
                markTruncated(verifier, topic: request.topic, lowWatermarks: marks)
            }
        } catch {
            throw unreachable(request, error)
        }
    }

    // Resume: what the group committed before this consume started was read already.
    if request.resumeFromCommitted, request.topic == manifest.header.topic, let probe = consumers.first {
        let partitions = Array(Set(manifest.entries.lazy.filter(\.hasOffset).map(\.partition))).sorted()
        let committed: [Int32: Int64]
        do {
            committed = try probe.committed(topic: request.topic, partitions: partitions, timeout: min(10, request.timeout))
        } catch {
            throw StreamcheckError("cannot read the committed offsets of group '\(request.groupId)' to resume from: \(error)")
        }
        for (seq, e) in manifest.entries.enumerated() where e.hasOffset && !verifier.truncatedByRetention.contains(seq) {
            if let c = committed[e.partition], c >= 0, e.offset < c { verifier.consumedBefore.insert(seq) }
        }
    }

    let target = min(request.expectCount ?? verifier.target, verifier.target, request.maxMessages ?? Int.max)
    let group = DispatchGroup()
    for (member, consumer) in consumers.enumerated() {
        let leaveAfter = member == 0 ? request.leaveAfter : nil
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            var readByThisMember = 0
            var joined = member != joiner
            // After the last expected message, read on to the end of every assigned partition
            // (bounded): a duplicate or tampered copy behind it must not go unseen.
            var completedAt: Double?
            while state.fatalError == nil {
                let now = Clock.monotonicSeconds()
                if now >= deadline { break }
                if let limit = request.maxMessages, state.takenCount >= limit { break }
                if let leaveAfter, readByThisMember >= leaveAfter {
                    // Leave the group now (the revoke commits what this member read); the
                    // others are assigned its partitions.
                    consumer.close()
                    break
                }
                if verifier.uniqueCount >= target {
                    if completedAt == nil { completedAt = now }
                    if consumer.caughtUp() || now - completedAt! > drainLimitSeconds { break }
                }
                if !joined {
                    // The late member: wait (bounded by the deadline) until the group has read
                    // enough, then join; the group rebalances to include it.
                    if let joinAfter = request.joinAfter, verifier.uniqueCount >= joinAfter {
                        do { try consumer.subscribe(topics: [request.topic]) } catch { state.fail(error); break }
                        joined = true
                    } else {
                        usleep(20_000)
                        continue
                    }
                }
                // Each member resumes its own partitions, on its own thread, between polls (the
                // rebalance callback runs inside poll, so no pause can land after the resume).
                _ = state.markFormedIfReady(members: formingMembers, partitionCount: partitionCount, pastDeadline: now > formationDeadline)
                if consumer.pausesNewAssignments, state.isFormed { consumer.resumeAll() }
                do {
                    if case let .message(m) = try consumer.poll(timeoutMs: 100) {
                        if let limit = request.maxMessages {
                            // Count and store the offset only of messages within the limit; one
                            // read past it stays uncommitted, so the next consume reads it.
                            guard state.take(limit: limit) else { break }
                            try consumer.storeOffset(of: m)
                        }
                        verifier.observe(m)
                        readByThisMember += 1
                        do { try verifier.throwIfCannotContinue() } catch { state.fail(error); break }
                    }
                } catch {
                    state.fail(error)
                }
            }
        }
    }
    group.wait()
    let lastError = consumers.compactMap(\.lastError).last
    // Every member commits before any leaves: a member leaving starts a rebalance, and the
    // others' commits made during it can be rejected (the embedded broker does), which would
    // lose their stored offsets and make the next consume of the group read them again.
    for consumer in consumers { try? consumer.commit() }
    for consumer in consumers { consumer.close() }
    try verifier.throwIfCannotContinue()
    if let fatal = state.fatalError { throw StreamcheckError("consumer failed on topic '\(request.topic)': \(fatal)") }
    let duration = Clock.monotonicSeconds() - started
    let stoppedAfter = request.maxMessages.map { _ in state.takenCount }
    let reachedLimit = stoppedAfter.map { $0 >= (request.maxMessages ?? 0) } ?? false
    return ConsumeOutcome(verifier: verifier, timedOut: verifier.uniqueCount < target && !reachedLimit, durationSeconds: duration,
                          assignments: state.memberAssignments, overlappingAssignments: state.overlappingPartitions,
                          lastError: lastError, stoppedAfter: stoppedAfter)
}
