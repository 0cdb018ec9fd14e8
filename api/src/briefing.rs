//! Briefings (简报) as documents: Markdown for reading and printing, CSV for spreadsheets.

use std::fmt::Write;

use minhu_types::Briefing;

fn pct(r: Option<f64>) -> String {
    r.map_or("—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// Text written by people (titles, names), escaped so that it stays text in Markdown: no
/// links, images, HTML, emphasis, code or table cells of its own, and on one line. Dates and
/// other punctuation stay readable in the raw file.
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '<' | '>' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

pub fn markdown(b: &Briefing) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# 民呼必应 工作简报（{} 至 {}）\n",
        b.period.from, b.period.to
    );
    let _ = writeln!(s, "## 总体情况\n");
    let _ = writeln!(
        s,
        "| 受理 | 已受理 | 已派单 | 已答复 | 已办结 |\n|---|---|---|---|---|"
    );
    let _ = writeln!(
        s,
        "| {} | {} | {} | {} | {} |\n",
        b.received, b.accepted, b.dispatched, b.replied, b.closed
    );
    let _ = writeln!(s, "## 按类型\n\n| 类型 | 件数 |\n|---|---|");
    for k in &b.by_kind {
        let _ = writeln!(s, "| {} | {} |", md(&k.label), k.n);
    }
    let _ = writeln!(s, "\n## 按分类\n\n| 分类 | 件数 |\n|---|---|");
    for k in &b.by_category {
        let _ = writeln!(s, "| {} | {} |", md(&k.label), k.n);
    }
    let _ = writeln!(s, "\n## 各单位办理情况\n\n| 单位 | 收到 | 答复 | 按时办结率 | 满意率 |\n|---|---|---|---|---|");
    for u in &b.by_unit {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            md(&u.unit.name),
            u.received,
            u.replied,
            pct(u.on_time_rate),
            pct(u.satisfaction_rate)
        );
    }
    let _ = writeln!(s, "\n## 超期工单\n");
    if b.overdue.is_empty() {
        let _ = writeln!(s, "无。");
    }
    for c in &b.overdue {
        let due = c
            .reply_by
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "- {} {}（{}，期限 {}）",
            c.tracking_no,
            md(&c.title),
            md(c.unit.as_deref().unwrap_or("")),
            due
        );
    }
    let _ = writeln!(s, "\n## 典型案例\n");
    if b.typical.is_empty() {
        let _ = writeln!(s, "无。");
    }
    for c in &b.typical {
        let _ = writeln!(
            s,
            "- {} {}（{}）",
            c.tracking_no,
            md(&c.title),
            c.status.label()
        );
    }
    s
}

/// A CSV field, quoted when it has to be, with formula prefixes neutralised (a title starting
/// with `=` must not run in a spreadsheet).
pub fn field(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@']) {
        format!("'{v}")
    } else {
        v.to_owned()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

pub fn csv(b: &Briefing) -> String {
    let mut s = String::from("\u{feff}section,item,value,extra\n");
    let mut row = |section: &str, item: &str, value: String, extra: String| {
        let _ = writeln!(
            s,
            "{},{},{},{}",
            field(section),
            field(item),
            field(&value),
            field(&extra)
        );
    };
    row(
        "period",
        "from",
        b.period.from.to_string(),
        b.period.to.to_string(),
    );
    for (k, v) in [
        ("received", b.received),
        ("accepted", b.accepted),
        ("dispatched", b.dispatched),
        ("replied", b.replied),
        ("closed", b.closed),
    ] {
        row("totals", k, v.to_string(), String::new());
    }
    for k in &b.by_kind {
        row("kind", &k.label, k.n.to_string(), k.key.clone());
    }
    for k in &b.by_category {
        row("category", &k.label, k.n.to_string(), k.key.clone());
    }
    for u in &b.by_unit {
        row(
            "unit",
            &u.unit.name,
            u.received.to_string(),
            format!(
                "replied {}; on time {}; satisfaction {}",
                u.replied,
                pct(u.on_time_rate),
                pct(u.satisfaction_rate)
            ),
        );
    }
    for c in &b.overdue {
        row(
            "overdue",
            &c.tracking_no,
            c.title.clone(),
            c.unit.clone().unwrap_or_default(),
        );
    }
    for c in &b.typical {
        row(
            "typical",
            &c.tracking_no,
            c.title.clone(),
            c.status.label().to_owned(),
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{field, md};

    #[test]
    fn markdown_keeps_user_text_as_text() {
        assert_eq!(md("普通标题"), "普通标题");
        assert_eq!(
            md("[点我](javascript:alert(1)) <img src=x> | 列"),
            "\\[点我\\](javascript:alert(1)) \\<img src=x\\> \\| 列"
        );
        assert_eq!(md("两行\n2026-11-23"), "两行 2026-11-23");
        // Nothing a person wrote can open a link, an image, HTML or a new table cell.
        for hostile in [
            "[a](b)", "![x](y)", "<script>", "a|b", "**b**", "`c`", "x\n| y |",
        ] {
            let out = md(hostile);
            for (i, c) in out.char_indices() {
                if "[]<>|*`_~".contains(c) {
                    assert!(out[..i].ends_with('\\'), "{hostile:?} → {out:?}");
                }
            }
            assert!(!out.contains('\n'));
        }
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
