import CRdKafka
import Foundation

/// An idempotent producer. Owns its rd_kafka_t; deinit flushes nothing (call `flush`) and destroys it.
public final class KafkaProducer: @unchecked Sendable {
    private let handle: OpaquePointer
    private let context: ClientContext

    /// `onDelivery` runs on the thread that calls `poll`/`flush`/`produce`.
    public init(config: KafkaConfig, onDelivery: @escaping (DeliveryReport) -> Void) throws {
        var config = config
        if config.value("enable.idempotence") == nil { config.set("enable.idempotence", "true") }
        let conf = try config.makeHandle()
        context = ClientContext()
        context.onDelivery = onDelivery
        installCommonCallbacks(conf, context)
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
            guard let message, let opaque else { return }
            let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
            let m = message.pointee
            let error: KafkaError? = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(code: m.err, context: "delivery failed")
            let token = Int(bitPattern: m._private)
            context.onDelivery?(DeliveryReport(token: token, partition: m.partition, offset: m.offset, error: error))
        }
        handle = try makeClient(RD_KAFKA_PRODUCER, conf)
    }

    deinit { rd_kafka_destroy(handle) }

    public var lastError: String? { context.lastError }
    /// Set once the cluster refused the SASL login: see ClientContext.authenticationFailure.
    public var refusedLogin: String? { context.authenticationFailure.map(ClientContext.refusedLoginMessage) }

    /// Enqueues one message. `token` comes back in its delivery report. When librdkafka's
    /// queue is full this serves delivery reports until there is room (bounded by `queueWait`,
    /// or until `giveUp` says to stop waiting).
    public func produce(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8],
                        headers: [(String, [UInt8])], timestampMs: Int64 = 0, token: Int, queueWait: Double = 60,
                        giveUp: () -> Bool = { false }) throws {
        var deadline: Date?
        while true {
            let err = enqueue(topic: topic, partition: partition ?? RD_KAFKA_PARTITION_UA, key: key, value: value,
                              headers: headers, timestampMs: timestampMs, token: token)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR { return }
            if deadline == nil { deadline = Date().addingTimeInterval(queueWait) }
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL, Date() < deadline!, !giveUp() {
                rd_kafka_poll(handle, 50)
                continue
            }
            throw KafkaError(code: err, context: "cannot produce to topic '\(topic)'")
        }
    }

    private func enqueue(topic: String, partition: Int32, key: [UInt8]?, value: [UInt8],
                         headers: [(String, [UInt8])], timestampMs: Int64, token: Int) -> rd_kafka_resp_err_t {
        let hdrs = rd_kafka_headers_new(headers.count)!
        for (name, bytes) in headers {
            _ = bytes.withUnsafeBytes { rd_kafka_header_add(hdrs, name, -1, $0.baseAddress, $0.count) }
        }
        // Read-only views: the caller's buffers are reused between messages, and a mutable view
        // would copy them (RD_KAFKA_MSG_F_COPY: librdkafka copies and never writes).
        let result: OpaquePointer? = topic.withCString { topicPtr in
            value.withUnsafeBytes { valuePtr in
                (key ?? []).withUnsafeBytes { keyPtr in
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { vus in
                        var n = 0
                        func add(_ fill: (inout rd_kafka_vu_t) -> Void) {
                            var vu = rd_kafka_vu_t()
                            fill(&vu)
                            vus[n] = vu
                            n += 1
                        }
                        add { $0.vtype = RD_KAFKA_VTYPE_TOPIC; $0.u.cstr = topicPtr }
                        add { $0.vtype = RD_KAFKA_VTYPE_PARTITION; $0.u.i32 = partition }
                        add { $0.vtype = RD_KAFKA_VTYPE_VALUE; $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: valuePtr.baseAddress); $0.u.mem.size = valuePtr.count }
                        if keyPtr.count > 0 {
                            add { $0.vtype = RD_KAFKA_VTYPE_KEY; $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: keyPtr.baseAddress); $0.u.mem.size = keyPtr.count }
                        }
                        add { $0.vtype = RD_KAFKA_VTYPE_MSGFLAGS; $0.u.i = RD_KAFKA_MSG_F_COPY }
                        add { $0.vtype = RD_KAFKA_VTYPE_OPAQUE; $0.u.ptr = UnsafeMutableRawPointer(bitPattern: token) }
                        add { $0.vtype = RD_KAFKA_VTYPE_HEADERS; $0.u.headers = hdrs }
                        if timestampMs > 0 { add { $0.vtype = RD_KAFKA_VTYPE_TIMESTAMP; $0.u.i64 = timestampMs } }
                        return rd_kafka_produceva(handle, vus.baseAddress, n)
                    }
                }
            }
        }
        guard let result else { return RD_KAFKA_RESP_ERR_NO_ERROR }
        // On failure the headers were not taken over.
        rd_kafka_headers_destroy(hdrs)
        let code = rd_kafka_error_code(result)
        rd_kafka_error_destroy(result)
        return code
    }

    /// Serves delivery reports for up to `timeoutMs`.
    public func poll(timeoutMs: Int32 = 0) { rd_kafka_poll(handle, timeoutMs) }

    /// Waits for every outstanding message; returns how many were still in flight at the deadline.
    public func flush(timeout: Double) -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while rd_kafka_outq_len(handle) > 0 && Date() < deadline && context.authenticationFailure == nil {
            rd_kafka_flush(handle, 100)
        }
        rd_kafka_poll(handle, 0)
        return Int(rd_kafka_outq_len(handle))
    }

    /// Asks each partition's leader for its offsets. A broker answers the requests of one
    /// connection in order, so once it answers, it has read every produce request sent before:
    /// with acks=0 that is the only sign the writes got past the socket (a process exiting
    /// with data still unread by the broker can lose it). Returns the partitions that answered.
    @discardableResult
    public func roundTrip(topic: String, partitions: [Int32], timeout: Double) -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var answered = 0
        for partition in partitions {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { break }
            if (try? KafkaMetadata.watermarks(handle: handle, topic: topic, partition: partition, timeout: left, context: context) { [handle] in rd_kafka_poll(handle, 0) }) != nil { answered += 1 }
        }
        return answered
    }

    /// Abandons messages still queued (after a flush timed out), so their reports say so.
    public func purgeOutstanding() {
        rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        rd_kafka_poll(handle, 100)
    }

    public func partitionCount(topic: String, timeout: Double) throws -> Int {
        try KafkaMetadata.partitionCount(handle: handle, topic: topic, timeout: timeout, context: context) { [handle] in rd_kafka_poll(handle, 0) }
    }
}
