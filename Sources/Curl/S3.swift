import Foundation

/// AWS credentials, only ever read from the standard environment variables.
public struct S3Credentials: Sendable {
    public let accessKeyId: String
    public let secretAccessKey: String
    public let sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Credentials {
        guard let key = env["AWS_ACCESS_KEY_ID"], !key.isEmpty, let secret = env["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw S3Error(message: "S3 credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)")
        }
        let token = env["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token)
    }
}

/// An S3 failure: the HTTP status and S3's error code when the server answered.
public struct S3Error: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let status: Int?
    public let code: String?
    public init(message: String, status: Int? = nil, code: String? = nil) {
        self.message = message
        self.status = status
        self.code = code
    }
    public var description: String { message }
}

public struct S3Object: Sendable, Equatable {
    public let key: String
    public let size: Int64
    public let eTag: String
}

/// One page of ListObjectsV2.
public struct S3ListPage: Sendable, Equatable {
    public var objects: [S3Object]
    public var isTruncated: Bool
    public var nextContinuationToken: String?
}

/// A small S3 client over `HTTPClient`: libcurl signs every request (SigV4, service "s3").
/// With an endpoint override (moto, MinIO...) requests are path-style: `{endpoint}/{bucket}/{key}`;
/// without one they go to AWS virtual-hosted style `https://{bucket}.s3.{region}.amazonaws.com/{key}`.
public struct S3Client: Sendable {
    public let endpoint: String?
    public let region: String
    public let credentials: S3Credentials
    /// Bound for each request, seconds.
    public var requestTimeout: Double
    public var connectTimeout: Double

    public init(endpoint: String?, region: String, credentials: S3Credentials, requestTimeout: Double = 30, connectTimeout: Double = 10) {
        var trimmed = endpoint
        while trimmed?.hasSuffix("/") == true { trimmed?.removeLast() }
        self.endpoint = trimmed.flatMap { $0.isEmpty ? nil : $0 }
        self.region = region
        self.credentials = credentials
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
    }

    /// Where the client sends requests, for messages.
    /// For messages: never with credentials, however the endpoint was given.
    public var endpointDescription: String { endpoint.map(HTTPClient.redact) ?? "https://s3.\(region).amazonaws.com" }

    public func url(bucket: String, key: String = "", query: [(String, String)] = []) -> String {
        var url: String
        if let endpoint {
            url = endpoint + "/" + S3Client.encodePath(bucket) + "/" + S3Client.encodePath(key)
        } else {
            url = "https://\(bucket).s3.\(region).amazonaws.com/" + S3Client.encodePath(key)
        }
        if !query.isEmpty {
            // Sorted and fully encoded, so the query is already in SigV4's canonical form.
            url += "?" + query.sorted { $0.0 < $1.0 }.map { "\(S3Client.encode($0.0))=\(S3Client.encode($0.1))" }.joined(separator: "&")
        }
        return url
    }

    /// RFC 3986 unreserved characters stay; everything else is percent-encoded (SigV4 rules).
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func encodePath(_ key: String) -> String { encode(key, keepSlash: true) }

    private func send(_ method: String, bucket: String, key: String = "", query: [(String, String)] = [],
                      body: [UInt8]? = nil, contentType: String? = nil, what: String) throws -> HTTPResponse {
        var request = HTTPRequest(method: method, url: url(bucket: bucket, key: key, query: query), body: body,
                                  timeout: requestTimeout, connectTimeout: connectTimeout)
        request.awsSigV4 = (provider: "aws:amz:\(region):s3", accessKey: credentials.accessKeyId,
                            secretKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken)
        if let token = credentials.sessionToken { request.headers.append(("x-amz-security-token", token)) }
        if let contentType { request.headers.append(("Content-Type", contentType)) }
        let response: HTTPResponse
        do { response = try HTTPClient.perform(request) } catch let error as HTTPTransportError {
            throw S3Error(message: "S3 \(what) failed: \(error.reason) at \(endpointDescription) (check s3_endpoint / STREAMCHECK_S3_ENDPOINT)")
        }
        guard (200..<300).contains(response.status) else {
            let code = S3XML.firstValue(of: "Code", in: response.bodyText)
            let detail = S3XML.firstValue(of: "Message", in: response.bodyText)
            var message = "S3 \(what) failed: HTTP \(response.status)"
            if let code { message += " \(code)" }
            if let detail, !detail.isEmpty { message += ": \(detail)" }
            if response.status == 403 { message += " (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and the region)" }
            throw S3Error(message: message, status: response.status, code: code)
        }
        return response
    }

    public func listPage(bucket: String, prefix: String, continuationToken: String? = nil, maxKeys: Int = 1000) throws -> S3ListPage {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let response = try send("GET", bucket: bucket, query: query, what: "ListObjectsV2 s3://\(bucket)/\(prefix)")
        return try S3XML.parseListObjectsV2(response.bodyText)
    }

