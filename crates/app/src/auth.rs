//! Staff sign-in: argon2 passwords, bearer tokens kept only as hashes, audited.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use liandong_domain::organization::{Role, Visibility};
use liandong_store::{AuditEntry, StaffRecord};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{App, AppError, Result};

/// A signed-in member of staff and what they may see.
#[derive(Debug, Clone)]
pub struct Session {
    pub staff: StaffRecord,
    pub visibility: Visibility,
}

impl Session {
    pub fn require(&self, role: Role) -> Result<()> {
        if self.staff.roles.contains(&role) {
            Ok(())
        } else {
            Err(AppError::RoleRequired { role })
        }
    }

    /// Supervisors and system administrators may read anything; so may a system administrator act on the organization.
    pub fn require_any(&self, roles: &[Role]) -> Result<()> {
        match roles.iter().find(|r| self.staff.roles.contains(r)) {
            Some(_) => Ok(()),
            None => Err(AppError::RoleRequired {
                role: roles.first().copied().unwrap_or(Role::SystemAdmin),
            }),
        }
    }
}

/// A token handed to a client that signed in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub staff: StaffRecord,
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let refused = |e: argon2::password_hash::Error| {
        AppError::Forbidden(format!("无法设置该密码 / the password cannot be set: {e}"))
    };
    let salt = SaltString::encode_b64(&salt).map_err(refused)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(refused)
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl App {
    /// Checks a username and password; on success issues a token. Both outcomes are audited;
    /// an account with too many recent failures is locked for a while (等保 identification and
    /// authentication: limits on failed attempts).
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<IssuedToken> {
        let now = self.now();
        let target = format!("staff:{}", username.trim());
        // Checked before the password, so that a guess during the lock-out learns nothing.
        self.check_attempts("sign_in_failed", &target, |minutes| {
            AppError::TooManyAttempts { minutes }
        })
        .await?;
        let staff = self.store.staff_by_username(username.trim()).await?;
        let verified = staff
            .as_ref()
            .filter(|s| s.active)
            .filter(|s| verify_password(password, &s.password_hash));
        let Some(staff) = verified.cloned() else {
            self.store
                .audit(&AuditEntry {
                    at: now,
                    actor_id: staff.map(|s| s.id),
                    action: "sign_in_failed".into(),
                    target,
                    detail: String::new(),
                })
                .await?;
            return Err(AppError::BadCredentials);
        };
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let expires_at = now + self.token_lifetime;
        self.store
            .insert_token(
                &token_hash(&token),
                staff.id,
                now.timestamp_millis(),
                expires_at.timestamp_millis(),
            )
            .await?;
        self.store
            .audit(&AuditEntry {
                at: now,
                actor_id: Some(staff.id),
                action: "sign_in".into(),
                target: format!("staff:{}", staff.username),
                detail: String::new(),
            })
            .await?;
        Ok(IssuedToken {
            token,
            expires_at,
            staff,
        })
    }

    /// Refuses with `locked(minutes)` when `target` has had `lockout_failures` audited
    /// `failure`s within the lock-out window.
    pub(crate) async fn check_attempts(
        &self,
        failure: &str,
        target: &str,
        locked: impl FnOnce(i64) -> AppError,
    ) -> Result<()> {
        let since = self.now() - self.lockout_window;
        let recent = self.store.count_audit_since(failure, target, since).await?;
        if recent >= self.lockout_failures {
            Err(locked(self.lockout_window.num_minutes()))
        } else {
            Ok(())
        }
    }

    /// Before a public lookup by a number and a check code: refused for a while once the
    /// number has had too many wrong codes, like sign-ins.
    pub(crate) async fn guard_lookup(&self, failure: &str, target: &str) -> Result<()> {
        self.check_attempts(failure, target, |minutes| AppError::TooManyLookups {
            minutes,
        })
        .await
    }

    /// A lookup that found nothing: audited as `failure` on `target`, answered with `error`
    /// (the same for a wrong code and a number that does not exist).
    pub(crate) async fn refuse_lookup(
        &self,
        failure: &str,
        target: String,
        error: AppError,
    ) -> Result<AppError> {
        self.store
            .audit(&AuditEntry {
                at: self.now(),
                actor_id: None,
                action: failure.to_owned(),
                target,
                detail: String::new(),
            })
            .await?;
        Ok(error)
    }

    /// The session a bearer token stands for.
    pub async fn authenticate(&self, token: &str) -> Result<Session> {
        let staff = self
            .store
            .staff_for_token(&token_hash(token), self.now().timestamp_millis())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        // Only a unit administrator's scope reaches below their own unit.
        let subtree = if staff.roles.contains(&Role::UnitAdmin) {
            self.store.unit_subtree(staff.unit_id).await?
        } else {
            vec![staff.unit_id]
        };
        let visibility = staff.actor().visibility(subtree);
        Ok(Session { staff, visibility })
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        self.store.revoke_token(&token_hash(token)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("正确的密码 correct").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("正确的密码 correct", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }
}
