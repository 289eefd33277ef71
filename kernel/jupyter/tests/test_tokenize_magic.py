"""`%seed tokenize` and `seed.tokenize()` in the real SEED kernel (on the tiny test model): a progress
display updated in place, a summary, an interrupt that keeps finished shards, and a rerun that resumes."""

import json
import shutil
import tempfile
import time
import unittest
from pathlib import Path

from seed_kernelspec import FIXTURES, install_seed_kernelspec

install_seed_kernelspec()

from kernel_client import SeedKernelSession, text_of  # noqa: E402  (needs the kernelspec first)

IMAGES = 600


class TokenizeMagic(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="seed-tokenize-magic-"))
        images = cls.dir / "images"
        images.mkdir()
        source = FIXTURES / "tiny-image.png"
        for i in range(IMAGES):
            shutil.copy(source, images / f"im{i:04d}.png")
        cls.kernel = SeedKernelSession()

    @classmethod
    def tearDownClass(cls):
        cls.kernel.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.kernel.drain_iopub()

    def magic(self, out, extra=""):
        return f"%seed tokenize '{self.dir}/images/*.png' --out {self.dir / out} --shard-size 100 --batch-size 2{extra}"

    def test_progress_then_summary(self):
        reply, outputs = self.kernel.run(self.magic("all"), timeout=120)
        self.assertEqual(reply["status"], "ok", reply)
        displays = [m for m in outputs if m["msg_type"] in ("display_data", "update_display_data")]
        self.assertGreaterEqual(len(displays), 2)
        self.assertEqual(displays[0]["msg_type"], "display_data")
        display_id = displays[0]["content"]["transient"]["display_id"]
        self.assertTrue(all(m["content"]["transient"]["display_id"] == display_id for m in displays))
        # A few updates a second at most, however many images: the notebook is not flooded.
        self.assertLess(len(displays), 100)
        summary = text_of(outputs, "execute_result")
        self.assertRegex(summary, rf"6 shards written, 0 already done; {IMAGES} images, 0 errors")
        self.assertRegex(summary, r"Codes used: \d+ of 64")
        html = next(m for m in outputs if m["msg_type"] == "execute_result")["content"]["data"]["text/html"]
        self.assertIn("seed-tokenize-rows", html)

    def test_interrupt_keeps_finished_shards_and_a_rerun_resumes(self):
        out = self.dir / "interrupted"
        msg_id = self.kernel.kc.execute(self.magic("interrupted"))
        self.kernel.wait_until_busy(msg_id)
        deadline = time.monotonic() + 60
        while not list(out.glob("*.done.json")) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.kernel.control_request("interrupt_request")
        reply = self.kernel.wait_for_reply(msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        done = sorted(p.name for p in out.glob("*.done.json"))
        self.assertGreaterEqual(len(done), 1)
        self.assertLess(len(done), 6)
        # Every data file there belongs to a finished shard.
        for parquet in out.glob("*.parquet"):
            self.assertTrue((out / parquet.name.replace(".parquet", ".done.json")).exists(), parquet.name)
        self.kernel.drain_iopub()
        reply, outputs = self.kernel.run(self.magic("interrupted"), timeout=120)
        self.assertEqual(reply["status"], "ok", reply)
        self.assertRegex(text_of(outputs, "execute_result"), rf"{6 - len(done)} shards written, {len(done)} already done")

    def test_typescript_api_iterates_records(self):
        # The kernel's cells take top-level await but not top-level for-await, hence the async function.
        code = (
            "const count = async () => { let n = 0; "
            f"for await (const r of seed.tokenize({json.dumps(str(self.dir / 'images'))}, "
            f"{{ out: {json.dumps(str(self.dir / 'api'))}, shardSize: 250 }})) {{ n += r.tokens.startsWith('<img><img_') ? 1 : 0; }} "
            "return n; };\nconst images = await count();\nimages"
        )
        reply, outputs = self.kernel.run(code, timeout=120)
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(text_of(outputs, "execute_result"), str(IMAGES))


if __name__ == "__main__":
    unittest.main()
