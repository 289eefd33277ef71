"""The `seed` comm target: requests and replies as kernel/protocol/seed-comm.schema.json
describes them, comm_info, a decode with progress, and cancelling a decode that is queued
behind a running cell (comm requests wait for the cell; the cancel does not)."""

import base64
import json
import time
import unittest

import jsonschema

from seed_kernelspec import FIXTURES, REPO, install_seed_kernelspec

install_seed_kernelspec()

from kernel_client import SeedKernelSession  # noqa: E402  (needs the kernelspec first)

PROTOCOL = REPO / "kernel" / "protocol"
MIME_SCHEMA = json.loads((PROTOCOL / "seed-mime.schema.json").read_text())
COMM_SCHEMA = json.loads((PROTOCOL / "seed-comm.schema.json").read_text())
RESOLVER = jsonschema.RefResolver(
    base_uri=COMM_SCHEMA["$id"], referrer=COMM_SCHEMA, store={MIME_SCHEMA["$id"]: MIME_SCHEMA}
)


def validate(data):
    jsonschema.Draft7Validator(COMM_SCHEMA, resolver=RESOLVER).validate(data)


class SeedComm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kernel = SeedKernelSession(cwd=str(FIXTURES))
        cls.comm_id = "seed-comm-test"
        msg_id = cls.kernel.shell_request("comm_open", {"comm_id": cls.comm_id, "target_name": "seed", "data": {}})
        cls.kernel.outputs(msg_id)

    @classmethod
    def tearDownClass(cls):
        cls.kernel.close()

    def request(self, data):
        validate(data)
        return self.kernel.shell_request("comm_msg", {"comm_id": self.comm_id, "data": data})

    def replies(self, msg_id):
        found = [m["content"]["data"] for m in self.kernel.outputs(msg_id) if m["msg_type"] == "comm_msg"]
        for data in found:
            validate(data)
        return found

    def test_comm_info_lists_the_open_comm(self):
        reply = self.kernel.wait_for_reply(self.kernel.kc.comm_info(target_name="seed"))
        self.assertEqual(reply["content"]["comms"][self.comm_id], {"target_name": "seed"})
        other = self.kernel.wait_for_reply(self.kernel.kc.comm_info(target_name="jupyter.widget"))
        self.assertEqual(other["content"]["comms"], {})

    def test_configure_and_info(self):
        [configured] = self.replies(self.request({"type": "configure", "id": "c1", "settings": {"topK": 2, "previewEvery": 1}}))
        self.assertEqual(configured, {"type": "configured", "id": "c1"})
        self.replies(self.request({"type": "encode", "id": "load", "image": {"path": "tiny-image.png"}}))
        [info] = self.replies(self.request({"type": "info", "id": "i1"}))
        self.assertEqual(info["model"]["id"], "tiny-model")
        self.assertEqual(info["executionProvider"]["name"], "cpu")

    def test_encode_bytes_then_decode_with_progress(self):
        png = (FIXTURES / "tiny-image.png").read_bytes()
        [encoded] = self.replies(self.request({"type": "encode", "id": "e1", "image": {"base64": base64.b64encode(png).decode()}}))
        self.assertEqual(encoded["type"], "encoded")
        codes = encoded["payload"]["codes"]
        replies = self.replies(self.request({"type": "decode", "id": "d1", "codes": codes, "params": {"steps": 3, "seed": 1}}))
        self.assertEqual([r["type"] for r in replies if r["type"] == "progress"][:1], ["progress"])
        self.assertEqual(replies[-1]["type"], "decoded")
        self.assertEqual(replies[-1]["params"]["seed"], 1)

    def test_decode_reports_the_steps_that_ran(self):
        # 7 of 1000 training steps: CompVis's schedule runs every 142nd step, 8 in all.
        replies = self.replies(self.request({"type": "decode", "id": "d7", "codes": [3] * 32, "params": {"steps": 7}}))
        self.assertEqual({r["total"] for r in replies if r["type"] == "progress"}, {8})
        decoded = replies[-1]
        self.assertEqual(decoded["type"], "decoded")
        jsonschema.validate(decoded["params"], MIME_SCHEMA["definitions"]["params"])
        self.assertEqual((decoded["params"]["steps"], decoded["params"]["stepsAsked"]), (8, 7))
        self.assertTrue(decoded["params"]["stepsNote"].startswith("8 steps ran (7 asked): "), decoded["params"])

    def test_huge_guidance_is_refused_with_its_bound(self):
        # The schema forbids it; a client that sends it anyway gets the runtime's error, not a black image.
        request = {"type": "decode", "id": "g", "codes": [3] * 32, "params": {"guidance": 1e308}}
        with self.assertRaises(jsonschema.ValidationError):
            validate(request)
        [error] = self.replies(self.kernel.shell_request("comm_msg", {"comm_id": self.comm_id, "data": request}))
        self.assertEqual(error["type"], "error")
        self.assertIn("guidance must be a number from 0 to 100", error["message"])

    def test_magic_encodes_a_file_url(self):
        url = (FIXTURES / "tiny-image.png").as_uri()
        reply, outputs = self.kernel.run(f"%seed encode {url} --top-k 2")
        self.assertEqual(reply["status"], "ok", reply.get("evalue"))
        [result] = [m for m in outputs if m["msg_type"] == "execute_result"]
        payload = result["content"]["data"]["application/vnd.seed.v1+json"]
        jsonschema.validate(payload, MIME_SCHEMA)
        self.assertEqual(payload["lineage"]["sourceFile"], url)
        self.assertEqual(payload["label"], "tiny-image.png")

    def test_errors_are_replies(self):
        [error] = self.replies(self.request({"type": "decode", "id": "bad", "codes": [1, 2, 3], "params": {}}))
        self.assertEqual(error["type"], "error")
        self.assertIn("32 codes", error["message"])

    def test_cancel_a_running_decode(self):
        decode = self.request({"type": "decode", "id": "long", "codes": [1] * 32, "params": {"steps": 500}})
        replies = []
        while not replies or replies[-1]["type"] != "progress":
            msg = self.kernel.kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") == decode and msg["msg_type"] == "comm_msg":
                replies.append(msg["content"]["data"])
        self.request({"type": "cancel", "id": "x2", "target": "long"})
        replies += self.replies(decode)
        self.assertEqual(replies[-1], {"type": "cancelled", "id": "long"})
        self.assertLess(replies[-2]["step"], 500)

    def test_a_decode_asked_for_while_a_cell_runs_waits_and_then_runs(self):
        cell = self.kernel.kc.execute("await new Promise((resolve) => setTimeout(resolve, 1000)); 'cell done'")
        time.sleep(0.3)
        decode = self.request({"type": "decode", "id": "waits", "codes": [2] * 32, "params": {"steps": 2}})
        seen = []  # (request, message type, execution state) in iopub order
        while not (seen and seen[-1] == ("decode", "status", "idle")):
            msg = self.kernel.kc.get_iopub_msg(timeout=60)
            parent = {cell: "cell", decode: "decode"}.get(msg["parent_header"].get("msg_id"))
            if parent:
                seen.append((parent, msg["msg_type"], msg["content"].get("execution_state")))
                if parent == "decode" and msg["msg_type"] == "comm_msg":
                    validate(msg["content"]["data"])
                    last = msg["content"]["data"]
        self.assertEqual(last["type"], "decoded")
        cell_done = seen.index(("cell", "status", "idle"))
        first_decode = next(i for i, entry in enumerate(seen) if entry[0] == "decode")
        self.assertLess(cell_done, first_decode)
        self.assertEqual(self.kernel.wait_for_reply(cell)["content"]["status"], "ok")

    def test_cancel_a_decode_queued_behind_a_cell(self):
        cell = self.kernel.kc.execute("await new Promise((resolve) => setTimeout(resolve, 1500)); 'cell done'")
        time.sleep(0.3)
        decode = self.request({"type": "decode", "id": "queued", "codes": [1] * 32, "params": {"steps": 2}})
        self.request({"type": "cancel", "id": "x1", "target": "queued"})
        self.assertEqual(self.kernel.wait_for_reply(cell)["content"]["status"], "ok")
        self.assertEqual(self.replies(decode), [{"type": "cancelled", "id": "queued"}])
