"""What the notebook tests share: the SEED MIME type, its schema, and reading cells and their outputs."""

import json

import jsonschema

from seed_kernelspec import REPO

SEED_MIME = "application/vnd.seed.v1+json"
SEED_MIME_SCHEMA = json.loads((REPO / "kernel" / "protocol" / "seed-mime.schema.json").read_text())


def source_of(cell):
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def seed_payloads(test, outputs):
    """The SEED payloads among `outputs`, each checked against the schema and for its fallbacks."""
    found = []
    for output in outputs:
        data = output.get("data", {})
        if SEED_MIME in data:
            test.assertIn("image/png", data)
            test.assertIn("text/plain", data)
            jsonschema.validate(data[SEED_MIME], SEED_MIME_SCHEMA)
            found.append(data[SEED_MIME])
    return found


def assert_no_cell_failed(test, notebook):
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            test.assertNotEqual(output.output_type, "error", f"{source_of(cell)!r} failed: {output.get('evalue')}")
