-- Sign-in lock-out counts recent failures per account: find them by target and time.
CREATE INDEX audit_log_target_at ON audit_log(target, at);
