import CRdKafka
import Foundation

/// A group consumer. Owns its rd_kafka_t; `close()` leaves the group, deinit destroys the handle.
public final class KafkaConsumer: @unchecked Sendable {
    private let handle: OpaquePointer
    private let context: ClientContext
    private var closed = false
    /// The consumer's own queue, for batch reads (owned: destroyed in deinit).
    private let consumerQueue: OpaquePointer
    private var batchBuffer: [UnsafeMutablePointer<rd_kafka_message_t>?] = []
    /// Topic names are looked up once per topic handle, not once per message.
    private var lastTopic: (pointer: OpaquePointer?, name: String)?

    /// - onRebalance: called on the polling thread with the partitions assigned or revoked.
    /// - startOffset: where to start a newly assigned partition (nil: the committed offset or
    ///   auto.offset.reset).
    public init(config: KafkaConfig,
                onRebalance: ((_ assigned: Bool, _ partitions: [(topic: String, partition: Int32)]) -> Void)? = nil,
                startOffset: ((String, Int32) -> Int64?)? = nil) throws {
        let conf = try config.makeHandle()
        context = ClientContext()
        context.onRebalance = onRebalance
        context.startOffsets = startOffset
        installCommonCallbacks(conf, context)
        rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
            guard let rk, let opaque else { return }
            let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
            var list: [(topic: String, partition: Int32)] = []
            if let partitions {
                for i in 0..<Int(partitions.pointee.cnt) {
                    let element = partitions.pointee.elems[i]
                    list.append((String(cString: element.topic), element.partition))
                    if err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, let start = context.startOffsets?(String(cString: element.topic), element.partition) {
                        partitions.pointee.elems[i].offset = start
                    }
                }
            }
            let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
            if err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
                if cooperative {
                    if let e = rd_kafka_incremental_assign(rk, partitions) { rd_kafka_error_destroy(e) }
                } else {
                    rd_kafka_assign(rk, partitions)
                }
                // librdkafka keeps an application pause on the partition object across revoke
                // and re-assign: clear it unless this assignment is to stay paused, or a
                // partition paused in an earlier generation is never fetched again.
                if context.pauseNewAssignments { rd_kafka_pause_partitions(rk, partitions) } else { rd_kafka_resume_partitions(rk, partitions) }
                context.onRebalance?(true, list)
            } else {
                context.onRebalance?(false, list)
                if partitions != nil { rd_kafka_resume_partitions(rk, partitions) }
                // Commit what was consumed before giving partitions away, so the next owner
                // starts after it instead of re-reading it.
                rd_kafka_commit(rk, nil, 0)
                if cooperative {
                    if let e = rd_kafka_incremental_unassign(rk, partitions) { rd_kafka_error_destroy(e) }
                } else {
                    rd_kafka_assign(rk, nil)
                }
            }
        }
        handle = try makeClient(RD_KAFKA_CONSUMER, conf)
        rd_kafka_poll_set_consumer(handle)
        consumerQueue = rd_kafka_queue_get_consumer(handle)
    }

    deinit {
        close()
        rd_kafka_queue_destroy(consumerQueue)
        rd_kafka_destroy(handle)
    }

    public var lastError: String? { context.lastError }

    /// Partitions assigned from now on are paused until `resumeAll` (used to let a whole group
    /// form before anyone reads, so members split the partitions instead of racing).
    /// Both are called on the thread that polls this consumer, as the rebalance callback runs
    /// inside its poll: a pause and a resume can then never cross.
    public func pauseNewAssignments() { context.pauseNewAssignments = true }

    public var pausesNewAssignments: Bool { context.pauseNewAssignments }

    public func resumeAll() {
        context.pauseNewAssignments = false
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        rd_kafka_resume_partitions(handle, list)
    }

    /// Whether this consumer has read up to the end of every assigned partition, as of the
    /// last fetch (librdkafka's cached high watermarks: no request is sent).
    public func caughtUp() -> Bool {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return true }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if list.pointee.cnt == 0 { return true }
        rd_kafka_position(handle, list)
        for i in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[i]
            var low: Int64 = 0
            var high: Int64 = 0
            guard rd_kafka_get_watermark_offsets(handle, element.topic, element.partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
                  high >= 0 else { return false }
            let position = element.offset
            if position < 0 ? high > low : position < high { return false }
        }
        return true
    }

    /// Set by the first subscribe or assign: from then on a poll can return messages.
    private var fetching = false

    /// Serves the client's queue while nothing can be fetched yet (before any subscribe or
    /// assign), so the waits for metadata see its errors: a refused SASL login among them.
    func serviceEventsBeforeFetching() {
        guard !fetching else { return }
        while let m = rd_kafka_consumer_poll(handle, 0) {
            let err = m.pointee.err
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let text = String(cString: rd_kafka_err2str(err))
                context.recordError(text)
                if ClientContext.isRefusedLogin(err) {
                    // An error event's payload is librdkafka's reason (the broker's own words).
                    let reason = copyBytes(m.pointee.payload, m.pointee.len)
                    context.recordAuthenticationFailure(reason.isEmpty ? text : String(decoding: reason, as: UTF8.self))
                }
            }
            rd_kafka_message_destroy(m)
        }
    }

    public func subscribe(topics: [String]) throws {
        fetching = true
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
        let err = rd_kafka_subscribe(handle, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: err, context: "cannot subscribe to \(topics.joined(separator: ","))") }
    }

    public enum PollResult {
        case message(KafkaMessage)
        case endOfPartition(topic: String, partition: Int32)
        case nothing
        /// A non-fatal consumer error (the client keeps retrying).
        case transientError(String)
    }

    /// Waits up to `timeoutMs` for one message. Throws only on fatal errors.
    public func poll(timeoutMs: Int32) throws -> PollResult {
        guard let m = rd_kafka_consumer_poll(handle, timeoutMs) else { return .nothing }
        defer { rd_kafka_message_destroy(m) }
        return try convert(m)
    }

    /// Hands the messages fetched so far (waiting up to `timeoutMs` for the first, at most
    /// `max`) to `body` without copying them: each is valid only during the call, and is
    /// destroyed after it. Transient errors are remembered (`lastError`); fatal ones throw.
    /// The verified read's hot path: no allocation per message.
    public func withBatch<R>(timeoutMs: Int32, max: Int, _ body: ([BorrowedMessage]) throws -> R) throws -> R {
        if batchBuffer.count < max { batchBuffer = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: max) }
        let n = batchBuffer.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_consume_batch_queue(consumerQueue, timeoutMs, buffer.baseAddress, max)
        }
        var borrowed: [BorrowedMessage] = []
        borrowed.reserveCapacity(Swift.max(0, n))
        defer { for i in 0..<Swift.max(0, n) { if let m = batchBuffer[i] { rd_kafka_message_destroy(m) } } }
        for i in 0..<Swift.max(0, n) {
            guard let m = batchBuffer[i] else { continue }
            if m.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                _ = try convert(m)  // throws if fatal, records if transient
                continue
            }
            borrowed.append(BorrowedMessage(m))
        }
        return try body(borrowed)
    }

    private func convert(_ m: UnsafeMutablePointer<rd_kafka_message_t>) throws -> PollResult {
        let msg = m.pointee
        if msg.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let topic = msg.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
            if msg.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return .endOfPartition(topic: topic, partition: msg.partition) }
            let text = KafkaError(code: msg.err, context: topic.isEmpty ? "consumer" : "consumer on '\(topic)'").message
            if msg.err == RD_KAFKA_RESP_ERR__FATAL || msg.err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED
                || msg.err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED || ClientContext.isRefusedLogin(msg.err) {
                throw KafkaError(text)
            }
            context.recordError(text)
            return .transientError(text)
        }
        let topicName: String
        if let cached = lastTopic, cached.pointer == msg.rkt {
            topicName = cached.name
        } else {
            topicName = String(cString: rd_kafka_topic_name(msg.rkt))
            lastTopic = (msg.rkt, topicName)
        }
        return .message(BorrowedMessage(m).copy(topic: topicName))
    }

    /// Reads these partitions from these offsets without joining a group: no rebalance, no
    /// join delay. Commits (when enabled) still go to the group named by group.id.
    public func assign(topic: String, offsets: [(partition: Int32, offset: Int64)]) throws {
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (partition, offset) in offsets { rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = offset }
        fetching = true
        let err = rd_kafka_assign(handle, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: err, context: "cannot assign partitions of '\(topic)'") }
    }

    /// Commits the offsets of everything consumed so far (synchronously).
    public func commit() throws {
        let err = rd_kafka_commit(handle, nil, 0)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET {
            throw KafkaError(code: err, context: "cannot commit offsets")
        }
    }

    /// Marks a message as consumed, for the next commit. Only needed with
    /// enable.auto.offset.store=false (a consumer that decides per message whether it counts).
    public func storeOffset(of message: KafkaMessage) throws {
        let list = rd_kafka_topic_partition_list_new(1)!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        // The committed offset is the next one to read.
        rd_kafka_topic_partition_list_add(list, message.topic, message.partition).pointee.offset = message.offset + 1
        let err = rd_kafka_offsets_store(handle, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: err, context: "cannot store the offset of \(message.topic)[\(message.partition)]") }
    }

    /// Committed offsets of the group for the given partitions (-1001 when none).
    public func committed(topic: String, partitions: [Int32], timeout: Double) throws -> [Int32: Int64] {
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for p in partitions { rd_kafka_topic_partition_list_add(list, topic, p) }
        let err = rd_kafka_committed(handle, list, Int32(timeout * 1000))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: err, context: "cannot read committed offsets") }
        var result: [Int32: Int64] = [:]
        for i in 0..<Int(list.pointee.cnt) { result[list.pointee.elems[i].partition] = list.pointee.elems[i].offset }
        return result
    }

    public func watermarks(topic: String, partition: Int32, timeout: Double) throws -> (low: Int64, high: Int64) {
        try KafkaMetadata.watermarks(handle: handle, topic: topic, partition: partition, timeout: timeout, context: context, serve: serviceEventsBeforeFetching)
    }

    public func partitionCount(topic: String, timeout: Double) throws -> Int {
        try KafkaMetadata.partitionCount(handle: handle, topic: topic, timeout: timeout, context: context, serve: serviceEventsBeforeFetching)
    }

    /// Low and high watermarks of each partition, all within `timeout` together (not each):
    /// an unreachable broker costs the timeout once, whatever the partition count.
    public func watermarks(topic: String, partitions: [Int32], timeout: Double) throws -> [Int32: (low: Int64, high: Int64)] {
        let deadline = Date().addingTimeInterval(timeout)
        var marks: [Int32: (low: Int64, high: Int64)] = [:]
        for p in partitions {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                throw KafkaError("cannot read the offsets of \(topic) within \(describeSeconds(timeout)): \(marks.count) of \(partitions.count) partitions answered\(context.lastError.map { " (last broker error: \($0))" } ?? "")")
            }
            do {
                marks[p] = try KafkaMetadata.watermarks(handle: handle, topic: topic, partition: p, timeout: remaining, context: context, serve: serviceEventsBeforeFetching)
            } catch let error as KafkaError {
                throw KafkaError("\(error.message)\(context.lastError.map { " (last broker error: \($0))" } ?? "")")
            }
        }
        return marks
    }

    /// Leaves the group cleanly so the next member is assigned at once.
    public func close() {
        guard !closed else { return }
        closed = true
        rd_kafka_consumer_close(handle)
    }
}

