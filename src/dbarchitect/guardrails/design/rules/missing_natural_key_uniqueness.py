"""missing-natural-key-uniqueness: a natural identifier needs a unique constraint.

Problem: a column that identifies a row in the real world (an ``email`` of an account, a product's
``sku``, a ``slug`` in a URL, a ``code``) is looked up as if it were unique; without a unique
constraint two rows get the same value under concurrent inserts, and "find by email" returns two
accounts. A surrogate primary key does not protect the natural one.

The rule looks at columns whose whole name is a natural identifier (``email``, ``sku``, ``slug``,
``code``, ``username``, ``isbn``, ``ean``, ``upc``, ``iban``, ``email_address``) and that are not
foreign keys; a composite unique key that includes the column (``UNIQUE (tenant_id, email)``)
counts.

Bad::

    CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);

Good::

    CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);

Fix: add a unique constraint (per tenant when the value is unique per tenant).
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import (
    Category,
    DesignContext,
    DesignDraft,
    DesignRule,
    unique_keys,
    words,
)
from dbarchitect.guardrails.rule import Level

NATURAL_KEYS = frozenset(
    {"email", "sku", "slug", "code", "username", "isbn", "ean", "upc", "iban", "email_address"}
)


class MissingNaturalKeyUniqueness(DesignRule):
    id = "missing-natural-key-uniqueness"
    category = Category.INTEGRITY
    summary = "A natural identifier (email, sku, slug, code) has no unique constraint."
    level = Level.WARNING

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        q = context.traits.quote
        for table in context.catalog.tables:
            keyed = {c.key for key in unique_keys(table) for c in key}
            fk_columns = {c.key for fk in table.foreign_keys for c in fk.columns}
            for column in table.columns:
                if "_".join(words(column.name)) not in NATURAL_KEYS:
                    continue
                if column.name.key in keyed or column.name.key in fk_columns:
                    continue
                yield DesignDraft(
                    f"`{table.name}.{column.name}` is a natural identifier but nothing keeps it unique: "
                    "concurrent inserts can store the same value twice, and lookups by it return "
                    "several rows.",
                    hint=f"ALTER TABLE {q(table.name)} ADD UNIQUE ({q(column.name)}) - or UNIQUE "
                    "(tenant_id, ...) when it is unique per tenant",
                    table=table.name.value,
                    column=column.name.value,
                )
