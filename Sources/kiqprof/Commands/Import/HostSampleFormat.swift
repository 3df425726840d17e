import KiqprofCore

/// The per-format texts of the host-sample imports, which otherwise share one command.
protocol HostSampleFormat {
    static var format: HostSampleImporter.Format { get }
    static var abstract: String { get }
    static var examples: String { get }
}

enum SarFormat: HostSampleFormat {
    static let format = HostSampleImporter.Format.sar
    static let abstract = "Import host samples from sysstat: `sadf -j` output, or a binary sa file (runs sadf)."
    static let examples = """
          kiqprof import sar /var/log/sysstat/sa26
          sadf -j /var/log/sysstat/sa26 -- -u -r -S -q | kiqprof import sar -
        """
}

enum CloudWatchFormat: HostSampleFormat {
    static let format = HostSampleImporter.Format.cloudwatch
    static let abstract = "Import host samples from `aws cloudwatch get-metric-data` or `get-metric-statistics` JSON."
    static let examples = """
          aws cloudwatch get-metric-statistics --namespace AWS/EC2 --metric-name CPUUtilization \\
            --dimensions Name=InstanceId,Value=i-0abc --start-time 2026-11-24T13:00Z --end-time 2026-11-24T16:00Z \\
            --period 60 --statistics Average > cpu.json
          kiqprof import cloudwatch cpu.json --host mastodon-vm
        Metrics used: CPUUtilization, CPUCreditBalance, mem_used_percent, cpu_usage_* (CloudWatch agent).
        """
}

enum PrometheusFormat: HostSampleFormat {
    static let format = HostSampleImporter.Format.prometheus
    static let abstract = "Import host samples from a Prometheus range query of node_exporter metrics."
    static let examples = """
          curl -s 'http://prom:9090/api/v1/query_range?query=node_cpu_seconds_total{instance="vm:9100"}&start=…&end=…&step=15s' > cpu.json
          kiqprof import prometheus cpu.json
        Metrics used: node_cpu_seconds_total, node_memory_{MemTotal,MemAvailable,SwapTotal,SwapFree}_bytes,
        node_load1/5/15, node_pressure_{cpu_waiting,memory_waiting,memory_stalled,io_waiting,io_stalled}_seconds_total.
        """
}

enum CSVFormat: HostSampleFormat {
    static let format = HostSampleImporter.Format.csv
    static let abstract = "Import host samples from a CSV of timestamp,metric,value[,host]."
    static let examples = """
          printf 'timestamp,metric,value\\n2026-11-24T14:10:00Z,cpu_busy_pct,97\\n' | kiqprof import csv -
        Metrics: cpu_busy_pct, cpu_user_pct, cpu_system_pct, cpu_iowait_pct, cpu_steal_pct, cpu_idle_pct, mem_used_pct,
        mem_total_kib, mem_available_kib, swap_total_kib, swap_free_kib, load1, load5, load15, psi_cpu_some_avg10,
        psi_memory_some_avg10, psi_memory_full_avg10, psi_io_some_avg10, psi_io_full_avg10, cpu_credit_balance.
        """
}
