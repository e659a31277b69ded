import Foundation
import Testing
import Kafka
@testable import StreamcheckKit

/// produceMessages and consumeAndVerify end to end on an in-process mock cluster. Several
/// group members share one verifier and one group state on their own threads, which is what
/// the thread sanitizer run (scripts/test.d/80-sanitizers.sh) is here to watch.
/// librdkafka starts its threads with C11 thrd_create, which ThreadSanitizer does not intercept:
/// any Kafka client crashes TSan's runtime itself (SEGV in an unknown thread). The sanitizer
/// suite sets STREAMCHECK_SANITIZER=thread; the pure-Swift concurrency tests still run there.
let underThreadSanitizer = ProcessInfo.processInfo.environment["STREAMCHECK_SANITIZER"] == "thread"

@Suite("Produce and consume on the mock cluster", .serialized,
       .disabled(if: underThreadSanitizer, "librdkafka threads are invisible to ThreadSanitizer"))
struct ConsumeOnMockClusterTests {
    func produce(_ cluster: MockCluster, topic: String, count: Int) throws -> Manifest {
        let path = tempPath("\(topic).manifest")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let request = ProduceRequest(
            kafka: KafkaConfig([("bootstrap.servers", cluster.bootstrapServers)]), topic: topic, messageCount: count,
            format: JSONFormat(source: .generator(UserEventGenerator(seed: 3))), schemaFile: nil, dataFile: nil,
            keyStrategy: .sequence, seed: 3, rate: 0, streaming: false, runId: "mock-\(topic)", manifestPath: path, deliveryTimeout: 30)
        let result = try produceMessages(request)
        #expect(result.failed == 0)
        return try Manifest.read(path: path)
    }

    func consume(_ cluster: MockCluster, _ manifest: Manifest, group: String, members: Int,
                 maxMessages: Int? = nil, resume: Bool = false, leaveAfter: Int? = nil) throws -> ConsumeOutcome {
        var request = ConsumeRequest(
            kafka: KafkaConfig([("bootstrap.servers", cluster.bootstrapServers)]), topic: manifest.header.topic, manifest: manifest,
            format: JSONFormat(source: .generator(UserEventGenerator(seed: 3))), groupId: group, members: members,
            expectCount: nil, timeout: 60, fromManifestOffsets: false, consumerStartedMicros: Clock.nowMicros())
        request.maxMessages = maxMessages
        request.resumeFromCommitted = resume
        request.leaveAfter = leaveAfter
        return try consumeAndVerify(request)
    }

    @Test("three members split four partitions, each message once")
    func threeMembers() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("split", partitions: 4, replicationFactor: 1)
        let manifest = try produce(cluster, topic: "split", count: 600)
        let outcome = try consume(cluster, manifest, group: "split-g", members: 3)
        let v = outcome.verifier
        #expect(!outcome.timedOut && v.uniqueCount == 600)
        #expect((v.duplicates, v.corrupted, v.outOfOrder) == (0, 0, 0))
        #expect(outcome.overlappingAssignments.isEmpty)
        #expect(Set(outcome.assignments.flatMap { $0 }) == [0, 1, 2, 3])
    }

    @Test("a partial consume commits exactly what it read; a resume reads the rest")
    func partialThenResume() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("resume", partitions: 2, replicationFactor: 1)
        let manifest = try produce(cluster, topic: "resume", count: 300)
        let first = try consume(cluster, manifest, group: "resume-g", members: 2, maxMessages: 120)
        #expect(first.stoppedAfter == 120 && first.verifier.uniqueCount == 120)
        let reader = try GroupOffsetReader(config: KafkaConfig([("bootstrap.servers", cluster.bootstrapServers)]), groupId: "resume-g")
        let offsets = try reader.offsets(topic: "resume", timeout: 10)
        #expect(offsets.map(\.lag).reduce(0, +) == 180)
        let second = try consume(cluster, manifest, group: "resume-g", members: 1, resume: true)
        #expect(second.verifier.consumedBefore.count == 120)
        #expect(second.verifier.uniqueCount == 180 && second.verifier.missingSeqs(limit: 1).count == 0)
        #expect(second.verifier.duplicates == 0)
    }

    @Test("a member leaving mid-run: the others finish, nothing is lost or duplicated")
    func memberLeaves() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("leave", partitions: 4, replicationFactor: 1)
        let manifest = try produce(cluster, topic: "leave", count: 400)
        let outcome = try consume(cluster, manifest, group: "leave-g", members: 2, leaveAfter: 20)
        #expect(outcome.verifier.uniqueCount == 400 && outcome.verifier.duplicates == 0 && outcome.verifier.corrupted == 0)
        #expect(outcome.overlappingAssignments.isEmpty)
    }
}
