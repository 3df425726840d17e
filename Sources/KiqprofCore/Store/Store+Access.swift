import GRDB

extension Store {
    /// Every read of the store goes through here, so a failure is a `StoreError` naming the file and the SQL.
    func reading<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, error: error)
        }
    }

    /// Every write goes through here: one transaction, and a failure named as in `reading`.
    func writing<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.write(body)
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, error: error)
        }
    }
}
