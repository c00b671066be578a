"""clear-text-sensitive-data: personal or secret data stored without a stated protection.

Problem: columns holding personal data (email, phone, social security number, card number) or
secrets (password, token, API key, secret) leak with every backup, replica, log of a slow query and
analyst's export. A password must be hashed with a slow salted hash (argon2, bcrypt), a token stored
as its hash, a card number tokenized or encrypted, personal data encrypted or at least minimised
and access-controlled. The rule flags text columns named like such data unless the design states
a protection: the column's name says it (``password_hash``, ``token_digest``, ``ssn_encrypted``)
or its comment does (``encrypted``, ``hashed``, ``tokenized``, ``masked``, ``pseudonymized``).

Bad::

    CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, password text NOT NULL);

Good::

    CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, password_hash text NOT NULL);
    COMMENT ON COLUMN users.email IS 'encrypted at rest (pgcrypto), access via app role only';

Fix: hash secrets, encrypt or tokenize personal data, and say so in the column's comment.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import (
    Category,
    DesignContext,
    DesignDraft,
    DesignRule,
    comment_states_protection,
    words,
)
from dbarchitect.guardrails.rule import Level

#: Word sequences naming sensitive data, and what kind of data each is.
SENSITIVE: dict[tuple[str, ...], str] = {
    ("email",): "personal data",
    ("phone",): "personal data",
    ("mobile",): "personal data",
    ("ssn",): "personal data",
    ("social", "security"): "personal data",
    ("card", "number"): "card data",
    ("credit", "card"): "card data",
    ("cc", "number"): "card data",
    ("iban",): "personal data",
    ("password",): "a secret",
    ("passwd",): "a secret",
    ("token",): "a secret",
    ("secret",): "a secret",
    ("api", "key"): "a secret",
}
PROTECTED_NAMES = frozenset({"hash", "hashed", "digest", "encrypted", "enc", "cipher", "ciphertext", "token"})
PROTECTIONS = frozenset({"encrypt", "hashed", "hash", "tokeniz", "tokenis", "masked", "pseudonymi", "digest"})


def _sensitive(parts: tuple[str, ...]) -> str | None:
    for pattern, kind in SENSITIVE.items():
        n = len(pattern)
        if any(parts[i : i + n] == pattern for i in range(len(parts) - n + 1)):
            return kind
    return None


class ClearTextSensitiveData(DesignRule):
    id = "clear-text-sensitive-data"
    category = Category.SECURITY
    summary = (
        "A column of personal or secret data (email, phone, password, token...) has no stated protection."
    )
    level = Level.WARNING

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        for table in context.catalog.tables:
            for column in table.columns:
                if not column.type.is_string:
                    continue
                parts = words(column.name)
                kind = _sensitive(parts)
                if kind is None:
                    continue
                if any(parts[i : i + 2] == ("card", "token") for i in range(len(parts) - 1)):
                    continue  # a payment processor's token standing in for the card number
                # ``password_hash`` / ``ssn_encrypted`` state their protection; ``card_token`` is a token
                # standing in for a card number, but ``api_token`` is itself the secret.
                protection_words = set(parts) & PROTECTED_NAMES
                if kind == "a secret":
                    protection_words.discard("token")
                if protection_words or comment_states_protection(column, PROTECTIONS):
                    continue
                advice = (
                    "store a slow salted hash (argon2, bcrypt) - or the token's SHA-256 - never the value"
                    if kind == "a secret"
                    else "encrypt or tokenize it (or keep only what is needed), restrict who reads it, "
                    "and state the protection in the column's comment"
                )
                yield DesignDraft(
                    f"`{table.name}.{column.name}` holds {kind} in clear text with no stated protection: "
                    "it leaks with every backup, replica, log and export.",
                    hint=advice,
                    table=table.name.value,
                    column=column.name.value,
                )
