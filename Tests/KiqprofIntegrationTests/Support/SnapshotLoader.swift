import Foundation
import KiqprofCore

/// Loads a fixture snapshot (the format of fixtures/tools/capture_redis.py) into a Redis, as load_snapshot.py does.
/// TTLs are dropped so heartbeat keys do not expire while a test runs.
enum SnapshotLoader {
    static func load(_ snapshotPath: String, into server: RedisServer) throws -> Double {
        let data = try Data(contentsOf: URL(fileURLWithPath: snapshotPath))
        guard let snapshot = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let keys = snapshot["keys"] as? [[String: Any]], let capturedAt = snapshot["captured_at"] as? Double
        else { throw TestSetupError("\(snapshotPath): not a snapshot") }
        let redis = try RedisConnection(endpoint: try RedisEndpoint(url: server.unixURL), allowWrites: true)
        var commands: [RedisCommand] = []
        for entry in keys {
            let key = raw(entry["key"]!)
            commands.append(RedisCommand(rawArguments: [Array("DEL".utf8), key]))
            switch entry["type"] as? String {
            case "string":
                let value = (entry["value_base64"] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
                    ?? Array((entry["value"] as? String ?? "").utf8)
                commands.append(RedisCommand(rawArguments: [Array("SET".utf8), key, value]))
            case "list":
                let items = (entry["items"] as? [Any] ?? []).map(raw)
                if !items.isEmpty { commands.append(RedisCommand(rawArguments: [Array("RPUSH".utf8), key] + items)) }
            case "set":
                let members = (entry["members"] as? [Any] ?? []).map(raw)
                if !members.isEmpty { commands.append(RedisCommand(rawArguments: [Array("SADD".utf8), key] + members)) }
            case "zset":
                var arguments: [[UInt8]] = [Array("ZADD".utf8), key]
                for pair in entry["entries"] as? [[Any]] ?? [] {
                    arguments.append(Array(String((pair[1] as? NSNumber)?.doubleValue ?? 0).utf8))
                    arguments.append(raw(pair[0]))
                }
                if arguments.count > 2 { commands.append(RedisCommand(rawArguments: arguments)) }
            case "hash":
                var arguments: [[UInt8]] = [Array("HSET".utf8), key]
                for (field, value) in (entry["fields"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    arguments.append(Array(field.utf8))
                    arguments.append(raw(value))
                }
                if arguments.count > 2 { commands.append(RedisCommand(rawArguments: arguments)) }
            default:
                throw TestSetupError("\(snapshotPath): unknown key type \(entry["type"] ?? "nil")")
            }
        }
        for reply in try redis.pipeline(commands) {
            if case .error(let message) = reply { throw TestSetupError("loading \(snapshotPath): \(message)") }
        }
        return capturedAt
    }

    private static func raw(_ value: Any) -> [UInt8] {
        if let object = value as? [String: Any], let encoded = object["base64"] as? String, let data = Data(base64Encoded: encoded) {
            return [UInt8](data)
        }
        if let text = value as? String { return Array(text.utf8) }
        if let number = value as? NSNumber { return Array(number.stringValue.utf8) }
        return []
    }
}
