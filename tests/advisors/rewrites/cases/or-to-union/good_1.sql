-- an OR over one column is an IN list
SELECT id FROM orders WHERE status = 'paid' OR status = 'packed'
