//! Reminders ("thư nhắc"): each unit that still misses something in a month gets one plain
//! Vietnamese e-mail at its văn thư's address, listing what is missing and the days left. The
//! monthly run ([`scheduled`]) writes on the configured day and hour to the units not yet
//! reminded that month; the Office may also send them at any time ([`send`]). Every attempt is
//! recorded ([`crate::store::reminders`]).

use crate::duty::credit::Requirement;
use crate::duty::office_report::Missing;
use crate::duty::period::Month;
use crate::net::mail::{Letter, Postman};
use crate::store::reminders::Sent;
use crate::store::StoreError;
use serde::Serialize;
use time::OffsetDateTime;

use super::App;

/// When the monthly run writes (`[reminders] day` and `hour`, Vietnam time) and who signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Day of the month, 1 to 28.
    pub day: u8,
    /// Hour of that day, 0 to 23.
    pub hour: u8,
    /// The office's name, signed at the end of each reminder.
    pub office: String,
}

/// What the monthly run records as its sender.
pub const SCHEDULE: &str = "schedule";

/// A failed reminder is tried again by the monthly run at most this many times in a month.
const ATTEMPTS: usize = 3;

/// A unit with something missing but no address to write to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NoAddress {
    pub unit: String,
    pub unit_name: String,
    pub missing: usize,
}

/// One round of reminders.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub month: Month,
    /// Every attempt, delivered or not.
    pub sent: Vec<Sent>,
    /// Units to be called instead: no e-mail address in the registry.
    pub no_address: Vec<NoAddress>,
    /// Units the monthly run skipped: reminded already this month.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub already_reminded: Vec<String>,
}

/// What a round covers: the month, one unit or all, and whom to skip.
#[derive(Debug, Clone, Copy)]
pub struct Round<'a> {
    pub month: Month,
    pub unit: Option<&'a str>,
    /// The token that asked, or [`SCHEDULE`].
    pub by: &'a str,
    /// Skip the units already reminded this month (the monthly run).
    pub skip_reminded: bool,
    pub now: OffsetDateTime,
}

/// Send a round of reminders through `postman`, signed by `office`; every attempt is recorded
/// before this returns.
pub fn send(
    app: &App,
    postman: &dyn Postman,
    office: &str,
    round: Round<'_>,
) -> Result<Outcome, StoreError> {
    let missing = super::figures::missing(app, round.month, round.unit)?;
    let log = app.store.reminders_sent()?;
    let mut out = Outcome {
        month: round.month,
        sent: Vec::new(),
        no_address: Vec::new(),
        already_reminded: Vec::new(),
    };
    for items in by_unit(&missing) {
        let first = &items[0];
        if round.skip_reminded && reminded(&log, round.month, &first.unit) {
            out.already_reminded.push(first.unit.clone());
            continue;
        }
        let Some(to) = address(first) else {
            out.no_address.push(NoAddress {
                unit: first.unit.clone(),
                unit_name: first.unit_name.clone(),
                missing: items.len(),
            });
            continue;
        };
        let letter = compose(round.month, &items, round.now, office, &to);
        let error = postman.send(&letter).err();
        if let Some(e) = &error {
            tracing::warn!(unit = %first.unit, %to, "reminder not sent: {e}");
        }
        let sent = Sent {
            at: round.now,
            month: round.month.to_string(),
            unit: first.unit.clone(),
            to,
            missing: items.len(),
            by: round.by.to_string(),
            error,
        };
        // Recorded one by one: a crash midway does not lose the ones already sent.
        app.store.record_reminders(std::slice::from_ref(&sent))?;
        out.sent.push(sent);
    }
    Ok(out)
}

/// The month the monthly run reminds about at `now`, once the configured day and hour of the
/// month in progress have come (Vietnam time).
pub fn due(cfg: &Schedule, now: OffsetDateTime) -> Option<Month> {
    let local = crate::vn::local(now);
    let (day, hour) = (local.day(), local.hour());
    let come = day > cfg.day || (day == cfg.day && hour >= cfg.hour);
    come.then(|| Month::of_vietnam_time(now))
}

