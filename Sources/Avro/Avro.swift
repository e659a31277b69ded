// The Avro layer: see Package.swift.
