import Testing
@testable import StreamcheckKit

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(initialDelay: 0.2, maximumDelay: 5)
    let now = 1_700_000_000.0

    @Test(arguments: [409, 500, 502, 503, 504])
    func transientStatusesBackOff(status: Int) {
        #expect(policy.decide(attempt: 0, outcome: .status(status, headers: [:]), now: now, random: 0) == .retry(afterSeconds: 0.1))
        #expect(policy.decide(attempt: 0, outcome: .status(status, headers: [:]), now: now, random: 1) == .retry(afterSeconds: 0.2))
    }

    @Test(arguments: [
        "Request cannot be completed because a rebalance is expected",
        "Request timed out",
    ])
    func connectsTransient500sBackOff(message: String) {
        #expect(policy.decide(attempt: 0, outcome: .status(500, headers: [:], message: message), now: now, random: 0) == .retry(afterSeconds: 0.1))
    }

    @Test func aConnectExceptionAnswered500IsFinal() {
        // Plugins.java, for a class no worker has: validate and PUT config answer this 500.
        let unknownClass = "Failed to find any class that implements Connector and which name matches com.example.Nope, available connectors are: PluginDesc{klass=class org.apache.kafka.connect.file.FileStreamSinkConnector}"
        #expect(policy.decide(attempt: 0, outcome: .status(500, headers: [:], message: unknownClass), now: now, random: 0) == .giveUp)
        #expect(policy.decide(attempt: 0, outcome: .status(500, headers: [:], message: "Connector configuration is invalid"), now: now, random: 0) == .giveUp)
    }

    @Test(arguments: [200, 201, 204, 400, 401, 403, 404, 405, 422])
    func definiteAnswersAreNotRetried(status: Int) {
        #expect(policy.decide(attempt: 0, outcome: .status(status, headers: [:]), now: now, random: 0.5) == .giveUp)
    }

    @Test func refusedAndTimedOutConnectionsAreRetriedOtherTransportFailuresAreNot() {
        #expect(policy.decide(attempt: 1, outcome: .connectionRefused, now: now, random: 0) == .retry(afterSeconds: 0.2))
        #expect(policy.decide(attempt: 1, outcome: .timedOut, now: now, random: 0) == .retry(afterSeconds: 0.2))
        #expect(policy.decide(attempt: 1, outcome: .transportFailure, now: now, random: 0) == .giveUp)
    }

    @Test func backoffDoublesThenCapsAndJitterStaysInTheUpperHalf() {
        let fixed = (0..<8).map { policy.backoff(attempt: $0, random: 1) }
        #expect(fixed == [0.2, 0.4, 0.8, 1.6, 3.2, 5, 5, 5])
        for attempt in 0..<8 {
            let low = policy.backoff(attempt: attempt, random: 0)
            #expect(low == fixed[attempt] / 2)
            let mid = policy.backoff(attempt: attempt, random: 0.5)
            #expect(mid > low && mid < fixed[attempt])
        }
        // A huge attempt count neither overflows nor exceeds the cap.
        #expect(policy.backoff(attempt: 10_000, random: 1) == 5)
    }

    @Test func tooManyRequestsHonoursRetryAfterSeconds() {
        let d = policy.decide(attempt: 0, outcome: .status(429, headers: ["Retry-After": "7"]), now: now, random: 0)
        #expect(d == .retry(afterSeconds: 7))
        // The header name is case-insensitive; jitter only adds.
        let j = policy.decide(attempt: 3, outcome: .status(429, headers: ["retry-after": "7"]), now: now, random: 0.5)
        #expect(j == .retry(afterSeconds: 7.1))
    }

    @Test func tooManyRequestsHonoursRetryAfterAsAnHTTPDate() {
        // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT.
        let d = policy.decide(attempt: 0, outcome: .status(429, headers: ["Retry-After": "Tue, 14 Nov 2023 22:13:32 GMT"]), now: now, random: 0)
        #expect(d == .retry(afterSeconds: 12))
    }

    @Test func tooManyRequestsHonoursRelativeAndEpochRateLimitReset() {
        // Confluent Cloud sends seconds from now.
        #expect(policy.decide(attempt: 0, outcome: .status(429, headers: ["X-RateLimit-Reset": "3"]), now: now, random: 0) == .retry(afterSeconds: 3))
        // Others send an epoch time.
        #expect(policy.decide(attempt: 0, outcome: .status(429, headers: ["X-RateLimit-Reset": "1700000009"]), now: now, random: 0) == .retry(afterSeconds: 9))
        // Retry-After wins when both are present.
        #expect(policy.decide(attempt: 0, outcome: .status(429, headers: ["X-RateLimit-Reset": "30", "Retry-After": "2"]), now: now, random: 0) == .retry(afterSeconds: 2))
    }

    @Test func tooManyRequestsWithoutHintsBacksOffAndHugeHintsAreCapped() {
        #expect(policy.decide(attempt: 2, outcome: .status(429, headers: [:]), now: now, random: 1) == .retry(afterSeconds: 0.8))
        #expect(policy.decide(attempt: 0, outcome: .status(429, headers: ["Retry-After": "86400"]), now: now, random: 0) == .retry(afterSeconds: 120))
        #expect(policy.decide(attempt: 0, outcome: .status(429, headers: ["Retry-After": "soon"]), now: now, random: 1) == .retry(afterSeconds: 0.2))
    }
}
