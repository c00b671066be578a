SET lock_timeout = '2s';
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'payments_invoice_fk') THEN
        ALTER TABLE payments ADD CONSTRAINT payments_invoice_fk -- expect: constraint-missing-not-valid
            FOREIGN KEY (invoice_id) REFERENCES invoices (id);
    END IF;
END
$$;
