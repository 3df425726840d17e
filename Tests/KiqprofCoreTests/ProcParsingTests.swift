import Glibc
import Testing
@testable import KiqprofCore

@Suite struct ProcParsingTests {
    // Verbatim shapes of Linux 6.x /proc files.
    let stat1 = "cpu  1000 0 500 8000 100 0 0 0 0 0\ncpu0 500 0 250 4000 50 0 0 0 0 0\ncpu1 500 0 250 4000 50 0 0 0 0 0\nintr 1 2 3\n"
    let stat2 = "cpu  1600 0 700 8100 100 0 0 0 0 0\ncpu0 800 0 350 4050 50 0 0 0 0 0\ncpu1 800 0 350 4050 50 0 0 0 0 0\n"
    let meminfo = "MemTotal:        2017848 kB\nMemFree:          102400 kB\nMemAvailable:     100892 kB\nSwapTotal:       1048572"
        + " kB\nSwapFree:         524286 kB\n"
    let pressure = "some avg10=23.45 avg60=10.00 avg300=2.00 total=123456\nfull avg10=6.50 avg60=1.00 avg300=0.10 total=2345\n"

    @Test func cpuSharesBetweenTwoReadings() {
        var before = ProcCounters()
        before.parseStat(stat1[...])
        var after = ProcCounters()
        after.parseStat(stat2[...])
        after.parseMeminfo(meminfo[...])
        after.parseLoadavg("3.10 2.05 1.00 4/321 12345\n")
        let sample = HostSample.fromProc(t: 10, host: "vm", previous: before, current: after)
        // 900 ticks passed: 600 user, 200 system, 100 idle.
        #expect(abs(sample.cpuUserPct! - 66.666) < 0.01)
        #expect(abs(sample.cpuSystemPct! - 22.222) < 0.01)
        #expect(abs(sample.cpuIdlePct! - 11.111) < 0.01)
        #expect(abs(sample.cpuBusyPct! - 88.888) < 0.01)
        #expect(sample.cpuCount == 2)
        #expect(sample.memTotalKiB == 2017848 && sample.memAvailableKiB == 100892)
        #expect(sample.swapFreeKiB == 524286)
        #expect(sample.load1 == 3.10 && sample.load15 == 1.00)
        #expect(HostSample.fromProc(t: 9, host: "vm", previous: nil, current: before).cpuUserPct == nil)
    }

    @Test func pressureAndProcessStat() {
        let parsed = ProcCounters.parsePressure(pressure[...])
        #expect(parsed.some == 23.45 && parsed.full == 6.50)
        // A command name with spaces and a ')' must not shift the fields.
        let line = "4242 (ruby (sidekiq) 6.4) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 12 0 100 900000000 86000"
            + " 18446744073709551615 0 0 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0"
        let counters = ProcessCPUCounters.parse(line[...])
        #expect(counters == ProcessCPUCounters(cpuTicks: 1801, rssPages: 86000))
        #expect(ProcessCPUCounters.parse("garbage"[...]) == nil)
    }

    @Test func samplerReadsThisHost() {
        let sampler = ProcHostSampler()
        _ = sampler.sample(at: 0, host: "here")
        let sample = sampler.sample(at: 1, host: "here")
        #expect(sample.memTotalKiB ?? 0 > 0)
        #expect(sample.cpuCount ?? 0 >= 1)
        let me = sampler.processUsage(pid: Int(getpid()), at: 1)
        #expect(me?.rssKiB ?? 0 > 0)
    }
}
