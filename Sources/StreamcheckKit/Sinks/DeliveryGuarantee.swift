import Foundation
import TerraformIO

/// What the connector promises about duplicates, so verify-sink judges them fairly.
///
/// - exactly-once: every record arrives once; any duplicate fails.
/// - at-least-once (Kafka Connect sinks such as the JDBC sink in insert mode): a record may be
///   delivered again after a task failure or an offset reset, so an identical copy of a record
///   is allowed, up to `maxRedelivered` copies when the caller knows how many records were
///   redelivered (e.g. the rows written before a task failed). A copy that differs from its
///   record is never allowed: that is corruption, not redelivery.
public struct DeliveryGuarantee: Sendable, Equatable {
    public enum Kind: String, Sendable { case exactlyOnce = "exactly-once", atLeastOnce = "at-least-once" }
    public let kind: Kind
    /// Bound on duplicate copies under at-least-once; nil: any number of identical copies.
    public let maxRedelivered: Int?

    public init(_ kind: Kind, maxRedelivered: Int? = nil) {
        self.kind = kind
        self.maxRedelivered = kind == .exactlyOnce ? 0 : maxRedelivered
    }

    public static let exactlyOnce = DeliveryGuarantee(.exactlyOnce)

    static let kindSpec = ParameterSpec("delivery_guarantee", .choice(["exactly-once", "at-least-once"]),
                                        help: "What the connector promises: exactly-once (default; any duplicate fails) or at-least-once (identical copies of records are allowed, up to max_redelivered).")
    static let maxSpec = ParameterSpec("max_redelivered", .integer(0...Int64(Int32.max)),
                                       help: "With at-least-once: how many duplicate copies the redelivery can explain (e.g. the rows written before a task failed); default no bound.")

    static func from(_ p: Parameters) throws -> DeliveryGuarantee {
        let kind = Kind(rawValue: p.string("delivery_guarantee") ?? "exactly-once") ?? .exactlyOnce
        let max = try p.int("max_redelivered")
        if max != nil && kind == .exactlyOnce {
            throw StreamcheckError("'\(p.name("max_redelivered"))' applies only with '\(p.name("delivery_guarantee"))' at-least-once; drop it or set the guarantee")
        }
        return DeliveryGuarantee(kind, maxRedelivered: max)
    }

    /// What the duplicates check expects, in words.
    var allowedText: String {
        switch kind {
        case .exactlyOnce: return "0 (exactly-once)"
        case .atLeastOnce: return maxRedelivered.map { "at most \($0) identical copies (at-least-once)" } ?? "identical copies only (at-least-once)"
        }
    }

    func allows(duplicates: Int, altered: Int) -> Bool {
        guard kind == .atLeastOnce else { return duplicates == 0 }
        return altered == 0 && duplicates <= (maxRedelivered ?? Int.max)
    }

    var resultMembers: [(String, JSONValue)] {
        [("delivery_guarantee", .string(kind.rawValue)), ("max_redelivered", maxRedelivered.map { .int($0) } ?? .null)]
    }
}
