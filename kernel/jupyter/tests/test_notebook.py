"""A notebook using every %seed magic, executed headless through nbclient on the SEED kernel.

Its saved outputs must carry the SEED MIME payload (valid against seed-mime.schema.json) with the
image/png and text/plain fallbacks, and the progress display must have been updated in place.
"""

import base64
import io
import struct
import unittest

import nbformat
from nbclient import NotebookClient
from PIL import Image

from seed_kernelspec import FIXTURES, REPO, install_seed_kernelspec
from seed_notebooks import SEED_MIME, assert_no_cell_failed, seed_payloads, source_of

install_seed_kernelspec()

NOTEBOOK = REPO / "kernel" / "jupyter" / "tests" / "magics.ipynb"


class MagicsNotebook(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.notebook = nbformat.read(NOTEBOOK, as_version=4)
        client = NotebookClient(
            cls.notebook, timeout=120, kernel_name="seed", resources={"metadata": {"path": str(FIXTURES)}}
        )
        client.execute()
        # What a user would save: it must still be a valid notebook.
        nbformat.validate(cls.notebook)
        cls.cells = {source_of(cell).splitlines()[0]: cell for cell in cls.notebook.cells if cell.cell_type == "code"}

    def outputs(self, first_line):
        return self.cells[first_line].outputs

    def seed_payloads(self, first_line):
        return seed_payloads(self, self.outputs(first_line))

    def text(self, first_line):
        return "\n".join(
            output.get("data", {}).get("text/plain", output.get("text", "")) for output in self.outputs(first_line)
        )

    def test_no_cell_failed(self):
        assert_no_cell_failed(self, self.notebook)

    def test_help_lists_every_magic(self):
        text = self.text("%seed help")
        for magic in ("encode", "decode", "recon", "tokenize", "model", "device", "help"):
            self.assertIn(f"%seed {magic}", text)
        # Readable in a notebook as text, and a table where HTML renders.
        self.assertLessEqual(max(len(line) for line in text.splitlines()), 80, text)
        [html] = [o.data["text/html"] for o in self.outputs("%seed help") if "text/html" in o.get("data", {})]
        # A header row, then one row per magic.
        self.assertEqual(html.count("<tr>"), 8)
        self.assertIn("<code>%seed decode &#60;codes|NAME&#62;", html)

    def test_model_and_device(self):
        self.assertIn("tiny-model", self.text("%seed model list"))
        self.assertIn("Now using", self.text("%seed model use tiny-model"))
        self.assertIn("manifest sha256", self.text("%seed model info"))
        self.assertIn("Execution provider: cpu", self.text("%seed device"))
        self.assertIn("Threads: 1 per session (set by %seed device --threads 1)", self.text("%seed device --threads 1"))

    def test_encode_binds_a_typed_variable(self):
        [payload] = self.seed_payloads("%seed encode tiny-image.png --top-k 3 --as cat")
        self.assertEqual(payload["kind"], "encoding")
        self.assertEqual(payload["label"], "cat")
        self.assertEqual(len(payload["codes"]), 32)
        self.assertTrue(all(len(candidates) == 3 for candidates in payload["topK"]))
        self.assertEqual([c[0]["code"] for c in payload["topK"]], payload["codes"])
        self.assertIn("source", payload)
        self.assertEqual(self.text("// --as made `cat` a typed variable of this notebook"), "32")

    def test_decode_a_variable_with_options(self):
        [payload] = self.seed_payloads("%seed decode cat --steps 3 --sampler ddim --seed 7 --guidance 3 --as again")
        self.assertEqual(payload["kind"], "reconstruction")
        self.assertEqual(payload["params"], {"sampler": "ddim", "steps": 3, "guidance": 3, "seed": 7})
        self.assertEqual(payload["lineage"]["variable"], "again")

    def test_decode_reports_the_steps_that_ran(self):
        # 300 of 1000 training steps: CompVis's schedule runs every 3rd step (333), once black from reading past it.
        first = "%seed decode cat --steps 300"
        [payload] = self.seed_payloads(first)
        params = payload["params"]
        self.assertEqual((params["steps"], params["stepsAsked"]), (333, 300))
        self.assertTrue(params["stepsNote"].startswith("333 steps ran (300 asked): the uniform schedule"), params)
        [result] = [o for o in self.outputs(first) if "data" in o and SEED_MIME in o.data]
        self.assertIn("333 steps", result.data["text/plain"])
        self.assertIn(params["stepsNote"], result.data["text/plain"])
        [progress] = [o for o in self.outputs(first) if o.output_type == "display_data" and SEED_MIME not in o.data]
        self.assertRegex(progress.data["text/plain"], r"^Decoded cat: 333 steps in [\d.]+ s\n333 steps ran \(300 asked\)")
        image = Image.open(io.BytesIO(base64.b64decode(payload["image"]["png"])))
        self.assertNotEqual(image.convert("L").getextrema(), (0, 0), "the decoded image is all black")

    def test_decode_cell_magic_and_progress(self):
        first = "%%seed decode --steps 2 --sampler euler"
        [payload] = self.seed_payloads(first)
        self.assertEqual(payload["params"]["sampler"], "euler")
        self.assertEqual(payload["codes"][:3], [52, 23, 35])
        # nbclient applies update_display_data to the saved output: one progress output, in its final state.
        progress = [o for o in self.outputs(first) if o.output_type == "display_data"]
        self.assertEqual(len(progress), 1)
        self.assertIn("Decoded", progress[0].data["text/plain"])

    def test_recon_and_glob(self):
        [payload] = self.seed_payloads("%seed recon tiny-image.png --steps 2 --size 32x32")
        self.assertEqual(payload["kind"], "recon")
        self.assertEqual((payload["image"]["width"], payload["image"]["height"]), (32, 32))
        # The image/png fallback shows source and reconstruction side by side: wider than tall.
        [output] = [o for o in self.outputs("%seed recon tiny-image.png --steps 2 --size 32x32") if "data" in o and SEED_MIME in o.data]
        png = base64.b64decode(output.data["image/png"])
        width, height = struct.unpack(">II", png[16:24])
        self.assertEqual(height, 32)
        self.assertGreater(width, 64)
        self.assertIn("source", payload)
        self.assertGreaterEqual(len(self.seed_payloads("%seed encode *.png")), 1)

    def test_typed_api_in_cells(self):
        [payload] = self.seed_payloads("const t = await seed.encode('tiny-image.png');")
        self.assertEqual(payload["params"]["sampler"], "dpmpp")
