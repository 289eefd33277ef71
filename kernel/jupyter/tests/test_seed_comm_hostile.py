"""The `seed` comm under load and hostile input, driven through jupyter_client as a demanding client
would: every message is validated before anything acts on it, every message gets exactly one answer,
replies stay small whatever was sent, cancels only touch live requests, and the kernel stays alive."""

import json
import random
import time
import unittest

import jsonschema

from seed_kernelspec import FIXTURES, REPO, install_seed_kernelspec

install_seed_kernelspec()

from kernel_client import SeedKernelSession, text_of  # noqa: E402  (needs the kernelspec first)

COMM_SCHEMA = json.loads((REPO / "kernel" / "protocol" / "seed-comm.schema.json").read_text())
CODES = [3] * 32
HUGE = "x" * 5_000_000


class HostileComm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kernel = SeedKernelSession(cwd=str(FIXTURES))
        cls.comm_id = "seed-hostile"
        cls.kernel.outputs(
            cls.kernel.shell_request("comm_open", {"comm_id": cls.comm_id, "target_name": "seed", "data": {}})
        )

    @classmethod
    def tearDownClass(cls):
        cls.kernel.close()

    def send(self, data):
        return self.kernel.shell_request("comm_msg", {"comm_id": self.comm_id, "data": data})

    def answers(self, msg_id):
        """Every comm_msg the kernel sent in reply to one message, each checked against the schema."""
        found = [m for m in self.kernel.outputs(msg_id) if m["msg_type"] == "comm_msg"]
        for msg in found:
            jsonschema.Draft7Validator(COMM_SCHEMA).validate(msg["content"]["data"])
        return found

    def one_answer(self, data):
        messages = self.answers(self.send(data))
        self.assertEqual(len(messages), 1, [m["content"]["data"] for m in messages])
        return messages[0]["content"]["data"]

    def error_for(self, data):
        answer = self.one_answer(data)
        self.assertEqual(answer["type"], "error", answer)
        return answer

    def assert_alive(self):
        reply, outputs = self.kernel.run("1 + 1")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(text_of(outputs, "execute_result"), "2")

    def decode(self, request_id, **params):
        return {"type": "decode", "id": request_id, "codes": CODES, "params": params}

    # 1. Values outside the schema are refused before use.
    def test_fields_the_schema_forbids_are_refused(self):
        error = self.error_for(self.decode("s1", steps=5, size=[4096, 4096]))
        self.assertEqual(error["id"], "s1")
        self.assertIn('params has a field "size" that is not allowed (allowed: sampler, steps, guidance, seed)', error["message"])
        self.assertIn('"size"', self.error_for(self.decode("s2", steps=5, size=5))["message"])
        error = self.error_for({"type": "decode", "id": "s3", "codes": CODES, "params": "steps=5"})
        self.assertIn('params must be an object; got "steps=5"', error["message"])

    # 2. configure stores nothing invalid.
    def test_configure_refuses_invalid_settings_and_keeps_the_old_ones(self):
        self.assertEqual(self.one_answer({"type": "configure", "id": "ok", "settings": {"topK": 3}})["type"], "configured")
        self.assertIn("previewEvery must be a whole number >= 0", self.error_for({"type": "configure", "id": "c1", "settings": {"previewEvery": -5}})["message"])
        self.assertIn("topK must be a whole number from 1 to 64", self.error_for({"type": "configure", "id": "c2", "settings": {"topK": -1}})["message"])
        info = self.one_answer({"type": "info", "id": "i"})
        self.assertEqual((info["settings"]["topK"], info["settings"]["previewEvery"]), (3, 5))
        self.assertEqual(self.one_answer({"type": "configure", "id": "back", "settings": {"topK": 5}})["type"], "configured")

    # 3. Parameters have upper bounds that say why.
    def test_a_huge_guidance_is_refused_with_the_reason(self):
        message = self.error_for(self.decode("g1", steps=2, guidance=1e308))["message"]
        self.assertIn("guidance must be a number >= 0 and at most 100", message)
        self.assertIn("overflow into NaN", message)

    # 4. No raw JavaScript errors reach the user.
    def test_malformed_requests_get_sentences_not_javascript_errors(self):
        for data in [
            {"type": "encode", "id": "e1", "image": 5},
            {"type": "decode", "id": "e2", "codes": "1,2,3", "params": {}},
            {"type": "decode", "id": "e3", "codes": [1, "two"], "params": {}},
            {"type": "decode", "id": "e4", "codes": [-1] * 32, "params": {}},
            {"type": "use-model", "id": "e5", "model": None},
            {"type": "cancel", "id": "e6"},
            {"type": "configure", "id": "e7", "settings": {"executionProviders": "cuda"}},
        ]:
            message = self.error_for(data)["message"]
            for raw in ("TypeError", "Cannot use 'in'", "undefined", "is not a function", "Cannot read"):
                self.assertNotIn(raw, message, data)

    # 5. Replies never echo unbounded input.
    def test_replies_stay_small_whatever_was_sent(self):
        for data in [
            {"type": HUGE, "id": "h1"},
            self.decode("h2", sampler=HUGE),
            {"type": "info", "id": HUGE},
            {"type": "use-model", "id": "h4", "model": HUGE},
        ]:
            messages = self.answers(self.send(data))
            self.assertEqual(len(messages), 1)
            self.assertLess(len(json.dumps(messages[0]["content"])), 2000)
        self.assert_alive()

    # 6. A cancel only touches a running or queued request, and is forgotten with it.
    def test_a_late_cancel_is_an_error_and_does_not_cancel_the_next_request_with_that_id(self):
        self.assertEqual(self.answers(self.send(self.decode("reused", steps=2)))[-1]["content"]["data"]["type"], "decoded")
        error = self.error_for({"type": "cancel", "id": "late", "target": "reused"})
        self.assertIn("Nothing to cancel", error["message"])
        self.assertIn("Nothing to cancel", self.error_for({"type": "cancel", "id": "early", "target": "not-yet"})["message"])
        self.assertEqual(self.answers(self.send(self.decode("reused", steps=2)))[-1]["content"]["data"]["type"], "decoded")
        self.assertEqual(self.answers(self.send(self.decode("not-yet", steps=2)))[-1]["content"]["data"]["type"], "decoded")

    # 7. Nothing is dropped silently: unreadable requests are answered with id null.
    def test_requests_without_a_usable_id_are_answered_with_id_null(self):
        for data in [{"type": "info"}, {"type": "info", "id": 7}, [1, 2], "{not json", {"id": ""}]:
            answer = self.error_for(data)
            self.assertIsNone(answer["id"], data)
        self.assert_alive()

    def test_a_hundred_concurrent_decodes_each_end_once(self):
        rss_before = self.one_answer({"type": "info", "id": "m0"})["memory"]["rssBytes"]
        sent = {self.send(self.decode(f"many-{i}", steps=2, seed=i)): f"many-{i}" for i in range(100)}
        terminal = {request_id: [] for request_id in sent.values()}
        idle = set()
        deadline = time.monotonic() + 300
        while len(idle) < len(sent) and time.monotonic() < deadline:
            msg = self.kernel.kc.get_iopub_msg(timeout=60)
            parent = msg["parent_header"].get("msg_id")
            if parent not in sent:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle.add(parent)
            elif msg["msg_type"] == "comm_msg":
                data = msg["content"]["data"]
                self.assertEqual(data["id"], sent[parent])
                if data["type"] != "progress":
                    terminal[data["id"]].append(data["type"])
        self.assertEqual(len(idle), 100)
        self.assertEqual({request_id: ends for request_id, ends in terminal.items() if ends != ["decoded"]}, {})
        rss_after = self.one_answer({"type": "info", "id": "m1"})["memory"]["rssBytes"]
        self.assertLess(rss_after - rss_before, 200 * 1024 * 1024, f"{rss_before} -> {rss_after}")

    def test_fuzz_every_malformed_message_gets_exactly_one_answer(self):
        rng = random.Random(20261202)
        valid = [
            {"type": "configure", "id": "f", "settings": {"topK": 4, "sampler": "ddim", "previewEvery": 2}},
            {"type": "info", "id": "f"},
            {"type": "use-model", "id": "f", "model": "tiny-model"},
            self.decode("f", steps=2, guidance=2, seed=1, sampler="euler"),
            {"type": "cancel", "id": "f", "target": "nothing"},
        ]
        garbage = [None, True, -1, 1.5, 10**12, "", "x" * 300, [], [1, "a"], {}, {"nested": {"a": 1}}, 1e308]

        def mutate(message):
            message = json.loads(json.dumps(message))
            target = message
            if "params" in message and rng.random() < 0.4:
                target = message["params"]
            elif "settings" in message and rng.random() < 0.4:
                target = message["settings"]
            keys = list(target) or ["x"]
            choice = rng.randrange(3)
            if choice == 0:
                target.pop(rng.choice(keys), None)
            elif choice == 1:
                target[rng.choice(keys)] = rng.choice(garbage)
            else:
                target[rng.choice(["extra", "size", "eta", "png", "preview"])] = rng.choice(garbage)
            return message

        for i in range(300):
            data = mutate(rng.choice(valid))
            if isinstance(data.get("id"), str):
                data["id"] = f"fuzz-{i}"
            messages = self.answers(self.send(data))
            ends = [m["content"]["data"] for m in messages if m["content"]["data"]["type"] != "progress"]
            self.assertEqual(len(ends), 1, (data, ends))
            expected_id = data["id"] if isinstance(data.get("id"), str) and 0 < len(data["id"]) <= 128 else None
            self.assertEqual(ends[0]["id"], expected_id, data)
        self.assert_alive()


if __name__ == "__main__":
    unittest.main()
