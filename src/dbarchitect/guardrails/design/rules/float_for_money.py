"""float-for-money: money is an exact decimal, never a binary float.

Problem: ``real``/``double precision``/``float`` store binary fractions: 0.1 + 0.2 is not 0.3, sums
of many prices drift by cents, and equality comparisons fail. A column whose name says it holds
money (price, amount, total, cost, balance, fee...) must be an exact decimal with the currency's
scale, or an integer count of the smallest unit (cents).

Bad::

    CREATE TABLE orders (id bigint PRIMARY KEY, total double precision NOT NULL);

Good::

    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2) NOT NULL);

Fix: declare the column ``numeric(p,2)`` (``decimal`` on MySQL/MariaDB), or bigint cents.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule, named_like
from dbarchitect.guardrails.rule import Level
from dbarchitect.model.types import LogicalType, TypeKind

MONEY_WORDS = frozenset(
    {"price", "amount", "total", "subtotal", "cost", "balance", "fee", "fees", "tax", "salary", "payment"}
)
_FLOATS = frozenset({TypeKind.REAL, TypeKind.DOUBLE})


class FloatForMoney(DesignRule):
    id = "float-for-money"
    category = Category.INTEGRITY
    summary = "A money column (price, amount, total, cost...) is a binary float; use an exact decimal."
    level = Level.ERROR

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        exact = context.traits.type_sql(LogicalType(TypeKind.DECIMAL, precision=12, scale=2))
        for table in context.catalog.tables:
            for column in table.columns:
                if column.type.kind not in _FLOATS:
                    continue
                word = named_like(column, MONEY_WORDS)
                if word is None:
                    continue
                yield DesignDraft(
                    f"`{table.name}.{column.name}` holds money ('{word}') as "
                    f"{context.traits.type_sql(column.type)}, a binary float: 0.1 + 0.2 != 0.3, sums "
                    "drift by cents and equality fails.",
                    hint=f"declare it {exact} (the currency's scale), or bigint in cents",
                    table=table.name.value,
                    column=column.name.value,
                )
