import CRdKafka
import Foundation

/// State shared with librdkafka's callbacks through the handle's opaque pointer.
/// Callbacks run on the thread that polls, except where noted.
final class ClientContext: @unchecked Sendable {
    let lock = NSLock()
    private var _lastError: String?
    var onDelivery: ((DeliveryReport) -> Void)?
    var onRebalance: ((_ assigned: Bool, _ partitions: [(topic: String, partition: Int32)]) -> Void)?
    /// Starting offsets to apply when partitions are assigned: (topic, partition) -> offset.
    var startOffsets: ((String, Int32) -> Int64?)?
    private var _pauseNewAssignments = false
    /// Read by the rebalance callback on the polling thread, written by resumeAll from any thread.
    var pauseNewAssignments: Bool {
        get { lock.lock(); defer { lock.unlock() }; return _pauseNewAssignments }
        set { lock.lock(); _pauseNewAssignments = newValue; lock.unlock() }
    }
    let debugLogging = ProcessInfo.processInfo.environment["STREAMCHECK_DEBUG"] != nil

    var lastError: String? {
        lock.lock(); defer { lock.unlock() }
        return _lastError
    }

    func recordError(_ message: String) {
        lock.lock(); _lastError = message; lock.unlock()
    }

    private var _authenticationFailure: String?
    /// The broker's refusal of the SASL login, once one came. Waiting longer does not change
    /// it (the credentials are wrong, revoked or expired), so every wait stops on it.
    var authenticationFailure: String? {
        lock.lock(); defer { lock.unlock() }
        return _authenticationFailure
    }

    func recordAuthenticationFailure(_ message: String) {
        lock.lock(); _authenticationFailure = message; lock.unlock()
    }

    /// The error to stop a wait with, once the login was refused.
    func refusedLogin() -> KafkaError? {
        authenticationFailure.map { KafkaError(Self.refusedLoginMessage($0)) }
    }

    /// The codes librdkafka reports a refused SASL login with (its own, and the broker's 58).
    static func isRefusedLogin(_ code: rd_kafka_resp_err_t) -> Bool {
        code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED
    }

    static func refusedLoginMessage(_ reason: String) -> String {
        "the cluster refused the SASL login (\(reason)): the credentials are wrong, revoked or expired; check STREAMCHECK_KAFKA_SASL_USERNAME and STREAMCHECK_KAFKA_SASL_PASSWORD (or their _FILE forms) and sasl.mechanisms"
    }
}

/// Installs the callbacks every client uses: errors are remembered (to explain a timeout in
/// one line) and librdkafka's own log lines are kept off stderr unless STREAMCHECK_DEBUG is set.
func installCommonCallbacks(_ conf: OpaquePointer, _ context: ClientContext) {
    rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
    rd_kafka_conf_set_error_cb(conf) { _, err, reason, opaque in
        guard let opaque else { return }
        let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
        let code = rd_kafka_resp_err_t(err)
        let text = reason.map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(code))
        context.recordError(text)
        if ClientContext.isRefusedLogin(code) {
            context.recordAuthenticationFailure(text)
        }
    }
    rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
        let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
        if context.debugLogging, let facility, let message {
            FileHandle.standardError.write(Data("librdkafka[\(level)] \(String(cString: facility)): \(String(cString: message))\n".utf8))
        }
    }
}

/// Creates an rd_kafka_t. rd_kafka_new takes ownership of conf only when it succeeds.
func makeClient(_ type: rd_kafka_type_t, _ conf: OpaquePointer) throws -> OpaquePointer {
    var errbuf = [CChar](repeating: 0, count: 512)
    guard let handle = rd_kafka_new(type, conf, &errbuf, errbuf.count) else {
        rd_kafka_conf_destroy(conf)
        throw KafkaError("cannot create Kafka client: \(String(cString: errbuf))")
    }
    return handle
}

func copyBytes(_ pointer: UnsafeMutableRawPointer?, _ count: Int) -> [UInt8] {
    guard let pointer, count > 0 else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
}
