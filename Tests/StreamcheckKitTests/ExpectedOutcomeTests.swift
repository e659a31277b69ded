import Testing
@testable import StreamcheckKit
import TerraformIO

@Suite("Expected outcomes of negative tests")
struct ExpectedOutcomeTests {
    func verdict(failed: [String]) -> OperationOutcome {
        OperationOutcome(result: .object([("passed", .bool(failed.isEmpty)), ("failed_checks", .string(failed.joined(separator: ",")))]),
                         passed: failed.isEmpty, summary: "verified")
    }

    func judged(_ e: ExpectedOutcome, _ r: Result<OperationOutcome, StreamcheckError>) -> (passed: Bool?, result: JSONValue?, error: String?) {
        switch e.judge(r, operation: "consume") {
        case let .success(o): return (o.passed, o.result, nil)
        case let .failure(message, partial): return (nil, partial, message)
        }
    }

    @Test("exactly the expected checks failing passes; the data verdict stays false")
    func exactly() {
        let j = judged(ExpectedOutcome(failedChecks: ["loss", "count"]), .success(verdict(failed: ["count", "loss"])))
        #expect(j.passed == true)
        #expect(j.result?["passed"]?.boolValue == false && j.result?["as_expected"]?.boolValue == true)
        #expect(j.result?["expected_failed_checks"]?.stringValue == "count,loss")
    }

    @Test("more, fewer or no failed checks than expected is a failure")
    func otherwise() {
        for failed in [["count", "loss", "integrity"], ["count"], []] {
            let j = judged(ExpectedOutcome(failedChecks: ["count", "loss"]), .success(verdict(failed: failed)))
            #expect(j.passed == false && j.result?["as_expected"]?.boolValue == false, "\(failed)")
        }
    }

    @Test("an expected error passes only when it happens, with that text")
    func errors() {
        let e = ExpectedOutcome(errorContaining: "not acknowledged")
        let hit = judged(e, .failure(StreamcheckError("5 of 10 were not acknowledged", partialResult: .object([("messages_failed", .int(5))]))))
        #expect(hit.passed == true && hit.result?["messages_failed"]?.int64Value == 5 && hit.result?["as_expected"]?.boolValue == true)
        let other = judged(e, .failure(StreamcheckError("cannot resolve host")))
        #expect(other.error?.contains("expected an error containing 'not acknowledged'") == true)
        let none = judged(e, .success(verdict(failed: [])))
        #expect(none.error?.contains("but consume succeeded") == true)
    }

    @Test("no expectation leaves the outcome untouched")
    func none() {
        let j = judged(ExpectedOutcome(), .success(verdict(failed: ["loss"])))
        #expect(j.passed == false && j.result?["as_expected"] == nil)
    }
}
