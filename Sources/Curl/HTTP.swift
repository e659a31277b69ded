import CCurl
import Foundation

/// A request as the rest of streamcheck describes it; no curl type leaves this module.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Whole-request bound, seconds. Every network wait in streamcheck has one.
    public var timeout: Double
    public var connectTimeout: Double
    public var basicAuth: (user: String, password: String)?
    /// AWS Signature V4 signing done by libcurl, e.g. provider "aws:amz:us-east-1:s3".
    public var awsSigV4: (provider: String, accessKey: String, secretKey: String, sessionToken: String?)?
    public var clientCertificate: (certPath: String, keyPath: String, keyPassword: String?)?
    public var caBundlePath: String?

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                timeout: Double = 30, connectTimeout: Double = 10) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }
}

public struct HTTPResponse: Sendable {
    public let status: Int
    public let headers: [(String, String)]
    public let body: [UInt8]

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.last(where: { $0.0.caseInsensitiveCompare(name) == .orderedSame })?.1
    }
}

/// A transport failure (refused, timed out, DNS, TLS): the request got no HTTP answer.
public struct HTTPTransportError: Error, CustomStringConvertible, Sendable {
    public let url: String
    public let reason: String
    public let isTimeout: Bool
    public let isConnectionRefused: Bool
    public var description: String { "\(reason) (\(HTTPClient.redact(url)))" }
}

public enum HTTPClient {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Hides user:password in URLs before they reach a message.
    public static func redact(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else { return url }
        let slash = url[schemeEnd.upperBound...].firstIndex(of: "/") ?? url.endIndex
        guard at < slash else { return url }
        return String(url[..<schemeEnd.upperBound]) + "***@" + String(url[url.index(after: at)...])
    }

    public static func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        _ = globalInit
        guard let handle = curl_easy_init() else {
            throw HTTPTransportError(url: request.url, reason: "libcurl could not start a request", isTimeout: false, isConnectionRefused: false)
        }
        defer { curl_easy_cleanup(handle) }

        let collector = ResponseCollector()
        let opaque = Unmanaged.passRetained(collector)
        defer { opaque.release() }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // curl adds "Expect: 100-continue" to large bodies; servers we talk to don't need the round trip.
        headerList = curl_slist_append(headerList, "Expect:")

        sc_curl_setopt_string(handle, CURLOPT_URL, request.url)
        sc_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        sc_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(max(request.timeout, 0.001) * 1000))
        sc_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(max(request.connectTimeout, 0.001) * 1000))
        sc_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        sc_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, opaque.toOpaque())
        sc_curl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            let collector = Unmanaged<ResponseCollector>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            if let data { data.withMemoryRebound(to: UInt8.self, capacity: n) { collector.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) } }
            return n
        })
        sc_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, opaque.toOpaque())
        sc_curl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            let collector = Unmanaged<ResponseCollector>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            if let data {
                let line = data.withMemoryRebound(to: UInt8.self, capacity: n) { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) }
                collector.addHeaderLine(line)
            }
            return n
        })

        switch request.method {
        case "GET": sc_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": sc_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        default: sc_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        var bodyCopy = request.body ?? []
        if request.body != nil || ["POST", "PUT", "PATCH"].contains(request.method) {
            // COPYPOSTFIELDS copies the bytes, so the buffer's lifetime does not matter.
            sc_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyCopy.count))
            bodyCopy.append(0)
            _ = bodyCopy.withUnsafeMutableBytes { sc_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        }
        if let auth = request.basicAuth {
            sc_curl_setopt_long(handle, CURLOPT_HTTPAUTH, 1) // CURLAUTH_BASIC (a macro Swift cannot import)
            sc_curl_setopt_string(handle, CURLOPT_USERNAME, auth.user)
            sc_curl_setopt_string(handle, CURLOPT_PASSWORD, auth.password)
        }
        if let sig = request.awsSigV4 {
            sc_curl_setopt_string(handle, CURLOPT_AWS_SIGV4, sig.provider)
            sc_curl_setopt_string(handle, CURLOPT_USERNAME, sig.accessKey)
            sc_curl_setopt_string(handle, CURLOPT_PASSWORD, sig.secretKey)
        }
        if let cert = request.clientCertificate {
            sc_curl_setopt_string(handle, CURLOPT_SSLCERT, cert.certPath)
            sc_curl_setopt_string(handle, CURLOPT_SSLKEY, cert.keyPath)
            if let pass = cert.keyPassword { sc_curl_setopt_string(handle, CURLOPT_KEYPASSWD, pass) }
        }
        if let ca = request.caBundlePath { sc_curl_setopt_string(handle, CURLOPT_CAINFO, ca) }

        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let reason = String(cString: curl_easy_strerror(code))
            throw HTTPTransportError(
                url: request.url, reason: reason,
                isTimeout: code == CURLE_OPERATION_TIMEDOUT,
                isConnectionRefused: code == CURLE_COULDNT_CONNECT)
        }
        var status = 0
        sc_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: collector.headers, body: collector.body)
    }
}

final class ResponseCollector {
    var body: [UInt8] = []
    var headers: [(String, String)] = []

    func addHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") { headers = []; return }  // a new response (after redirects or 100)
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        headers.append((String(trimmed[..<colon]), trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
}
