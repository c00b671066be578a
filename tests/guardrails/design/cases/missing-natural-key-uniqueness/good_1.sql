CREATE TABLE tenants (id bigint PRIMARY KEY);
CREATE TABLE accounts (id bigint PRIMARY KEY, tenant_id bigint NOT NULL REFERENCES tenants (id), email text NOT NULL,
  UNIQUE (tenant_id, email));
CREATE TABLE products (id bigint PRIMARY KEY, sku varchar(40) NOT NULL);
CREATE UNIQUE INDEX products_sku ON products (sku);
