SET lock_timeout = '2s';
DO $do$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'payments_invoice_fk') THEN
        ALTER TABLE payments ADD CONSTRAINT payments_invoice_fk
            FOREIGN KEY (invoice_id) REFERENCES invoices (id) NOT VALID;
    END IF;
END
$do$ LANGUAGE plpgsql;
ALTER TABLE payments VALIDATE CONSTRAINT payments_invoice_fk;
