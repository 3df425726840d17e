// Decodes a `--rules FILE` and lays it over the bundled rules, as `recommend` does.
import CLibFuzzer
import Foundation
import KiqprofCore

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    do throws(KiqprofError) {
        let book = try RuleBook.decode(bytes, fileName: "fuzz.json")
        let merged = RuleBook.bundled.merged(with: book)
        for rule in merged.rules {
            _ = rule.key
            for version in [nil, AppVersion("4.3.0"), AppVersion("4.2.0-beta.1")] { _ = rule.actions(appVersion: version) }
            _ = merged.rules(matchingClass: rule.jobClass, schedule: rule.schedule)
        }
        _ = merged.processRules
    } catch {
        _ = error.description
    }
    return 0
}

RunLibFuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzOne)
