import Foundation

/// Progress of a long produce or consume, on stderr only: a live line (count, rate, ETA) on a
/// terminal, a plain line every few seconds in a CI log. Nothing for the first seconds (short
/// runs stay quiet), nothing under `external` (Terraform shows stderr only on failure), and
/// nothing when STREAMCHECK_PROGRESS=0.
public final class Progress {
    /// Off under the external protocol; the shell sets it before any operation runs.
    nonisolated(unsafe) public static var enabled = ProcessInfo.processInfo.environment["STREAMCHECK_PROGRESS"] != "0"

    let label: String
    let total: Int
    let started = Clock.monotonicSeconds()
    let terminal = isatty(STDERR_FILENO) == 1
    var lastShown: Double
    var shownLive = false
    /// Quiet for the first seconds; then every half second live, every 5 s in a log.
    static let quietSeconds = 2.0

    public init(label: String, total: Int) {
        self.label = label
        self.total = total
        lastShown = started
    }

    /// Cheap enough to call once per message batch: a clock read, a comparison.
    public func update(done: Int) {
        guard Progress.enabled else { return }
        let now = Clock.monotonicSeconds()
        let elapsed = now - started
        guard elapsed >= Progress.quietSeconds, now - lastShown >= (terminal ? 0.5 : 5) else { return }
        lastShown = now
        let rate = Double(done) / max(elapsed, 0.001)
        let eta = rate > 0 && total > done ? " · ETA \(Int((Double(total - done) / rate).rounded(.up)))s" : ""
        let line = "\(label): \(done)/\(total) messages · \(Int(rate)) msg/s\(eta)"
        if terminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
            shownLive = true
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Ends a live line so the summary starts on a line of its own.
    public func finish() {
        if shownLive { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}