/// A consumed message still in librdkafka's buffer: valid only inside the `withBatch` call that
/// handed it over. `copy()` keeps one for later.
public struct BorrowedMessage: ReceivedMessage {
    let m: UnsafeMutablePointer<rd_kafka_message_t>

    init(_ m: UnsafeMutablePointer<rd_kafka_message_t>) { self.m = m }

    public var topic: String { m.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "" }
    public var partition: Int32 { m.pointee.partition }
    public var offset: Int64 { m.pointee.offset }

    public var timestampMs: Int64 {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(m, &type)
        return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : ts
    }

    public var timestampIsLogAppendTime: Bool {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        _ = rd_kafka_message_timestamp(m, &type)
        return type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME
    }

    public func withValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: m.pointee.payload, count: m.pointee.payload == nil ? 0 : m.pointee.len))
    }

    public func withHeader<R>(_ name: String, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        var hdrs: OpaquePointer?
        guard rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return try body(nil) }
        var value: UnsafeRawPointer?
        var size = 0
        let found = name.withCString { rd_kafka_header_get_last(hdrs, $0, &value, &size) } == RD_KAFKA_RESP_ERR_NO_ERROR
        guard found else { return try body(nil) }
        return try body(UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : size))
    }

    /// A copy that outlives the batch (a consumer started before produce keeps what arrives),
    /// its headers packed into one buffer. `topic`: the name when the caller has it cached.
    public func copy(topic knownTopic: String? = nil) -> KafkaMessage {
        var headerBytes: [UInt8] = []
        var headerSpans: [KafkaMessage.HeaderSpan] = []
        var hdrs: OpaquePointer?
        if rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            let count = rd_kafka_header_cnt(hdrs)
            headerSpans.reserveCapacity(count)
            headerBytes.reserveCapacity(count * 32)
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            for index in 0..<count where rd_kafka_header_get_all(hdrs, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let nameStart = headerBytes.count
                if let name { headerBytes.append(contentsOf: UnsafeRawBufferPointer(start: name, count: strlen(name))) }
                let valueStart = headerBytes.count
                if let value, size > 0 { headerBytes.append(contentsOf: UnsafeRawBufferPointer(start: value, count: size)) }
                headerSpans.append(KafkaMessage.HeaderSpan(nameStart: Int32(nameStart), nameCount: Int32(valueStart - nameStart),
                                                           valueStart: Int32(valueStart), valueCount: Int32(headerBytes.count - valueStart)))
            }
        }
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(m, &type)
        return KafkaMessage(topic: knownTopic ?? topic, partition: partition, offset: offset,
                            key: m.pointee.key == nil ? nil : copyBytes(m.pointee.key, m.pointee.key_len),
                            value: copyBytes(m.pointee.payload, m.pointee.len), headerBytes: headerBytes, headerSpans: headerSpans,
                            timestampMs: type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : ts,
                            timestampIsLogAppendTime: type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME)
    }
}
