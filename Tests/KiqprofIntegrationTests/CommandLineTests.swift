import Testing

/// The command line teaches and fails cleanly: help lists the commands, usage errors exit 64.
@Suite("command line")
struct CommandLineTests {
    @Test func helpListsCommandsAndExitCodes() throws {
        let help = try Kiqprof.run(["--help"])
        #expect(help.status == 0)
        for word in ["status", "census", "Exit codes", "read-only"] { #expect(help.stdout.contains(word), "\(word)") }
        let status = try Kiqprof.run(["status", "--help"])
        for word in ["--redis", "--env-file", "--namespace", "--json", "--now", "Examples"] {
            #expect(status.stdout.contains(word), "\(word)")
        }
    }

    @Test func usageErrorsExit64() throws {
        #expect(try Kiqprof.run(["status", "--no-such-flag"]).status == 64)
        #expect(try Kiqprof.run(["status", "--timeout", "0"]).status == 64)
        let badTime = try Kiqprof.run(["status", "--now", "next tuesday"])
        #expect(badTime.status == 64)
        #expect(badTime.stderr.contains("--now"))
    }
}
