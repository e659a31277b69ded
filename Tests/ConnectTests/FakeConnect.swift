import Curl
import Foundation
import TerraformIO
@testable import StreamcheckKit

/// A scripted Connect for unit tests: answers requests from a queue of canned responses and
/// keeps a virtual clock that only sleeping advances, so no test depends on wall-clock time.
final class FakeConnect: @unchecked Sendable {
    enum Answer {
        case reply(Int, String, [(String, String)])
        case refused
        case timeout
    }

    private let lock = NSLock()
    private var answers: [Answer] = []
    private(set) var requests: [HTTPRequest] = []
    private(set) var time: Double = 1_700_000_000
    private(set) var sleeps: [Double] = []
    private(set) var logLines: [String] = []
    /// Answered once the queue is empty.
    var fallback: Answer = .reply(500, "{\"error_code\":500,\"message\":\"script ran out\"}", [])

    func queue(_ status: Int, _ body: String = "", headers: [(String, String)] = []) { answers.append(.reply(status, body, headers)) }
    func queue(_ answer: Answer) { answers.append(answer) }

    var paths: [String] { requests.map { "\($0.method) \($0.url)" } }

    func client(_ flavour: ConnectFlavour = .selfManaged(baseURL: "http://connect:8083"), auth: ConnectAuth = ConnectAuth()) -> ConnectClient {
        ConnectClient(
            flavour: flavour, auth: auth, requestTimeout: 5,
            transport: { [self] request in
                lock.lock(); defer { lock.unlock() }
                requests.append(request)
                let answer = answers.isEmpty ? fallback : answers.removeFirst()
                time += 0.01  // every request takes a little virtual time
                switch answer {
                case let .reply(status, body, headers):
                    return HTTPResponse(status, headers: headers, body: Array(body.utf8))
                case .refused:
                    throw HTTPTransportError(request.url, reason: "Couldn't connect to server", isTimeout: false, isConnectionRefused: true)
                case .timeout:
                    time += request.timeout
                    throw HTTPTransportError(request.url, reason: "Timeout was reached", isTimeout: true, isConnectionRefused: false)
                }
            },
            clock: { [self] in lock.lock(); defer { lock.unlock() }; return time },
            sleep: { [self] seconds in lock.lock(); defer { lock.unlock() }; sleeps.append(seconds); time += seconds },
            random: { 0.5 },
            log: { [self] line in lock.lock(); defer { lock.unlock() }; logLines.append(line) })
    }

    func service(_ flavour: ConnectFlavour = .selfManaged(baseURL: "http://connect:8083")) -> ConnectorService {
        ConnectorService(client: client(flavour))
    }

    static func status(_ state: String, tasks: [(Int, String)] = [], trace: String? = nil, taskTrace: String? = nil) -> String {
        let taskJSON = tasks.map { id, s in
            let t = (s == "FAILED" && taskTrace != nil) ? ",\"trace\":\(jsonString(taskTrace!))" : ""
            return "{\"id\":\(id),\"state\":\"\(s)\",\"worker_id\":\"w1:8083\"\(t)}"
        }.joined(separator: ",")
        let ct = trace.map { ",\"trace\":\(jsonString($0))" } ?? ""
        return "{\"name\":\"c\",\"connector\":{\"state\":\"\(state)\",\"worker_id\":\"w1:8083\"\(ct)},\"tasks\":[\(taskJSON)],\"type\":\"sink\"}"
    }

    static func jsonString(_ s: String) -> String { JSONValue.string(s).encoded() }
}
