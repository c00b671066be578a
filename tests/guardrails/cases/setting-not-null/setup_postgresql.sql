CREATE TABLE "OrderItems" ("Qty" integer, "Sku" text);
