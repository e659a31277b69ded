import Foundation
import Testing
@testable import Kafka

/// The Kafka layer against librdkafka's in-process mock cluster: no broker, no network
/// beyond loopback. Each test has its own cluster and topic.
/// librdkafka starts its threads with C11 thrd_create, which ThreadSanitizer does not intercept:
/// any Kafka client crashes TSan's runtime itself (SEGV in an unknown thread). The sanitizer
/// suite sets STREAMCHECK_SANITIZER=thread; the pure-Swift concurrency tests still run there.
let underThreadSanitizer = ProcessInfo.processInfo.environment["STREAMCHECK_SANITIZER"] == "thread"

@Suite("Kafka layer on the mock cluster", .disabled(if: underThreadSanitizer, "librdkafka threads are invisible to ThreadSanitizer"))
struct MockClusterTests {
    final class Reports: @unchecked Sendable {
        let lock = NSLock()
        var reports: [DeliveryReport] = []
        func add(_ r: DeliveryReport) { lock.lock(); reports.append(r); lock.unlock() }
        var all: [DeliveryReport] { lock.lock(); defer { lock.unlock() }; return reports }
    }

    func config(_ cluster: MockCluster, _ extra: [(String, String)] = []) -> KafkaConfig {
        var c = KafkaConfig([("bootstrap.servers", cluster.bootstrapServers)])
        for (k, v) in extra { c.set(k, v) }
        return c
    }

    func produce(_ producer: KafkaProducer, topic: String, count: Int, from: Int = 0) throws {
        for i in from..<(from + count) {
            try producer.produce(topic: topic, key: Array("k\(i)".utf8), value: Array("v\(i)".utf8),
                                 headers: [("seq", Array(String(i).utf8))], token: i)
        }
    }

    @Test("delivery reports: one per message, offsets consecutive per partition")
    func deliveryReports() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("dr", partitions: 2, replicationFactor: 1)
        let reports = Reports()
        let producer = try KafkaProducer(config: config(cluster), onDelivery: reports.add)
        try produce(producer, topic: "dr", count: 200)
        #expect(producer.flush(timeout: 30) == 0)
        let all = reports.all
        #expect(all.count == 200)
        #expect(all.allSatisfy { $0.error == nil })
        #expect(Set(all.map(\.token)) == Set(0..<200))
        for p in Set(all.map(\.partition)) {
            let offsets = all.filter { $0.partition == p }.map(\.offset).sorted()
            #expect(offsets == Array(0..<Int64(offsets.count)))
        }
    }

    @Test("a group consumer reads every message with its headers; committed offsets and watermarks agree")
    func consumeAndOffsets() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("cons", partitions: 3, replicationFactor: 1)
        let producer = try KafkaProducer(config: config(cluster)) { _ in }
        try produce(producer, topic: "cons", count: 90)
        #expect(producer.flush(timeout: 30) == 0)

        let reader = try GroupOffsetReader(config: config(cluster), groupId: "g-cons")
        let before = try reader.offsets(topic: "cons", timeout: 10)
        #expect(before.map(\.high).reduce(0, +) == 90)
        #expect(before.allSatisfy { $0.committed == nil && $0.lag == $0.high })

        let consumer = try KafkaConsumer(config: config(cluster, [("group.id", "g-cons"), ("auto.offset.reset", "earliest"),
                                                                   ("session.timeout.ms", "6000"), ("heartbeat.interval.ms", "500"),
                                                                   ("enable.auto.commit", "false")]))
        try consumer.subscribe(topics: ["cons"])
        var seen: [Int: [UInt8]] = [:]
        let deadline = Date().addingTimeInterval(30)
        while seen.count < 90 && Date() < deadline {
            if case let .message(m) = try consumer.poll(timeoutMs: 200) {
                let seq = Int(String(decoding: m.header("seq") ?? [], as: UTF8.self))!
                seen[seq] = m.value
                #expect(m.key == Array("k\(seq)".utf8))
                #expect(m.timestampMs > 0)
            }
        }
        #expect(seen.count == 90)
        #expect(seen[42] == Array("v42".utf8))
        try consumer.commit()
        let after = try reader.offsets(topic: "cons", timeout: 10)
        #expect(after.allSatisfy { $0.committed == $0.high && $0.lag == 0 })
        let marks = try consumer.watermarks(topic: "cons", partition: 0, timeout: 5)
        #expect(marks.low == 0 && marks.high == after[0].high)
        consumer.close()
    }

    @Test("broker down: delivery fails at message.timeout.ms with a reason; broker up: it delivers again")
    func brokerDownAndUp() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("down", partitions: 1, replicationFactor: 1)
        let reports = Reports()
        let producer = try KafkaProducer(config: config(cluster, [("message.timeout.ms", "1500"), ("reconnect.backoff.ms", "50"),
                                                                   ("reconnect.backoff.max.ms", "200")]), onDelivery: reports.add)
        try produce(producer, topic: "down", count: 1)
        #expect(producer.flush(timeout: 10) == 0)
        cluster.setBrokerDown(1)
        try produce(producer, topic: "down", count: 3, from: 1)
        _ = producer.flush(timeout: 10)
        let failed = reports.all.filter { $0.error != nil }
        #expect(failed.count == 3)
        #expect(failed.allSatisfy { $0.error!.isTimeout })
        cluster.setBrokerUp(1)
        try produce(producer, topic: "down", count: 2, from: 4)
        #expect(producer.flush(timeout: 20) == 0)
        let outcome = reports.all.map { "\($0.token):\($0.error?.message ?? "ok")" }
        #expect(reports.all.filter { $0.error == nil }.count == 3, "\(outcome)")
    }

    @Test("retriable produce errors are retried by the idempotent producer: no loss, no duplicate offsets")
    func pushedProduceErrors() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("errs", partitions: 1, replicationFactor: 1)
        cluster.pushRequestErrors(apiKey: 0, errorCode: 6, count: 2)  // NOT_LEADER_OR_FOLLOWER
        cluster.pushRequestErrors(apiKey: 0, errorCode: 7, count: 2)  // REQUEST_TIMED_OUT
        let reports = Reports()
        let producer = try KafkaProducer(config: config(cluster), onDelivery: reports.add)
        try produce(producer, topic: "errs", count: 50)
        #expect(producer.flush(timeout: 30) == 0)
        let all = reports.all
        #expect(all.count == 50 && all.allSatisfy { $0.error == nil })
        #expect(Set(all.map(\.offset)).count == 50)
        let reader = try GroupOffsetReader(config: config(cluster), groupId: "g-errs")
        #expect(try reader.offsets(topic: "errs", timeout: 10).first?.high == 50)
    }

    @Test("a secret-bearing property value is never echoed in a configuration error")
    func configErrorsNameThePropertyOnly() throws {
        let config = KafkaConfig([("no.such.property", "hunter2-canary")])
        #expect { _ = try KafkaProducer(config: config) { _ in } } throws: { error in
            let text = "\(error)"
            return text.contains("no.such.property") && !text.contains("hunter2-canary")
        }
    }

    @Test("an unreachable cluster: metadata fails within the bound and names the broker error")
    func unreachable() throws {
        let producer = try KafkaProducer(config: KafkaConfig([("bootstrap.servers", "127.0.0.1:1")])) { _ in }
        #expect { _ = try producer.partitionCount(topic: "t", timeout: 1.5) } throws: { error in
            "\(error)".contains("cannot read metadata for topic 't' within 1.5s")
        }
    }
}
