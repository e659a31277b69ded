import Foundation

/// What one attempt at a Connect request came back with, as far as retrying cares.
public enum AttemptOutcome: Sendable, Equatable {
    /// An HTTP answer; headers matter only for 429 (Retry-After, X-RateLimit-Reset), the
    /// message (Connect's error text) only for 500.
    case status(Int, headers: [String: String], message: String = "")
    /// Nothing listening (yet): a worker restarting, a port not open.
    case connectionRefused
    /// No answer within the per-request timeout: a worker stuck in a rebalance or GC.
    case timedOut
    /// Any other transport failure (DNS, TLS): retrying will not fix it.
    case transportFailure
}

public enum RetryDecision: Sendable, Equatable {
    case retry(afterSeconds: Double)
    case giveUp
}

/// The one retry policy for every Connect request. Pure: the caller passes the attempt number
/// (0 for the first retry), what happened, the current time and a random number in [0, 1), so
/// tests can pin every input. The caller also bounds the total by its own deadline.
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelay: Double = 0.2
    public var maximumDelay: Double = 5
    public var multiplier: Double = 2
    /// A rate limiter's wait is honoured as asked, but never beyond this.
    public var maximumServerDelay: Double = 120

    public init() {}

    public init(initialDelay: Double, maximumDelay: Double, multiplier: Double = 2, maximumServerDelay: Double = 120) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.maximumServerDelay = maximumServerDelay
    }

    /// - Parameters:
    ///   - attempt: how many retries already happened (0 before the first retry).
    ///   - now: seconds since 1970, used when X-RateLimit-Reset is an epoch time.
    ///   - random: uniform in [0, 1); the jitter.
    public func decide(attempt: Int, outcome: AttemptOutcome, now: Double, random: Double) -> RetryDecision {
        switch outcome {
        case .transportFailure:
            return .giveUp
        case .connectionRefused, .timedOut:
            return .retry(afterSeconds: backoff(attempt: attempt, random: random))
        case let .status(code, headers, message):
            switch code {
            case 409:  // rebalance in progress: the herder answers once the group settled
                return .retry(afterSeconds: backoff(attempt: attempt, random: random))
            case 429:
                if let asked = serverDelay(headers: headers, now: now) {
                    // Honour the server, plus a little jitter so parallel waiters do not stampede.
                    return .retry(afterSeconds: min(asked, maximumServerDelay) + random * initialDelay)
                }
                return .retry(afterSeconds: backoff(attempt: attempt, random: random))
            case 500 where !Self.isTransient500(message):
                // Connect answers 500 for any ConnectException: a connector class no worker
                // has, a config the connector's own validation throws on. Asking again
                // gives the same answer.
                return .giveUp
            case 500...599:
                return .retry(afterSeconds: backoff(attempt: attempt, random: random))
            default:
                // 2xx needs no retry; other 4xx (400 bad config, 401, 403, 404) will answer the same again.
                return .giveUp
            }
        }
    }

    /// The 500s Kafka Connect gives while it cannot serve the request yet (DistributedHerder,
    /// ConnectorsResource): a rebalance is expected, the herder did not answer within its 90 s,
    /// or the worker is starting or stopping. Any other 500 is Connect's final answer.
    public static func isTransient500(_ message: String) -> Bool {
        let transient = [
            "Request cannot be completed because a rebalance is expected",
            "Request timed out",
            "The worker is shutting down",
            "Worker is still starting up",
            "The herder is not yet ready",
        ]
        return message.isEmpty || transient.contains { message.localizedCaseInsensitiveContains($0) }
    }

    /// Exponential backoff with "equal jitter": half the step is fixed, half random, so the
    /// delay always grows yet parallel clients spread out.
    public func backoff(attempt: Int, random: Double) -> Double {
        let exponent = Double(min(max(attempt, 0), 30))
        let step = min(maximumDelay, initialDelay * pow(multiplier, exponent))
        let r = min(max(random, 0), 1)
        return step / 2 + step / 2 * r
    }

    /// Seconds the server asked us to wait: Retry-After (seconds or an HTTP date), else
    /// X-RateLimit-Reset (Confluent Cloud sends seconds from now; some proxies send an epoch time).
    public func serverDelay(headers: [String: String], now: Double) -> Double? {
        func header(_ name: String) -> String? {
            headers.first(where: { $0.key.caseInsensitiveCompare(name) == .orderedSame })?.value
                .trimmingCharacters(in: .whitespaces)
        }
        if let value = header("Retry-After") {
            if let seconds = Double(value), seconds.isFinite, seconds >= 0 { return seconds }
            if let date = RetryPolicy.httpDate(value) { return max(0, date - now) }
        }
        if let value = header("X-RateLimit-Reset"), let number = Double(value), number.isFinite, number >= 0 {
            // Anything later than 2001 in epoch seconds cannot be a relative wait.
            return number > 1_000_000_000 ? max(0, number - now) : number
        }
        return nil
    }

    /// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") as seconds since 1970.
    static func httpDate(_ text: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)?.timeIntervalSince1970
    }
}
