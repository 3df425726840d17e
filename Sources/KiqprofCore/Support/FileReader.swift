import Foundation

/// Small file helpers that report failure as nil instead of throwing Foundation errors the user can't read.
public enum FileReader {
    public static func readAll(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return [UInt8](data)
    }
}
