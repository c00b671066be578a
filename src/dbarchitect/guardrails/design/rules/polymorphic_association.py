"""polymorphic-association: an ``x_type`` + ``x_id`` pair has no referential integrity.

Problem: a "polymorphic" reference (``commentable_type`` naming a table, ``commentable_id`` a row in
it) cannot carry a foreign key: the database never checks that the row exists, deleting the target
leaves orphans, and every join needs a ``CASE`` on the type. It is the shape ORMs generate, not a
relational design.

Bad::

    CREATE TABLE comments (id bigint PRIMARY KEY, commentable_type text NOT NULL,
                           commentable_id bigint NOT NULL, body text);

Good (one nullable foreign key per target, exactly one set)::

    CREATE TABLE comments (id bigint PRIMARY KEY,
                           post_id bigint REFERENCES posts (id),
                           photo_id bigint REFERENCES photos (id),
                           body text,
                           CHECK ((post_id IS NULL) <> (photo_id IS NULL)));

Alternatives: a shared parent table (``commentables``) each target references, or one comment
table per target.

Fix: replace the pair with real foreign keys.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule, words
from dbarchitect.guardrails.rule import Level


class PolymorphicAssociation(DesignRule):
    id = "polymorphic-association"
    category = Category.INTEGRITY
    summary = "An x_type + x_id column pair references rows no foreign key checks."
    level = Level.WARNING

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        for table in context.catalog.tables:
            fk_columns = {c.key for fk in table.foreign_keys for c in fk.columns}
            by_words = {"_".join(words(c.name)): c for c in table.columns}
            for joined, column in by_words.items():
                if not joined.endswith("_type") or not column.type.is_string:
                    continue
                stem = joined[: -len("_type")]
                partner = by_words.get(f"{stem}_id")
                if partner is None or partner.name.key in fk_columns:
                    continue
                yield DesignDraft(
                    f"`{table.name}` ({column.name}, {partner.name}) is a polymorphic association: "
                    f"`{partner.name}` points into whichever table `{column.name}` names, so no foreign "
                    "key checks it - rows can reference nothing, and deleting a target leaves orphans.",
                    hint="use one nullable foreign key per target table with a CHECK that exactly one is "
                    "set, or a shared parent table every target references",
                    table=table.name.value,
                    column=partner.name.value,
                )