/// The monthly run at `now`: nothing before the day and hour; then the units not yet reminded.
pub fn scheduled(
    app: &App,
    postman: &dyn Postman,
    cfg: &Schedule,
    now: OffsetDateTime,
) -> Result<Option<Outcome>, StoreError> {
    let Some(month) = due(cfg, now) else {
        return Ok(None);
    };
    let round = Round {
        month,
        unit: None,
        by: SCHEDULE,
        skip_reminded: true,
        now,
    };
    send(app, postman, &cfg.office, round).map(Some)
}

/// Whether the unit needs no more reminding this month: one reminder delivered, or the monthly
/// run's attempts spent.
fn reminded(log: &[Sent], month: Month, unit: &str) -> bool {
    let month = month.to_string();
    let mine = || log.iter().filter(|s| s.month == month && s.unit == unit);
    mine().any(Sent::delivered) || mine().filter(|s| s.by == SCHEDULE).count() >= ATTEMPTS
}

/// The list cut into runs of one unit each (it is in unit order).
fn by_unit(missing: &[Missing]) -> Vec<Vec<Missing>> {
    let mut out: Vec<Vec<Missing>> = Vec::new();
    for m in missing {
        match out.last_mut() {
            Some(run) if run[0].unit == m.unit => run.push(m.clone()),
            _ => out.push(vec![m.clone()]),
        }
    }
    out
}

/// The unit's văn thư's address, when it is one a message can go to.
fn address(m: &Missing) -> Option<String> {
    let email = m.contact.as_ref()?.email.trim().to_string();
    crate::duty::registry::valid_email(&email).then_some(email)
}

/// The reminder to one unit: what is missing, the days left, and whom to ask.
fn compose(month: Month, items: &[Missing], now: OffsetDateTime, office: &str, to: &str) -> Letter {
    let unit_name = &items[0].unit_name;
    let mut body = format!("Kính gửi: {unit_name}\n\n");
    body += &format!(
        "Đến {} (giờ Việt Nam), Văn phòng chưa nhận được {} văn bản ký số tháng {} của đơn vị:\n",
        crate::vn::datetime(now),
        items.len(),
        month.vn()
    );
    for m in items {
        body += &format!("  - {}\n", line(m));
    }
    body += "\n";
    if let Some(days) = month.days_left(now) {
        body += &format!(
            "Còn {days} ngày nữa là hết tháng (ngày cuối tháng: {}). ",
            date(month.last_day())
        );
    }
    body += "Đề nghị đơn vị gửi các văn bản còn thiếu trước khi hết tháng.\n";
    if items.iter().any(|m| m.no_certificate) {
        body += "\nVới yêu cầu ghi \"chưa có chứng thư số\": Văn phòng chưa có chứng thư số nào để đối chiếu; đề nghị đơn vị liên hệ Văn phòng để đăng ký chứng thư số trước.\n";
    }
    body += "\nThư này được gửi tự động từ hệ thống kiểm tra văn bản ký số; nếu đơn vị đã gửi đủ, xin bỏ qua thư này.\n\n";
    body += office;
    body += "\n";
    Letter {
        to: to.to_string(),
        subject: format!("Nhắc gửi văn bản ký số tháng {} - {unit_name}", month.vn()),
        body,
    }
}

/// One missing requirement, in words.
fn line(m: &Missing) -> String {
    let what = match (m.requirement, &m.leader_name) {
        (Requirement::Leader, Some(who)) => format!("văn bản do {who} ký số"),
        (Requirement::Leader, None) => "văn bản do lãnh đạo ký số".to_string(),
        (Requirement::Organisation, _) => {
            "văn bản ký số bằng chứng thư số của cơ quan, đơn vị".to_string()
        }
    };
    if m.no_certificate {
        format!("{what} (chưa có chứng thư số)")
    } else {
        what
    }
}

