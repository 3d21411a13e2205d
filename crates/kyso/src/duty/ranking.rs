//! What the Office used to work out by hand in Excel from the report: each person's months met
//! over all their posts (a person holding two posts at once, kiêm nhiệm, owes each post's files,
//! so each post counts, as in the report), the units and the persons ranked, how many reached
//! 100 %, and who did not.

use crate::duty::office_report::{OfficeReport, Score};

/// One person's year or quarter: their posts, and the months met over all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub name: String,
    /// "Chủ tịch – UBND phường Hương Xuân", one per post.
    pub posts: Vec<String>,
    pub required: usize,
    pub satisfied: usize,
    pub percent: Option<f64>,
}

/// One unit's organisation figure, for the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRank {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub score: Score,
}

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// Highest percentage first; nothing required last; then by name.
fn by_percent(a: (Option<f64>, &str), b: (Option<f64>, &str)) -> std::cmp::Ordering {
    let key = |p: Option<f64>| p.map(|x| -x).unwrap_or(f64::INFINITY);
    key(a.0).total_cmp(&key(b.0)).then_with(|| a.1.cmp(b.1))
}

/// Every person of the report, their posts summed, ranked. A post belongs to the person the
/// registry names (`[[person]]`), else to the leaders of the same name.
pub fn persons(r: &OfficeReport) -> Vec<PersonRow> {
    // In the order first met (ties keep it), found by key in O(1): a national report has
    // 60,000 posts, and a search of the list for each was most of a year report's time.
    let mut out: Vec<(String, PersonRow)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for g in &r.groups {
        for u in &g.units {
            for l in &u.leaders {
                let key = l
                    .person
                    .clone()
                    .unwrap_or_else(|| format!("name:{}", l.name.trim().to_lowercase()));
                let i = match at.get(&key) {
                    Some(i) => *i,
                    None => {
                        at.insert(key.clone(), out.len());
                        out.push((
                            key,
                            PersonRow {
                                name: l.name.clone(),
                                posts: Vec::new(),
                                required: 0,
                                satisfied: 0,
                                percent: None,
                            },
                        ));
                        out.len() - 1
                    }
                };
                let p = &mut out[i].1;
                p.posts.push(format!("{} – {}", l.title, u.name));
                p.required += l.score.required;
                p.satisfied += l.score.satisfied;
                p.percent = percent(p.satisfied, p.required);
            }
        }
    }
    let mut rows: Vec<PersonRow> = out.into_iter().map(|(_, p)| p).collect();
    rows.sort_by(|a, b| by_percent((a.percent, &a.name), (b.percent, &b.name)));
    rows
}

/// Every unit's organisation figure, ranked.
pub fn units(r: &OfficeReport) -> Vec<UnitRank> {
    let mut rows: Vec<UnitRank> = r
        .groups
        .iter()
        .flat_map(|g| {
            g.units.iter().map(|u| UnitRank {
                id: u.id.clone(),
                name: u.name.clone(),
                kind: g.label.clone(),
                score: u.organisation.clone(),
            })
        })
        .collect();
    rows.sort_by(|a, b| by_percent((a.score.percent, &a.name), (b.score.percent, &b.name)));
    rows
}

/// Whether a figure reached 100 % (something was required, and all of it met).
pub fn complete(required: usize, satisfied: usize) -> bool {
    required > 0 && satisfied == required
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::office_report::{KindGroup, LeaderRow, Totals, UnitRow};
    use crate::duty::period::Month;
    use crate::duty::registry::UnitKind;

    fn score(satisfied: usize, required: usize) -> Score {
        Score {
            required,
            satisfied,
            percent: percent(satisfied, required),
            missing: Vec::new(),
        }
    }

    fn leader(name: &str, title: &str, s: Score, person: Option<&str>) -> LeaderRow {
        LeaderRow {
            id: format!("{name}-{title}"),
            name: name.into(),
            title: title.into(),
            score: s,
            person: person.map(String::from),
        }
    }

    #[test]
    fn a_persons_posts_are_summed_and_ranked() {
        let unit = |id: &str, org: Score, leaders: Vec<LeaderRow>| UnitRow {
            id: id.into(),
            name: format!("Đơn vị {id}"),
            organisation: org,
            leaders,
        };
        let m = Month {
            year: 2026,
            month: 12,
        };
        let r = OfficeReport {
            year: 2026,
            quarter: Some(4),
            months: vec![],
            counted: vec![],
            in_progress: None,
            generated_at: String::new(),
            groups: vec![KindGroup {
                kind: UnitKind::Commune,
                label: "UBND xã, phường".into(),
                units: vec![
                    unit(
                        "a",
                        score(3, 3),
                        vec![
                            leader("An", "Chủ tịch", score(3, 3), Some("p-an")),
                            leader("Bình", "Phó Chủ tịch", score(1, 3), None),
                        ],
                    ),
                    unit(
                        "b",
                        score(2, 3),
                        vec![leader("An", "Bí thư", score(1, 3), Some("p-an"))],
                    ),
                ],
                totals: Totals::default(),
            }],
            town: Totals::default(),
            current_month: m,
            missing_now: vec![],
            tracking_from: None,
            closed: None,
            amendments: vec![],
            adjustments: Default::default(),
        };
        let p = persons(&r);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "An");
        assert_eq!((p[0].satisfied, p[0].required), (4, 6), "two posts summed");
        assert_eq!(p[0].posts.len(), 2);
        assert_eq!(p[1].percent, Some(33.3));
        let u = units(&r);
        assert_eq!(u[0].id, "a");
        assert!(complete(u[0].score.required, u[0].score.satisfied));
        assert!(!complete(0, 0));
    }
}
