import Histogram
import TerraformIO

/// Latency percentiles in milliseconds from an HdrHistogram of microseconds.
public struct LatencyRecorder {
    var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    public private(set) var count = 0

    public init() {}

    public mutating func record(micros: Int64) {
        let clamped = UInt64(min(max(micros, 0), 3_600_000_000))
        _ = histogram.record(clamped)
        count += 1
    }

    public func percentileMs(_ p: Double) -> Double? {
        count == 0 ? nil : Double(histogram.valueAtPercentile(p)) / 1000
    }
    public var maxMs: Double? { count == 0 ? nil : Double(histogram.max) / 1000 }

    /// Values above `thresholdMicros`.
    public func countAbove(micros thresholdMicros: Int64) -> Int {
        guard count > 0, thresholdMicros < 3_600_000_000 else { return 0 }
        return Int(histogram.count(within: UInt64(max(thresholdMicros + 1, 0))...3_600_000_000))
    }

    /// Cumulative-style buckets for reports: how many values fall at or under each bound.
    public var buckets: JSONValue {
        guard count > 0 else { return .array([]) }
        let bounds: [Double] = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000]
        var items: [JSONValue] = []
        var previous: UInt64 = 0
        for bound in bounds {
            let upper = UInt64(bound * 1000)
            let n = previous > upper ? 0 : histogram.count(within: previous...upper)
            items.append(.object([("le_ms", .double(bound)), ("count", .int(Int64(n)))]))
            previous = upper + 1
        }
        let rest = histogram.count(within: previous...3_600_000_000)
        items.append(.object([("le_ms", .string("inf")), ("count", .int(Int64(rest)))]))
        return .array(items)
    }

    public func fields(prefix: String) -> [(String, JSONValue)] {
        func v(_ d: Double?) -> JSONValue { d.map { .double($0) } ?? .null }
        return [
            ("\(prefix)_p50", v(percentileMs(50))),
            ("\(prefix)_p95", v(percentileMs(95))),
            ("\(prefix)_p99", v(percentileMs(99))),
            ("\(prefix)_max", v(maxMs)),
        ]
    }
}
