//! The guides in `docs/` as pages: the small part of Markdown they are written in (headings,
//! paragraphs, lists, tables, fenced code, `code`, **bold**, links), every piece of text
//! escaped by maud. A link to the other guide goes to its page; other relative links (the
//! repository's files) are shown as text.

use maud::{html, Markup, PreEscaped};

/// One block of a guide.
enum Block {
    Heading(usize, String),
    Paragraph(String),
    List { ordered: bool, items: Vec<String> },
    Table(Vec<Vec<String>>),
    Code(String),
}

/// The blocks of `text`, line by line.
fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_end();
        if t.starts_with("```") {
            let mut code = Vec::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                code.push(l);
            }
            out.push(Block::Code(code.join("\n")));
        } else if let Some((level, title)) = heading(t) {
            out.push(Block::Heading(level, title.to_string()));
        } else if t.starts_with('|') {
            let row: Vec<String> = cells(t);
            let separator = row
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')));
            match out.last_mut() {
                Some(Block::Table(rows)) if !separator => rows.push(row),
                Some(Block::Table(_)) => {}
                _ => out.push(Block::Table(vec![row])),
            }
        } else if let Some((ordered, item)) = list_item(t) {
            match out.last_mut() {
                Some(Block::List { ordered: o, items }) if *o == ordered => items.push(item.into()),
                _ => out.push(Block::List {
                    ordered,
                    items: vec![item.into()],
                }),
            }
        } else if t.is_empty() {
            out.push(Block::Paragraph(String::new()));
        } else {
            // A continuation line: of the list item or the paragraph above.
            match out.last_mut() {
                Some(Block::List { items, .. }) if line.starts_with(' ') => {
                    if let Some(last) = items.last_mut() {
                        last.push(' ');
                        last.push_str(t.trim());
                    }
                }
                Some(Block::Paragraph(p)) if !p.is_empty() => {
                    p.push(' ');
                    p.push_str(t.trim());
                }
                _ => out.push(Block::Paragraph(t.trim().to_string())),
            }
        }
    }
    out.retain(|b| !matches!(b, Block::Paragraph(p) if p.is_empty()));
    out
}

fn heading(t: &str) -> Option<(usize, &str)> {
    let level = t.chars().take_while(|c| *c == '#').count();
    (1..=4)
        .contains(&level)
        .then(|| t[level..].strip_prefix(' '))
        .flatten()
        .map(|h| (level, h))
}

fn list_item(t: &str) -> Option<(bool, &str)> {
    if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return Some((false, rest));
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    (digits > 0)
        .then(|| t[digits..].strip_prefix(". "))
        .flatten()
        .map(|r| (true, r))
}

fn cells(t: &str) -> Vec<String> {
    t.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

/// The inline marks of a piece of text: `code`, **bold** and [text](target).
fn inline(text: &str) -> Markup {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let next = rest.find(['`', '*', '[']).unwrap_or(rest.len());
        out.push_str(&html! { (rest[..next]) }.into_string());
        rest = &rest[next..];
        let Some(c) = rest.chars().next() else { break };
        let (piece, used) = match c {
            '`' => span(rest, "`", "`").map(|(inner, n)| (html! { code { (inner) } }, n)),
            '*' => {
                span(rest, "**", "**").map(|(inner, n)| (html! { strong { (inline(inner)) } }, n))
            }
            _ => link(rest),
        }
        .unwrap_or_else(|| (html! { (c) }, c.len_utf8()));
        out.push_str(&piece.into_string());
        rest = &rest[used..];
    }
    PreEscaped(out)
}

/// The text between `open` and `close` at the start of `s`, and the bytes it spans.
fn span<'a>(s: &'a str, open: &str, close: &str) -> Option<(&'a str, usize)> {
    let body = s.strip_prefix(open)?;
    let end = body.find(close)?;
    (end > 0).then(|| (&body[..end], open.len() + end + close.len()))
}

/// `[text](target)` at the start of `s`.
fn link(s: &str) -> Option<(Markup, usize)> {
    let (text, n) = span(s, "[", "]")?;
    let (target, m) = span(&s[n..], "(", ")")?;
    let href = match target {
        t if t.starts_with("https://") || t.starts_with("http://") => Some(t.to_string()),
        t if t.starts_with("huong-dan-van-thu.md") => Some("/ui/huong-dan".into()),
        t if t.starts_with("huong-dan-van-hanh.md") => Some("/ui/huong-dan/van-hanh".into()),
        _ => None,
    };
    let markup = match href {
        Some(h) => html! { a href=(h) { (inline(text)) } },
        None => html! { (inline(text)) " (" code { (target) } ")" },
    };
    Some((markup, n + m))
}

/// A guide's page body.
pub fn guide(text: &str) -> Markup {
    html! {
        article.guide {
            @for b in blocks(text) {
                @match b {
                    Block::Heading(1, t) => h1 { (inline(&t)) },
                    Block::Heading(2, t) => h2 { (inline(&t)) },
                    Block::Heading(_, t) => h3 { (inline(&t)) },
                    Block::Paragraph(p) => p { (inline(&p)) },
                    Block::List { ordered: false, items } => ul { @for i in items { li { (inline(&i)) } } },
                    Block::List { ordered: true, items } => ol { @for i in items { li { (inline(&i)) } } },
                    Block::Code(c) => pre { code { (c) } },
                    Block::Table(rows) => (table(&rows)),
                }
            }
        }
    }
}

fn table(rows: &[Vec<String>]) -> Markup {
    let Some((head, body)) = rows.split_first() else {
        return html! {};
    };
    html! {
        div.table-wrap {
            table {
                thead { tr { @for c in head { th { (inline(c)) } } } }
                tbody { @for r in body { tr { @for c in r { td { (inline(c)) } } } } }
            }
        }
    }
}

/// The first heading of a guide, for the page's title.
pub fn title(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or("Hướng dẫn")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_markdown_the_guides_use_becomes_escaped_html() {
        let md = "# Tiêu đề\n\nMột **đậm** và `mã` <b>\ntiếp.\n\n- một\n  hai\n- ba\n\n1. bước\n\n| a | b |\n|---|---|\n| `x` | y |\n\n```sh\nkyso <x>\n```\n[văn thư](huong-dan-van-thu.md) [README](../README.md)\n";
        let h = guide(md).into_string();
        assert!(h.contains("<h1>Tiêu đề</h1>"), "{h}");
        assert!(
            h.contains("<p>Một <strong>đậm</strong> và <code>mã</code> &lt;b&gt; tiếp.</p>"),
            "{h}"
        );
        assert!(h.contains("<ul><li>một hai</li><li>ba</li></ul>"), "{h}");
        assert!(h.contains("<ol><li>bước</li></ol>"), "{h}");
        assert!(
            h.contains("<th>a</th><th>b</th>") && h.contains("<td><code>x</code></td>"),
            "{h}"
        );
        assert!(h.contains("<pre><code>kyso &lt;x&gt;</code></pre>"), "{h}");
        assert!(h.contains("<a href=\"/ui/huong-dan\">văn thư</a>"), "{h}");
        assert!(h.contains("README (<code>../README.md</code>)"), "{h}");
        assert_eq!(title(md), "Tiêu đề");
    }
}
