"""A small synchronous client around jupyter_client for the SEED kernel's own tests."""

import time
from queue import Empty

from jupyter_client.manager import start_new_kernel

from seed_kernelspec import KERNEL_NAME

TIMEOUT = 60


class SeedKernelSession:
    """Starts the `seed` kernel and runs code on it, collecting replies and iopub output."""

    def __init__(self, **kernel_kwargs):
        self.km, self.kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=TIMEOUT, **kernel_kwargs)

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)

    def drain_iopub(self):
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.2)
            except Empty:
                return

    def wait_for_reply(self, msg_id, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = self.kc.get_shell_msg(timeout=deadline - time.monotonic())
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply
        raise TimeoutError(f"no reply to {msg_id} within {timeout}s")

    def outputs(self, msg_id, timeout=TIMEOUT):
        """The iopub messages of one request, up to its idle status."""
        found = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.kc.get_iopub_msg(timeout=deadline - time.monotonic())
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return found
            found.append(msg)
        raise TimeoutError(f"no idle status for {msg_id} within {timeout}s")

    def run(self, code, timeout=TIMEOUT, **options):
        """Executes code; returns (execute_reply content, iopub messages except status/execute_input)."""
        msg_id = self.kc.execute(code, **options)
        reply = self.wait_for_reply(msg_id, timeout)
        outputs = [m for m in self.outputs(msg_id, timeout) if m["msg_type"] not in ("status", "execute_input")]
        return reply["content"], outputs

    def wait_until_busy(self, msg_id, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.kc.get_iopub_msg(timeout=deadline - time.monotonic())
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
                return
        raise TimeoutError(f"{msg_id} did not start within {timeout}s")

    def control_request(self, msg_type, content=None, timeout=TIMEOUT):
        msg = self.kc.session.msg(msg_type, content or {})
        self.kc.control_channel.send(msg)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = self.kc.get_control_msg(timeout=deadline - time.monotonic())
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                return reply
        raise TimeoutError(f"no {msg_type} reply within {timeout}s")

    def shell_request(self, msg_type, content, timeout=TIMEOUT):
        msg = self.kc.session.msg(msg_type, content)
        self.kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]


def text_of(outputs, msg_type):
    """The text/plain (or stream text) of the first output of this type."""
    for msg in outputs:
        if msg["msg_type"] == msg_type:
            content = msg["content"]
            return content["text"] if msg_type == "stream" else content["data"].get("text/plain")
    return None
