"""The SQLite store's value format, for tests that read or edit state.db behind a stopped server: values
of 256-1024 bytes are stored deflated (raw deflate with a fixed dictionary, the inflated length in the
row's `packed` column; Sources/EdgeStore/StoredValueCodec.swift), others as they are."""
import os
import zlib

CODEC = os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "EdgeStore", "StoredValueCodec.swift")


def dictionary():
    """The codec's dictionary, read from its Swift string literal (line continuations joined, \\\\ unescaped)."""
    text = open(CODEC).read()
    body = text.split('static let dictionary: [UInt8] = Array(("""\n', 1)[1].split('        """).utf8)', 1)[0]
    s = "".join(line[8:] if line.startswith("        ") else line for line in body.splitlines(keepends=True))
    # The literal's last line break is not part of it (Swift multi-line strings).
    return s[:-1].replace("\\\n", "").replace("\\\\", "\\").encode()


def newest(db, key):
    """(id, value) of the newest row of `key`, the value as the server reads it."""
    row = db.execute("SELECT id, value, packed FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1", (key,)).fetchone()
    if not row:
        return None
    rid, value, packed = row
    if packed is not None:
        d = zlib.decompressobj(-15, zdict=dictionary())
        value = d.decompress(value) + d.flush()
        assert len(value) == packed, f"row {rid} inflates to {len(value)} bytes, not {packed}"
    return rid, value


def replace(db, rid, value):
    """Stores `value` as it is in row `rid` (the server reads unpacked rows too)."""
    db.execute("UPDATE kv SET value = ?, packed = NULL WHERE id = ?", (value, rid))
