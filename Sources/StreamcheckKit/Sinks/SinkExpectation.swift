import Foundation
import TerraformIO

/// What a sink must hold for one manifest: the records regenerated from the manifest (the
/// same generator or data file produce used), after the declared transforms.
public struct SinkExpectation: Sendable {
    public let manifest: Manifest
    public let records: [ExpectedRecord]

    /// Header `extra` key that seed-source writes: its entries have no Kafka offsets
    /// (partition -1) yet every one of them was written.
    public static let originKey = "origin"
    public static let seedSourceOrigin = "seed-source"

    /// - asSQL: Avro logical types as a JDBC sink stores them (`AvroSQLForm`), for table sinks.
    public static func load(manifestPath: String, transforms: TransformChain, asSQL: Bool = false) throws -> SinkExpectation {
        let manifest: Manifest
        do { manifest = try Manifest.read(path: manifestPath) } catch {
            throw StreamcheckError("cannot read manifest '\(manifestPath)': \(error); give the manifest file written by produce or seed-source")
        }
        let format = try MessageFormats.make(header: manifest.header)
        var records: [ExpectedRecord] = []
        for seq in expectedSeqs(manifest) {
            var original = try format.record(at: seq)
            if asSQL, let avro = format as? AvroFormat { original = AvroSQLForm.convert(original, avro.schema.type, avro.schema) }
            do {
                records.append(ExpectedRecord(seq: seq, record: try transforms.apply(original)))
            } catch let error as TransformError {
                throw StreamcheckError("transforms cannot apply to the record at seq \(seq): \(error)")
            }
        }
        return SinkExpectation(manifest: manifest, records: records)
    }

    /// The seqs that reached Kafka, or every seq of a seed-source manifest.
    public static func expectedSeqs(_ manifest: Manifest) -> [Int] { manifest.expectedSeqs }
}

/// Polling for sinks that are still filling: re-read until complete or the bound is reached.
enum SinkPolling {
    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        Thread.sleep(forTimeInterval: seconds)
    }
}
