//! Latency percentiles and the machine line printed with every result.

use std::time::Duration;

/// Latencies in microseconds, sorted on demand.
#[derive(Default, Clone)]
pub struct Latencies(Vec<u32>);

impl Latencies {
    pub fn with_capacity(n: usize) -> Latencies {
        Latencies(Vec::with_capacity(n))
    }

    pub fn record(&mut self, took: Duration) {
        self.0
            .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
    }

    pub fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    pub fn sort(&mut self) {
        self.0.sort_unstable();
    }

    /// The `q` quantile (0..=1) in milliseconds of sorted latencies; NaN when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let n = self.0.len();
        // Nearest rank.
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        f64::from(self.0[rank - 1]) / 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.0
            .iter()
            .max()
            .map_or(f64::NAN, |m| f64::from(*m) / 1000.0)
    }
}

/// `nproc`, the CPU model and the date, for the report header.
pub fn machine_line() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "machine: {cpus} CPUs ({model}); {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    )
}

/// The resident set size of this process in MiB (Linux), if known.
pub fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
