//! The registry file's person form (DESIGN.md §4.4): `[[person]]` (a name and the personal
//! certificates, which a re-issued token adds to) and `[[post]]` (person × unit × title ×
//! months; several at once for kiêm nhiệm). A file in this form is read into the records the
//! store keeps, one leader record per post linked to its person, so that crediting, history
//! and the audit stay one path whichever form the Office writes.

use crate::duty::period::Month;
use crate::duty::registry::{Leader, Registry, RegistryError};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// `[[person]]`: one person and the personal certificates enrolled to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub certificates: Vec<String>,
}

/// `[[post]]`: a person's post in a unit for a run of months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Post {
    /// The leader record's id; by default `<person>--<unit>`. A person who holds two posts in
    /// one unit (left and came back) needs an id on each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub person: String,
    pub unit: String,
    pub title: String,
    pub from: Month,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Month>,
}

impl Post {
    pub fn leader_id(&self) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| format!("{}--{}", self.person, self.unit))
    }

    /// Whether this post may replace the stored record of its id: the same person's post (a
    /// corrected title or months), never another person's record, and never a post that ended
    /// before this one begins (a return to the unit is a new post; the old one keeps its
    /// months).
    fn may_replace(&self, old: &Leader, id: &str) -> Result<(), RegistryError> {
        if old.person.as_deref() != Some(self.person.as_str()) {
            return Err(RegistryError::Invalid(format!(
                "post {id}: the record {id} is not a post of person {} (give this [[post]] its own id)",
                self.person
            )));
        }
        if old.to.is_some_and(|t| t < self.from) {
            return Err(RegistryError::Invalid(format!(
                "post {id}: this post of {} ended before {}; a new post needs its own id, so that the old one keeps its months",
                self.person, self.from
            )));
        }
        Ok(())
    }
}

/// The stored registry a fragment is read against: leader records by id, and each person's
/// posts.
struct Stored<'r> {
    by_id: HashMap<&'r str, &'r Leader>,
    by_person: HashMap<&'r str, Vec<&'r Leader>>,
}

impl<'r> Stored<'r> {
    fn of(r: &'r Registry) -> Stored<'r> {
        let mut by_person: HashMap<&str, Vec<&Leader>> = HashMap::new();
        for l in &r.leaders {
            if let Some(p) = l.person.as_deref() {
                by_person.entry(p).or_default().push(l);
            }
        }
        Stored {
            by_id: r.leaders.iter().map(|l| (l.id.as_str(), l)).collect(),
            by_person,
        }
    }

    /// A person as the registry knows them: the name and certificates of the file's
    /// `[[person]]`, else of the posts already recorded for that person.
    fn person<'a>(
        &'a self,
        file: &'a HashMap<&str, &Person>,
        id: &str,
    ) -> Option<(&'a str, &'a [String])> {
        if let Some(p) = file.get(id) {
            return Some((p.name.as_str(), p.certificates.as_slice()));
        }
        let l = self.by_person.get(id)?.first()?;
        Some((l.name.as_str(), l.certificates.as_slice()))
    }
}

impl Registry {
    /// Read a fragment's `[[person]]` and `[[post]]` records into leader records, one per
    /// post, against `self` (the registry the fragment is merged into): a post may name a
    /// person already recorded, and a `[[person]]` alone (a re-issued token, a corrected name)
    /// updates every post recorded for that person. A fragment without them is returned as it
    /// is.
    pub fn expand_persons(&self, mut fragment: Registry) -> Result<Registry, RegistryError> {
        if fragment.leaders.is_empty() && fragment.posts.is_empty() && fragment.persons.is_empty() {
            return Ok(fragment);
        }
        let stored = Stored::of(self);
        // A stored record's person never changes: the link an update (a `[[leader]]`, an API
        // body) carries is the stored one, whatever it says, so no record can move to someone
        // else's person and hold their certificates. A new record may name its person (an
        // exported registry writes `person` on each post).
        for l in &mut fragment.leaders {
            if let Some(old) = stored.by_id.get(l.id.as_str()) {
                l.person = old.person.clone();
            }
        }
        let mut ids: HashSet<String> = fragment.leaders.iter().map(|l| l.id.clone()).collect();
        let mut expanded = fragment.posts_as_leaders(&stored, &mut ids)?;
        fragment.persons_onto_posts(&stored, &mut ids, &mut expanded)?;
        fragment.leaders.extend(expanded);
        fragment.persons.clear();
        fragment.posts.clear();
        Ok(fragment)
    }