fn date(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn cfg(day: u8, hour: u8) -> Schedule {
        Schedule {
            day,
            hour,
            office: String::new(),
        }
    }

    #[test]
    fn due_from_the_day_and_hour_in_vietnam_time() {
        let m = Month {
            year: 2026,
            month: 12,
        };
        // 25/12 07:59 in Vietnam is 25/12 00:59 UTC.
        assert_eq!(due(&cfg(25, 8), datetime!(2026-12-25 00:59 UTC)), None);
        assert_eq!(due(&cfg(25, 8), datetime!(2026-12-25 01:00 UTC)), Some(m));
        assert_eq!(due(&cfg(25, 8), datetime!(2026-12-26 20:00 UTC)), Some(m));
        // 30/11 18:00 UTC is already 01/12 in Vietnam: before the day.
        assert_eq!(due(&cfg(25, 8), datetime!(2026-11-30 18:00 UTC)), None);
    }

    fn missing(unit: &str, leader: Option<&str>) -> Missing {
        Missing {
            unit: unit.into(),
            unit_name: format!("Phòng {unit}"),
            requirement: if leader.is_some() {
                Requirement::Leader
            } else {
                Requirement::Organisation
            },
            leader: leader.map(String::from),
            leader_name: leader.map(|l| format!("Trưởng phòng {l}")),
            no_certificate: leader.is_some(),
            contact: None,
            movable: Vec::new(),
        }
    }

    #[test]
    fn a_letter_names_every_missing_requirement_and_the_days_left() {
        let m = Month {
            year: 2026,
            month: 12,
        };
        let items = [missing("tp", None), missing("tp", Some("An"))];
        let l = compose(
            m,
            &items,
            datetime!(2026-12-25 02:00 UTC),
            "Văn phòng",
            "a@b.vn",
        );
        assert_eq!(l.subject, "Nhắc gửi văn bản ký số tháng 12/2026 - Phòng tp");
        assert!(
            l.body
                .contains("chưa nhận được 2 văn bản ký số tháng 12/2026"),
            "{}",
            l.body
        );
        assert!(l
            .body
            .contains("văn bản do Trưởng phòng An ký số (chưa có chứng thư số)"));
        assert!(l
            .body
            .contains("Còn 7 ngày nữa là hết tháng (ngày cuối tháng: 31/12/2026)"));
        assert!(l.body.contains("25/12/2026 09:00"), "{}", l.body);
        assert!(l.body.ends_with("Văn phòng\n"));
    }

    #[test]
    fn runs_of_one_unit_each() {
        let list = [
            missing("a", None),
            missing("a", Some("x")),
            missing("b", None),
        ];
        let runs = by_unit(&list);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].len(), 2);
        assert_eq!(runs[1][0].unit, "b");
    }

    #[test]
    fn the_monthly_run_stops_after_a_delivery_or_three_failures() {
        let m = Month {
            year: 2026,
            month: 12,
        };
        let at = datetime!(2026-12-25 02:00 UTC);
        let sent = |unit: &str, by: &str, error: Option<&str>| Sent {
            at,
            month: "2026-12".into(),
            unit: unit.into(),
            to: "a@b.vn".into(),
            missing: 1,
            by: by.into(),
            error: error.map(String::from),
        };
        let log = vec![
            sent("a", "office", None),
            sent("b", SCHEDULE, Some("refused")),
            sent("b", SCHEDULE, Some("refused")),
            sent("c", SCHEDULE, Some("refused")),
            sent("c", SCHEDULE, Some("refused")),
            sent("c", SCHEDULE, Some("refused")),
        ];
        assert!(reminded(&log, m, "a"));
        assert!(!reminded(&log, m, "b"));
        assert!(reminded(&log, m, "c"));
        assert!(!reminded(&log, m.next(), "a"));
    }
}
