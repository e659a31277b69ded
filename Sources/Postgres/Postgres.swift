// The Postgres layer: see Package.swift.
