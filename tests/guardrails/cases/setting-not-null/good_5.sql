-- Several checks added and validated in one statement each, then both columns set NOT NULL.
SET lock_timeout = '2s';
ALTER TABLE public.orders
    ADD CONSTRAINT "Region_NN" CHECK ("region" IS NOT NULL) NOT VALID,
    ADD CONSTRAINT number_nn CHECK (number IS NOT NULL) NOT VALID;
ALTER TABLE public.orders VALIDATE CONSTRAINT "Region_NN", VALIDATE CONSTRAINT number_nn;
ALTER TABLE public.orders ALTER COLUMN region SET NOT NULL, ALTER COLUMN number SET NOT NULL;
