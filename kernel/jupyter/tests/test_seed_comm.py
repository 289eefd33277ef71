"""The `seed` comm target: requests and replies as kernel/protocol/seed-comm.schema.json
describes them, images as binary buffers, comm_info, a decode with progress, cancelling a decode
that is queued behind a running cell (comm requests wait for the cell; the cancel does not), and an
interrupt that stops the running decode and every queued one."""

import json
import time
import unittest

import jsonschema

from seed_kernelspec import FIXTURES, REPO, install_seed_kernelspec

install_seed_kernelspec()

from kernel_client import SeedKernelSession, text_of  # noqa: E402  (needs the kernelspec first)

PROTOCOL = REPO / "kernel" / "protocol"
MIME_SCHEMA = json.loads((PROTOCOL / "seed-mime.schema.json").read_text())
COMM_SCHEMA = json.loads((PROTOCOL / "seed-comm.schema.json").read_text())
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def validate(data):
    jsonschema.Draft7Validator(COMM_SCHEMA).validate(data)


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

    def reply_messages(self, msg_id):
        found = [m for m in self.kernel.outputs(msg_id) if m["msg_type"] == "comm_msg"]
        for msg in found:
            validate(msg["content"]["data"])
        return found

    def replies(self, msg_id):
        return [m["content"]["data"] for m in self.reply_messages(msg_id)]

    def test_comm_info_lists_the_open_comm(self):
        reply = self.kernel.wait_for_reply(self.kernel.kc.comm_info(target_name="seed"))
        self.assertEqual(reply["content"]["comms"][self.comm_id], {"target_name": "seed"})
        other = self.kernel.wait_for_reply(self.kernel.kc.comm_info(target_name="jupyter.widget"))
        self.assertEqual(other["content"]["comms"], {})

    def test_configure_and_info(self):
        [configured] = self.replies(self.request({"type": "configure", "id": "c1", "settings": {"topK": 2, "previewEvery": 1}}))
        self.assertEqual(configured["type"], "configured")
        self.assertEqual((configured["settings"]["topK"], configured["settings"]["previewEvery"]), (2, 1))
        reply, _ = self.kernel.run("%seed encode tiny-image.png")
        self.assertEqual(reply["status"], "ok", reply.get("evalue"))
        [info] = self.replies(self.request({"type": "info", "id": "i1"}))
        self.assertEqual(info["model"]["id"], "tiny-model")
        self.assertEqual(info["model"]["family"], "seed-v1")
        self.assertEqual(info["executionProvider"]["name"], "cpu")
        self.assertEqual(info["settings"]["topK"], 2)

    def test_decode_with_progress_sends_images_as_binary_buffers(self):
        self.replies(self.request({"type": "configure", "id": "c2", "settings": {"previewEvery": 1}}))
        reply, outputs = self.kernel.run("%seed encode tiny-image.png")
        [result] = [m for m in outputs if m["msg_type"] == "execute_result"]
        codes = result["content"]["data"]["application/vnd.seed.v1+json"]["codes"]
        messages = self.reply_messages(self.request({"type": "decode", "id": "d1", "codes": codes, "params": {"steps": 3, "seed": 1}}))
        progress = [m for m in messages if m["content"]["data"]["type"] == "progress"]
        self.assertGreaterEqual(len(progress), 3)
        for msg in progress:
            preview = msg["content"]["data"]["preview"]
            self.assertTrue(bytes(msg["buffers"][preview["buffer"]]).startswith(PNG_SIGNATURE))
        decoded = messages[-1]
        self.assertEqual(decoded["content"]["data"]["type"], "decoded")
        self.assertEqual(decoded["content"]["data"]["params"]["seed"], 1)
        image = decoded["content"]["data"]["image"]
        self.assertTrue(bytes(decoded["buffers"][image["buffer"]]).startswith(PNG_SIGNATURE))
        self.assertNotIn("png", json.dumps(decoded["content"]["data"]))

    def test_encode_is_not_a_comm_request(self):
        # Encodes run as cells (%seed encode), so their outputs land in the notebook; the comm does not offer them.
        msg_id = self.kernel.shell_request(
            "comm_msg", {"comm_id": self.comm_id, "data": {"type": "encode", "id": "e1", "image": {"path": "x.png"}}}
        )
        [error] = self.replies(msg_id)
        self.assertEqual(error["type"], "error")
        self.assertIn("Unknown request type \"encode\": the kernel understands configure, info, use-model, decode, cancel", error["message"])

    def test_decode_reports_the_steps_that_ran(self):
        # 7 of 1000 training steps: CompVis's schedule runs every 142nd step, 8 in all.
        replies = self.replies(self.request({"type": "decode", "id": "d7", "codes": [3] * 32, "params": {"steps": 7}}))
        self.assertEqual({r["total"] for r in replies if r["type"] == "progress"}, {8})
        decoded = replies[-1]
        self.assertEqual(decoded["type"], "decoded")
        jsonschema.validate(decoded["params"], MIME_SCHEMA["properties"]["params"])
        self.assertEqual((decoded["params"]["steps"], decoded["params"]["stepsAsked"]), (8, 7))
        self.assertTrue(decoded["params"]["stepsNote"].startswith("8 steps ran (7 asked): "), decoded["params"])

    def test_huge_guidance_is_refused_with_its_bound(self):
        # The schema forbids it; a client that sends it anyway gets the runtime's error, not a black image.
        request = {"type": "decode", "id": "g", "codes": [3] * 32, "params": {"guidance": 1e308}}
        with self.assertRaises(jsonschema.ValidationError):
            validate(request)
        [error] = self.replies(self.kernel.shell_request("comm_msg", {"comm_id": self.comm_id, "data": request}))
        self.assertEqual(error["type"], "error")
        self.assertIn("guidance must be a number >= 0 and at most 100", error["message"])

    def test_threads_setting_and_background_loading(self):
        self.replies(self.request({"type": "configure", "id": "t1", "settings": {"threads": 1}}))
        deadline = time.monotonic() + 60
        while True:
            [info] = self.replies(self.request({"type": "info", "id": "t2"}))
            if info["loading"] and info["loading"]["state"] != "loading" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(info["threads"], {"count": 1, "reason": "set by the setting Threads (Settings → SEED)"})
        self.assertEqual(info["loading"], {"state": "ready", "done": 2, "total": 2, "part": None})
        self.replies(self.request({"type": "configure", "id": "t3", "settings": {"threads": 0}}))

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

    def test_interrupt_cancels_the_running_decode_and_every_queued_one(self):
        # 20 decodes of 500 steps: tens of seconds of work if the interrupt left the queue running.
        ids = {self.request({"type": "decode", "id": f"q{i}", "codes": [1] * 32, "params": {"steps": 500}}): f"q{i}" for i in range(20)}
        events = {msg_id: [] for msg_id in ids}
        first = next(iter(ids))
        while not events[first]:
            msg = self.kernel.kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") in events and msg["msg_type"] == "comm_msg":
                events[msg["parent_header"]["msg_id"]].append(msg["content"]["data"])
        started = time.monotonic()
        self.assertEqual(self.kernel.control_request("interrupt_request")["content"]["status"], "ok")
        finished = set()
        while finished != set(ids):
            msg = self.kernel.kc.get_iopub_msg(timeout=60)
            msg_id = msg["parent_header"].get("msg_id")
            if msg_id not in ids:
                continue
            if msg["msg_type"] == "comm_msg":
                validate(msg["content"]["data"])
                events[msg_id].append(msg["content"]["data"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                finished.add(msg_id)
        seconds = time.monotonic() - started
        print(f"interrupt with 20 queued decodes: all ended in {seconds:.2f} s")
        for msg_id, request_id in ids.items():
            self.assertEqual(events[msg_id][-1], {"type": "cancelled", "id": request_id})
            self.assertEqual([e["type"] for e in events[msg_id]].count("cancelled"), 1)
        # Only the running decode sampled; the queued ones were cancelled before any step.
        for msg_id in list(ids)[1:]:
            self.assertEqual(events[msg_id], [{"type": "cancelled", "id": ids[msg_id]}])
        self.assertLess(seconds, 20)
        reply, outputs = self.kernel.run("1 + 1")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(text_of(outputs, "execute_result"), "2")


class SettingsReachMagics(unittest.TestCase):
    """The settings the frontend sends apply to %seed cells too, not only to widget requests; a flag wins."""

    @classmethod
    def setUpClass(cls):
        cls.kernel = SeedKernelSession(cwd=str(FIXTURES))
        cls.comm_id = "seed-settings"
        cls.kernel.outputs(cls.kernel.shell_request("comm_open", {"comm_id": cls.comm_id, "target_name": "seed", "data": {}}))

    @classmethod
    def tearDownClass(cls):
        cls.kernel.close()

    def configure(self, **settings):
        msg_id = self.kernel.shell_request(
            "comm_msg", {"comm_id": self.comm_id, "data": {"type": "configure", "id": "c", "settings": settings}}
        )
        [reply] = [m["content"]["data"] for m in self.kernel.outputs(msg_id) if m["msg_type"] == "comm_msg"]
        self.assertEqual(reply["type"], "configured", reply)

    def payload(self, code):
        reply, outputs = self.kernel.run(code)
        self.assertEqual(reply["status"], "ok", reply.get("evalue"))
        [result] = [m for m in outputs if m["msg_type"] == "execute_result"]
        return result["content"]["data"]["application/vnd.seed.v1+json"], outputs

    def previews(self, outputs):
        return sum(
            "preview at step" in m["content"]["data"].get("text/html", "")
            for m in outputs
            if m["msg_type"] in ("display_data", "update_display_data")
        )

    def test_top_k_sampler_and_previews_reach_magics(self):
        self.configure(topK=3, sampler="euler", steps=4, previewEvery=0)
        encoding, _ = self.payload("%seed encode tiny-image.png --as t")
        self.assertEqual({len(position) for position in encoding["topK"]}, {3})
        decoded, outputs = self.payload("%seed decode t")
        self.assertEqual((decoded["params"]["sampler"], decoded["params"]["steps"]), ("euler", 4))
        self.assertEqual(self.previews(outputs), 0)

        self.configure(previewEvery=1)
        _, outputs = self.payload("%seed decode t")
        self.assertGreater(self.previews(outputs), 0)
        # A flag wins over the setting for its call, and the output records what ran.
        flagged, _ = self.payload("%seed decode t --sampler ddim --steps 2")
        self.assertEqual((flagged["params"]["sampler"], flagged["params"]["steps"]), ("ddim", 2))
        encoding, _ = self.payload("%seed encode tiny-image.png --top-k 2")
        self.assertEqual({len(position) for position in encoding["topK"]}, {2})

    def test_the_typescript_api_uses_the_settings(self):
        self.configure(sampler="dpmpp", steps=3, seedPolicy="fixed", seed=7)
        reply, outputs = self.kernel.run(
            "const r = await seed.decode(Array(32).fill(1), { progress: false }); [r.params.sampler, r.params.steps, r.params.seed].join()"
        )
        self.assertEqual(reply["status"], "ok", reply.get("evalue"))
        self.assertIn("dpmpp,3,7", text_of(outputs, "execute_result"))
