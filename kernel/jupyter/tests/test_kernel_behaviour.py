"""The SEED kernel beyond jupyter_kernel_test: interrupts, stop_on_error, comms, user
expressions, state across cells, and surviving user errors."""

import shutil
import tempfile
import time
import unittest
from pathlib import Path

from seed_kernelspec import install_seed_kernelspec

install_seed_kernelspec()

from kernel_client import SeedKernelSession, text_of  # noqa: E402  (needs the kernelspec first)


class KernelBehaviour(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kernel = SeedKernelSession()

    @classmethod
    def tearDownClass(cls):
        cls.kernel.close()

    def setUp(self):
        self.kernel.drain_iopub()

    def assert_kernel_usable(self):
        reply, outputs = self.kernel.run("1 + 1")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(text_of(outputs, "execute_result"), "2")

    def interrupt_running(self, code):
        """Starts `code`, interrupts it on the control channel; returns (interrupt reply, execute reply, seconds)."""
        msg_id = self.kernel.kc.execute(code)
        self.kernel.wait_until_busy(msg_id)
        time.sleep(0.5)
        started = time.monotonic()
        interrupt_reply = self.kernel.control_request("interrupt_request")
        reply = self.kernel.wait_for_reply(msg_id)
        return interrupt_reply, reply, time.monotonic() - started

    def test_interrupt_stops_an_awaiting_cell(self):
        interrupt_reply, reply, seconds = self.interrupt_running("await new Promise((resolve) => setTimeout(resolve, 120000));")
        self.assertEqual(interrupt_reply["msg_type"], "interrupt_reply")
        self.assertEqual(interrupt_reply["content"]["status"], "ok")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "InterruptedError")
        print(f"interrupt latency (awaiting cell): {seconds * 1000:.0f} ms")
        self.assert_kernel_usable()

    def test_interrupt_through_the_kernel_manager(self):
        # What jupyter_server does for JupyterLab's Interrupt button (interrupt_mode "message").
        msg_id = self.kernel.kc.execute("await new Promise((resolve) => setTimeout(resolve, 120000));")
        self.kernel.wait_until_busy(msg_id)
        time.sleep(0.5)
        self.kernel.km.interrupt_kernel()
        self.assertEqual(self.kernel.wait_for_reply(msg_id)["content"]["ename"], "InterruptedError")
        self.assert_kernel_usable()

    def test_interrupt_stops_a_busy_loop(self):
        interrupt_reply, reply, seconds = self.interrupt_running("let spins = 0;\nwhile (true) { spins++; }")
        self.assertEqual(interrupt_reply["content"]["status"], "ok")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "InterruptedError")
        print(f"interrupt latency (synchronous loop): {seconds * 1000:.0f} ms")
        self.assert_kernel_usable()

    def test_heartbeat_answers_while_a_cell_blocks_the_main_thread(self):
        msg_id = self.kernel.kc.execute("while (true) {}")
        self.kernel.wait_until_busy(msg_id)
        time.sleep(3)
        self.assertTrue(self.kernel.kc.hb_channel.is_beating())
        self.kernel.control_request("interrupt_request")
        self.assertEqual(self.kernel.wait_for_reply(msg_id)["content"]["ename"], "InterruptedError")

    def test_interrupt_aborts_the_cells_signal(self):
        code = (
            "const signal = seed.signal;\n"
            "await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted by signal'))));"
        )
        _, reply, _ = self.interrupt_running(code)
        self.assertEqual(reply["content"]["status"], "error")
        self.assert_kernel_usable()

    def test_an_error_aborts_the_cells_queued_behind_it(self):
        failing = self.kernel.kc.execute("await new Promise((resolve) => setTimeout(resolve, 300));\nthrow new Error('first');")
        queued = self.kernel.kc.execute("'never runs'")
        self.assertEqual(self.kernel.wait_for_reply(failing)["content"]["status"], "error")
        self.assertEqual(self.kernel.wait_for_reply(queued)["content"]["status"], "aborted")
        self.assert_kernel_usable()

    def test_stop_on_error_false_keeps_the_queue(self):
        failing = self.kernel.kc.execute(
            "await new Promise((resolve) => setTimeout(resolve, 300));\nthrow new Error('first');", stop_on_error=False
        )
        queued = self.kernel.kc.execute("'runs anyway'")
        self.assertEqual(self.kernel.wait_for_reply(failing)["content"]["status"], "error")
        self.assertEqual(self.kernel.wait_for_reply(queued)["content"]["status"], "ok")

    def test_printing_in_a_loop_is_batched_and_complete(self):
        reply, outputs = self.kernel.run("for (let i = 0; i < 2000; i++) { console.log(`line ${i}`); }\nconsole.error('done')")
        self.assertEqual(reply["status"], "ok")
        streams = [m["content"] for m in outputs if m["msg_type"] == "stream"]
        stdout = "".join(c["text"] for c in streams if c["name"] == "stdout")
        self.assertEqual(stdout.splitlines(), [f"line {i}" for i in range(2000)])
        self.assertLess(len(streams), 10)
        self.assertEqual(streams[-1], {"name": "stderr", "text": "done\n"})

    def test_state_persists_across_cells(self):
        self.kernel.run("let counter: number = 41;")
        reply, outputs = self.kernel.run("counter + 1")
        self.assertEqual(text_of(outputs, "execute_result"), "42")
        reply, outputs = self.kernel.run("const counter: string = 'redeclared'; counter")
        self.assertEqual(text_of(outputs, "execute_result"), "'redeclared'")

    def test_type_errors_are_error_replies(self):
        reply, outputs = self.kernel.run("const n: number = 'not a number';")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "TypeScriptError")
        self.assertIn("not assignable to type 'number'", reply["evalue"])
        self.assertEqual([m["msg_type"] for m in outputs], ["error"])

    def test_user_expressions(self):
        reply, _ = self.kernel.run("let base = 21;", user_expressions={"double": "base * 2", "broken": "nope("})
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(reply["user_expressions"]["double"]["status"], "ok")
        self.assertEqual(reply["user_expressions"]["double"]["data"]["text/plain"], "42")
        self.assertEqual(reply["user_expressions"]["broken"]["status"], "error")

    def test_silent_execution_has_no_outputs_and_no_count(self):
        before, _ = self.kernel.run("1")
        reply, outputs = self.kernel.run("2 + 2", silent=True)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(outputs, [])
        after, _ = self.kernel.run("3")
        self.assertEqual(after["execution_count"], before["execution_count"] + 1)

    def test_the_kernel_survives_stray_errors(self):
        reply, _ = self.kernel.run("Promise.reject(new Error('nobody awaits me')); setTimeout(() => { throw new Error('late'); }, 10); 'done'")
        self.assertEqual(reply["status"], "ok")
        time.sleep(0.3)
        self.assert_kernel_usable()

    def test_comm_to_an_unknown_target_is_closed(self):
        msg_id = self.kernel.shell_request("comm_open", {"comm_id": "c-unknown", "target_name": "no-such-target", "data": {}})
        outputs = self.kernel.outputs(msg_id)
        closes = [m for m in outputs if m["msg_type"] == "comm_close"]
        self.assertEqual(len(closes), 1)
        self.assertEqual(closes[0]["content"]["comm_id"], "c-unknown")
        info_id = self.kernel.kc.comm_info()
        reply = self.kernel.wait_for_reply(info_id)
        self.assertNotIn("c-unknown", reply["content"]["comms"])

    def test_interrupt_stops_a_seed_decode_while_it_samples(self):
        # 20 decodes of 500 steps (the most a decode takes) keep the tiny model busy for long enough.
        line = "%seed decode " + " ".join(["1"] * 32) + " --steps 500"
        _, reply, _ = self.interrupt_running("\n".join([line] * 20))
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "SeedCancelledError")
        self.assert_kernel_usable()

    def test_input_request_on_stdin(self):
        msg_id = self.kernel.kc.execute("const answer = await seed.input('Your name? ');\nanswer.toUpperCase()", allow_stdin=True)
        request = self.kernel.kc.get_stdin_msg(timeout=60)
        self.assertEqual(request["msg_type"], "input_request")
        self.assertEqual(request["content"]["prompt"], "Your name? ")
        self.kernel.kc.input("ada")
        reply = self.kernel.wait_for_reply(msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        outputs = self.kernel.outputs(msg_id)
        self.assertEqual(text_of(outputs, "execute_result"), "'ADA'")

    def test_kernel_info_on_control(self):
        reply = self.kernel.control_request("kernel_info_request")
        self.assertEqual(reply["content"]["language_info"]["name"], "typescript")
        self.assertEqual(reply["content"]["protocol_version"], "5.5")


class KernelRestart(unittest.TestCase):
    def test_restart_gives_a_fresh_kernel(self):
        kernel = SeedKernelSession()
        try:
            kernel.run("let survivor = 1;")
            kernel.km.restart_kernel(now=False)
            kernel.kc.wait_for_ready(timeout=60)
            reply, _ = kernel.run("typeof survivor")
            self.assertEqual(reply["status"], "error")
            self.assertIn("survivor", reply["evalue"])
        finally:
            kernel.close()


class ModulesInCells(unittest.TestCase):
    """Cells import Node modules and the notebook folder's own TypeScript files."""

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="seed-kernel-cwd-")
        Path(cls.folder, "helper.ts").write_text("export function twice(n: number): number {\n  return 2 * n;\n}\n")
        cls.kernel = SeedKernelSession(cwd=cls.folder)

    @classmethod
    def tearDownClass(cls):
        cls.kernel.close()
        shutil.rmtree(cls.folder, ignore_errors=True)

    def test_node_modules(self):
        reply, outputs = self.kernel.run("import * as path from 'node:path';\npath.join('a', 'b')")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(text_of(outputs, "execute_result"), "'a/b'")

    def test_local_typescript_files(self):
        reply, outputs = self.kernel.run("import { twice } from './helper';\ntwice(21)")
        self.assertEqual(reply["status"], "ok", reply.get("evalue"))
        self.assertEqual(text_of(outputs, "execute_result"), "42")
        reply, _ = self.kernel.run("twice('not a number')")
        self.assertEqual(reply["ename"], "TypeScriptError")

    def test_classes_and_relative_paths(self):
        reply, outputs = self.kernel.run(
            "class Counter { n = 0; tick() { return ++this.n; } }\nconst c = new Counter(); c.tick(); c.tick()"
        )
        self.assertEqual(text_of(outputs, "execute_result"), "2")
        reply, outputs = self.kernel.run("import * as fs from 'node:fs';\nfs.existsSync('helper.ts')")
        self.assertEqual(text_of(outputs, "execute_result"), "true")
