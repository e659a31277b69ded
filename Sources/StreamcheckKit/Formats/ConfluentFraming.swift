/// Confluent Schema Registry wire framing: magic byte 0, the schema id as 4 bytes big-endian,
/// then the Avro binary. Used when a registry is given; plain Avro binary otherwise.
public enum ConfluentFraming {
    public static let magicByte: UInt8 = 0
    public static let headerSize = 5

    public static func frame(schemaId: Int, payload: [UInt8]) -> [UInt8] {
        let id = UInt32(truncatingIfNeeded: schemaId)
        return [magicByte, UInt8(id >> 24), UInt8((id >> 16) & 0xFF), UInt8((id >> 8) & 0xFF), UInt8(id & 0xFF)] + payload
    }

    /// The schema id and the Avro payload, or nil when the bytes are not Confluent-framed.
    public static func unframe(_ bytes: [UInt8]) -> (schemaId: Int, payload: [UInt8])? {
        guard bytes.count >= headerSize, bytes[0] == magicByte else { return nil }
        let id = (UInt32(bytes[1]) << 24) | (UInt32(bytes[2]) << 16) | (UInt32(bytes[3]) << 8) | UInt32(bytes[4])
        return (Int(id), Array(bytes[headerSize...]))
    }
}
