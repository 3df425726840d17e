import Foundation
import Testing

/// The README's `capacity` section against what `capacity` prints today on the bundled incident, so neither
/// its example nor its JSON schema can drift from the command.
@Suite("capacity: the README's example and schema")
struct CapacityReadmeTests {
    static let readme = Fixtures.packageRoot.appendingPathComponent("README.md")

    /// The README's example is exactly the output of its command line on a copy of the sample store.
    @Test func theReadmeShowsWhatCapacityPrints() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let command = "$ kiqprof capacity --db /tmp/k.sqlite --instance t4g.small\n"
        let start = try #require(text.range(of: command), "the README shows the sample's capacity")
        let rest = text[start.upperBound...]
        let end = try #require(rest.range(of: "```"))
        let shown = String(rest[..<end.lowerBound])
        let (directory, db) = try CapacityTests().store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try Kiqprof.run(["capacity", "--db", db, "--instance", "t4g.small"])
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let printed = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in shown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            #expect(index < printed.count && printed[index] == line, "README line \(index + 1) \"\(line)\" is not what capacity prints")
        }
        #expect(shown == output.stdout)
    }

    /// Every key the README's schema names is in `--json` with every section filled (a unit, and CloudWatch
    /// credit readings imported beside the recording), and every key `--json` prints is in the schema.
    @Test func theReadmeSchemaNamesExactlyTheJSONKeys() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let section = try #require(text.range(of: "### `kiqprof capacity`"))
        let marker = try #require(text.range(of: "`--json`: `", range: section.upperBound..<text.endIndex))
        let close = try #require(text.range(of: "`. ", range: marker.upperBound..<text.endIndex))
        let schema = String(text[marker.upperBound..<close.lowerBound])
        var documented = Set<String>()
        for match in schema.matches(of: /[a-z][a-z0-9_]*/) { documented.insert(String(match.output)) }
        // `arithmetic:[string]`, `values:{name: number}`: placeholders, not keys.
        documented.subtract(["string", "number"])

        let (directory, db) = try CapacityTests().store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("credits.csv")
        try "2026-11-26T21:22:00Z,cpu_credit_balance,576,i-0abc\n2026-11-26T21:26:00Z,cpu_credit_balance,572,i-0abc\n"
            .write(to: csv, atomically: true, encoding: .utf8)
        let imported = try Kiqprof.run(["import", "csv", csv.path, "--db", db])
        #expect(imported.status == 0, "stderr: \(imported.stderr)")
        let result = try Kiqprof.run(["capacity", "--db", db, "--instance", "t4g.small", "--unit", CapacityTests.risky, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try result.json()
        let cpu = try #require(json["cpu"] as? [String: Any])
        #expect(cpu["cloudwatch_check"] is [String: Any], "the imported CPUCreditBalance is cross-checked")
        var printed = Set<String>()
        Self.collectKeys(json, into: &printed)
        #expect(printed.subtracting(documented).isEmpty, "in --json but not in the README: \(printed.subtracting(documented).sorted())")
        #expect(documented.subtracting(printed).isEmpty, "in the README but not in --json: \(documented.subtracting(printed).sorted())")
    }

    /// Every object key at any depth, except the names inside an advice's `values` (they vary with the advice).
    static func collectKeys(_ value: Any, into keys: inout Set<String>) {
        if let object = value as? [String: Any] {
            for (key, member) in object {
                keys.insert(key)
                if key != "values" { collectKeys(member, into: &keys) }
            }
        } else if let array = value as? [Any] {
            for element in array { collectKeys(element, into: &keys) }
        }
    }
}
