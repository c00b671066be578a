ALTER TABLE public."OrderItems" ADD UNIQUE ("Sku", "Qty");
