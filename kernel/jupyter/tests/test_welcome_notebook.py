"""The notebook `npm start` opens (notebooks/welcome.ipynb), executed headless through nbclient on the
SEED kernel with the bundled seed-nano model, exactly as saved: every cell runs, and the SEED outputs
carry the MIME payload with its fallbacks."""

import unittest

import nbformat
from nbclient import NotebookClient

from seed_kernelspec import BUNDLED_KERNEL_NAME, REPO, install_seed_kernelspec
from seed_notebooks import assert_no_cell_failed, seed_payloads, source_of

install_seed_kernelspec()

NOTEBOOKS = REPO / "notebooks"


class WelcomeNotebook(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.notebook = nbformat.read(NOTEBOOKS / "welcome.ipynb", as_version=4)
        cls.saved_kernel = cls.notebook.metadata.kernelspec.name
        client = NotebookClient(
            cls.notebook,
            timeout=300,
            kernel_name=BUNDLED_KERNEL_NAME,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        client.execute()

    def test_it_opens_on_the_seed_kernel(self):
        self.assertEqual(self.saved_kernel, "seed")

    def test_is_saved_without_outputs(self):
        saved = nbformat.read(NOTEBOOKS / "welcome.ipynb", as_version=4)
        for cell in saved.cells:
            if cell.cell_type == "code":
                self.assertEqual(cell.outputs, [], f"{source_of(cell)!r} was committed with outputs")

    def test_every_cell_runs(self):
        assert_no_cell_failed(self, self.notebook)

    def test_runs_on_the_bundled_model(self):
        text = "".join(
            output.get("data", {}).get("text/plain", "")
            for cell in self.notebook.cells
            if source_of(cell) == "%seed model info"
            for output in cell.outputs
        )
        self.assertIn("seed-nano", text)

    def test_seed_outputs_carry_the_payload_and_fallbacks(self):
        kinds = [payload["kind"] for cell in self.notebook.cells for payload in seed_payloads(self, cell.get("outputs", []))]
        # encode crab, decode crab, the spliced decode, recon, and the six examples of the glob
        self.assertGreaterEqual(kinds.count("encoding"), 7)
        self.assertGreaterEqual(len(kinds), 10)


if __name__ == "__main__":
    unittest.main()
