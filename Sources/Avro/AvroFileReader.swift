import CAvro
import Foundation
import TerraformIO

/// Reads an Avro object container file (what S3 sinks write). Owns the avro_file_reader_t
/// (closed in deinit) and the value records are read into.
public final class AvroFileReader {
    private let handle: avro_file_reader_t
    /// The schema written in the file's header.
    public let writerSchema: AvroSchema
    private let scratch: GenericValue
    private let path: String

    public init(path: String) throws {
        var handle: avro_file_reader_t?
        guard avro_file_reader(path, &handle) == 0, let handle else {
            throw AvroError.undecodable("\(path): \(AvroError.lastError())")
        }
        // get_writer_schema returns a borrowed reference; incref it so AvroSchema can own one.
        guard let raw = avro_file_reader_get_writer_schema(handle) else {
            avro_file_reader_close(handle)
            throw AvroError.undecodable("\(path): no writer schema in the file header")
        }
        do {
            writerSchema = try AvroSchema.adopt(avro_schema_incref(raw))
            scratch = try GenericValue(schema: writerSchema.raw)
        } catch {
            avro_file_reader_close(handle)
            throw error
        }
        self.handle = handle
        self.path = path
    }

    deinit { avro_file_reader_close(handle) }

    /// The next record, or nil at the end of the file.
    public func next() throws -> JSONValue? {
        _ = sc_avro_value_reset(&scratch.value)
        let rc = avro_file_reader_read_value(handle, &scratch.value)
        if rc == EOF { return nil }
        guard rc == 0 else { throw AvroError.undecodable("\(path): \(AvroError.lastError())") }
        return try AvroJSONMapping(schema: writerSchema).json(&scratch.value, writerSchema.type, path: "")
    }

    /// Every remaining record.
    public func readAll() throws -> [JSONValue] {
        var out: [JSONValue] = []
        while let record = try next() { out.append(record) }
        return out
    }
}
