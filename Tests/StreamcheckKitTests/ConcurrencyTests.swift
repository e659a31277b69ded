import Foundation
import Testing
@testable import Kafka
@testable import StreamcheckKit

/// What group members share, hammered from several threads without Kafka, so the thread
/// sanitizer can watch the locking (the Kafka-backed tests cannot run under it).
@Suite("Shared state of group members under concurrency")
struct ConcurrencyTests {
    @Test("members observing into one verifier while others read its counts")
    func verifierFromManyThreads() throws {
        let f = try Fixture(count: 400)
        let v = f.verifier()
        let group = DispatchGroup()
        for member in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for seq in stride(from: member, to: 400, by: 4) {
                    v.observe(f.message(seq))
                    _ = v.uniqueCount
                    _ = v.isComplete
                }
                // Each member also re-reads a few (redeliveries) and sees foreign ones.
                for seq in stride(from: member, to: 40, by: 4) { v.observe(f.message(seq)) }
                v.observe(f.message(member, runId: "elsewhere"))
            }
        }
        group.wait()
        #expect(v.uniqueCount == 400 && v.redelivered == 40 && v.foreign == 4 && v.duplicates == 0)
        #expect(v.missingSeqs(limit: 1).count == 0)
    }

    @Test("rebalance callbacks, formation checks and message claims from several threads")
    func groupStateFromManyThreads() {
        let state = GroupState(members: 3)
        let group = DispatchGroup()
        let claimed = NSLock()
        var claims = 0
        for member in 0..<3 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for round in 0..<200 {
                    let partitions: [(topic: String, partition: Int32)] = [("t", Int32((member + round) % 6))]
                    state.rebalanced(member: member, assigned: true, partitions: partitions)
                    _ = state.markFormedIfReady(members: 3, partitionCount: 6, pastDeadline: round > 100)
                    if state.take(limit: 250) { claimed.lock(); claims += 1; claimed.unlock() }
                    state.rebalanced(member: member, assigned: false, partitions: partitions)
                    _ = state.memberAssignments
                }
            }
        }
        group.wait()
        #expect(claims == 250 && state.takenCount == 250)
        #expect(state.rebalances == 1200)
        #expect(state.fatalError == nil)
    }
}
