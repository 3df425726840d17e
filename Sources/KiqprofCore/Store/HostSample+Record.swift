import GRDB

/// A host sample's row in `host_sample`, through its coding keys.
extension HostSample: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "host_sample"
}
