//! Staff accounts: people sign in to the pages as themselves, with a password kept as argon2id
//! (RFC 9106) and a role ([`Role`]): the Office's administrator, a reader, or a unit's clerk
//! bound to one unit. API tokens stay for systems.

use crate::store::users::{self, Role, User};
use crate::store::StoreError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Tên đăng nhập \"{0}\" không hợp lệ: chỉ dùng chữ thường không dấu, chữ số, dấu chấm, gạch ngang, gạch dưới (tối đa 64 ký tự)")]
    BadName(String),
    #[error("Tên đăng nhập \"{0}\" đã có")]
    Exists(String),
    #[error("Không có tài khoản \"{0}\"")]
    Unknown(String),
    #[error("Hãy ghi họ tên người dùng (một dòng, tối đa 200 ký tự)")]
    NoDisplayName,
    #[error("Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")]
    ShortPassword,
    #[error("Văn thư đơn vị phải gắn với một đơn vị có trong danh mục")]
    NoUnit,
    #[error("Chỉ văn thư đơn vị mới gắn với một đơn vị")]
    UnitNotForRole,
    #[error("Không tạo được mật khẩu: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new account as asked for.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub display_name: String,
    pub role: Role,
    pub unit: Option<String>,
    pub password: String,
}

/// The password as an argon2id PHC string, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` is the one `phc` was made from.
fn password_matches(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// The account when the name and password are right and it is not disabled. An unknown name
/// costs the same hashing as a known one, so the answer's time does not tell names apart.
pub fn authenticate(data: &users::Accounts, name: &str, password: &str) -> Option<User> {
    let name = name.trim().to_lowercase();
    match data.load(&name).ok().flatten() {
        Some(u) if password_matches(&u.password, password) && !u.disabled => Some(u),
        Some(_) => None,
        None => {
            let _ = hash_password(password);
            None
        }
    }
}

fn check_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AccountError::ShortPassword);
    }
    Ok(())
}

/// The role and unit together: a unit clerk names a unit of the registry, nobody else does.
fn check_unit(
    known_unit: &dyn Fn(&str) -> bool,
    role: Role,
    unit: Option<&str>,
) -> Result<(), AccountError> {
    match (role, unit) {
        (Role::UnitClerk, Some(u)) if known_unit(u) => Ok(()),
        (Role::UnitClerk, _) => Err(AccountError::NoUnit),
        (_, Some(_)) => Err(AccountError::UnitNotForRole),
        (_, None) => Ok(()),
    }
}

/// Create an account in the data directory `data`; `known_unit` says whether a unit is in the
/// registry.
pub fn add(
    data: &users::Accounts,
    known_unit: &dyn Fn(&str) -> bool,
    new: NewUser,
    at: time::OffsetDateTime,
) -> Result<User, AccountError> {
    let name = new.name.trim().to_lowercase();
    if !users::valid_name(&name) {
        return Err(AccountError::BadName(new.name));
    }
    if data.load(&name)?.is_some() {
        return Err(AccountError::Exists(name));
    }
    let display_name = crate::text::reason(&new.display_name, 200)
        .ok()
        .flatten()
        .ok_or(AccountError::NoDisplayName)?;
    let unit = new.unit.filter(|u| !u.trim().is_empty());
    check_unit(known_unit, new.role, unit.as_deref())?;
    check_password(&new.password)?;
    let user = User {
        name,
        display_name,
        role: new.role,
        unit,
        password: hash_password(&new.password)?,
        disabled: false,
        created_at: at,
    };
    data.save(&user)?;
    Ok(user)
}

/// Change an account: a new password, disabled or enabled again.
pub fn update(
    data: &users::Accounts,
    name: &str,
    password: Option<&str>,
    disabled: Option<bool>,
) -> Result<User, AccountError> {
    let mut user = data
        .load(name)?
        .ok_or_else(|| AccountError::Unknown(name.to_string()))?;
    if let Some(p) = password {
        check_password(p)?;
        user.password = hash_password(p)?;
    }
    if let Some(d) = disabled {
        user.disabled = d;
    }
    data.save(&user)?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_kept_as_argon2id_and_checked() {
        let phc = hash_password("mật khẩu đủ dài").unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(password_matches(&phc, "mật khẩu đủ dài"));
        assert!(!password_matches(&phc, "mật khẩu đủ dàI"));
        assert!(!password_matches("not a hash", "x"));
        assert_ne!(
            phc,
            hash_password("mật khẩu đủ dài").unwrap(),
            "a fresh salt each time"
        );
    }
}
