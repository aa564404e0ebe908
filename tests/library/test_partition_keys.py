"""Partition keys name a file and keep the document's identity: the UI's search finds a
partition by its file name, the same bytes under another name keep their key, and two
documents a key could not tell apart get none."""
import hashlib

import dagster as dg

from orchestration.partition_keys import HASH_CHARS, document_keys, documents_of, key_hash, partition_key


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_key_names_the_file_and_dagster_accepts_it():
    awkward = "2023/聊城市,教育局 [修订]....pdf\n"
    keys = [partition_key(sha("a"), ["2023/聊城市教育局.pdf", "z.pdf"]), partition_key(sha("b"), [awkward])]
    assert keys[0] == f"2023/聊城市教育局.pdf~{sha('a')[:HASH_CHARS]}"
    assert not any(bad in keys[1] for bad in ("...", ",", "[", "]", "\n"))
    assert "聊城市" in keys[1] and key_hash(keys[1]) == sha("b")[:HASH_CHARS]
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("documents", keys)  # Dagster checks the keys here
    assert instance.get_dynamic_partitions("documents") == keys


def test_known_documents_keep_their_key_under_any_name():
    a, b = sha("a"), sha("b")
    first = document_keys([], {a: ["r1.txt"]})
    again = document_keys(first.values(), {a: ["copy.txt"], b: ["r2.txt"]})
    assert again == {a: first[a], b: partition_key(b, ["r2.txt"])}
    assert document_keys([b], {b: ["r2.txt"]}) == {b: b}  # a key made before names were added


def test_keys_resolve_to_documents_and_clashes_are_never_guessed():
    a, b = sha("a"), sha("b")
    twin = a[:HASH_CHARS] + "f" * (64 - HASH_CHARS)
    assert documents_of([partition_key(a, ["x"]), b, "gone~0123456789abcdef"], [a, b]) == {
        partition_key(a, ["x"]): a, b: b, "gone~0123456789abcdef": None}
    assert document_keys([], {a: ["x"], twin: ["y"], b: ["z"]}) == {b: partition_key(b, ["z"])}
    assert documents_of([partition_key(a, ["x"])], [a, twin]) == {partition_key(a, ["x"]): None}