    /// Each `[[post]]` as a leader record linked to its person.
    fn posts_as_leaders(
        &self,
        stored: &Stored,
        ids: &mut HashSet<String>,
    ) -> Result<Vec<Leader>, RegistryError> {
        let persons: HashMap<&str, &Person> =
            self.persons.iter().map(|p| (p.id.as_str(), p)).collect();
        let mut out = Vec::with_capacity(self.posts.len());
        for post in &self.posts {
            let id = post.leader_id();
            let (name, certificates) = stored.person(&persons, &post.person).ok_or_else(|| {
                RegistryError::Invalid(format!(
                    "post {id}: unknown person {} (add a [[person]] with this id)",
                    post.person
                ))
            })?;
            if !ids.insert(id.clone()) {
                return Err(RegistryError::Invalid(format!(
                    "leader {id} appears twice (a person with two posts in one unit: give each [[post]] its own id)"
                )));
            }
            if let Some(old) = stored.by_id.get(id.as_str()) {
                post.may_replace(old, &id)?;
            }
            out.push(Leader {
                id,
                name: name.to_string(),
                title: post.title.clone(),
                unit: post.unit.clone(),
                from: post.from,
                to: post.to,
                certificates: certificates.to_vec(),
                retired_certificates: Vec::new(),
                person: Some(post.person.clone()),
            });
        }
        Ok(out)
    }

    /// The stored posts of each `[[person]]` that the fragment does not list take the
    /// person's name and certificates too: certificates belong to the person, not to one post.
    fn persons_onto_posts(
        &self,
        stored: &Stored,
        ids: &mut HashSet<String>,
        expanded: &mut Vec<Leader>,
    ) -> Result<(), RegistryError> {
        let listed: HashSet<&str> = self.posts.iter().map(|p| p.person.as_str()).collect();
        for p in &self.persons {
            let posts = stored.by_person.get(p.id.as_str());
            let listed = listed.contains(p.id.as_str());
            if !listed && posts.is_none() {
                return Err(RegistryError::Invalid(format!(
                    "person {}: no [[post]] names this person (a person's certificates count through their posts)",
                    p.id
                )));
            }
            for l in posts.into_iter().flatten() {
                if ids.insert(l.id.clone()) {
                    expanded.push(Leader {
                        name: p.name.clone(),
                        certificates: p.certificates.clone(),
                        retired_certificates: Vec::new(),
                        ..(*l).clone()
                    });
                }
            }
        }
        Ok(())
    }

