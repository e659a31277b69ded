/// Public initialisers so layers above can build responses and transport errors themselves:
/// a client that takes an injectable transport (unit tests with scripted answers) needs them.
/// (The synthesized memberwise initialisers are internal to this module.)
extension HTTPResponse {
    public init(_ status: Int, headers: [(String, String)], body: [UInt8]) {
        self.init(status: status, headers: headers, body: body)
    }
}

extension HTTPTransportError {
    public init(_ url: String, reason: String, isTimeout: Bool, isConnectionRefused: Bool) {
        self.init(url: url, reason: reason, isTimeout: isTimeout, isConnectionRefused: isConnectionRefused)
    }
}
