import Foundation
import Kafka
import TerraformIO

public struct ConsumeRequest {
    public var kafka: KafkaConfig
    public var topic: String
    public var manifest: Manifest
    public var format: MessageFormat?
    public var groupId: String
    public var members: Int
    public var expectCount: Int?
    public var timeout: Double
    public var fromManifestOffsets: Bool
    public var consumerStartedMicros: Int64
}

public struct ConsumeOutcome {
    public let verifier: Verifier
    public let timedOut: Bool
    public let durationSeconds: Double
    /// member index -> partitions it held, in order of assignment.
    public let assignments: [[Int32]]
    /// Partitions that were held by two members at the same time (should be none).
    public let overlappingAssignments: [Int32]
    public let rebalances: Int
    public let lastError: String?
}

/// Consumes with `members` consumers in one group until every expected message has arrived
/// or the timeout passes, verifying each message as it comes.
/// The longest consume reads on after the last expected message to reach the partitions' ends.
let drainLimitSeconds = 3.0

public func consumeAndVerify(_ request: ConsumeRequest) throws -> ConsumeOutcome {
    let verifier = Verifier(manifest: request.manifest, format: request.format, consumedTopic: request.topic,
                            consumerStartedMicros: request.consumerStartedMicros)
    var config = request.kafka
    config.set("group.id", request.groupId)
    if config.value("auto.offset.reset") == nil { config.set("auto.offset.reset", "earliest") }
    // Short group timeouts: joins take about half of session.timeout.ms on the embedded broker.
    if config.value("session.timeout.ms") == nil { config.set("session.timeout.ms", "6000") }
    if config.value("heartbeat.interval.ms") == nil { config.set("heartbeat.interval.ms", "500") }
    if config.value("enable.auto.commit") == nil { config.set("enable.auto.commit", "true") }
    if config.value("auto.commit.interval.ms") == nil { config.set("auto.commit.interval.ms", "1000") }

    let startOffsets: [Int32: Int64] = {
        guard request.fromManifestOffsets, request.topic == request.manifest.header.topic else { return [:] }
        var first: [Int32: Int64] = [:]
        for e in request.manifest.entries where e.partition >= 0 {
            first[e.partition] = min(first[e.partition] ?? e.offset, e.offset)
        }
        return first
    }()

    let ownershipLock = NSLock()
    var owner: [Int32: Int] = [:]
    var overlapping = Set<Int32>()
    var assignments = [[Int32]](repeating: [], count: request.members)
    var rebalances = 0

    let started = Clock.monotonicSeconds()
    let deadline = started + request.timeout
    var consumers: [KafkaConsumer] = []
    for member in 0..<request.members {
        let consumer = try KafkaConsumer(config: config, onRebalance: { assigned, partitions in
            ownershipLock.lock(); defer { ownershipLock.unlock() }
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
        }, startOffset: { topic, partition in
            topic == request.topic ? startOffsets[partition] : nil
        })
        if request.members > 1 { consumer.pauseNewAssignments() }
        try consumer.subscribe(topics: [request.topic])
        consumers.append(consumer)
    }
    // With several members, nobody reads until every member that can own a partition has one
    // (bounded): then the members split the partitions instead of the first one taking all.
    var groupFormed = request.members == 1
    let partitionCount = request.members > 1 ? ((try? consumers[0].partitionCount(topic: request.topic, timeout: min(10, request.timeout))) ?? request.members) : 1
    let formationDeadline = started + min(request.timeout / 2, 30)

    // Broker retention may already have removed the oldest messages: tell that from loss.
    if request.topic == request.manifest.header.topic, let probe = consumers.first {
        let partitions = Set(request.manifest.entries.lazy.filter { $0.partition >= 0 }.map(\.partition))
        var low: [Int32: Int64] = [:]
        for p in partitions {
            if let marks = try? probe.watermarks(topic: request.topic, partition: p, timeout: min(5, request.timeout)) { low[p] = marks.low }
        }
        for (seq, e) in request.manifest.entries.enumerated() where e.partition >= 0 {
            if let l = low[e.partition], e.offset < l { verifier.truncatedByRetention.insert(seq) }
        }
    }

    let target = min(request.expectCount ?? verifier.target, verifier.target)
    let formedLock = NSLock()
    func checkGroupFormed() {
        formedLock.lock(); defer { formedLock.unlock() }
        if groupFormed { return }
        ownershipLock.lock()
        let owners = Set(owner.values).count
        ownershipLock.unlock()
        if owners >= min(request.members, partitionCount) || Clock.monotonicSeconds() > formationDeadline {
            groupFormed = true
            for c in consumers { c.resumeAll() }
        }
    }
    let errorLock = NSLock()
    var fatal: Error?
    let group = DispatchGroup()
    for consumer in consumers {
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            // After the last expected message, read on to the end of every assigned partition
            // (bounded): a duplicate or tampered copy behind it must not go unseen.
            var completedAt: Double?
            while true {
                let now = Clock.monotonicSeconds()
                if now >= deadline { break }
                if verifier.uniqueCount >= target {
                    if completedAt == nil { completedAt = now }
                    if consumer.caughtUp() || now - completedAt! > drainLimitSeconds { break }
                }
                errorLock.lock(); let stop = fatal != nil; errorLock.unlock()
                if stop { break }
                checkGroupFormed()
                do {
                    if case let .message(m) = try consumer.poll(timeoutMs: 100) { verifier.observe(m) }
                } catch {
                    errorLock.lock(); fatal = error; errorLock.unlock()
                    break
                }
            }
        }
    }
    group.wait()
    let lastError = consumers.compactMap(\.lastError).last
    for consumer in consumers {
        try? consumer.commit()
        consumer.close()
    }
    if let fatal { throw StreamcheckError("consumer failed on topic '\(request.topic)': \(fatal)") }
    let duration = Clock.monotonicSeconds() - started
    return ConsumeOutcome(verifier: verifier, timedOut: verifier.uniqueCount < target, durationSeconds: duration,
                          assignments: assignments.map { Array(Set($0)).sorted() },
                          overlappingAssignments: overlapping.sorted(), rebalances: rebalances, lastError: lastError)
}