    /// Each `[[person]]` and `[[post]]` of a fragment valid on its own, each person id once.
    pub(crate) fn validate_persons(&self) -> Result<(), RegistryError> {
        let mut seen = HashSet::new();
        for p in &self.persons {
            // A person is checked as the leader record it becomes.
            Self::validate_leader(&Leader {
                id: p.id.clone(),
                name: p.name.clone(),
                title: "-".into(),
                unit: String::new(),
                from: Month {
                    year: 2000,
                    month: 1,
                },
                to: None,
                certificates: p.certificates.clone(),
                retired_certificates: Vec::new(),
                person: None,
            })
            .map_err(|e| RegistryError::Invalid(e.to_string().replacen("leader", "person", 1)))?;
            if !seen.insert(p.id.as_str()) {
                return Err(RegistryError::Invalid(format!(
                    "person {} appears twice",
                    p.id
                )));
            }
        }
        for post in &self.posts {
            let id = post.leader_id();
            if post.title.trim().is_empty() || post.title.chars().count() > 300 {
                return Err(RegistryError::Invalid(format!(
                    "post {id}: the title must be 1 to 300 characters"
                )));
            }
            if post.to.is_some_and(|t| t < post.from) {
                return Err(RegistryError::Invalid(format!(
                    "post {id}: 'to' is before 'from'"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn this_month() -> Month {
        Month::of_vietnam_time(time::OffsetDateTime::now_utc())
    }
    use crate::duty::registry::Owner;

    const FILE: &str = r#"
[[unit]]
id = "trung-tam-vh"
name = "Trung tâm Văn hóa - Thông tin và Thể thao"
kind = "public_service"
[[unit]]
id = "ubnd-thuy-van"
name = "UBND phường Thủy Vân"
kind = "commune"

[[person]]
id = "vo-thi-giang"
name = "Võ Thị Giang"
certificates = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]

[[post]]
person = "vo-thi-giang"
unit = "trung-tam-vh"
title = "Giám đốc (kiêm nhiệm)"
from = "2026-11"
to = "2027-12"

[[post]]
person = "vo-thi-giang"
unit = "ubnd-thuy-van"
title = "Chủ tịch"
from = "2026-01"
"#;

    fn fp(c: char) -> String {
        c.to_string().repeat(64)
    }

    #[test]
    fn a_person_with_two_posts_owns_one_certificate_for_both() {
        let r = Registry::from_toml(FILE).unwrap();
        assert!(r.persons.is_empty() && r.posts.is_empty());
        assert_eq!(r.leaders.len(), 2);
        let owners = r.owners_of(&fp('a'));
        assert_eq!(
            owners,
            vec![
                Owner::Leader("vo-thi-giang--trung-tam-vh".into()),
                Owner::Leader("vo-thi-giang--ubnd-thuy-van".into())
            ]
        );
        let l = r.leader("vo-thi-giang--trung-tam-vh").unwrap();
        assert_eq!(l.name, "Võ Thị Giang");
        assert_eq!(l.person.as_deref(), Some("vo-thi-giang"));
        assert!(!l.in_office(Month::parse("2026-10").unwrap()));
        assert!(l.in_office(Month::parse("2026-11").unwrap()));
    }

    #[test]
    fn a_person_alone_adds_a_reissued_token_to_every_post() {
        let mut r = Registry::from_toml(FILE).unwrap();
        let update = format!(
            "[[person]]\nid = \"vo-thi-giang\"\nname = \"Võ Thị Giang\"\ncertificates = [\"{}\", \"{}\"]\n",
            fp('a'),
            fp('b')
        );
        let fragment = Registry::fragment_from_toml(&update).unwrap();
        r.merge(fragment, this_month()).unwrap();
        assert_eq!(r.leaders.len(), 2);
        for l in &r.leaders {
            assert_eq!(l.certificates, vec![fp('a'), fp('b')], "{}", l.id);
        }
        // Dropping the old token keeps it as retired on each post: its files keep their credit.
        let drop = update.replace(&format!("\"{}\", ", fp('a')), "");
        r.merge(
            Registry::fragment_from_toml(&drop).unwrap(),
            Month::parse("2027-03").unwrap(),
        )
        .unwrap();
        for l in &r.leaders {
            assert_eq!(l.certificates, vec![fp('b')]);
            assert_eq!(l.retired_certificates[0].sha256, fp('a'));
            assert_eq!(l.retired_certificates[0].until.to_string(), "2027-03");
        }
    }

    #[test]
    fn refuses_what_cannot_be_read_as_posts() {
        let unknown = FILE.replace(
            "person = \"vo-thi-giang\"\nunit = \"ubnd",
            "person = \"ai-do\"\nunit = \"ubnd",
        );
        assert!(Registry::from_toml(&unknown)
            .unwrap_err()
            .to_string()
            .contains("unknown person ai-do"));
        let same_unit = FILE.replace(
            "unit = \"ubnd-thuy-van\"\ntitle",
            "unit = \"trung-tam-vh\"\ntitle",
        );
        assert!(Registry::from_toml(&same_unit)
            .unwrap_err()
            .to_string()
            .contains("own id"));
        let with_ids = same_unit
            .replace("[[post]]\nperson", "[[post]]\nid = \"giang-1\"\nperson")
            .replacen("id = \"giang-1\"", "id = \"giang-0\"", 1);
        assert_eq!(Registry::from_toml(&with_ids).unwrap().leaders.len(), 2);
        let no_post = format!("{FILE}\n[[person]]\nid = \"le-van-b\"\nname = \"Lê Văn B\"\n");
        assert!(Registry::from_toml(&no_post)
            .unwrap_err()
            .to_string()
            .contains("no [[post]]"));
        let twice = format!("{FILE}\n[[person]]\nid = \"vo-thi-giang\"\nname = \"X\"\n");
        assert!(Registry::fragment_from_toml(&twice).is_err());
        let backwards = FILE.replace("to = \"2027-12\"", "to = \"2026-01\"");
        assert!(Registry::fragment_from_toml(&backwards).is_err());
        let empty_name = FILE.replace("name = \"Võ Thị Giang\"", "name = \" \"");
        assert!(Registry::fragment_from_toml(&empty_name).is_err());
    }

    /// A post never takes over another record, nor reopens a post that ended; a `[[leader]]`
    /// or an API body cannot join a person.
    #[test]
    fn posts_keep_to_their_own_records() {
        let mut r = Registry::from_toml(FILE).unwrap();
        // Her post at the ward ends; she comes back later: the return needs its own id.
        r.merge(
            Registry::fragment_from_toml(&FILE.replace(
                "title = \"Chủ tịch\"\nfrom = \"2026-01\"",
                "title = \"Chủ tịch\"\nfrom = \"2026-01\"\nto = \"2026-06\"",
            ))
            .unwrap(),
            this_month(),
        )
        .unwrap();
        let back = "[[post]]\nperson = \"vo-thi-giang\"\nunit = \"ubnd-thuy-van\"\ntitle = \"Chủ tịch\"\nfrom = \"2027-01\"\n";
        let e = r
            .clone()
            .merge(Registry::fragment_from_toml(back).unwrap(), this_month())
            .unwrap_err();
        assert!(e.to_string().contains("own id"), "{e}");
        let with_id = back.replace("[[post]]\n", "[[post]]\nid = \"vo-thi-giang-tro-lai\"\n");
        r.merge(
            Registry::fragment_from_toml(&with_id).unwrap(),
            this_month(),
        )
        .unwrap();
        assert_eq!(
            r.leader("vo-thi-giang--ubnd-thuy-van")
                .unwrap()
                .to
                .map(|m| m.to_string())
                .as_deref(),
            Some("2026-06")
        );
        // Another person's post cannot be named by id.
        let other = format!(
            "[[person]]\nid = \"le-van-b\"\nname = \"Lê Văn B\"\ncertificates = [\"{}\"]\n[[post]]\nid = \"vo-thi-giang--trung-tam-vh\"\nperson = \"le-van-b\"\nunit = \"trung-tam-vh\"\ntitle = \"X\"\nfrom = \"2026-01\"\n",
            fp('e')
        );
        assert!(r
            .clone()
            .merge(Registry::fragment_from_toml(&other).unwrap(), this_month())
            .is_err());
        // An update of her post that names another person keeps her as its person.
        let moved = format!(
            "[[leader]]\nid = \"vo-thi-giang--trung-tam-vh\"\nname = \"Võ Thị Giang\"\ntitle = \"Giám đốc\"\nunit = \"trung-tam-vh\"\nfrom = \"2026-11\"\nperson = \"le-van-b\"\ncertificates = [\"{}\"]\n",
            fp('a')
        );
        r.merge(Registry::fragment_from_toml(&moved).unwrap(), this_month())
            .unwrap();
        let l = r.leader("vo-thi-giang--trung-tam-vh").unwrap();
        assert_eq!(
            (l.person.as_deref(), l.title.as_str()),
            (Some("vo-thi-giang"), "Giám đốc")
        );
        // A [[leader]] that is nobody's post cannot share her certificate (the owners of a
        // certificate are one person's posts; a name is not a person id).
        let named = format!(
            "[[leader]]\nid = \"khac\"\nname = \"vo-thi-giang\"\ntitle = \"X\"\nunit = \"trung-tam-vh\"\nfrom = \"2026-01\"\ncertificates = [\"{}\"]\n",
            fp('a')
        );
        let e = r
            .clone()
            .merge(Registry::fragment_from_toml(&named).unwrap(), this_month())
            .unwrap_err();
        assert!(e.to_string().contains("one unit or one person"), "{e}");
    }

    /// The same certificate on a unit and a person is refused, as in the leader form.
    #[test]
    fn a_person_cannot_share_a_units_certificate() {
        let shared = FILE.replacen(
            "kind = \"commune\"",
            &format!("kind = \"commune\"\ncertificates = [\"{}\"]", fp('a')),
            1,
        );
        assert!(Registry::from_toml(&shared)
            .unwrap_err()
            .to_string()
            .contains("one unit or one person"));
    }
}
