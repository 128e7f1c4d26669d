"""Dashboard accounts: a TOML users file with bcrypt-hashed passwords, managed by
`python -m accounts add|disable|enable|list` (see README, "Access control")."""

from accounts.store import ROLES, Account, hash_password, load_users, save_users, verify_password

__all__ = ["ROLES", "Account", "hash_password", "load_users", "save_users", "verify_password"]
