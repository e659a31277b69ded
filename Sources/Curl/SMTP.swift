import CCurl
import Foundation

/// One e-mail to hand to an SMTP server. `payload` is the whole RFC 5322 message (headers,
/// blank line, body) with CRLF line ends; libcurl does the SMTP dot-stuffing.
public struct SMTPMessage: Sendable {
    /// smtp://host:port (plain, or STARTTLS with `requireTLS`) or smtps://host:port (implicit TLS).
    public var url: String
    public var from: String
    public var recipients: [String]
    public var payload: [UInt8]
    /// STARTTLS, and refuse to send when the server cannot do it (CURLUSESSL_ALL).
    public var requireTLS: Bool = false
    public var credentials: (user: String, password: String)?
    /// Whole-transaction bound, seconds.
    public var timeout: Double = 30
    public var connectTimeout: Double = 10
    public var caBundlePath: String?

    public init(url: String, from: String, recipients: [String], payload: [UInt8]) {
        self.url = url
        self.from = from
        self.recipients = recipients
        self.payload = payload
    }
}

/// The server did not take the message. `isTransient` says whether trying again may help
/// (no connection, timeout) or not (TLS refused, login denied, recipient rejected).
public struct SMTPError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public let isTransient: Bool
    public var description: String { reason }
}

public enum SMTPClient {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public static func send(_ message: SMTPMessage) throws {
        _ = globalInit
        guard let handle = curl_easy_init() else { throw SMTPError(reason: "libcurl could not start a transfer", isTransient: false) }
        defer { curl_easy_cleanup(handle) }

        // The source outlives the transfer: retained here, released after curl_easy_perform returns.
        let source = UploadSource(message.payload)
        let opaque = Unmanaged.passRetained(source)
        defer { opaque.release() }

        var recipients: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(recipients) }
        for r in message.recipients { recipients = curl_slist_append(recipients, "<\(r)>") }

        // curl writes its detailed message ("RCPT failed: 550") here during perform; freed after.
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }

        sc_curl_setopt_string(handle, CURLOPT_URL, message.url)
        sc_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        sc_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(max(message.timeout, 0.001) * 1000))
        sc_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(max(message.connectTimeout, 0.001) * 1000))
        sc_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        sc_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(message.from)>")
        sc_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        sc_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        sc_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.payload.count))
        sc_curl_setopt_pointer(handle, CURLOPT_READDATA, opaque.toOpaque())
        // The read callback has the same C type as a write callback, (char *, size_t, size_t, void *) -> size_t,
        // so the shim's typed setter serves both.
        sc_curl_setopt_write_function(handle, CURLOPT_READFUNCTION, { buffer, size, count, context in
            let source = Unmanaged<UploadSource>.fromOpaque(context!).takeUnretainedValue()
            return source.read(into: buffer, capacity: size * count)
        })
        if message.requireTLS { sc_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        if let credentials = message.credentials {
            sc_curl_setopt_string(handle, CURLOPT_USERNAME, credentials.user)
            sc_curl_setopt_string(handle, CURLOPT_PASSWORD, credentials.password)
        }
        if let ca = message.caBundlePath { sc_curl_setopt_string(handle, CURLOPT_CAINFO, ca) }

        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            let transient = [CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_RESOLVE_HOST,
                             CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR].contains(code)
            throw SMTPError(reason: "\(reason) (\(HTTPClient.redact(message.url)))", isTransient: transient)
        }
    }
}

/// Hands the message to curl's read callback piece by piece.
final class UploadSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutablePointer<CChar>?, capacity: Int) -> Int {
        guard let buffer else { return 0 }
        let n = min(capacity, bytes.count - offset)
        if n <= 0 { return 0 }
        bytes.withUnsafeBufferPointer { src in
            buffer.withMemoryRebound(to: UInt8.self, capacity: n) { dst in
                dst.update(from: src.baseAddress! + offset, count: n)
            }
        }
        offset += n
        return n
    }
}
