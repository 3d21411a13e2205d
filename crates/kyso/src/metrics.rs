//! Counters and latency histograms, rendered in the Prometheus text exposition format
//! (version 0.0.4). Lock-free on the hot path: every observation is a few atomic adds.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds (1 ms to 10 s).
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A latency histogram with fixed buckets.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Per bucket (not cumulative); the last slot is +Inf.
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        let i = BUCKETS
            .iter()
            .position(|b| s <= *b)
            .unwrap_or(BUCKETS.len());
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(
            d.as_micros().min(u64::MAX as u128) as u64,
            Ordering::Relaxed,
        );
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    /// `name_bucket`, `name_sum` and `name_count` lines, with `labels` (`k="v",...` or empty).
    pub fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (i, c) in self.counts.iter().enumerate() {
            cumulative += c.load(Ordering::Relaxed);
            let le = BUCKETS
                .get(i)
                .map(|b| b.to_string())
                .unwrap_or_else(|| "+Inf".into());
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
            );
        }
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {cumulative}");
    }
}

/// A counter family keyed by label values (a small, bounded set: routes, statuses, verdicts).
#[derive(Debug, Default)]
pub struct Counters {
    values: Mutex<BTreeMap<Vec<String>, u64>>,
}

impl Counters {
    pub fn inc(&self, labels: &[&str]) {
        if let Ok(mut m) = self.values.lock() {
            *m.entry(labels.iter().map(|s| s.to_string()).collect())
                .or_insert(0) += 1;
        }
    }

    /// One line per label combination; `names` are the label names in order.
    pub fn render(&self, out: &mut String, name: &str, names: &[&str]) {
        let Ok(m) = self.values.lock() else { return };
        for (values, n) in m.iter() {
            let labels: Vec<String> = names
                .iter()
                .zip(values)
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            let _ = writeln!(out, "{name}{{{}}} {n}", labels.join(","));
        }
    }
}

/// A label value as the exposition format wants it: `\`, `"` and newlines escaped.
pub fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `# HELP` and `# TYPE` lines.
pub fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let h = Histogram::default();
        h.observe(Duration::from_micros(500));
        h.observe(Duration::from_millis(30));
        h.observe(Duration::from_secs(60));
        let mut s = String::new();
        h.render(&mut s, "x_seconds", "");
        assert!(s.contains("x_seconds_bucket{le=\"0.001\"} 1\n"), "{s}");
        assert!(s.contains("x_seconds_bucket{le=\"0.05\"} 2\n"), "{s}");
        assert!(s.contains("x_seconds_bucket{le=\"+Inf\"} 3\n"), "{s}");
        assert!(s.contains("x_seconds_count 3\n"), "{s}");
        assert_eq!(h.count(), 3);
    }

    #[test]
    fn label_values_are_escaped() {
        let c = Counters::default();
        c.inc(&["a\"b\\c\nd"]);
        let mut s = String::new();
        c.render(&mut s, "y_total", &["k"]);
        assert_eq!(s, "y_total{k=\"a\\\"b\\\\c\\nd\"} 1\n");
    }
}
