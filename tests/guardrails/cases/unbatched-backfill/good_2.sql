-- sizes: settings=12
UPDATE settings SET enabled = true;
