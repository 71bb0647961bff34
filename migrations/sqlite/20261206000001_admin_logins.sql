-- The admin's login has its own word: "session" is a training session (docs/ARCHITECTURE.md).
ALTER TABLE admin_sessions RENAME TO admin_logins;
