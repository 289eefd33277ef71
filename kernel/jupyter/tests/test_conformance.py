"""jupyter_kernel_test's conformance suite against the SEED kernel (TypeScript cells)."""

import jupyter_kernel_test as jkt

from seed_kernelspec import KERNEL_NAME, install_seed_kernelspec

install_seed_kernelspec()

WARM_UP_TIMEOUT = 180


class SeedKernelConformance(jkt.KernelTests):
    kernel_name = KERNEL_NAME

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The first cell builds the TypeScript compiler's program: seconds, and more than the 15 s
        # jupyter_kernel_test waits for a reply on a loaded machine. Warm it up once, silently
        # (no execution count, no history), so each test measures its own request.
        msg_id = cls.kc.execute("0", silent=True, store_history=False)
        reply = cls.kc.get_shell_msg(timeout=WARM_UP_TIMEOUT)
        # Skip the extra kernel_info replies of the client's start-up handshake.
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = cls.kc.get_shell_msg(timeout=WARM_UP_TIMEOUT)
        assert reply["content"]["status"] == "ok", reply["content"]

    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'
    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "1 + 1", "result": "2"},
        {"code": "const greeting: string = 'hello'; greeting.toUpperCase()", "result": "'HELLO'"},
        {"code": "await Promise.resolve(6 * 7)", "result": "42"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
    ]
    code_display_data = [
        {"code": 'import * as tslab from "tslab";\ntslab.display.html("<b>bold</b>")', "mime": "text/html"},
    ]

    completion_samples = [
        {"text": "Math.PI.toFix", "matches": {"toFixed"}},
        {"text": "const completeMe = 1;\ncompleteM", "matches": {"completeMe"}},
        # The `seed` API is typed in every cell.
        {"text": "seed.encodeA", "matches": {"encodeAll"}},
        # and so are the magics.
        {"text": "%seed de", "matches": {"decode", "device"}},
        {"text": "%seed decode cat --st", "matches": {"--steps"}},
    ]
    complete_code_samples = ["1 + 1", "let x = 1;", "function f(a: number) {\n  return a;\n}"]
    incomplete_code_samples = ["function f(a: number) {", "const xs = [1,", "if (true) {"]
    invalid_code_samples = ["const = 5;", "1 +* 2", "let x = );"]

    code_inspect_sample = "Math.max"
    code_clear_output = 'console.log("soon gone");\nseed.clearOutput()'

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "1 + 1"
