"""Messaging spec 5.5 against the SEED kernel: the IOPub welcome of JEP 65 (IOPub is an XPUB
socket), `supported_features` in kernel_info_reply, and kernel_info answered on control too."""

import time
import unittest
from queue import Empty

import zmq
from jupyter_client import BlockingKernelClient

from seed_kernelspec import install_seed_kernelspec

install_seed_kernelspec()

from kernel_client import TIMEOUT, SeedKernelSession  # noqa: E402  (needs the kernelspec first)


class MessagingSpec55(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kernel = SeedKernelSession()

    @classmethod
    def tearDownClass(cls):
        cls.kernel.close()

    def setUp(self):
        self.kernel.drain_iopub()

    def new_client(self):
        """Another frontend on the same kernel, with a session (and so socket identities) of its own."""
        client = BlockingKernelClient()
        client.load_connection_info(self.kernel.km.get_connection_info())
        client.start_channels()
        return client

    def iopub_url(self):
        info = self.kernel.km.get_connection_info()
        return f"{info['transport']}://{info['ip']}:{info['iopub_port']}"

    def test_a_new_client_is_welcomed_and_loses_no_output(self):
        client = self.new_client()
        try:
            welcome = client.get_iopub_msg(timeout=TIMEOUT)
            self.assertEqual(welcome["msg_type"], "iopub_welcome")
            self.assertEqual(welcome["content"], {"subscription": ""})
            self.assertEqual(welcome["parent_header"], {})
            self.assertEqual(welcome["metadata"], {})
            # Welcomed, the client sends at once, without the kernel_info / idle dance, and sees
            # its request's whole output: busy first, idle last.
            msg_id = client.execute("%seed help")
            states, types = [], []
            deadline = time.monotonic() + TIMEOUT
            while states[-1:] != ["idle"]:
                msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                types.append(msg["msg_type"])
                if msg["msg_type"] == "status":
                    states.append(msg["content"]["execution_state"])
            self.assertEqual(states, ["busy", "idle"])
            self.assertEqual(types[:2], ["status", "execute_input"])
            self.assertIn("execute_result", types)
        finally:
            client.stop_channels()

    def test_every_client_subscribing_is_welcomed(self):
        # Each subscription gets a welcome, even when another client already subscribed to the same
        # topic: the first client, already welcomed, sees the second one's welcome too.
        second = self.new_client()
        try:
            self.assertEqual(second.get_iopub_msg(timeout=TIMEOUT)["msg_type"], "iopub_welcome")
            seen = self.kernel.kc.get_iopub_msg(timeout=TIMEOUT)
            self.assertEqual(seen["msg_type"], "iopub_welcome")
        finally:
            second.stop_channels()

    def test_a_subscription_to_one_topic_gets_its_welcome_under_that_topic(self):
        socket = zmq.Context.instance().socket(zmq.SUB)
        socket.linger = 0
        try:
            socket.setsockopt(zmq.SUBSCRIBE, b"seed-test-topic")
            socket.connect(self.iopub_url())
            self.assertTrue(socket.poll(TIMEOUT * 1000), "no welcome within the timeout")
            frames = socket.recv_multipart()
            self.assertEqual(frames[0], b"seed-test-topic")
            session = self.kernel.km.session
            _, parts = session.feed_identities(frames)
            welcome = session.deserialize(parts)  # checks the signature
            self.assertEqual(welcome["msg_type"], "iopub_welcome")
            self.assertEqual(welcome["content"], {"subscription": "seed-test-topic"})
        finally:
            socket.close()

    def test_kernel_info_lists_only_the_features_the_kernel_has(self):
        reply = self.kernel.wait_for_reply(self.kernel.kc.kernel_info())["content"]
        self.assertEqual(reply["protocol_version"], "5.5")
        # No debugger and no subshells: a frontend must not offer them.
        self.assertEqual(reply["supported_features"], [])
        self.assertIs(reply["debugger"], False)

    def test_kernel_info_on_control_is_the_shell_reply(self):
        shell = self.kernel.wait_for_reply(self.kernel.kc.kernel_info())
        control = self.kernel.control_request("kernel_info_request")
        self.assertEqual(control["msg_type"], "kernel_info_reply")
        self.assertEqual(control["content"], shell["content"])

    def test_kernel_info_on_control_answers_while_a_cell_runs(self):
        cell = self.kernel.kc.execute("await new Promise((resolve) => setTimeout(resolve, 10000)); 'done'")
        self.kernel.wait_until_busy(cell)
        reply = self.kernel.control_request("kernel_info_request")
        self.assertEqual(reply["content"]["status"], "ok")
        # The cell still runs: control did not wait behind the shell.
        with self.assertRaises(Empty):
            self.kernel.kc.get_shell_msg(timeout=0.1)
        self.assertEqual(self.kernel.wait_for_reply(cell)["content"]["status"], "ok")


if __name__ == "__main__":
    unittest.main()
