"""Partition keys of the `documents` partitions: a file name the operator can search for, and
the content hash that makes the partition one document.

A key is `<name it arrived under>~<first 16 hex digits of its sha256>`, e.g.
`2023/聊城市教育局.pdf~3fa2c1d9e5b04a17`. The Dagster UI's partition search finds it by any
part of the name; the hash keeps identity with the content, as the parse store does: the same
bytes under a second name, or renamed, keep the key they were first given (the instance's
partition list is the one record of keys: callers pass it in). Keys made before names were
added (a bare sha256) still resolve.

No Dagster import here: the CLI uses it too.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

SEP = "~"
HASH_CHARS = 16  # 64 bits: a clash among a million documents has odds of about 1 in 30 million
MAX_NAME = 120  # characters of the name kept (its end: the file name beats the folders)
# what Dagster refuses in a key ("...", control characters) or its partition selector reads as
# syntax (ranges "[a...b]", lists "a, b"), and our separator
_NOT_IN_KEYS = re.compile(r"\.{3,}|[\x00-\x1f\x7f,\[\]~]")


def partition_key(sha: str, names: list[str]) -> str:
    """A new document's key: the first of its names (sorted, so the same files give the same
    key) and its hash prefix; the bare sha256 when it has no name."""
    if not names:
        return sha
    return f"{_NOT_IN_KEYS.sub('_', min(names))[-MAX_NAME:]}{SEP}{sha[:HASH_CHARS]}"


def key_hash(key: str) -> str:
    """The hash prefix a key holds (also of a bare-sha256 key)."""
    return key.rsplit(SEP, 1)[-1][:HASH_CHARS]


def clashing(shas: Iterable[str]) -> set[str]:
    """The documents whose sha256 shares its first HASH_CHARS digits with another's: a key
    could not tell them apart, so they get none (the caller reports them; never a guess)."""
    shas = set(shas)
    twice = {p for p, n in Counter(s[:HASH_CHARS] for s in shas).items() if n > 1}
    return {s for s in shas if s[:HASH_CHARS] in twice}


def document_keys(known: Iterable[str], names: dict[str, list[str]]) -> dict[str, str]:
    """sha256 → partition key for these documents (sha256 → names): the key the instance
    already has for a document's hash, else a new one; clashing documents left out."""
    have, clash = {key_hash(k): k for k in known}, clashing(names)
    return {sha: have.get(sha[:HASH_CHARS]) or partition_key(sha, ns) for sha, ns in names.items() if sha not in clash}


def documents_of(keys: Iterable[str], shas: Iterable[str]) -> dict[str, str | None]:
    """partition key → the sha256 among `shas` (e.g. the landing index's) it names; None when
    no document, or more than one, has its hash prefix."""
    shas = set(shas)
    by_prefix = {s[:HASH_CHARS]: s for s in shas - clashing(shas)}
    return {k: by_prefix.get(key_hash(k)) for k in keys}
