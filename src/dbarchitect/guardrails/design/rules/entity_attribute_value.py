"""entity-attribute-value: a table of (entity, attribute, value) rows hides the schema.

Problem: an EAV table stores each attribute of an entity as a row: types are lost (every value is
text), NOT NULL, CHECK and foreign keys cannot apply per attribute, reading one entity takes one row
per attribute and a pivot, and the planner cannot estimate filters on "attribute = 'color' AND value
= 'red'". The rule flags tables with an attribute-name column (``attribute``, ``attr``, ``key``,
``property``, ``field``...), a value column (``value``, ``val``...) and an ``*_id`` column naming the
entity.

Bad::

    CREATE TABLE product_attributes (product_id bigint NOT NULL, attribute text NOT NULL,
                                     value text, PRIMARY KEY (product_id, attribute));

Good (attributes as columns; open-ended ones in a typed JSON document)::

    CREATE TABLE products (id bigint PRIMARY KEY, color text, weight_g integer, extra jsonb);

Fix: make known attributes columns with their types and constraints; keep a JSON column for the
truly open-ended rest (it can be indexed and validated).
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule, words
from dbarchitect.guardrails.rule import Level

ATTRIBUTE_NAMES = frozenset(
    {
        "attribute",
        "attr",
        "key",
        "property",
        "field",
        "attribute_name",
        "attr_name",
        "property_name",
        "field_name",
        "key_name",
        "attribute_id",
        "attr_id",
        "property_id",
        "field_id",
        "attribute_key",
    }
)
VALUE_NAMES = frozenset(
    {
        "value",
        "val",
        "attribute_value",
        "attr_value",
        "property_value",
        "field_value",
        "value_text",
        "string_value",
        "text_value",
    }
)


class EntityAttributeValue(DesignRule):
    id = "entity-attribute-value"
    category = Category.INTEGRITY
    summary = "A table shaped (entity_id, attribute, value) stores a schema as rows."
    level = Level.WARNING

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        for table in context.catalog.tables:
            names = {"_".join(words(c.name)): c for c in table.columns}
            attribute = next((names[n] for n in names if n in ATTRIBUTE_NAMES), None)
            value = next((names[n] for n in names if n in VALUE_NAMES), None)
            entity = next(
                (c for n, c in names.items() if n.endswith("_id") and n not in ATTRIBUTE_NAMES), None
            )
            if attribute is None or value is None or entity is None:
                continue
            yield DesignDraft(
                f"`{table.name}` ({entity.name}, {attribute.name}, {value.name}) is an "
                "entity-attribute-value table: values lose their types and constraints, reading one "
                f"entity takes one row per attribute, and filters on `{attribute.name}`/`{value.name}` "
                "cannot be estimated.",
                hint="make known attributes typed columns of the entity's table, and keep a JSON "
                "column for the open-ended rest",
                table=table.name.value,
            )
