//! Human output: what support staff read before they submit a change.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{Options, SubmitReport, display_value};
use crate::journal::EntryStatus;
use crate::live::{LiveOutcome, LiveStatus};
use crate::pipeline::{Pipeline, SystemId};
use crate::text::{count, escape};
use crate::validate::{Report, Status, Violation};

/// Styling that is a no-op when colour is off.
#[derive(Clone, Copy)]
pub(crate) struct Paint(bool);

impl Paint {
    pub(crate) fn new(color: bool) -> Self {
        Self(color)
    }

    pub(crate) fn paint(self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }

    pub(crate) fn red(self, t: &str) -> String {
        self.paint(AnsiColor::Red.on_default().bold(), t)
    }

    pub(crate) fn green(self, t: &str) -> String {
        self.paint(AnsiColor::Green.on_default().bold(), t)
    }

    pub(crate) fn yellow(self, t: &str) -> String {
        self.paint(AnsiColor::Yellow.on_default().bold(), t)
    }

    pub(crate) fn dim(self, t: &str) -> String {
        self.paint(Style::new().dimmed(), t)
    }

    pub(crate) fn bold(self, t: &str) -> String {
        self.paint(Style::new().bold(), t)
    }
}

fn path_text(pipeline: &Pipeline, path: &[SystemId]) -> String {
    path.iter()
        .map(|&s| pipeline.systems[s].id.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Renders a validation report: one row per system in propagation order (its paths under
/// it when several reach it), then each rejection once, with its value, limit, origin,
/// lineage, schedule and owner. Values the user typed are shown, escaped (README,
/// "Personal data").
#[must_use]
pub fn validate(pipeline: &Pipeline, report: &Report, opts: Options) -> String {
    let p = Paint::new(opts.color);
    let mut out = String::new();
    if !opts.quiet {
        systems_table(pipeline, report, p, &mut out);
        if opts.records {
            records(pipeline, report, opts, &mut out);
        }
        for group in rejection_groups(report) {
            violation_group(pipeline, &group, p, &mut out);
        }
        echoes(pipeline, report, p, &mut out);
        skipped(pipeline, report, p, &mut out);
        for c in &report.conflicts {
            let s = &pipeline.systems[c.system];
            let _ = writeln!(
                out,
                "\n{} {} receives different values for {} by different paths",
                p.red("✗"),
                p.bold(&s.id),
                p.bold(&escape(&c.field))
            );
            for (value, path) in &c.values {
                let _ = writeln!(
                    out,
                    "    {:<40} via {}",
                    display_value(value),
                    path_text(pipeline, path)
                );
            }
        }
        out.push('\n');
    }
    verdict(pipeline, report, p, &mut out);
    out
}

/// What each reached system receives (`-v`), personal fields masked unless values are
/// shown, since the record may hold values of the current record, read from elsewhere.
fn records(pipeline: &Pipeline, report: &Report, opts: Options, out: &mut String) {
    let p = Paint::new(opts.color);
    let _ = writeln!(out, "\n{}", p.bold("Records"));
    for o in &report.systems {
        let Some(record) = &o.record else { continue };
        let shown = super::record_value(record, &o.personal, opts);
        let _ = writeln!(
            out,
            "  {} {}",
            p.dim(&format!("{:<24}", path_text(pipeline, &o.path))),
            escape(&shown.to_string())
        );
    }
}

fn echoes(pipeline: &Pipeline, report: &Report, p: Paint, out: &mut String) {
    for e in &report.echoes {
        let s = &pipeline.systems[e.system];
        let _ = writeln!(
            out,
            "\n{} {} {} comes back changed by a two-way sync: {} → {}",
            p.red("✗"),
            p.bold(&s.id),
            p.bold(&escape(&e.field)),
            display_value(&e.sent),
            display_value(&e.back)
        );
        let _ = writeln!(
            out,
            "    {:<9} {}",
            p.dim("via"),
            path_text(pipeline, &e.path)
        );
    }
}

fn skipped(pipeline: &Pipeline, report: &Report, p: Paint, out: &mut String) {
    for k in &report.skipped {
        let missing: Vec<String> = k.missing.iter().map(|m| escape(m).into_owned()).collect();
        let _ = writeln!(
            out,
            "\n{} {} {} not checked: {} {} not in the change; pass --current to check it",
            p.yellow("!"),
            pipeline.systems[k.system].id,
            p.bold(&escape(&k.field)),
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        );
        let _ = writeln!(out, "    {:<9} {}", p.dim("mapping"), escape(&k.expr));
    }
}

fn verdict(pipeline: &Pipeline, report: &Report, p: Paint, out: &mut String) {
    let mut rejecting: Vec<&str> = Vec::new();
    for v in &report.violations {
        let id = pipeline.systems[v.system].id.as_str();
        if !rejecting.contains(&id) {
            rejecting.push(id);
        }
    }
    if report.ok() {
        let mut reached: Vec<SystemId> = report
            .systems
            .iter()
            .filter(|s| s.status == Status::Accepted)
            .map(|s| s.system)
            .collect();
        reached.sort_unstable();
        reached.dedup();
        let unchecked = if report.skipped.is_empty() {
            String::new()
        } else {
            format!("; {} not checked", count(report.skipped.len(), "mapping"))
        };
        let _ = writeln!(
            out,
            "{} every reached system accepts this change ({} checked{unchecked})",
            p.green("✓"),
            count(reached.len(), "system")
        );
    } else if rejecting.is_empty() && report.conflicts.is_empty() {
        let _ = writeln!(
            out,
            "{} {} back changed by a two-way sync; fix the mappings before submitting",
            p.red("✗"),
            if report.echoes.len() == 1 {
                "1 value comes".to_owned()
            } else {
                format!("{} values come", report.echoes.len())
            }
        );
    } else if rejecting.is_empty() {
        let _ = writeln!(
            out,
            "{} paths disagree on {}; fix the mappings before submitting",
            p.red("✗"),
            count(report.conflicts.len(), "field")
        );
    } else {
        let _ = writeln!(
            out,
            "{} {} would reject this change: {}",
            p.red("✗"),
            count(rejecting.len(), "system"),
            rejecting.join(", ")
        );
    }
}

/// The rejections grouped by system, field and value, each (keyword, limit, message)
/// once however many paths bring it; paths bringing different values stay apart (and are
/// a conflict finding too).
fn rejection_groups(report: &Report) -> Vec<Vec<&Violation>> {
    let mut groups: Vec<Vec<&Violation>> = Vec::new();
    for v in &report.violations {
        match groups
            .iter_mut()
            .find(|g| g[0].system == v.system && g[0].field == v.field && g[0].value == v.value)
        {
            Some(g) => g.push(v),
            None => groups.push(vec![v]),
        }
    }
    groups
}

/// The outcomes of one system, in report order.
fn rows(report: &Report) -> Vec<Vec<&crate::validate::SystemOutcome>> {
    let mut rows: Vec<Vec<&crate::validate::SystemOutcome>> = Vec::new();
    for o in &report.systems {
        match rows.iter_mut().find(|r| r[0].system == o.system) {
            Some(r) => r.push(o),
            None => rows.push(vec![o]),
        }
    }
    rows
}

fn status_cell(status: Status, p: Paint) -> String {
    match status {
        Status::Accepted => p.green(&format!("{:<11}", "accepted")),
        Status::Rejected => p.red(&format!("{:<11}", "rejected")),
        Status::NotReached => p.dim(&format!("{:<11}", "not reached")),
    }
}

fn via_text(pipeline: &Pipeline, o: &crate::validate::SystemOutcome) -> String {
    let mut via = if o.path.len() > 1 {
        let schedule = o
            .flows
            .last()
            .and_then(|&f| pipeline.flows[f].schedule.as_deref())
            .map(|s| format!(" ({})", escape(s)))
            .unwrap_or_default();
        format!("{}{schedule}", path_text(pipeline, &o.path))
    } else if o.status == Status::NotReached {
        String::new()
    } else {
        "entry".to_owned()
    };
    if let (Status::Rejected, Some(b)) = (o.status, o.behind) {
        let _ = write!(via, "  behind {}", pipeline.systems[b].id);
    }
    via
}

fn systems_table(pipeline: &Pipeline, report: &Report, p: Paint, out: &mut String) {
    let id_width = pipeline
        .systems
        .iter()
        .map(|s| s.id.chars().count())
        .max()
        .unwrap_or(0);
    let name_width = pipeline
        .systems
        .iter()
        .map(|s| escape(&s.name).chars().count())
        .max()
        .unwrap_or(0);
    for row in rows(report) {
        let s = &pipeline.systems[row[0].system];
        let status = if row.iter().any(|o| o.status == Status::Rejected) {
            Status::Rejected
        } else {
            row[0].status
        };
        let via = match row.as_slice() {
            [one] => via_text(pipeline, one),
            many => format!("{} paths", many.len()),
        };
        let line = format!(
            "  {:<id_width$}  {:<name_width$}  {} {}",
            s.id,
            escape(&s.name),
            status_cell(status, p),
            p.dim(&via)
        );
        let _ = writeln!(out, "{}", line.trim_end());
        if row.len() > 1 {
            for o in &row {
                let line = format!(
                    "  {:<id_width$}  {:<name_width$}    {} {}",
                    "",
                    "",
                    status_cell(o.status, p),
                    p.dim(&via_text(pipeline, o))
                );
                let _ = writeln!(out, "{}", line.trim_end());
            }
        }
    }
}

fn violation_group(pipeline: &Pipeline, group: &[&Violation], p: Paint, out: &mut String) {
    let Some(v) = group.first() else { return };
    let s = &pipeline.systems[v.system];
    let _ = writeln!(
        out,
        "\n{} {} rejects {}{}",
        p.red("✗"),
        p.bold(&s.id),
        p.bold(&escape(&v.field)),
        v.behind
            .map(|b| format!(
                "  (behind an earlier rejection in {})",
                pipeline.systems[b].id
            ))
            .unwrap_or_default()
    );
    if let Some(value) = &v.value {
        let extra = match value {
            serde_json::Value::String(s) => format!(
                "  ({}, {})",
                count(s.chars().count(), "character"),
                count(s.len(), "byte")
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "    {:<9} {}{}",
            p.dim("value"),
            display_value(value),
            p.dim(&extra)
        );
    }
    let mut seen: Vec<(&str, &serde_json::Value, &str)> = Vec::new();
    for v in group {
        let key = (v.keyword.as_str(), &v.limit, v.message.as_str());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let detail = v
            .detail
            .as_deref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    {:<9} {} {}: {}{detail}",
            p.dim("problem"),
            escape(&v.keyword),
            display_value(&v.limit),
            v.message
        );
    }
    origin_and_lineage(v, p, out);
    let mut paths: Vec<&Vec<SystemId>> = group.iter().map(|v| &v.path).collect();
    paths.dedup();
    if paths.len() > 1 {
        for (i, path) in paths.iter().enumerate() {
            let label = if i == 0 { "paths" } else { "" };
            let _ = writeln!(out, "    {:<9} {}", p.dim(label), path_text(pipeline, path));
        }
    }
    surfaces_and_owner(pipeline, v, p, out);
}

fn origin_and_lineage(v: &Violation, p: Paint, out: &mut String) {
    let origin: Vec<String> = v
        .provenance
        .origin
        .iter()
        .map(|o| format!("{}:{}", o.system, escape(&o.field)))
        .collect();
    if !origin.is_empty() {
        let _ = writeln!(out, "    {:<9} {}", p.dim("origin"), origin.join(", "));
    }
    for (i, hop) in v.provenance.lineage.iter().enumerate() {
        let label = if i == 0 { "lineage" } else { "" };
        let arrow = if hop.expr.is_some() { "→ " } else { "" };
        let expr = hop
            .expr
            .as_deref()
            .map(|e| format!(" = {}", escape(e)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    {:<9} {arrow}{}:{}{}",
            p.dim(label),
            hop.system,
            escape(&hop.field),
            p.dim(&expr)
        );
    }
}

fn surfaces_and_owner(pipeline: &Pipeline, v: &Violation, p: Paint, out: &mut String) {
    let s = &pipeline.systems[v.system];
    let schedules: Vec<String> = v
        .flows
        .iter()
        .map(|&f| {
            let flow = &pipeline.flows[f];
            format!(
                "{} ({} → {})",
                escape(flow.schedule.as_deref().unwrap_or("unscheduled")),
                pipeline.systems[flow.from].id,
                pipeline.systems[flow.to].id
            )
        })
        .collect();
    if !schedules.is_empty() {
        let _ = writeln!(
            out,
            "    {:<9} {}",
            p.dim("surfaces"),
            schedules.join(", then ")
        );
    }
    if let Some(owner) = &s.owner {
        let _ = writeln!(
            out,
            "    {:<9} {} ({})",
            p.dim("contact"),
            escape(owner),
            escape(&s.name)
        );
    }
}

/// Renders what the systems' own dry-run endpoints said (`--live`): one line per system,
/// then what each rejecting server objected to, then a verdict line.
#[must_use]
pub fn live(pipeline: &Pipeline, outcomes: &[LiveOutcome], opts: Options) -> String {
    let p = Paint::new(opts.color);
    let mut out = String::new();
    if outcomes.is_empty() {
        let _ = writeln!(
            out,
            "{} no reached system declares a dry-run endpoint (`endpoint.validate`)",
            p.dim("–")
        );
        return out;
    }
    if !opts.quiet {
        let _ = writeln!(out, "\n{}", p.bold("Live dry runs"));
        let width = outcomes
            .iter()
            .map(|o| pipeline.systems[o.system].id.chars().count())
            .max()
            .unwrap_or(0);
        for o in outcomes {
            let id = &pipeline.systems[o.system].id;
            let status = match o.status {
                LiveStatus::Accepted => p.green(&format!("{:<11}", "accepted")),
                LiveStatus::Rejected => p.red(&format!("{:<11}", "rejected")),
                LiveStatus::Unreachable => p.red(&format!("{:<11}", "unreachable")),
            };
            let http = o
                .http_status
                .map_or_else(|| "   ".to_owned(), |s| s.to_string());
            let personal: Vec<&str> = o.personal.iter().map(String::as_str).collect();
            let said = |text: &str| escape(&super::mask_text(text, &personal, opts)).into_owned();
            let reason = o
                .reason
                .as_deref()
                .map(|r| format!("  {}", said(r)))
                .unwrap_or_default();
            let line = format!(
                "  {id:<width$}  {status} {http} {}{reason}",
                p.dim(&format!("{:>6} ms", o.elapsed_ms))
            );
            let _ = writeln!(out, "{}", line.trim_end());
            for e in &o.errors {
                let at = e
                    .pointer
                    .as_deref()
                    .map(|ptr| format!("{}: ", escape(ptr)))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {:width$}    {at}{}", "", said(&e.detail));
            }
        }
        out.push('\n');
    }
    let count = |s: LiveStatus| outcomes.iter().filter(|o| o.status == s).count();
    let (rejected, unreachable) = (count(LiveStatus::Rejected), count(LiveStatus::Unreachable));
    if rejected == 0 && unreachable == 0 {
        let _ = writeln!(
            out,
            "{} every asked endpoint accepts this change ({} asked)",
            p.green("✓"),
            outcomes.len()
        );
    } else {
        let mut parts = Vec::new();
        if rejected > 0 {
            parts.push(format!(
                "{} reject{}",
                crate::text::count(rejected, "endpoint"),
                if rejected == 1 { "s" } else { "" }
            ));
        }
        if unreachable > 0 {
            parts.push(format!("{unreachable} could not be reached"));
        }
        let _ = writeln!(out, "{} live: {}", p.red("✗"), parts.join(", "));
    }
    out
}

/// Renders what `--submit` did in a line or two, always naming the change's id.
#[must_use]
pub fn submit(report: SubmitReport<'_>, opts: Options) -> String {
    let p = Paint::new(opts.color);
    let mut out = String::new();
    match report {
        SubmitReport::Withheld(reason) => {
            let _ = writeln!(out, "{} not submitted: {reason}", p.red("✗"));
        }
        SubmitReport::Sent {
            submission: s,
            personal,
        } => {
            let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
            let said = |text: &str| escape(&super::mask_text(text, &personal, opts)).into_owned();
            let http = s
                .http_status
                .map(|h| format!("HTTP {h}, "))
                .unwrap_or_default();
            let tries = count(s.attempts as usize, "attempt");
            match s.status {
                EntryStatus::Acknowledged if s.already_acknowledged => {
                    let _ = writeln!(
                        out,
                        "{} change {} was already acknowledged by {}; nothing sent",
                        p.green("✓"),
                        p.bold(&s.id),
                        s.system
                    );
                }
                EntryStatus::Acknowledged => {
                    let _ = writeln!(
                        out,
                        "{} submitted change {} to {}: acknowledged ({http}{tries})",
                        p.green("✓"),
                        p.bold(&s.id),
                        s.system
                    );
                }
                EntryStatus::Failed => {
                    let _ = writeln!(
                        out,
                        "{} {} refused change {} ({http}{tries}): {}",
                        p.red("✗"),
                        s.system,
                        p.bold(&s.id),
                        said(s.last_error.as_deref().unwrap_or("no reason given"))
                    );
                }
                EntryStatus::Pending => {
                    let _ = writeln!(
                        out,
                        "{} change {} is not acknowledged by {} after {tries}: {}\n  it stays pending in the journal; `ripple journal resume` sends it again",
                        p.red("✗"),
                        p.bold(&s.id),
                        s.system,
                        said(s.last_error.as_deref().unwrap_or("no answer"))
                    );
                }
            }
        }
    }
    out
}

/// Renders a check report: each finding as a compiler-style diagnostic, then a summary.
#[must_use]
pub fn check(report: &crate::check::CheckReport, opts: Options) -> String {
    use crate::check::Severity;
    let p = Paint::new(opts.color);
    let mut out = String::new();
    if !opts.quiet {
        for f in &report.findings {
            out.push_str(&super::diagnostic::render_finding(f, opts.color));
            out.push('\n');
        }
    }
    let severity = |s: Severity| report.findings.iter().filter(|f| f.severity() == s).count();
    let (errors, warnings) = (severity(Severity::Error), severity(Severity::Warning));
    let summary = format!(
        "{} checked, {} analysed: {}, {}",
        count(report.files.len(), "pipeline"),
        count(report.checked.len(), "flow field"),
        count(errors, "error"),
        count(warnings, "warning"),
    );
    let mark = if errors > 0 {
        p.red("✗")
    } else {
        p.green("✓")
    };
    let _ = writeln!(out, "{mark} {summary}");
    suppressed(report, &mut out, opts);
    out
}

/// The findings ignore comments and `ripple.toml` left out, and what a baseline did.
fn suppressed(report: &crate::check::CheckReport, out: &mut String, opts: Options) {
    if !opts.quiet {
        for i in &report.ignored {
            let (line, _) = i.finding.line_column();
            let mut at = format!("{}:{line}", i.finding.file().display());
            if let (Some(system), Some(field)) = (i.finding.system(), i.finding.field()) {
                at.push_str(&format!(" {system}:{field}"));
            }
            let _ = writeln!(
                out,
                "ignored: {} {at}: {} ({})",
                i.finding.code().code(),
                escape(i.finding.message()),
                escape(&i.reason)
            );
        }
    }
    if let Some(b) = report.baseline {
        if b.suppressed > 0 {
            let _ = writeln!(
                out,
                "{} baselined finding{} not reported",
                b.suppressed,
                if b.suppressed == 1 { "" } else { "s" }
            );
        }
        if b.gone > 0 {
            let _ = writeln!(
                out,
                "{} baselined finding{} no longer occur{}; rewrite the baseline with --write-baseline",
                b.gone,
                if b.gone == 1 { "" } else { "s" },
                if b.gone == 1 { "s" } else { "" }
            );
        }
    }
}