    /// Every object under the prefix, following continuation tokens (bounded by `maxPages`).
    public func listObjects(bucket: String, prefix: String, maxPages: Int = 1000) throws -> [S3Object] {
        var objects: [S3Object] = []
        var token: String?
        for _ in 0..<maxPages {
            let page = try listPage(bucket: bucket, prefix: prefix, continuationToken: token)
            objects += page.objects
            guard page.isTruncated else { return objects }
            guard let next = page.nextContinuationToken, !next.isEmpty else {
                throw S3Error(message: "S3 ListObjectsV2 s3://\(bucket)/\(prefix): truncated page without NextContinuationToken")
            }
            token = next
        }
        throw S3Error(message: "S3 ListObjectsV2 s3://\(bucket)/\(prefix): more than \(maxPages) pages; use a narrower prefix")
    }

    public func getObject(bucket: String, key: String) throws -> [UInt8] {
        try send("GET", bucket: bucket, key: key, what: "GetObject s3://\(bucket)/\(key)").body
    }

    public func putObject(bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream") throws {
        _ = try send("PUT", bucket: bucket, key: key, body: body, contentType: contentType, what: "PutObject s3://\(bucket)/\(key)")
    }

    /// Creates the bucket; an existing bucket we own is fine.
    public func createBucket(bucket: String) throws {
        var body: [UInt8]?
        if endpoint == nil && region != "us-east-1" {
            body = Array("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>".utf8)
        }
        do {
            _ = try send("PUT", bucket: bucket, body: body ?? [], what: "CreateBucket \(bucket)")
        } catch let error as S3Error where error.code == "BucketAlreadyOwnedByYou" {
            return
        }
    }
}

/// Just enough XML for S3 answers: ListObjectsV2 and error bodies. S3's XML is flat and
/// regular, so element text between tags is all we need; no XML dependency.
public enum S3XML {
    public static func parseListObjectsV2(_ xml: String) throws -> S3ListPage {
        guard xml.contains("<ListBucketResult") else {
            throw S3Error(message: "S3 ListObjectsV2: the answer is not a ListBucketResult document")
        }
        var objects: [S3Object] = []
        for contents in elements("Contents", in: xml) {
            guard let key = firstValue(of: "Key", in: contents) else { continue }
            let size = firstValue(of: "Size", in: contents).flatMap { Int64($0) } ?? 0
            let eTag = firstValue(of: "ETag", in: contents) ?? ""
            objects.append(S3Object(key: key, size: size, eTag: eTag))
        }
        // IsTruncated and NextContinuationToken are top-level; take them outside <Contents>.
        let outside = removingElements("Contents", from: xml)
        let truncated = firstValue(of: "IsTruncated", in: outside)?.lowercased() == "true"
        let token = firstValue(of: "NextContinuationToken", in: outside)
        return S3ListPage(objects: objects, isTruncated: truncated, nextContinuationToken: token)
    }

    /// The inner text of each `<name>...</name>` (or `<name attr=...>`), in order.
    static func elements(_ name: String, in xml: String) -> [Substring] {
        var found: [Substring] = []
        var rest = xml[...]
        while let open = openTag(name, in: rest) {
            guard let close = rest.range(of: "</\(name)>", range: open.upperBound..<rest.endIndex) else { break }
            found.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return found
    }

    private static func openTag(_ name: String, in text: Substring) -> Range<Substring.Index>? {
        var search = text.startIndex..<text.endIndex
        while let start = text.range(of: "<\(name)", range: search) {
            guard start.upperBound < text.endIndex else { return nil }
            let next = text[start.upperBound]
            if next == ">" { return start.lowerBound..<text.index(after: start.upperBound) }
            if next == " ", let end = text[start.upperBound...].firstIndex(of: ">") {
                if text[text.index(before: end)] == "/" { search = end..<text.endIndex; continue }  // <name/> is empty
                return start.lowerBound..<text.index(after: end)
            }
            search = start.upperBound..<text.endIndex
        }
        return nil
    }

    static func removingElements(_ name: String, from xml: String) -> String {
        var out = ""
        var rest = xml[...]
        while let open = openTag(name, in: rest), let close = rest.range(of: "</\(name)>", range: open.upperBound..<rest.endIndex) {
            out += rest[..<open.lowerBound]
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    public static func firstValue(of name: String, in xml: some StringProtocol) -> String? {
        elements(name, in: String(xml)).first.map { unescape(String($0)) }
    }

    public static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == "&", let semi = text[i...].firstIndex(of: ";"), text.distance(from: i, to: semi) <= 10 {
                let entity = text[text.index(after: i)..<semi]
                var replacement: String?
                switch entity {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x"), let v = UInt32(entity.dropFirst(2), radix: 16), let s = UnicodeScalar(v) {
                        replacement = String(s)
                    } else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()), let s = UnicodeScalar(v) {
                        replacement = String(s)
                    }
                }
                if let replacement {
                    out += replacement
                    i = text.index(after: semi)
                    continue
                }
            }
            out.append(text[i])
            i = text.index(after: i)
        }
        return out
    }
}
