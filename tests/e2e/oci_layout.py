"""Writing OCI image layouts by hand, for tests that need images the recipes do not make."""
import hashlib
import os


def write_blob(layout, data):
    """Stores `data` content-addressed in the layout; its descriptor's digest and size."""
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "blobs", "sha256", digest[7:]), "wb") as f:
        f.write(data)
    return {"digest": digest, "size": len(data)}
